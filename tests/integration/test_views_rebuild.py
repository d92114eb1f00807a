"""The `proposals` views on PostgreSQL and Redis: dropped and rebuilt, they equal the live ones."""

import asyncio
from collections.abc import Awaitable
from typing import Any, cast

from runtime.registry import all_events
from services.views.application.projections import load_units
from services.views.application.read_models import NAME, ProposalsProjection
from shared.kernel.projections import ProjectionRunner, rebuild
from shared.testing.waiting import eventually
from tests.integration.conftest import Stack
from tests.unit.views.lifecycle import new_events, whole_lifecycle

PROPOSALS = 60
"""晋城 第254号's lifecycle, recorded for this many proposals (19 events each)."""


async def record_lifecycles(stack: Stack, count: int) -> int:
    """Append the lifecycles interleaved, as several proposals move at once; return the event count."""
    versions: dict[str, int] = {}
    appended = 0
    for service, event in whole_lifecycle():
        for n in range(count):
            pid = f"jincheng-{254 + n}"
            stream = f"{service}-proposal-{pid}"
            copied = event.model_copy(update={"proposal_id": pid})
            result = await stack.events.append(stream, new_events([copied]), versions.get(stream, 0))
            versions[stream] = result.version
            appended += 1
    return appended


async def snapshot(stack: Stack) -> dict[str, Any]:
    """Every key under the namespace, of every Redis type, with its value."""
    redis = stack.views.redis
    found: dict[str, Any] = {}
    async for key in redis.scan_iter(match=f"{stack.name}:{NAME}:*", count=1000):
        match await redis.type(key):
            case "hash":
                found[key] = ("hash", await cast(Awaitable[Any], redis.hgetall(key)))
            case "set":
                found[key] = ("set", await cast(Awaitable[Any], redis.smembers(key)))
            case "list":
                found[key] = ("list", await cast(Awaitable[Any], redis.lrange(key, 0, -1)))
            case "zset":
                found[key] = ("zset", await redis.zrange(key, 0, -1, withscores=True))
            case kind:
                found[key] = (kind, await redis.get(key))
    return found


async def test_the_proposals_views_rebuilt_from_the_store_equal_the_live_ones(stack: Stack) -> None:
    projection = ProposalsProjection(load_units())
    live = ProjectionRunner(projection, stack.events, stack.views, all_events(), batch_size=37)
    running = asyncio.create_task(live.run())
    total = await record_lifecycles(stack, PROPOSALS)
    await eventually(lambda: live.stats.position >= total, timeout=30)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    before = await snapshot(stack)

    report = await rebuild(
        ProjectionRunner(projection, stack.events, stack.views, all_events()), show_progress=False
    )
    after = await snapshot(stack)

    assert report.events == total
    assert len(before) > PROPOSALS * 5
    assert after == before
    lags = sorted(live.stats.lags)
    print(
        f"\nlive lag p50 {lags[len(lags) // 2]:.4f}s p99 {lags[int(len(lags) * 0.99)]:.4f}s; "
        f"rebuild {report.events} events in {report.seconds:.2f}s ({report.events_per_second:,.0f} events/s)"
    )
