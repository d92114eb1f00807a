"""An agency's own instance (UNIT_ID) acts for its unit only: the office and other units are refused
(403), its unit's staff are served, and no deadline scheduler or digest runs there."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.allocation.bootstrap import create as allocation
from services.allocation.config import AllocationSettings
from services.reply.bootstrap import create as reply
from services.reply.config import ReplySettings
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import Identity, issue_token
from shared.web.keys import SigningKey

KEY = SigningKey.development()
OFFICE = Identity("office-wang", "office", "王主任")
MINZHENG = Identity("minzheng-sun", "unit_staff", "孙雪斌", "minzheng")
SHANGWU = Identity("shangwu-zhang", "unit_staff", "张伟", "shangwu")


def bearer(identity: Identity) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(identity, KEY)}"}


@pytest.fixture
def minzheng_allocation() -> Iterator[TestClient]:
    settings = AllocationSettings(unit_id="minzheng")
    with TestClient(allocation(settings, in_memory_infrastructure())) as client:
        yield client


def test_the_office_and_other_units_are_refused_by_an_agencys_instance(
    minzheng_allocation: TestClient,
) -> None:
    for caller in (OFFICE, SHANGWU):
        read = minzheng_allocation.get("/allocations/wuhai-60", headers=bearer(caller))
        assert read.status_code == 403, caller
        assert "acts for the unit minzheng only" in read.json()["detail"]
        allocate = minzheng_allocation.post(
            "/allocations/wuhai-60", json={"mode": "独办", "lead": "市民政局"}, headers=bearer(caller)
        )
        assert allocate.status_code == 403
    assert minzheng_allocation.get("/allocations/wuhai-60").status_code == 401


def test_the_units_own_staff_are_served(minzheng_allocation: TestClient) -> None:
    answer = minzheng_allocation.get("/allocations/wuhai-60", headers=bearer(MINZHENG))
    assert answer.status_code == 404  # served: the proposal is not known here


def test_no_scheduler_or_digest_runs_in_an_agencys_instance(minzheng_allocation: TestClient) -> None:
    workers = {w.name for w in minzheng_allocation.app.state.parts.workers}  # type: ignore[attr-defined]
    assert "scheduler" not in workers and "digest" not in workers
    with TestClient(allocation(AllocationSettings(), in_memory_infrastructure())) as central:
        central_workers = {w.name for w in central.app.state.parts.workers}  # type: ignore[attr-defined]
    assert {"scheduler", "digest"} <= central_workers


def test_a_reply_instance_of_a_unit_refuses_the_office() -> None:
    with TestClient(reply(ReplySettings(unit_id="shangwu"), in_memory_infrastructure())) as client:
        assert client.get("/replies/wuhai-60", headers=bearer(OFFICE)).status_code == 403
        assert client.get("/replies/wuhai-60", headers=bearer(MINZHENG)).status_code == 403
        assert client.get("/replies/wuhai-60", headers=bearer(SHANGWU)).status_code == 404
