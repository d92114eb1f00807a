"""The benchmark's measurements, run at tiny sizes so their code is exercised: structure, not speed."""

import asyncio
import importlib
import uuid
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis

from bench import components, peer, raw
from bench.load import ceiling, open_loop, percentile
from bench.payloads import InsertRequests
from shared.adapters.eventstore import NewEvent
from shared.adapters.eventstore.postgres import PostgresEventStore
from shared.kernel.events import Event
from tests.servers import require_postgres, require_rabbitmq, require_redis
from tests.unit.views.lifecycle import at, new_events, whole_lifecycle

pytestmark = pytest.mark.timeout(90)


def servers() -> raw.Servers:
    return raw.Servers(require_postgres(), require_redis(), require_rabbitmq())


def name() -> str:
    return f"bench_{uuid.uuid4().hex[:10]}"


async def schemas_named(postgres_url: str, prefix: str) -> list[str]:
    connection = await asyncpg.connect(postgres_url)
    try:
        rows = await connection.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{prefix}%")
        return [row["nspname"] for row in rows]
    finally:
        await connection.close()


async def keys_named(redis_url: str, prefix: str) -> list[str]:
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        return [key async for key in redis.scan_iter(match=f"{prefix}*")]
    finally:
        await redis.aclose()


SERVICES = ("intake", "allocation", "reply", "feedback", "views")


def domain_events(service: str, event: Event) -> list[NewEvent]:
    """One service's event as its store holds it, encoded by the service's own registry."""
    registry = importlib.import_module(f"services.{service}.domain.events").registry
    type_name, data = registry.encode(event)
    return [NewEvent(uuid.uuid4(), type_name, data, {"actor": "office:政协提案委"})]


async def record_lifecycles(stores: Mapping[str, PostgresEventStore], count: int) -> Counter[str]:
    """晋城 第254号's lifecycle for `count` proposals, interleaved: each service's events in its own
    store, and what they announce in the views' record; the number of events appended to each."""
    versions: dict[str, int] = {}
    appended: Counter[str] = Counter()

    async def append(service: str, stream: str, events: list[NewEvent]) -> None:
        if events:
            result = await stores[service].append(stream, events, versions.get(stream, 0))
            versions[stream] = result.version
            appended[service] += len(events)

    for service, event in whole_lifecycle():
        for n in range(count):
            pid = f"jincheng-{254 + n}"
            copied = event.model_copy(update={"proposal_id": pid})
            await append(service, f"{service}-proposal-{pid}", domain_events(service, copied))
            await append("views", f"views-received-{pid}", new_events([(service, copied)], at("2025-09-01")))
    return appended


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([], 0.5) == 0.0


def test_the_load_generator_counts_every_request_in_both_loops() -> None:
    closed = ceiling(400, processes=2, concurrency=8)
    assert closed.requests == closed.ok == 400
    assert closed.statuses == {"200": 400}
    assert closed.rate > 0 and 0 < closed.p50_ms <= closed.p99_ms <= closed.max_ms

    scheduled = open_loop(InsertRequests("http://127.0.0.1:9/rows"), rate=100, duration=0.3, processes=1)
    assert scheduled.requests == 30 and scheduled.target_rate == 100
    assert scheduled.ok == 0 and scheduled.statuses == {"error": 30}  # nothing listens there
    assert scheduled.elapsed >= 0.25


def test_the_raw_limits_are_measured_and_cleaned_up(tmp_path: Path) -> None:
    where, isolation = servers(), name()
    sizes = raw.RawSizes(
        http_requests=200, messages=300, redis_writes=2_000, replay_events=2_000, processes=1
    )

    figures = raw.measure(where, isolation, tmp_path, sizes)

    assert set(figures) == {"http_insert", "confirmed_publish", "redis_pipelined", "replay"}
    assert all(figure["value"] > 0 for figure in figures.values())
    assert figures["http_insert"]["ok"] == figures["http_insert"]["rows"] == 200
    assert figures["confirmed_publish"]["queued"] == 300
    assert figures["replay"]["events"] == 2_000
    assert asyncio.run(schemas_named(where.postgres_url, isolation)) == []
    assert asyncio.run(keys_named(where.redis_url, isolation)) == []


def test_our_store_and_the_peer_do_the_same_work() -> None:
    postgres_url, isolation = require_postgres(), name()
    sizes = peer.PeerSizes(single=40, concurrent=80, batched=400, batch=50, writers=4)

    figures = peer.measure(postgres_url, isolation, sizes)

    assert figures["replayed"] == {"ours": 520, "peer": 520}
    for key in ("append_single", "append_concurrent", "append_batched", "replay"):
        assert figures[key]["ours"] > 0 and figures[key]["peer"] > 0
        assert figures[key]["ratio"] == pytest.approx(figures[key]["ours"] / figures[key]["peer"])
    assert asyncio.run(schemas_named(postgres_url, isolation)) == []


async def test_the_components_run_on_stored_lifecycles() -> None:
    where, isolation = servers(), name()
    schemas = {service: f"{isolation}_{service}" for service in SERVICES}
    stores = {
        s: await PostgresEventStore.open(where.postgres_url, schema=schema) for s, schema in schemas.items()
    }
    try:
        appended = await record_lifecycles(stores, 3)
        total = sum(appended.values())
        figures = await components.measure(
            where.postgres_url, schemas, where.rabbitmq_url, where.redis_url, isolation, isolation
        )
    finally:
        for store in stores.values():
            await store.drop_schema()
            await store.close()
        redis = Redis.from_url(where.redis_url)
        keys = [key async for key in redis.scan_iter(match=f"{isolation}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()

    assert figures["store_replay"]["events"] == total
    assert figures["projection_apply"]["events"] == appended["views"]  # the views' own record
    assert figures["projection_apply"]["writes"] > appended["views"]
    assert figures["gateway_publish"]["published"] > 0
    assert figures["gateway_publish"]["services"]["intake"]["events_read"] == appended["intake"]
    assert figures["rebuild"]["events"] == 2 * appended["views"]  # the activity and the proposals projections
    assert all(figures[key]["value"] > 0 for key in figures)
