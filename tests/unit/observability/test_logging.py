"""Structured logs: every line names its service and carries the ids of the work it belongs to."""

import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog
from fastapi.testclient import TestClient
from opentelemetry import trace

from runtime.topology import PUBLISHERS
from shared.adapters.bus.inbox import InMemoryInbox
from shared.adapters.bus.inprocess import InProcessBus
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.gateway import Gateway
from shared.kernel.inbound import Subscription, consume_forever
from shared.kernel.signatures import Issuers, TrustedKeys, Verifier
from shared.observability.logging import configure_logging, formatter
from shared.observability.metrics import ServiceMetrics
from shared.observability.telemetry import Telemetry
from tests.unit.observability.platform import running
from tests.unit.observability.shell import captured, shell_app
from tests.unit.test_gateway import INTAKE, given_registered, registry, translate

REGISTERED = CloudEvent(
    id="0b9e6a52-5f3e-5b8a-9a43-2f4f8e1c7d10",
    source="/proposals/intake",
    type="intake.proposal-registered.v2",
    subject="intake-proposal-jincheng-254",
    time=datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
    data={"proposal_id": "jincheng-254"},
    correlationid="jincheng-254-submission",
    causationid="register-jincheng-254",
)
VERIFIER = Verifier(TrustedKeys.of_development(), Issuers(PUBLISHERS))


def telemetry(service: str) -> Telemetry:
    return Telemetry(service, ServiceMetrics(), trace.NoOpTracer())


def records(lines: list[str], event: str) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in lines]
    return [p for p in parsed if p["event"] == event]


def the_record(lines: list[str], event: str) -> dict[str, Any]:
    [record] = records(lines, event)
    return record


@pytest.fixture
def intake() -> Iterator[TestClient]:
    with TestClient(shell_app("intake")) as client:
        yield client


def test_in_production_a_line_is_json_naming_the_service_and_the_request(intake: TestClient) -> None:
    with captured(json=True) as lines:
        intake.get("/proposals/jincheng-254", headers={"X-Request-ID": "req-7f3a9c"})

    record = the_record(lines, "reading jincheng-254")
    assert record["service"] == "intake"
    assert record["request_id"] == "req-7f3a9c"
    assert (record["level"], record["logger"]) == ("info", "tests.observability")


def test_a_request_without_an_id_gets_a_new_one_that_its_answer_names(intake: TestClient) -> None:
    with captured() as lines:
        answer = intake.get("/proposals/jincheng-254", headers={"X-Request-ID": "bad id\nwith a line break"})

    record = the_record(lines, "reading jincheng-254")
    assert record["request_id"] == answer.headers["x-request-id"] != "bad id\nwith a line break"


def test_a_command_s_lines_carry_its_correlation_and_causation_ids(intake: TestClient) -> None:
    with captured() as lines:
        answer = intake.post(
            "/proposals/jincheng-254/review", headers={"X-Correlation-ID": "session-2024-03"}
        )

    record = the_record(lines, "reviewing jincheng-254")
    assert record["correlation_id"] == "session-2024-03"
    assert record["causation_id"] == answer.json()["command_id"]


async def test_the_ids_of_one_request_do_not_reach_the_next_one_in_the_same_task() -> None:
    async with running(shell_app("intake")) as intake:  # the client runs the app in this very task
        with captured() as lines:
            await intake.post(
                "/proposals/jincheng-254/review", headers={"X-Correlation-ID": "session-2024-03"}
            )
            await intake.get("/proposals/jincheng-254")
            logging.getLogger("tests.observability").info("after the requests")

    reading = the_record(lines, "reading jincheng-254")
    assert "correlation_id" not in reading and "causation_id" not in reading
    assert the_record(lines, "after the requests").keys().isdisjoint({"request_id", "correlation_id"})


def test_an_unexpected_error_is_logged_with_the_request_id_it_answers_with(intake: TestClient) -> None:
    with captured() as lines:
        answer = TestClient(intake.app, raise_server_exceptions=False).get("/broken")

    assert answer.status_code == 500
    request_id = answer.json()["request_id"]
    assert answer.headers["x-request-id"] == request_id
    record = the_record(lines, f"request {request_id} failed")
    assert record["request_id"] == request_id and record["service"] == "intake"
    assert "RuntimeError: the read model is inconsistent" in record["exception"]


def test_outside_production_a_line_is_readable_text_with_the_same_fields(intake: TestClient) -> None:
    with captured(json=False) as lines:
        intake.get("/proposals/jincheng-254", headers={"X-Request-ID": "req-7f3a9c"})

    [line] = [line for line in lines if "reading jincheng-254" in line]
    assert "service=intake" in line and "request_id=req-7f3a9c" in line
    assert not line.startswith("{")


def test_services_sharing_a_process_each_name_their_own_lines() -> None:
    with (
        TestClient(shell_app("intake")) as intake,
        TestClient(shell_app("views")) as views,
        captured() as lines,
    ):
        views.get("/proposals/wuhai-60")
        intake.get("/proposals/jincheng-254")

    assert the_record(lines, "reading wuhai-60")["service"] == "views"
    assert the_record(lines, "reading jincheng-254")["service"] == "intake"


async def test_a_consumer_logs_with_the_ids_of_the_cloudevent_it_handles() -> None:
    bus = InProcessBus()
    handled = asyncio.Event()

    async def open_case(event: CloudEvent) -> None:
        logging.getLogger("tests.observability").info("opening the case of %s", event.data["proposal_id"])
        handled.set()

    subscription = Subscription("proposals.events.allocation", {REGISTERED.type: open_case})
    await bus.declare_queue(subscription.queue, subscription.routing_keys)
    with captured() as lines:
        with telemetry("allocation").bound():
            consumer = asyncio.create_task(consume_forever(bus, InMemoryInbox(), subscription, VERIFIER))
        await bus.publish(INTAKE.sign(REGISTERED).to_message("intake.proposal-registered.v2"))
        await asyncio.wait_for(handled.wait(), 5)
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)

    record = the_record(lines, "opening the case of jincheng-254")
    assert record["service"] == "allocation"
    assert record["correlation_id"] == "jincheng-254-submission"
    assert record["causation_id"] == "register-jincheng-254"
    assert record["event_id"] == REGISTERED.id


def test_every_record_of_the_process_goes_through_the_renderer(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("INFO", json=True, process="intake")
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:50312", "GET", "/", "1.1", 200
        )
        structlog.get_logger("tests.observability").info("started", workers=3)
    finally:
        root.handlers, root.level = handlers, level
        structlog.reset_defaults()

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(r["logger"], r["event"], r["service"]) for r in lines] == [
        ("uvicorn.access", '127.0.0.1:50312 - "GET / HTTP/1.1" 200', "intake"),
        ("tests.observability", "started", "intake"),
    ]
    assert lines[1]["workers"] == 3


def test_the_access_log_leaves_out_the_code_a_sign_in_brings_to_its_callback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    callback = "/login/oidc/wuhai/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj"
    try:
        configure_logging("INFO", json=True, process="views")
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:50312", "GET", callback, "1.1", 303
        )
    finally:
        root.handlers, root.level = handlers, level
        structlog.reset_defaults()

    [line] = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert line["event"] == (
        '127.0.0.1:50312 - "GET /login/oidc/wuhai/callback?code=redacted&state=af0ifjsldkj HTTP/1.1" 303'
    )


async def test_the_gateway_logs_with_the_ids_of_the_event_it_publishes() -> None:
    store, bus = InMemoryEventStore(), InProcessBus()  # no queue is bound: the publish is unrouted
    [event_id] = await given_registered(store, 1)
    gateway = Gateway("intake", store, bus, InMemoryReadStore(), registry, translate, issuer=INTAKE)
    with captured() as lines, telemetry("intake").bound():
        await gateway.publish_batch(await store.read_all())

    [record] = [json.loads(line) for line in lines if "no queue is bound" in line]
    assert record["service"] == "intake"
    assert (record["event_id"], record["correlation_id"]) == (str(event_id), "corr-0")
    assert record["causation_id"] == "register-0"


def test_a_console_line_shows_a_plain_traceback_without_local_variables() -> None:
    try:
        raise RuntimeError("the read model is inconsistent")
    except RuntimeError:
        record = logging.LogRecord("tests", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = formatter(json=False).format(record)

    assert "Traceback (most recent call last)" in line
    assert "RuntimeError: the read model is inconsistent" in line
    assert "╭" not in line and "locals" not in line
