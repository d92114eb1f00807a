"""Every adapter of a port, behind one fixture, so one suite runs against each."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.adapters.bus import MessageBus
from shared.adapters.eventstore import EventStore
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.readstore import ReadStore
from shared.adapters.readstore.memory import InMemoryReadStore
from tests.servers import require_kurrentdb, require_postgres, require_rabbitmq, require_redis

EVENT_STORES = ["memory", "sqlite", "postgres", "kurrentdb"]


@pytest.fixture(params=EVENT_STORES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventStore]:
    kind = request.param
    if kind == "memory":
        yield InMemoryEventStore()
    elif kind == "sqlite":
        from shared.adapters.eventstore.sqlite import SqliteEventStore

        sqlite_store = await SqliteEventStore.open(tmp_path / "events.sqlite3")
        yield sqlite_store
        await sqlite_store.close()
    elif kind == "postgres":
        from shared.adapters.eventstore.postgres import PostgresEventStore

        url = require_postgres()
        schema = f"contract_{uuid.uuid4().hex[:12]}"
        pg_store = await PostgresEventStore.open(url, schema=schema)
        try:
            yield pg_store
        finally:
            await pg_store.drop_schema()
            await pg_store.close()
    elif kind == "kurrentdb":
        from shared.adapters.eventstore.kurrentdb import KurrentDBEventStore
        from shared.adapters.eventstore.prefix import StreamPrefix

        url = require_kurrentdb()
        # A store of its own on the shared server, as an agency instance has: intake's streams
        # under the prefix `contract_<hex>-`.
        streams = StreamPrefix.of("intake", f"contract_{uuid.uuid4().hex[:12]}")
        kdb_store = await KurrentDBEventStore.open(url, streams=streams)
        yield kdb_store
        await kdb_store.close()


@pytest.fixture(params=["memory", "redis", "redis-user"])
async def read_store(request: pytest.FixtureRequest) -> AsyncIterator[ReadStore]:
    """`redis-user`: Redis as a service reaches it in a deployment, as its store's own user, allowed
    its prefix and the commands the adapters declare (runtime/redis_acl.py), and nothing else."""
    if request.param == "memory":
        yield InMemoryReadStore()
        return
    from runtime.redis_acl import RedisUser, apply, remove
    from shared.adapters.readstore.redis import RedisReadStore

    server = require_redis()
    tag = uuid.uuid4().hex[:12]
    prefix = f"test-{tag}"
    users = [RedisUser(f"test_{tag}", prefix, uuid.uuid4().hex)] if request.param == "redis-user" else []
    await apply(server, users)
    redis_store = RedisReadStore.from_url(users[0].url(server) if users else server, prefix)
    try:
        yield redis_store
    finally:
        keys = [k async for k in redis_store.redis.scan_iter(match=f"{prefix}:*")]
        if keys:
            await redis_store.redis.delete(*keys)
        await redis_store.close()
        await remove(server, users)


BUSES = ["inprocess", "rabbitmq"]


@pytest.fixture(params=BUSES)
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[MessageBus]:
    """A bus on its own exchange; its queues and exchanges are deleted afterwards."""
    exchange = f"test.events.{uuid.uuid4().hex[:12]}"
    if request.param == "inprocess":
        from shared.adapters.bus.inprocess import InProcessBus

        in_process = InProcessBus(exchange)
        yield in_process
        await in_process.close()
        return
    from shared.adapters.bus.rabbitmq import RabbitMQBus

    rabbit = await RabbitMQBus.connect(require_rabbitmq(), exchange=exchange, publish_timeout=5.0)
    try:
        yield rabbit
    finally:
        for queue in rabbit.declared_queues:
            await rabbit.delete_queue(queue)
        await rabbit.delete_exchanges()
        await rabbit.close()
