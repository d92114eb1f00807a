"""The session benchmark: a generated session driven against the platform, and intake alone at full rate.

`run_session` plays a whole session (submit … feedback) and reports, per command type, how many
were answered, their rate and p50/p99 latency; the session's time and sustained command rate; and
the projection lag. The lag is the views service's own figure: for each event, the time from its
append (the store's `recorded_at`, set by PostgreSQL in the appending transaction) to the commit of
the view that applied it. The service keeps only the last 10,000 lags, so the views' /metrics are
read every second during the session: p50 is the median of those readings' p50, and p99 the
highest p99 read (the worst window), both over the projections and in milliseconds.

`intake_rate` and `intake_latency_at` measure submissions alone with the load generator of
`bench/load.py`, the same that measures the raw limits, so the two figures compare.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import statistics
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.load import Request, closed_loop, open_loop, percentile

if TYPE_CHECKING:
    from tools.simulation.driver import DriveReport
    from tools.simulation.stack import Stack

SCRAPE_EVERY = 1.0
"""Seconds between two readings of the views' /metrics during a session."""
LAG = re.compile(r'^views_projection_lag_seconds\{projection="([^"]+)",quantile="([0-9.]+)"\} (\S+)$')
POSITION = re.compile(r'^views_projection_position\{projection="([^"]+)"\} (\S+)$')
HEAD = re.compile(r"^views_eventstore_head (\S+)$")


@dataclass(frozen=True)
class Submissions:
    """Submissions of distinct proposals by the office, for the load generator (picklable, light)."""

    url: str
    token: str
    run: str

    def __call__(self, index: int) -> Request:
        title, items = TITLES[index % len(TITLES)]
        body = {
            "jurisdiction": "wuhai",
            "kind": "proposal",
            "session": "市政协十届四次会议",
            "title": title,
            "items": list(items),
            "proposers": [{"id": f"wuhai-m{index % 500:05d}", "name": "刘建峰", "role": "领衔"}],
            "channel": "online",
        }
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": f"{self.run}-{index}"}
        return Request("POST", f"{self.url}/proposals", headers, body)


TITLES = (
    (
        "关于推动家政服务业发展的提案",
        ("融入智慧平台，推动家政服务业数智化", "加强技能培训，提升家政从业人员素质"),
    ),
    (
        "关于加强社区养老服务体系建设的提案",
        ("加大社区养老服务设施建设力度", "加强专业服务人员队伍建设", "拓宽资金投入渠道"),
    ),
    ("关于促进高校毕业生就业创业的提案", ("拓宽高校毕业生就业渠道",)),
)


async def intake_rate(stack: Stack, n: int, *, processes: int = 2, concurrency: int = 64) -> dict[str, Any]:
    """Submit `n` proposals as fast as they are answered (closed loop): the intake command rate."""
    factory = Submissions(stack.urls["intake"], stack.token("office"), uuid.uuid4().hex[:8])
    result = await asyncio.to_thread(closed_loop, factory, n, processes=processes, concurrency=concurrency)
    return result.as_dict()


async def intake_latency_at(
    stack: Stack, rate: float, seconds: float, *, processes: int = 2
) -> dict[str, Any]:
    """Submit at `rate` per second for `seconds` (open loop): p50/p99 from when each was due."""
    factory = Submissions(stack.urls["intake"], stack.token("office"), uuid.uuid4().hex[:8])
    result = await asyncio.to_thread(open_loop, factory, rate, seconds, processes=processes)
    return result.as_dict()


async def run_session(
    stack: Stack,
    proposals: int,
    *,
    seed: int = 0,
    processes: int = 2,
    concurrency: int = 64,
    deadline: float | None = None,
) -> dict[str, Any]:
    """Drive a generated session of `proposals` against the started `stack`; the figures."""
    import aiohttp

    from tools.simulation.driver import drive
    from tools.simulation.session import generate

    session = generate(proposals, seed)
    limit = deadline or time.time() + max(600.0, proposals * 1.0)
    readings: list[dict[str, float]] = []
    async with aiohttp.ClientSession() as http:
        stop = asyncio.Event()
        scraper = asyncio.create_task(_scrape(http, stack.urls["views"], readings, stop))
        report = await drive(
            session,
            stack.urls,
            stack.config.signing_key,
            processes=processes,
            concurrency=concurrency,
            deadline=limit,
        )
        caught_up = await _views_caught_up(http, stack.urls["views"], readings, time.time() + 60)
        stop.set()
        await scraper
    figures = summary(report)
    figures |= _lag(readings)
    figures |= {
        "proposals": proposals,
        "seed": seed,
        "processes": processes,
        "concurrency": concurrency,
        "views_caught_up": caught_up,
        "mix": session.mix(),
    }
    return figures


def summary(report: DriveReport) -> dict[str, Any]:
    """Per command type and overall: answered commands, their rate, p50/p99; the async steps' delays."""
    by_command: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for record in report.records:
        if record.status is not None and record.status < 300:
            by_command[record.command].append(record.latency)
        else:
            errors[record.command] += 1
    elapsed = report.elapsed or math.inf
    commands = {
        name: _latencies(sorted(latencies), elapsed) | {"errors": errors.get(name, 0)}
        for name, latencies in sorted(by_command.items(), key=lambda kv: -len(kv[1]))
    }
    answered = sum(len(latencies) for latencies in by_command.values())
    waits: dict[str, list[float]] = defaultdict(list)
    for wait in report.waits:
        waits[re.sub(r"-\d+$", "", wait.step)].append(wait.seconds)
    return {
        "elapsed": report.elapsed,
        "completed": report.completed,
        "incomplete": len(report.incomplete),
        "failures": dict(list(report.failures.items())[:10]),
        "commands_total": answered,
        "commands_per_second": answered / elapsed,
        "polls": report.polls,
        "polls_per_second": report.polls / elapsed,
        "all_commands": _latencies(sorted(lat for lats in by_command.values() for lat in lats), elapsed),
        "commands": commands,
        "waits": {step: _latencies(sorted(seconds), elapsed) for step, seconds in sorted(waits.items())},
    }


def _latencies(sorted_seconds: list[float], elapsed: float) -> dict[str, Any]:
    return {
        "count": len(sorted_seconds),
        "rate": len(sorted_seconds) / elapsed,
        "p50_ms": percentile(sorted_seconds, 0.50) * 1000,
        "p99_ms": percentile(sorted_seconds, 0.99) * 1000,
    }


def _lag(readings: list[dict[str, float]]) -> dict[str, Any]:
    p50s = [r["p50"] for r in readings if not math.isnan(r["p50"])]
    p99s = [r["p99"] for r in readings if not math.isnan(r["p99"])]
    return {
        "lag_p50_ms": statistics.median(p50s) * 1000 if p50s else None,
        "lag_p99_ms": max(p99s) * 1000 if p99s else None,
        "lag_last_p99_ms": p99s[-1] * 1000 if p99s else None,
        "lag_readings": len(readings),
        "lag_method": "views /metrics read every second: median of p50, highest p99, all projections",
    }


async def _scrape(http: Any, url: str, readings: list[dict[str, float]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        reading = await _read_metrics(http, url)
        if reading is not None:
            readings.append(reading)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SCRAPE_EVERY)


async def _views_caught_up(http: Any, url: str, readings: list[dict[str, float]], deadline: float) -> bool:
    """Wait until every projection has applied the store's head (the lags of the tail are in then)."""
    while time.time() < deadline:
        reading = await _read_metrics(http, url)
        if reading is not None:
            readings.append(reading)
            if reading["head"] >= 0 and reading["behind"] == 0:
                return True
        await asyncio.sleep(0.2)
    return False


async def _read_metrics(http: Any, url: str) -> dict[str, float] | None:
    """p50/p99 over the projections (the worst), and how many positions the slowest is behind."""
    try:
        async with http.get(f"{url}/metrics") as response:
            if response.status != 200:
                return None
            text = await response.text()
    except Exception:
        return None
    return parse_metrics(text)


def parse_metrics(text: str) -> dict[str, float] | None:
    """The views' /metrics as p50/p99 (the worst projection's, NaN before any event), the store head and
    how many positions the slowest projection is behind; None when no projection is listed."""
    quantiles: dict[str, list[float]] = defaultdict(list)
    positions: list[float] = []
    head = -1.0
    for line in text.splitlines():
        if match := LAG.match(line):
            if not math.isnan(value := float(match[3])):
                quantiles[match[2]].append(value)
        elif match := POSITION.match(line):
            positions.append(float(match[2]))
        elif match := HEAD.match(line):
            head = float(match[1])
    if not positions:
        return None
    behind = head - min(positions) if positions and head >= 0 else math.inf
    return {
        "p50": max(quantiles.get("0.5", [math.nan])),
        "p99": max(quantiles.get("0.99", [math.nan])),
        "head": head,
        "behind": behind,
    }


async def _measure(stack: Stack, proposals: int, seed: int) -> dict[str, Any]:
    from tools.simulation.driver import ceiling

    health = f"{stack.urls['intake']}/health"
    figures: dict[str, Any] = {"driver_ceiling_health_rps": await ceiling(health, 5000)}
    figures["session"] = await run_session(stack, proposals, seed=seed)
    return figures


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.session --proposals 200`: the session figures on a platform of its own."""
    import argparse
    import json
    import os
    import tempfile
    from pathlib import Path

    from tools.simulation.stack import Stack, StackConfig

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--proposals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-session-") as workdir:
        config = StackConfig(
            postgres_url=os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
            redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            rabbitmq_url=os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"),
            name=f"bench_session_{uuid.uuid4().hex[:8]}",
            workdir=Path(workdir),
        )
        with Stack(config) as stack:
            figures = asyncio.run(_measure(stack, args.proposals, args.seed))
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
