"""The session benchmark's arithmetic: per command figures from the driver's records, lag from /metrics."""

import math
from collections import deque
from types import SimpleNamespace
from typing import Any

from bench.session import parse_metrics, summary
from services.views.entrypoints.metrics import render_metrics
from tools.simulation.driver import CommandRecord, DriveReport, WaitRecord


def record(command: str, status: int | None, latency: float, key: str = "") -> CommandRecord:
    return CommandRecord("s0-000001", command, "intake", key or f"k-{command}", status, 0.0, latency)


def test_only_answered_commands_count_and_the_rest_are_errors() -> None:
    report = DriveReport(
        records=[
            *(record("submit", 201, 0.010 * n) for n in range(1, 101)),
            record("review", None, 5.0),
            record("review", 503, 0.002),
            record("review", 200, 0.004),
        ],
        completed=1,
        elapsed=10.0,
        waits=[WaitRecord("s0-000001", "reply-round-1", 0.5), WaitRecord("s0-000001", "reply-round-2", 1.5)],
        polls=40,
    )
    figures = summary(report)
    assert figures["commands_total"] == 101
    assert figures["commands_per_second"] == 10.1
    submit = figures["commands"]["submit"]
    assert submit["count"] == 100 and submit["errors"] == 0
    assert math.isclose(submit["p50_ms"], 500) and math.isclose(submit["p99_ms"], 990)
    assert figures["commands"]["review"] == {
        "count": 1,
        "rate": 0.1,
        "p50_ms": 4.0,
        "p99_ms": 4.0,
        "errors": 2,
    }
    assert figures["waits"]["reply-round"]["count"] == 2
    assert figures["polls_per_second"] == 4.0


def runner(name: str, lags: list[float], position: int) -> Any:
    stats = SimpleNamespace(lags=deque(lags), applied=len(lags), position=position)
    return SimpleNamespace(projection=SimpleNamespace(name=name), stats=stats)


def test_the_views_metrics_are_read_as_the_worst_projection_and_the_slowest_position() -> None:
    text = render_metrics(
        [runner("activity", [0.010] * 99 + [0.300], 120), runner("proposals", [0.020] * 100, 100)], 120
    )
    reading = parse_metrics(text)
    assert reading is not None
    assert (reading["p50"] == 0.020 and reading["p99"] == 0.020) or reading["p99"] == 0.300
    assert reading["head"] == 120 and reading["behind"] == 20


def test_before_any_event_the_lag_is_unknown_not_zero() -> None:
    reading = parse_metrics(render_metrics([runner("proposals", [], 0)], 0))
    assert reading is not None
    assert math.isnan(reading["p50"]) and reading["behind"] == 0
