"""The trace of an HTTP command reaches the consumer in another service through the real RabbitMQ:
the gateway's publish, aio-pika's send and receive (the context in the AMQP headers) and the
consumer's span are all in the trace of the request."""

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from services.intake.bootstrap import create as create_intake
from services.intake.config import IntakeSettings
from services.views.bootstrap import create as create_views
from services.views.config import ViewsSettings
from shared.adapters.bus.rabbitmq import RabbitMQBus
from shared.observability import tracing
from shared.testing.waiting import eventually
from tests.servers import require_rabbitmq
from tests.unit.observability.platform import exported_spans, own_store, running, submission

pytestmark = pytest.mark.rabbitmq

SUBMITTED = "intake.proposal-submitted.v1"


async def test_the_trace_of_a_command_crosses_rabbitmq_to_the_consumer_of_another_service(
    exchange: str,
) -> None:
    url = require_rabbitmq()
    intake_settings = IntakeSettings(app_env="test", bus_exchange=exchange)
    views_settings = ViewsSettings(app_env="test", bus_exchange=exchange)
    with exported_spans() as spans:
        provider = tracing.provider_for("broker")
        assert provider is not None
        tracing.instrument_broker(provider)
        intake_bus = await RabbitMQBus.connect(url, exchange=exchange)
        views_bus = await RabbitMQBus.connect(url, exchange=exchange)
        try:
            intake = create_intake(intake_settings, own_store(intake_bus))
            views = create_views(views_settings, own_store(views_bus))
            async with running(views), running(intake) as client:
                secret = intake_settings.signing_key()
                assert (await client.post("/proposals", **submission(secret))).status_code == 201
                await eventually(
                    lambda: any(s.name == f"{SUBMITTED} process" for s in spans.get_finished_spans()), 10
                )
        finally:
            await intake_bus.close()
            await views_bus.close()
            tracing.uninstrument_broker()
        finished = list(spans.get_finished_spans())

    def one(name: str) -> ReadableSpan:
        [span] = [s for s in finished if s.name == name]
        return span

    server, publish, consume = (
        one("POST /proposals"),
        one(f"{SUBMITTED} publish"),
        one(f"{SUBMITTED} process"),
    )
    [send] = [s for s in finished if s.kind == SpanKind.PRODUCER and s.parent == publish.context]
    [receive] = [s for s in finished if s.kind == SpanKind.CONSUMER and consume.parent == s.context]
    trace_id = server.context.trace_id
    assert {s.context.trace_id for s in (publish, send, receive, consume)} == {trace_id}
    assert receive.parent is not None and receive.parent.span_id == send.context.span_id
    assert consume.resource.attributes["service.name"] == "views"
