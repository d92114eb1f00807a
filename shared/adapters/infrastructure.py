"""Opening the adapters named by the settings: the only place that knows them all."""

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from shared.adapters.bus import Inbox, MessageBus
from shared.adapters.bus.inbox import InMemoryInbox, RedisInbox
from shared.adapters.eventstore import EventStore
from shared.adapters.readstore import ReadStore
from shared.settings import ServiceSettings

PING_TIMEOUT = 3.0


@dataclass
class Infrastructure:
    """One service's adapters: its own event store and read store; the bus may be shared (the
    embedded run passes one in-process bus to every service), and is then closed by its owner."""

    events: EventStore
    bus: MessageBus
    views: ReadStore
    inbox: Inbox
    owns_bus: bool = True

    async def readiness(self) -> dict[str, str]:
        """Each dependency with "ok" or what is wrong with it."""
        checks = {"eventstore": self.events.ping, "bus": self.bus.ping, "readstore": self.views.ping}
        results = await asyncio.gather(
            *(asyncio.wait_for(ping(), PING_TIMEOUT) for ping in checks.values()),
            return_exceptions=True,
        )
        return {
            name: "ok" if result is None else f"error: {type(result).__name__}: {result}"
            for name, result in zip(checks, results, strict=True)
        }

    async def close(self) -> None:
        closings = [self.events.close, self.views.close]
        if self.owns_bus:
            closings.insert(0, self.bus.close)
        for closing in closings:
            with contextlib.suppress(Exception):
                await closing()


async def open_event_store(url: str, service: str | None = None, store: str | None = None) -> EventStore:
    """The event store at `url`. Where one server holds several stores by stream name (KurrentDB),
    `service`'s store is its own streams, kept under `store`'s name for an agency's own instance;
    without `service`, the whole log. Other adapters take their store from the URL (a file, a
    schema)."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        from shared.adapters.eventstore.memory import InMemoryEventStore

        return InMemoryEventStore()
    if scheme == "sqlite":
        from shared.adapters.eventstore.sqlite import SqliteEventStore

        if not url.startswith("sqlite:///"):
            raise ValueError(
                f"EVENTSTORE_URL: write sqlite:///relative/path or sqlite:////absolute, not {url!r}"
            )
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return await SqliteEventStore.open(path)
    if scheme in {"postgres", "postgresql"}:
        from shared.adapters.eventstore.postgres import PostgresEventStore

        parts = urlsplit(url)
        schema = parse_qs(parts.query).get("schema", ["public"])[0]
        return await PostgresEventStore.open(urlunsplit(parts._replace(query="")), schema=schema)
    if scheme in {"esdb", "esdb+discover", "kurrentdb", "kurrentdb+discover"}:
        from shared.adapters.eventstore.kurrentdb import KurrentDBEventStore
        from shared.adapters.eventstore.prefix import WHOLE_LOG, StreamPrefix

        streams = StreamPrefix.of(service, store) if service else WHOLE_LOG
        return await KurrentDBEventStore.open(url, streams=streams)
    raise ValueError(f"EVENTSTORE_URL has an unknown scheme: {url!r}")


async def open_bus(url: str, exchange: str, retry_delay: float = 0.0, declare: bool = True) -> MessageBus:
    """The bus at `url`; `declare`: the bus declares the exchanges and queues it uses, rather than
    finding them where the broker's definitions hold them (`BUS_TOPOLOGY=provisioned`)."""
    scheme = urlsplit(url).scheme
    if scheme == "inprocess":
        from shared.adapters.bus.inprocess import InProcessBus

        return InProcessBus(exchange)
    if scheme in {"amqp", "amqps"}:
        from shared.adapters.bus.rabbitmq import RabbitMQBus

        return await RabbitMQBus.connect(url, exchange, retry_delay=retry_delay, declare=declare)
    raise ValueError(f"BUS_URL has an unknown scheme: {url!r}")


def open_read_store(url: str, prefix: str) -> ReadStore:
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        from shared.adapters.readstore.memory import InMemoryReadStore

        return InMemoryReadStore()
    if scheme in {"redis", "rediss"}:
        from shared.adapters.readstore.redis import RedisReadStore

        return RedisReadStore.from_url(url, prefix)
    raise ValueError(f"READSTORE_URL has an unknown scheme: {url!r}")


def inbox_for(views: ReadStore, prefix: str) -> Inbox:
    from shared.adapters.readstore.redis import RedisReadStore

    if isinstance(views, RedisReadStore):
        return RedisInbox(views.redis, prefix)
    return InMemoryInbox()


async def open_infrastructure(settings: ServiceSettings, bus: MessageBus | None = None) -> Infrastructure:
    """The service's adapters as its settings name them; with `bus`, that one shared bus."""
    events = await open_event_store(settings.eventstore_url, settings.service_name, settings.store_name)
    try:
        own_bus = bus or await open_bus(
            settings.bus_url, settings.bus_exchange, settings.bus_retry_delay, settings.declares_bus_topology
        )
    except BaseException:
        await events.close()
        raise
    views = open_read_store(settings.readstore_url, settings.readstore_prefix)
    inbox = inbox_for(views, settings.readstore_prefix)
    return Infrastructure(events, own_bus, views, inbox, owns_bus=bus is None)
