"""Observability on the way through: structured logs, Prometheus metrics and OpenTelemetry traces.

Each service observes into its own `Telemetry` (its name, its metrics registry, its tracer), bound
in a context variable by the app shell for each request and each background worker, so that the
embedded run, five services in one process, still names the right service on every log line,
counts into the right registry and traces under the right service name. The kernel (command
handler, gateway, consumer, projection runner) reports through `current()`.
"""
