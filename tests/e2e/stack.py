"""The four services as real processes on PostgreSQL, RabbitMQ and Redis, isolated per test run."""

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from services.topology import all_queues
from shared.bus.rabbitmq import RabbitMQBus
from shared.eventstore.postgres import PostgresEventStore
from shared.readstore.redis import RedisReadStore
from tests.processes import free_port_block, running, wait_healthy

SERVICES = ["intake", "allocation", "reply", "feedback"]
SECRET = "end-to-end-secret-of-at-least-32-characters"


@dataclass(frozen=True)
class RunningStack:
    urls: dict[str, str]
    name: str
    secret: str
    postgres_url: str


@contextmanager
def real_stack(
    tmp_path: Path, postgres_url: str, redis_url: str, rabbitmq_url: str
) -> Iterator[RunningStack]:
    name = f"e2e_{uuid.uuid4().hex[:10]}"
    base = free_port_block(len(SERVICES))
    environment = {
        "APP_ENV": "test",
        "EVENTSTORE_URL": f"{postgres_url}?schema={name}",
        "BUS_URL": rabbitmq_url,
        "BUS_EXCHANGE": f"{name}.events",
        "READSTORE_URL": redis_url,
        "READSTORE_PREFIX": name,
        "TOKEN_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
    }
    urls = {svc: f"http://127.0.0.1:{base + i}" for i, svc in enumerate(SERVICES)}
    try:
        with ExitStack() as processes:
            started = {
                svc: processes.enter_context(
                    running(
                        ["-m", f"services.{svc}"],
                        cwd=tmp_path,
                        env={**environment, "SERVICE_PORT": str(base + i)},
                    )
                )
                for i, svc in enumerate(SERVICES)
            }
            for svc, process in started.items():
                wait_healthy(f"{urls[svc]}/ready", process, timeout=60)
            yield RunningStack(urls, name, SECRET, postgres_url)
    finally:
        asyncio.run(_clean(name, postgres_url, redis_url, rabbitmq_url))


async def _clean(name: str, postgres_url: str, redis_url: str, rabbitmq_url: str) -> None:
    events = await PostgresEventStore.open(postgres_url, schema=name)
    await events.drop_schema()
    await events.close()
    bus = await RabbitMQBus.connect(rabbitmq_url, exchange=f"{name}.events")
    for queue in all_queues(f"{name}.events"):
        await bus.delete_queue(queue)
    await bus.delete_exchanges()
    await bus.close()
    views = RedisReadStore.from_url(redis_url, name)
    keys = [k async for k in views.redis.scan_iter(match=f"{name}:*")]
    if keys:
        await views.redis.delete(*keys)
    await views.close()
