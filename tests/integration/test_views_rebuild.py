"""The `proposals` views on PostgreSQL and Redis: dropped and rebuilt from the views' own record of
the public events, they equal the live ones. The stack's schema stands for the views' store."""

import asyncio
from collections.abc import Awaitable
from typing import Any, cast

import pytest

from runtime import rebuild as rebuild_command
from services.views.application.inbound import INBOUND
from services.views.application.projections import load_units
from services.views.application.read_models import NAME, ProposalsProjection
from shared.kernel.projections import ProjectionRunner, rebuild
from shared.testing.waiting import eventually
from tests.integration.conftest import Stack
from tests.unit.views.lifecycle import at, new_events, whole_lifecycle

PROPOSALS = 60
"""晋城 第254号's lifecycle, recorded for this many proposals (the public events of 19 each)."""
RECORDED_AT = at("2025-09-01")


async def record_lifecycles(stack: Stack, count: int) -> int:
    """The views' record of the lifecycles, appended interleaved as several proposals move at once;
    return the event count."""
    versions: dict[str, int] = {}
    appended = 0
    for service, event in whole_lifecycle():
        for n in range(count):
            pid = f"jincheng-{254 + n}"
            stream = f"views-received-{pid}"
            copied = event.model_copy(update={"proposal_id": pid})
            recorded = new_events([(service, copied)], RECORDED_AT)
            if not recorded:
                continue  # a private event: the services never announce it
            result = await stack.events.append(stream, recorded, versions.get(stream, 0))
            versions[stream] = result.version
            appended += len(recorded)
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
    live = ProjectionRunner(projection, stack.events, stack.views, INBOUND.contract, batch_size=37)
    running = asyncio.create_task(live.run())
    total = await record_lifecycles(stack, PROPOSALS)
    await eventually(lambda: live.stats.position >= total, timeout=30)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    before = await snapshot(stack)

    report = await rebuild(
        ProjectionRunner(projection, stack.events, stack.views, INBOUND.contract), show_progress=False
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


async def test_make_rebuild_rebuilds_the_views_from_the_views_own_store(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = await record_lifecycles(stack, 3)
    live = ProjectionRunner(ProposalsProjection(load_units()), stack.events, stack.views, INBOUND.contract)
    await live.catch_up()
    before = await snapshot(stack)
    damaged = f"{stack.name}:{NAME}:p:jincheng-254"
    assert damaged in before
    await stack.views.redis.set(damaged, "stale")
    monkeypatch.setenv("EVENTSTORE_URL", f"{stack.postgres_url}?schema={stack.name}")
    monkeypatch.setenv("READSTORE_URL", stack.redis_url)
    monkeypatch.setenv("READSTORE_PREFIX", stack.name)

    assert await rebuild_command.main([NAME]) == 0

    assert live.stats.position == total
    assert await snapshot(stack) == before
