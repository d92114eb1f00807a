"""The real stack for integration tests: PostgreSQL event store, RabbitMQ bus, Redis views.

Each test gets its own schema, exchange and queue names and key prefix, and removes them after. The
views reach Redis as a service does in a deployment: as a user of the test's own, allowed its prefix
and the read store's commands only (runtime/redis_acl.py).
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from runtime.redis_acl import RedisUser, apply, remove
from runtime.topology import all_queues
from shared.adapters.bus.inbox import RedisInbox
from shared.adapters.bus.rabbitmq import RabbitMQBus
from shared.adapters.eventstore.postgres import PostgresEventStore
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.readstore.redis import RedisReadStore
from tests.servers import require_postgres, require_rabbitmq, require_redis


@dataclass
class Stack:
    infra: Infrastructure
    name: str
    postgres_url: str
    redis_url: str
    rabbitmq_url: str

    @property
    def events(self) -> PostgresEventStore:
        assert isinstance(self.infra.events, PostgresEventStore)
        return self.infra.events

    @property
    def bus(self) -> RabbitMQBus:
        assert isinstance(self.infra.bus, RabbitMQBus)
        return self.infra.bus

    @property
    def views(self) -> RedisReadStore:
        assert isinstance(self.infra.views, RedisReadStore)
        return self.infra.views


@pytest.fixture
async def exchange() -> AsyncIterator[str]:
    """An exchange of the test's own, for services started in the test; their queues and it are
    removed afterwards."""
    url = require_rabbitmq()
    name = f"it_{uuid.uuid4().hex[:10]}.events"
    yield name
    cleaner = await RabbitMQBus.connect(url, exchange=name)
    try:
        for queue in all_queues(name):
            await cleaner.delete_queue(queue)
        await cleaner.delete_exchanges()
    finally:
        await cleaner.close()


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    postgres_url, redis_url, rabbitmq_url = require_postgres(), require_redis(), require_rabbitmq()
    name = f"it_{uuid.uuid4().hex[:10]}"
    events = await PostgresEventStore.open(postgres_url, schema=name)
    bus = await RabbitMQBus.connect(rabbitmq_url, exchange=f"{name}.events")
    user = RedisUser(name, prefix=name, password=uuid.uuid4().hex)
    await apply(redis_url, [user])
    views = RedisReadStore.from_url(user.url(redis_url), prefix=name)
    infra = Infrastructure(events, bus, views, RedisInbox(views.redis, name))
    try:
        yield Stack(infra, name, postgres_url, redis_url, rabbitmq_url)
    finally:
        for queue in bus.declared_queues:
            await bus.delete_queue(queue)
        await bus.delete_exchanges()
        keys = [k async for k in views.redis.scan_iter(match=f"{name}:*")]
        if keys:
            await views.redis.delete(*keys)
        await events.drop_schema()
        await infra.close()
        await remove(redis_url, [user])
