"""Prometheus metrics: one registry per service, exposed at its `GET /metrics`.

Every service counts the same things: HTTP requests by route template, the commands its handler
decided, its appends to the event store, what its gateway published, what its consumer handled,
refused and how late, and how far behind each of its projections is. A service adds figures of its
own with a `Figures` collector (the views keep their summary of projection lag that the benchmark
reads).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

log = logging.getLogger(__name__)

LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
"""Seconds, from a millisecond (in-process) to minutes (a consumer that was down)."""
APPEND_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class ServiceMetrics:
    """One service's instruments, in a registry of its own: the embedded run hosts five in one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "http_requests", "HTTP requests answered.", ["method", "route", "status"], registry=registry
        )
        self.request_seconds = Histogram(
            "http_request_duration_seconds",
            "Seconds from the request's arrival to the end of its answer.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.commands = Counter(
            "commands_handled",
            "Commands decided: appended, repeated (handled before), unchanged (nothing to append), "
            "rejected (by the rules), conflict (the stream kept changing), failed.",
            ["command", "outcome"],
            registry=registry,
        )
        self.appends = Counter("eventstore_appends", "Appends to the event store.", registry=registry)
        self.appended_events = Counter(
            "eventstore_appended_events", "Events written by those appends.", registry=registry
        )
        self.append_seconds = Histogram(
            "eventstore_append_duration_seconds",
            "Seconds one append took.",
            buckets=APPEND_BUCKETS,
            registry=registry,
        )
        self.published = Counter(
            "gateway_published_messages", "Integration events published.", ["type"], registry=registry
        )
        self.unrouted = Counter(
            "gateway_unrouted_messages",
            "Integration events published that no queue was bound for.",
            ["type"],
            registry=registry,
        )
        self.gateway_position = Gauge(
            "gateway_position", "Store position of the last event the gateway went past.", registry=registry
        )
        self.consumed = Counter(
            "consumer_messages",
            "Messages the consumer handled: handled, malformed (dead-lettered), failed (given back).",
            ["type", "outcome"],
            registry=registry,
        )
        self.refused = Counter(
            "consumer_refused_messages",
            "Messages dead-lettered before any handling because their signature or source does not "
            "hold: unsigned, bad-signature, unknown-source, unknown-key, type-not-allowed.",
            ["reason"],
            registry=registry,
        )
        self.consumer_lag = Histogram(
            "consumer_lag_seconds",
            "Seconds from the CloudEvent's time to the consumer taking it.",
            ["type"],
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self.projection_lag = Histogram(
            "projection_lag_seconds",
            "Seconds from the original append (at the source, for a received event) to visible in the view.",
            ["projection"],
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self.projection_applied = Counter(
            "projection_events_applied",
            "Events applied by the projection.",
            ["projection"],
            registry=registry,
        )
        self.projection_position = Gauge(
            "projection_position",
            "Store position of the last event the projection applied.",
            ["projection"],
            registry=registry,
        )
        self._request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        """The children of the request metrics by their labels: `labels()` costs a lock and a join."""

    def request_answered(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        if (series := self._request_series.get(key)) is None:
            labels = (method, route, str(status))
            series = self._request_series[key] = (
                self.requests.labels(*labels),
                self.request_seconds.labels(*labels),
            )
        count, duration = series
        count.inc()
        duration.observe(seconds)

    def command_handled(self, command: str, outcome: str) -> None:
        self.commands.labels(command, outcome).inc()

    def appended(self, events: int, seconds: float) -> None:
        self.appends.inc()
        self.appended_events.inc(events)
        self.append_seconds.observe(seconds)

    def message_published(self, type_name: str, routed: bool) -> None:
        (self.published if routed else self.unrouted).labels(type_name).inc()

    def message_consumed(self, type_name: str, outcome: str) -> None:
        self.consumed.labels(type_name, outcome).inc()

    def message_refused(self, reason: str) -> None:
        self.refused.labels(reason).inc()

    def projected(self, projection: str, lags: Sequence[float], position: int) -> None:
        histogram = self.projection_lag.labels(projection)
        for lag in lags:
            histogram.observe(lag)
        self.projection_applied.labels(projection).inc(len(lags))
        self.projection_position.labels(projection).set(position)


class Figures(Protocol):
    """Figures a service adds at /metrics: brought up to date before each scrape, then collected."""

    async def refresh(self) -> None: ...

    def collect(self) -> Iterable[Metric]: ...


class StoreHead:
    """The position of the last event in the service's store (a gateway or projection's position
    beside it shows how far behind it is)."""

    def __init__(self, head: Callable[[], Awaitable[int]]) -> None:
        self._head = head
        self.position = 0

    async def refresh(self) -> None:
        self.position = await self._head()

    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily("eventstore_head", "Position of the last event in the store.", self.position)


async def exposition(registry: CollectorRegistry, figures: Sequence[Figures]) -> bytes:
    """The registry in the Prometheus text format, its figures refreshed first; a figure that cannot
    be refreshed (its store is down, which /ready reports) keeps its last value."""
    results = await asyncio.gather(*(f.refresh() for f in figures), return_exceptions=True)
    for result in results:
        if isinstance(result, Exception):
            log.warning("a figure of /metrics could not be refreshed: %r", result)
    return generate_latest(registry)
