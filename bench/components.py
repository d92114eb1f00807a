"""Our components on the events a session left in the services' stores, each beside its raw limit.

Every service has its own store (a schema each); the figures read each where its service does.

- Gateway publish: each service's gateway (shared.kernel.gateway, with the service's own registry,
  translation and contract, as its bootstrap builds it) going from checkpoint 0 to the head of the
  service's own store, publishing with confirms to a topic exchange of its own whose queues are
  declared as the platform declares them → messages published/s, read against the raw confirmed
  publish, and events/s from checkpoint to head (one gateway after the other): a gateway reads
  every event of its store and publishes only the public ones, so it goes through events faster
  than it publishes messages.
- Projection apply: the proposals projection of the views service applying the views' own record
  of the public events, read beforehand, in the runner's batches, each batch one Redis commit →
  events/s (and writes/s).
- Rebuild: drop and rebuild every projection of the views as `make rebuild` does (replay the views'
  record from PostgreSQL, apply, commit) → events/s.
- Store replay: `PostgresEventStore.read_all` page by page from the first event to the head of
  every service's store, one after the other → events/s.

Checkpoints and views go to their own Redis prefix and messages to their own exchange, so the
figures are taken without disturbing (or being helped by) the stack that wrote the events.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from bench.raw import delete_keys
from runtime.topology import all_queues
from services.views.application.inbound import INBOUND
from services.views.application.projections import load_units, projections
from services.views.application.read_models import ProposalsProjection
from shared.adapters.bus.rabbitmq import RabbitMQBus
from shared.adapters.eventstore import RecordedEvent
from shared.adapters.eventstore.postgres import PostgresEventStore
from shared.adapters.readstore import Changes
from shared.adapters.readstore.redis import RedisReadStore
from shared.kernel.gateway import Gateway
from shared.kernel.inbound import declare_all
from shared.kernel.projections import ProjectionRunner, rebuild
from shared.kernel.signatures import Issuer

GATEWAYS = ("intake", "allocation", "reply", "feedback")
PAGE = 1000


class CountingReadStore(RedisReadStore):
    """A Redis read store that counts the writes it commits."""

    def __init__(self, store: RedisReadStore, prefix: str) -> None:
        super().__init__(store.redis, prefix)
        self.writes = 0

    async def commit(self, changes: Changes, checkpoint: tuple[str, int] | None = None) -> None:
        self.writes += len(changes.ops) + (checkpoint is not None)
        await super().commit(changes, checkpoint)


async def read_everything(store: PostgresEventStore) -> list[RecordedEvent]:
    events: list[RecordedEvent] = []
    while page := await store.read_all(events[-1].position if events else 0, PAGE):
        events.extend(page)
    return events


async def store_replay(stores: Mapping[str, PostgresEventStore]) -> dict[str, Any]:
    """Every store read from its first event to its head, one after the other."""
    counted: dict[str, int] = {}
    started = time.perf_counter()
    for service, store in stores.items():
        count, after = 0, 0
        while page := await store.read_all(after, PAGE):
            count += len(page)
            after = page[-1].position
        counted[service] = count
    elapsed = time.perf_counter() - started
    count = sum(counted.values())
    return {
        "figure": "events/s",
        "value": count / elapsed if elapsed else 0.0,
        "events": count,
        "elapsed": elapsed,
        "stores": counted,
    }


async def gateway_publish(
    stores: Mapping[str, PostgresEventStore], rabbitmq_url: str, redis_url: str, name: str
) -> dict[str, Any]:
    """Every service's gateway on its own store, one after the other, from position 0 to its head."""
    exchange = f"{name}.bench.events"
    bus = await RabbitMQBus.connect(rabbitmq_url, exchange=exchange)
    checkpoints = RedisReadStore.from_url(redis_url, f"{name}_bench")
    per_service: dict[str, dict[str, Any]] = {}
    try:
        await declare_all(bus, all_queues(exchange), 5)
        head = 0
        for service in GATEWAYS:
            store = stores[service]
            head += await store.head()
            gateway = _gateway(service, store, bus, checkpoints)
            started = time.perf_counter()
            after, read = 0, 0
            while batch := await store.read_all(after, gateway.batch_size):
                await gateway.publish_batch(batch)
                read += len(batch)
                after = batch[-1].position
            elapsed = time.perf_counter() - started
            per_service[service] = {
                "events_read": read,
                "published": gateway.stats.published,
                "unrouted": gateway.stats.unrouted,
                "elapsed": elapsed,
                "messages_per_second": gateway.stats.published / elapsed if elapsed else 0.0,
            }
    finally:
        for queue in bus.declared_queues:
            await bus.delete_queue(queue)
        await bus.delete_exchanges()
        await bus.close()
        await delete_keys(checkpoints.redis, f"{name}_bench:*")
        await checkpoints.close()
    published = sum(s["published"] for s in per_service.values())
    elapsed = sum(s["elapsed"] for s in per_service.values())
    read = sum(s["events_read"] for s in per_service.values())
    return {
        "figure": "events/s",
        "value": read / elapsed if elapsed else 0.0,
        "published": published,
        "messages_per_second": published / elapsed if elapsed else 0.0,
        "head": head,
        "elapsed": elapsed,
        "services": per_service,
    }


def _gateway(
    service: str, store: PostgresEventStore, bus: RabbitMQBus, checkpoints: RedisReadStore
) -> Gateway:
    """The gateway the service builds: its own event registry, translation and public contract."""
    events = importlib.import_module(f"services.{service}.domain.events")
    outbound = importlib.import_module(f"services.{service}.application.outbound")
    contracts = importlib.import_module(f"services.{service}.contracts")
    return Gateway(
        service,
        store,
        bus,
        checkpoints,
        events.registry,
        outbound.to_integration,
        contract=contracts.contract,
        issuer=Issuer.development(service),
    )


async def projection_apply(
    store: PostgresEventStore, events: list[RecordedEvent], redis_url: str, name: str
) -> dict[str, Any]:
    """The proposals projection applying the views' record, already read, batch by batch, into a
    prefix of its own."""
    prefix = f"{name}_bench"
    base = RedisReadStore.from_url(redis_url, prefix)
    views = CountingReadStore(base, prefix)
    runner = ProjectionRunner(ProposalsProjection(load_units()), store, views, INBOUND.contract)
    try:
        started = time.perf_counter()
        for first in range(0, len(events), runner.batch_size):
            await runner.apply_batch(events[first : first + runner.batch_size])
        elapsed = time.perf_counter() - started
    finally:
        await delete_keys(base.redis, f"{prefix}:*")
        await base.close()
    return {
        "figure": "events/s",
        "value": len(events) / elapsed if elapsed else 0.0,
        "events": len(events),
        "writes": views.writes,
        "writes_per_second": views.writes / elapsed if elapsed else 0.0,
        "batch": runner.batch_size,
        "elapsed": elapsed,
    }


async def rebuild_all(store: PostgresEventStore, redis_url: str, prefix: str) -> dict[str, Any]:
    """Drop and rebuild every projection of the views service from its record, as `make rebuild` does."""
    views = RedisReadStore.from_url(redis_url, prefix)
    reports = {}
    try:
        for projection in projections(load_units()):
            runner = ProjectionRunner(projection, store, views, INBOUND.contract)
            report = await rebuild(runner, show_progress=True)
            reports[projection.name] = {
                "events": report.events,
                "seconds": report.seconds,
                "events_per_second": report.events_per_second,
            }
    finally:
        await views.close()
    events = sum(r["events"] for r in reports.values())
    seconds = sum(r["seconds"] for r in reports.values())
    return {
        "figure": "events/s",
        "value": events / seconds if seconds else 0.0,
        "events": events,
        "seconds": seconds,
        "projections": reports,
    }


@contextlib.asynccontextmanager
async def opened(
    postgres_url: str, schemas: Mapping[str, str]
) -> AsyncIterator[dict[str, PostgresEventStore]]:
    """Each service's store, by service, from its schema."""
    stores: dict[str, PostgresEventStore] = {}
    try:
        for service, schema in schemas.items():
            stores[service] = await PostgresEventStore.open(postgres_url, schema=schema)
        yield stores
    finally:
        for store in stores.values():
            await store.close()


async def measure(
    postgres_url: str,
    schemas: Mapping[str, str],
    rabbitmq_url: str,
    redis_url: str,
    name: str,
    views_prefix: str,
) -> dict[str, Any]:
    """Every component figure on the events in each service's schema (`schemas`, by service, the
    views' among them); the views' read models under `views_prefix` are rebuilt in place."""
    async with opened(postgres_url, schemas) as stores:
        replay = await store_replay(stores)
        print(f"  store replay: {replay['value']:,.0f} events/s ({replay['events']} events)")
        gateway = await gateway_publish(stores, rabbitmq_url, redis_url, name)
        print(
            f"  gateway publish: {gateway['value']:,.0f} events/s, "
            f"{gateway['messages_per_second']:,.0f} messages/s ({gateway['published']} messages)"
        )
        record = stores["views"]
        events = await read_everything(record)
        projection = await projection_apply(record, events, redis_url, name)
        print(f"  projection apply: {projection['value']:,.0f} events/s ({projection['writes']} writes)")
        rebuilt = await rebuild_all(record, redis_url, views_prefix)
        print(f"  rebuild: {rebuilt['value']:,.0f} events/s")
    return {
        "store_replay": replay,
        "gateway_publish": gateway,
        "projection_apply": projection,
        "rebuild": rebuilt,
    }
