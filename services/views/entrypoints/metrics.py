"""The views' own figures at /metrics, under the names the session benchmark reads.

Beside the histogram every service's projections fill (`projection_lag_seconds`), the views keep
their summary of the projection lag: p50 and p99 of each projection's recent events, from the
original append at the source to visible in the view, with the events applied, the positions and
the store's head.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from shared.kernel.projections import ProjectionRunner

QUANTILES = (0.5, 0.99)


class ProjectionFigures:
    """`store_head` reads the store's head before each scrape; without it, `head` stays as given."""

    def __init__(
        self,
        runners: Sequence[ProjectionRunner],
        store_head: Callable[[], Awaitable[int]] | None = None,
        head: int = 0,
    ) -> None:
        self.runners = runners
        self._store_head = store_head
        self.head = head

    async def refresh(self) -> None:
        if self._store_head is not None:
            self.head = await self._store_head()

    def collect(self) -> Iterable[Metric]:
        lag = Metric(
            "views_projection_lag_seconds",
            "Seconds from the original append to visible in the view, recent events.",
            "summary",
        )
        applied = CounterMetricFamily(
            "views_projection_events_applied", "Events applied since start.", labels=["projection"]
        )
        position = GaugeMetricFamily(
            "views_projection_position", "Global position of the last event applied.", labels=["projection"]
        )
        for runner in self.runners:
            name = runner.projection.name
            lags = sorted(runner.stats.lags)
            for q in QUANTILES:
                lag.add_sample(lag.name, {"projection": name, "quantile": str(q)}, quantile(lags, q))
            lag.add_sample(f"{lag.name}_count", {"projection": name}, len(lags))
            lag.add_sample(f"{lag.name}_sum", {"projection": name}, sum(lags))
            applied.add_metric([name], runner.stats.applied)
            position.add_metric([name], runner.stats.position)
        yield from (lag, applied, position)
        yield GaugeMetricFamily(
            "views_eventstore_head", "Position of the last event in the store.", self.head
        )


def quantile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank quantile; NaN when there is nothing measured yet."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def render_metrics(runners: Sequence[ProjectionRunner], head: int) -> str:
    """These figures alone in the Prometheus text format, for a store at `head`."""
    registry = CollectorRegistry()
    registry.register(ProjectionFigures(runners, head=head))
    return generate_latest(registry).decode()
