"""Traces: an HTTP command, its append, the gateway's publish and the consumption of its event in
another service are spans of one trace, although the publish happens later, from the gateway."""

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.intake.bootstrap import create as create_intake
from services.intake.config import IntakeSettings
from services.views.bootstrap import create as create_views
from services.views.config import ViewsSettings
from shared.adapters.bus.inprocess import InProcessBus
from shared.testing.waiting import eventually
from tests.unit.observability.platform import exported_spans, own_store, running, submission

SUBMITTED = "intake.proposal-submitted.v1"


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
            answer = await client.post("/proposals", **submission(settings.token_secret.get_secret_value()))
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
