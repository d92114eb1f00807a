"""The query API of the views: who sees what, bad parameters, "as of", and the lag metric."""

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.views.application.projections import LiveProjections
from services.views.bootstrap import create
from services.views.config import ViewsSettings
from shared.adapters.bus.inbox import InMemoryInbox
from shared.adapters.bus.inprocess import InProcessBus
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.rules.deadlines import local_date
from shared.web.identity import Identity, issue_token
from shared.web.keys import SigningKey
from tests.unit.views.lifecycle import PID, STREAM, new_events, whole_lifecycle

SECRET = SigningKey.development()
OFFICE = Identity("office-1", "office", "政协提案委")
MINZHENG = Identity("sunxuebin", "unit_staff", "孙雪斌", "minzheng")
SHANGWU = Identity("shangwu-office", "unit_staff", "市商务局办公室", "shangwu")
MEMBER = Identity("jincheng-rujuxia", "proposer", "茹菊霞")


async def recorded_store() -> InMemoryEventStore:
    """The views service's own store, holding its record of what the services announced of 第254号
    today."""
    store = InMemoryEventStore()
    await store.append(STREAM, new_events(whole_lifecycle(), datetime.now(UTC)), 0)
    return store


@pytest.fixture
def client() -> Iterator[TestClient]:
    events = asyncio.run(recorded_store())
    infra = Infrastructure(events, InProcessBus(), InMemoryReadStore(), InMemoryInbox())
    with TestClient(create(ViewsSettings(), infra)) as test_client:
        live: LiveProjections = test_client.app.state.parts.provided.get(LiveProjections)  # type: ignore[attr-defined]
        deadline = time.monotonic() + 5
        while any(r.stats.position < len(whole_lifecycle()) for r in live.runners):
            assert time.monotonic() < deadline, "the projections did not catch up within 5 s"
            time.sleep(0.01)
        yield test_client


def get(client: TestClient, path: str, who: Identity) -> tuple[int, dict[str, object]]:
    answer = client.get(path, headers={"Authorization": f"Bearer {issue_token(who, SECRET)}"})
    return answer.status_code, answer.json() if answer.headers["content-type"].endswith("json") else {}


def today() -> date:
    from datetime import UTC, datetime

    return local_date(datetime.now(UTC))


def test_the_office_sees_proposal_254_with_its_timeline(client: TestClient) -> None:
    status, body = get(client, f"/api/proposals/{PID}", OFFICE)

    assert status == 200
    assert (body["number"], body["state"]) == ("254", "CLOSED")
    assert isinstance(body["timeline"], list) and len(body["timeline"]) > 10


def test_the_lead_unit_sees_the_proposal_it_handles(client: TestClient) -> None:
    status, body = get(client, f"/api/proposals/{PID}", MINZHENG)

    assert (status, body["lead_units"]) == (200, ["minzheng"])


def test_another_unit_is_told_the_proposal_does_not_exist(client: TestClient) -> None:
    hidden, _ = get(client, f"/api/proposals/{PID}", SHANGWU)
    missing, _ = get(client, "/api/proposals/wuhai-60", SHANGWU)

    assert hidden == missing == 404


def test_a_member_may_not_see_the_proposal_views(client: TestClient) -> None:
    status, body = get(client, f"/api/proposals/{PID}", MEMBER)

    assert (status, body["status"]) == (403, 403)


def test_a_unit_sees_its_own_work_by_id_or_by_name(client: TestClient) -> None:
    by_id, body = get(client, "/api/units/minzheng", MINZHENG)
    by_name, same = get(client, "/api/units/市民政局", MINZHENG)

    assert by_id == by_name == 200
    assert body == same
    assert [a["number"] for a in body["assignments"]] == ["254"]  # type: ignore[attr-defined]


def test_a_unit_may_not_see_another_units_work(client: TestClient) -> None:
    status, _ = get(client, "/api/units/minzheng", SHANGWU)

    assert status == 403


def test_an_unknown_unit_is_refused_naming_the_unit(client: TestClient) -> None:
    status, body = get(client, "/api/units/市火星局", OFFICE)

    assert (status, body["field"]) == (422, "unit")


def test_only_the_office_sees_the_overview(client: TestClient) -> None:
    refused, _ = get(client, "/api/overview", MINZHENG)
    status, body = get(client, "/api/overview", OFFICE)

    assert refused == 403
    assert status == 200
    assert body["by_state"]["CLOSED"] == 1  # type: ignore[index]


@pytest.mark.parametrize("written", ["2025-13-01", "yesterday", "20250701"])
def test_a_bad_as_of_date_is_refused_naming_as_of(client: TestClient, written: str) -> None:
    status, body = get(client, f"/api/overview?as_of={written}", OFFICE)

    assert (status, body["field"]) == (422, "as_of")


def test_an_as_of_date_in_the_future_is_refused(client: TestClient) -> None:
    status, body = get(client, f"/api/overview?as_of={today() + timedelta(days=2)}", OFFICE)

    assert (status, body["field"]) == (422, "as_of")


def test_as_of_yesterday_the_proposal_recorded_today_did_not_exist(client: TestClient) -> None:
    earlier, _ = get(client, f"/api/proposals/{PID}?as_of={today() - timedelta(days=1)}", OFFICE)
    now, body = get(client, f"/api/proposals/{PID}?as_of={today()}", OFFICE)
    _, unit = get(client, f"/api/units/minzheng?as_of={today() - timedelta(days=1)}", MINZHENG)

    assert (earlier, now, body["state"]) == (404, 200, "CLOSED")
    assert unit["assignments"] == []


def test_the_metrics_show_the_projection_lag_and_the_store_head(client: TestClient) -> None:
    text = client.get("/metrics").text

    assert 'views_projection_lag_seconds{projection="proposals",quantile="0.99"}' in text
    assert f'views_projection_position{{projection="proposals"}} {len(whole_lifecycle())}' in text
    assert f"views_eventstore_head {len(whole_lifecycle())}" in text
