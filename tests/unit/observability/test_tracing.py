"""Traces: an HTTP command, its append, the gateway's publish and the consumption of its event in
another service are spans of one trace, although the publish happens later, from the gateway."""

from datetime import UTC, datetime

import jsonschema  # type: ignore[import-untyped]  # no stubs in the lock
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.intake.bootstrap import create as create_intake
from services.intake.config import IntakeSettings
from services.views.bootstrap import create as create_views
from services.views.config import ViewsSettings
from shared.adapters.bus.inprocess import InProcessBus
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.signatures import Issuer
from shared.observability import tracing
from shared.testing.waiting import eventually
from shared.web.asyncapi import envelope_schema
from tests.unit.observability.platform import exported_spans, own_store, running, submission

SUBMITTED = "intake.proposal-submitted.v1"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def named(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    found = [s for s in spans.get_finished_spans() if s.name == name]
    assert len(found) == 1, [s.name for s in spans.get_finished_spans()]
    return found[0]


def service_of(span: ReadableSpan) -> object:
    return span.resource.attributes["service.name"]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


async def test_a_command_and_the_consumption_of_its_event_by_another_service_are_one_trace() -> None:
    bus = InProcessBus()
    settings = IntakeSettings(app_env="test")
    intake_infra = own_store(bus)
    with exported_spans() as spans:
        intake = create_intake(settings, intake_infra)
        views = create_views(ViewsSettings(app_env="test"), own_store(bus))
        async with running(views), running(intake) as client:
            answer = await client.post("/proposals", **submission(settings.signing_key()))
            assert answer.status_code == 201
            await eventually(
                lambda: any(s.name == f"{SUBMITTED} process" for s in spans.get_finished_spans())
            )

        server = named(spans, "POST /proposals")
        command = named(spans, "command SubmitProposal")
        append = next(
            s
            for s in spans.get_finished_spans()
            if s.name == "eventstore append" and service_of(s) == "intake"
        )
        publish = named(spans, f"{SUBMITTED} publish")
        consume = named(spans, f"{SUBMITTED} process")
        recorded = named(spans, "command ProposalSubmittedV1")
    [event] = await intake_infra.events.read_all()

    trace_id = server.context.trace_id
    assert {s.context.trace_id for s in (command, append, publish, consume)} == {trace_id}
    assert server.kind == SpanKind.SERVER and parent_of(command) == server.context.span_id
    assert parent_of(append) == command.context.span_id
    assert parent_of(publish) == append.context.span_id and publish.kind == SpanKind.PRODUCER
    assert parent_of(consume) == append.context.span_id and consume.kind == SpanKind.CONSUMER
    assert parent_of(recorded) == consume.context.span_id
    assert [service_of(s) for s in (server, command, publish, consume, recorded)] == [
        *["intake"] * 3,
        *["views"] * 2,
    ]
    assert event.metadata["traceparent"].startswith(f"00-{trace_id:032x}-{append.context.span_id:016x}-")


async def test_without_an_exporter_nothing_is_traced_and_events_carry_no_traceparent() -> None:
    settings = IntakeSettings(app_env="test")
    infra = own_store(InProcessBus())
    intake = create_intake(settings, infra)
    async with running(intake) as client:
        answer = await client.post("/proposals", **submission(settings.signing_key()))
        assert answer.status_code == 201

    [event] = await infra.events.read_all()
    assert "traceparent" not in event.metadata
    assert not getattr(intake, "_is_instrumented_by_opentelemetry", False)


def test_traces_are_exported_by_otlp_only_when_the_environment_names_an_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    assert tracing.from_environment() is None

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    processor = tracing.from_environment()
    assert isinstance(processor, BatchSpanProcessor)
    processor.shutdown()  # type: ignore[no-untyped-call]

    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert tracing.from_environment() is None


def test_the_envelope_schema_takes_a_w3c_traceparent_and_refuses_anything_else() -> None:
    schema = envelope_schema()
    submitted = CloudEvent(
        id="0b9e6a52-5f3e-5b8a-9a43-2f4f8e1c7d10",
        source="/proposals/intake",
        type=SUBMITTED,
        time=datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
    )
    envelope = Issuer.development("intake").sign(submitted).attributes()
    jsonschema.validate({**envelope, "traceparent": TRACEPARENT}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**envelope, "traceparent": "trace me"}, schema)
