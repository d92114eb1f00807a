"""The service a piece of work belongs to, bound in a context variable.

The app shell binds its service's `Telemetry` for each HTTP request and in its lifespan, so every
worker task it starts inherits it; a consumer binds it again around each message, because a broker
client may run handlers in tasks of its own. Code outside any service (a test of the kernel alone,
the rebuild command) observes into a telemetry of no service that nobody reads.
"""

import contextlib
import functools
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from opentelemetry import trace

from shared.observability.metrics import ServiceMetrics


@dataclass(frozen=True)
class Telemetry:
    service: str
    metrics: ServiceMetrics
    tracer: trace.Tracer

    @contextlib.contextmanager
    def bound(self) -> Iterator["Telemetry"]:
        """This service's telemetry for the work done inside the block (and the tasks it starts)."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)


_current: ContextVar[Telemetry] = ContextVar("telemetry")


@functools.cache
def unobserved() -> Telemetry:
    return Telemetry("", ServiceMetrics(), trace.NoOpTracer())


def current() -> Telemetry:
    """The telemetry of the service doing the current work."""
    return _current.get(None) or unobserved()
