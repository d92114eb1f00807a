"""Prometheus metrics: every service counts its requests, commands, appends, publishes, consumption
and projections in a registry of its own, and shows them at GET /metrics."""

import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from runtime.catalog import CATALOG
from services.intake.bootstrap import create as create_intake
from services.intake.config import IntakeSettings
from services.views.bootstrap import create as create_views
from services.views.config import ViewsSettings
from shared.adapters.bus import Message
from shared.adapters.bus.inprocess import InProcessBus
from shared.testing.infrastructure import in_memory_infrastructure
from shared.testing.waiting import eventually
from shared.web.identity import issue_token
from tests.unit.observability.platform import own_store, running, submission
from tests.unit.observability.shell import OFFICE, shell_app

SUBMITTED = "intake.proposal-submitted.v1"
SETTINGS = IntakeSettings(app_env="test")
SECRET = SETTINGS.signing_key()


def sample(app: FastAPI, name: str, **labels: str) -> float | None:
    value: float | None = app.state.telemetry.metrics.registry.get_sample_value(name, labels)
    return value


@pytest.mark.parametrize("name", list(CATALOG))
def test_every_service_shows_its_requests_and_its_store_at_metrics(name: str) -> None:
    entry = CATALOG[name]
    with TestClient(entry.create(entry.settings(), in_memory_infrastructure())) as client:
        client.get("/health")
        answer = client.get("/metrics")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert 'http_requests_total{method="GET",route="/health",status="200"} 1.0' in answer.text
    assert "eventstore_head 0.0" in answer.text


def test_requests_are_counted_by_route_template_and_status_not_by_path() -> None:
    app = shell_app("intake")
    with TestClient(app, raise_server_exceptions=False) as client:
        client.get("/proposals/jincheng-254")
        client.get("/proposals/wuhai-60")
        client.get("/no/such/page")
        client.get("/broken")

    assert (
        sample(app, "http_requests_total", method="GET", route="/proposals/{proposal_id}", status="200") == 2
    )
    assert sample(app, "http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert sample(app, "http_requests_total", method="GET", route="/broken", status="500") == 1
    assert (
        sample(app, "http_request_duration_seconds_count", method="GET", route="/broken", status="500") == 1
    )


def test_commands_are_counted_by_type_and_outcome_with_their_appends() -> None:
    app = create_intake(SETTINGS, in_memory_infrastructure())
    office = {"Authorization": f"Bearer {issue_token(OFFICE, SECRET)}"}
    with TestClient(app) as client:
        first = submission(SECRET)
        first["headers"]["Idempotency-Key"] = "jincheng-254-online"
        proposal_id = client.post("/proposals", **first).json()["proposal_id"]
        assert client.post("/proposals", **first).status_code == 201
        body = {"number": "254", "category": "社会建设"}
        assert client.post(f"/proposals/{proposal_id}/register", json=body, headers=office).status_code == 409

    def handled(command: str, outcome: str) -> float | None:
        return sample(app, "commands_handled_total", command=command, outcome=outcome)

    assert handled("SubmitProposal", "appended") == 1
    assert handled("SubmitProposal", "repeated") == 1
    assert handled("Register", "rejected") == 1
    assert sample(app, "eventstore_appends_total") == 1
    assert sample(app, "eventstore_appended_events_total") == 1
    assert sample(app, "eventstore_append_duration_seconds_count") == 1


async def test_each_service_of_one_process_counts_its_own_side_of_an_event_that_crossed() -> None:
    bus = InProcessBus()
    intake = create_intake(SETTINGS, own_store(bus))
    views = create_views(ViewsSettings(app_env="test"), own_store(bus))
    async with running(views) as views_client, running(intake) as intake_client:
        assert (await intake_client.post("/proposals", **submission(SECRET))).status_code == 201
        await eventually(lambda: sample(views, "projection_position", projection="activity") == 1)
        intake_text = (await intake_client.get("/metrics")).text
        views_text = (await views_client.get("/metrics")).text

    assert f'gateway_published_messages_total{{type="{SUBMITTED}"}} 1.0' in intake_text
    assert f'consumer_messages_total{{outcome="handled",type="{SUBMITTED}"}} 1.0' in views_text
    assert f'consumer_lag_seconds_count{{type="{SUBMITTED}"}} 1.0' in views_text
    assert 'projection_lag_seconds_count{projection="activity"} 1.0' in views_text
    assert 'projection_events_applied_total{projection="activity"} 1.0' in views_text
    assert "consumer_messages_total{" not in intake_text
    assert "gateway_published_messages_total{" not in views_text
    assert 'views_projection_lag_seconds{projection="activity",quantile="0.5"}' in views_text


def test_a_message_that_is_not_a_cloudevent_is_counted_as_malformed() -> None:
    entry = CATALOG["allocation"]
    infra = in_memory_infrastructure()
    app = entry.create(entry.settings(), infra)
    malformed = Message(id="not-a-cloudevent", routing_key="intake.proposal-registered.v2", body=b"{")
    with TestClient(app) as client:
        assert client.portal is not None
        client.portal.call(infra.bus.publish, malformed)
        deadline = time.monotonic() + 5
        while sample(app, "consumer_messages_total", type="unparsed", outcome="malformed") != 1:
            assert time.monotonic() < deadline, "the malformed message was not counted within 5 s"
            time.sleep(0.01)


def test_an_unmatched_path_adds_no_series_of_its_own() -> None:
    app = shell_app("intake")
    with TestClient(app) as client:
        for n in range(3):
            client.get(f"/random-{n}")
        text: Any = client.get("/metrics").text

    assert "random" not in text
