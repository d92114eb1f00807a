"""The allocation service over HTTP, through its composition root on the in-memory adapters."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.allocation.application.service import AllocationService
from services.allocation.bootstrap import create
from services.allocation.config import AllocationSettings
from services.intake.contracts import ItemV1, ProposalEndedAtIntakeV1, ProposalRegisteredV1, ProposerV1
from shared.adapters.infrastructure import Infrastructure
from shared.kernel.cloudevents import CloudEvent
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import Identity, Role, issue_token
from tests.unit.allocation.examples import deliver

PROPOSAL = "wuhai-2025-60"
SETTINGS = AllocationSettings()
registered = ProposalRegisteredV1(
    proposal_id=PROPOSAL,
    jurisdiction="wuhai",
    kind="proposal",
    session="市政协十一届四次会议",
    number="60",
    title="关于推动家政服务业发展的提案",
    category="经济",
    items=[ItemV1(number=1, text="加快家政服务业提质扩容")],
    proposers=[ProposerV1(id="liu-jianfeng", name="刘建峰")],
    registered_at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
)


def cloud_event(event_id: str, data: ProposalRegisteredV1 | ProposalEndedAtIntakeV1) -> CloudEvent:
    return CloudEvent(
        id=event_id, source="intake", type=data.type_name, time=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
        data=data.model_dump(mode="json"), correlationid=event_id,
    )  # fmt: skip


def token(role: Role, unit: str | None = None, name: str = "王丽") -> dict[str, str]:
    identity = Identity(subject=f"{role}-{unit}", role=role, name=name, unit=unit)
    return {"Authorization": f"Bearer {issue_token(identity, SETTINGS.signing_key())}"}


OFFICE = token("office")
SHANGWU = token("unit_staff", "shangwu")
MINZHENG = token("unit_leader", "minzheng")
JIAOYU = token("unit_staff", "jiaoyu")


@pytest.fixture
def infra() -> Infrastructure:
    return in_memory_infrastructure()


@pytest.fixture
def client(infra: Infrastructure) -> Iterator[TestClient]:
    app = create(SETTINGS, infra)
    with TestClient(app) as client:
        app.state.clock = lambda: datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
        service = app.state.parts.provided.get(AllocationService)
        assert client.portal is not None
        client.portal.call(deliver, service, cloud_event("msg-registered-60", registered))
        yield client


def allocate(client: TestClient, **body: Any) -> Any:
    body = body or {"mode": "主办+协办", "lead": "市商务局", "co_units": ["民政局", "市人力资源和社会保障局"]}
    return client.post(f"/allocations/{PROPOSAL}", json=body, headers=OFFICE)


def test_the_office_allocates_by_unit_names_and_everyone_on_it_can_read_it(client: TestClient) -> None:
    answer = allocate(client)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"proposal_id": PROPOSAL, "state": "ALLOCATED", "version": 2}
    view = client.get(f"/allocations/{PROPOSAL}", headers=MINZHENG).json()
    assert view["routing"] == [{"item": 1, "lead": "shangwu", "co_units": ["minzheng", "renshe"]}]
    assert (view["reply_due"], view["co_opinion_due"]) == ("2025-06-10", "2025-04-10")
    assert [a["state"] for a in view["assignments"]] == ["PENDING_RECEIPT"] * 3


def test_an_unknown_unit_is_refused_naming_the_field_and_the_name(client: TestClient) -> None:
    answer = allocate(client, mode="主办+协办", lead="市商务局", co_units=["民政局", "市文旅局"])
    assert answer.status_code == 422
    assert answer.json()["field"] == "co_units[1]" and "市文旅局" in answer.json()["rule"]


def test_only_the_office_allocates(client: TestClient) -> None:
    answer = client.post(
        f"/allocations/{PROPOSAL}", json={"mode": "独办", "lead": "shangwu"}, headers=SHANGWU
    )
    assert answer.status_code == 403


def test_a_unit_acknowledges_once_and_only_for_itself(client: TestClient) -> None:
    allocate(client)
    url = f"/allocations/{PROPOSAL}/units/minzheng/acknowledge"
    assert client.post(url, headers=SHANGWU).status_code == 403
    first = client.post(url, headers=MINZHENG)
    assert first.json() == {
        "proposal_id": PROPOSAL,
        "state": "ALLOCATED",
        "assignment": "RECEIVED",
        "version": 3,
    }
    second = client.post(url, headers=MINZHENG)
    assert second.status_code == 409 and second.json()["current_state"] == "RECEIVED"


def test_an_adjustment_is_asked_by_the_unit_and_decided_by_the_office(client: TestClient) -> None:
    allocate(client)
    unit = f"/allocations/{PROPOSAL}/units/minzheng"
    asked = client.post(f"{unit}/adjustment-request", json={"reason": "非本单位职责"}, headers=MINZHENG)
    assert asked.json()["assignment"] == "ADJUSTMENT_REQUESTED"
    refused = client.post(f"{unit}/adjustment-decision", json={"approve": True}, headers=MINZHENG)
    assert refused.status_code == 403
    approved = client.post(
        f"{unit}/adjustment-decision", json={"approve": True, "replacement": "市妇联"}, headers=OFFICE
    )
    assert approved.status_code == 200, approved.text
    view = client.get(f"/allocations/{PROPOSAL}", headers=OFFICE).json()
    assert view["revision"] == 2
    assert [a["unit"] for a in view["assignments"]] == ["shangwu", "renshe", "fulian"]
    assert client.get(f"/allocations/{PROPOSAL}", headers=MINZHENG).status_code == 403


def test_internal_allocation_and_an_extension_for_the_lead(client: TestClient) -> None:
    allocate(client)
    unit = f"/allocations/{PROPOSAL}/units/shangwu"
    client.post(f"{unit}/acknowledge", headers=SHANGWU)
    task = {"item": 1, "section": "服务业科", "leader": "孙雪斌", "person": "王丽", "deadline": "2025-05-31"}
    internal = client.post(f"{unit}/internal-allocation", json={"tasks": [task]}, headers=SHANGWU)
    assert internal.json()["assignment"] == "IN_PROGRESS"
    too_early = client.post(
        f"{unit}/extension-request", json={"reply_due": "2025-06-01", "reason": "涉及多部门"}, headers=SHANGWU
    )
    assert too_early.status_code == 422 and too_early.json()["field"] == "reply_due"
    asked = client.post(
        f"{unit}/extension-request", json={"reply_due": "2025-09-10", "reason": "涉及多部门"}, headers=SHANGWU
    )
    assert asked.status_code == 200
    granted = client.post(f"{unit}/extension-decision", json={"grant": True}, headers=OFFICE)
    assert granted.status_code == 200
    assert client.get(f"/allocations/{PROPOSAL}", headers=SHANGWU).json()["reply_due"] == "2025-09-10"


def test_a_unit_not_on_the_proposal_cannot_read_it_and_an_unknown_proposal_is_not_found(
    client: TestClient,
) -> None:
    allocate(client)
    assert client.get(f"/allocations/{PROPOSAL}", headers=JIAOYU).status_code == 403
    assert client.get("/allocations/nothing-here", headers=OFFICE).status_code == 404


def test_the_office_designates_a_key_item_records_a_visit_and_urges_a_unit(client: TestClient) -> None:
    allocate(client)
    base = f"/allocations/{PROPOSAL}"
    key = client.post(
        f"{base}/key-item", json={"leader": "王志强", "leader_title": "市政协副主席"}, headers=OFFICE
    )
    assert key.status_code == 200, key.text
    visit = {"kind": "visit", "held_on": "2025-03-10", "notes": "到市商务局调研家政服务业"}
    assert client.post(f"{base}/supervision", json=visit, headers=OFFICE).status_code == 200
    urged = client.post(
        f"{base}/urges", json={"unit": "市民政局", "reason": "协办意见尚未提交"}, headers=OFFICE
    )
    assert urged.status_code == 200, urged.text
    view = client.get(base, headers=OFFICE).json()
    assert view["key_item"] == {"leader": "王志强", "leader_title": "市政协副主席", "supervisions": 1}
    assert view["urges"] == 1


def test_only_the_office_supervises_and_a_second_designation_or_a_bad_kind_is_refused(
    client: TestClient,
) -> None:
    allocate(client)
    base = f"/allocations/{PROPOSAL}"
    body = {"leader": "王志强", "leader_title": "市政协副主席"}
    assert client.post(f"{base}/key-item", json=body, headers=SHANGWU).status_code == 403
    assert (
        client.post(f"{base}/urges", json={"unit": "市商务局", "reason": "催"}, headers=MINZHENG).status_code
        == 403
    )
    assert client.post(f"{base}/key-item", json=body, headers=OFFICE).status_code == 200
    again = client.post(f"{base}/key-item", json=body, headers=OFFICE)
    assert again.status_code == 409 and again.json()["current_state"] == "KEY_ITEM"
    bad = {"kind": "letter", "held_on": "2025-03-10", "notes": "函询"}
    assert client.post(f"{base}/supervision", json=bad, headers=OFFICE).status_code == 422
    unknown = client.post(f"{base}/urges", json={"unit": "市外事办", "reason": "催办"}, headers=OFFICE)
    assert unknown.status_code == 422 and unknown.json()["field"] == "unit"
