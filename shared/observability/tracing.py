"""OpenTelemetry traces from the HTTP request through the store and the broker to the consumer.

Tracing is on when spans have somewhere to go: an OTLP endpoint in the standard environment
(`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, HTTP/protobuf), or a span
processor a test installs. Off, every tracer is the no-op one and no app is instrumented, so it
costs next to nothing. Each service traces under its own `service.name`, also in the embedded run.

Publishing happens later than the request, from the gateway, so the trace context travels with the
events: the command handler keeps the W3C `traceparent` of its append in each event's metadata, the
gateway sends it as the CloudEvents distributed-tracing attribute `traceparent` (and, over RabbitMQ,
the aio-pika instrumentation sends its own in the AMQP headers), and the consumer continues the
trace from it.
"""

import logging
import os

from fastapi import FastAPI
from opentelemetry import context, trace
from opentelemetry.instrumentation.aio_pika import AioPikaInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

log = logging.getLogger(__name__)

TRACEPARENT = "traceparent"
NAMESPACE = "proposals-platform"
UNTRACED_PATHS = "/health$,/ready$,/metrics$"

_processors: list[SpanProcessor] = []
"""Where the spans of every service of this process go; empty while tracing is off."""
_w3c = TraceContextTextMapPropagator()


def from_environment() -> SpanProcessor | None:
    """An OTLP exporter when the standard environment names an endpoint and tracing is not disabled."""
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    if os.environ.get("OTEL_TRACES_EXPORTER", "").lower() == "none":
        return None
    endpoints = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
    if not any(os.environ.get(name) for name in endpoints):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return BatchSpanProcessor(OTLPSpanExporter())


def start_exporting(processor: SpanProcessor) -> None:
    """Send the spans of the services created from now on to `processor`."""
    _processors.append(processor)


def stop_exporting(processor: SpanProcessor) -> None:
    """Flush and shut `processor` down; services created afterwards no longer send to it."""
    if processor in _processors:
        _processors.remove(processor)
    processor.force_flush()
    processor.shutdown()


def provider_for(service: str) -> TracerProvider | None:
    """The tracer provider of one service, or None when tracing is off."""
    if not _processors:
        return None
    resource = Resource.create({"service.name": service, "service.namespace": NAMESPACE})
    provider = TracerProvider(resource=resource, shutdown_on_exit=False)
    for processor in _processors:
        provider.add_span_processor(processor)
    return provider


def tracer(provider: TracerProvider | None) -> trace.Tracer:
    if provider is None:
        return trace.NoOpTracer()
    return provider.get_tracer("proposals-platform")


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    """A server span for each request (not for health, readiness and metrics), named by its route."""
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls=UNTRACED_PATHS, exclude_spans=["receive", "send"]
    )


def instrument_broker(provider: TracerProvider) -> None:
    """Spans for every publish and delivery through aio-pika, with the context in the AMQP headers.
    The instrumentation patches aio-pika itself, so it is one per process."""
    AioPikaInstrumentor().instrument(tracer_provider=provider)


def uninstrument_broker() -> None:
    AioPikaInstrumentor().uninstrument()


def traceparent() -> str | None:
    """The W3C traceparent of the current span, when there is one to continue."""
    carrier: dict[str, str] = {}
    _w3c.inject(carrier)
    return carrier.get(TRACEPARENT)


def continued(parent: str | None) -> context.Context | None:
    """The context a span continues from: the current one when it already belongs to `parent`'s
    trace (the broker's instrumentation carried it), else `parent`'s; None to keep the current."""
    if not parent:
        return None
    remote = _w3c.extract({TRACEPARENT: parent})
    remote_trace = trace.get_current_span(remote).get_span_context().trace_id
    if trace.get_current_span().get_span_context().trace_id == remote_trace:
        return None
    return remote
