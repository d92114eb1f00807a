"""Projections: read models built from the event store, committed with their checkpoint.

A projection applies events to a `View`: its writes are collected and committed in one atomic
step together with the position of the last event applied, so after a crash it resumes exactly
where its view stands. Reads through the view see the writes of the batch not yet committed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from tqdm import tqdm

from shared.adapters.eventstore import EventStore, RecordedEvent
from shared.adapters.readstore import Changes, Op, ReadStore
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel import faults
from shared.kernel.events import Event, EventRegistry
from shared.kernel.records import occurred_at
from shared.kernel.subscription import batches
from shared.observability.telemetry import current

log = logging.getLogger(__name__)


class View:
    """A projection's window on its read store during one batch."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self.changes = Changes()
        self._committed: dict[str, list[Op]] = {}
        self.written: dict[tuple[str, str], str] = {}
        """Hash fields a projection wrote in this batch and reads back often (see `hget_written`)."""

    async def _pending(self, key: str) -> InMemoryReadStore | None:
        """The committed value of `key` with this batch's writes on top, when it has any."""
        ops = [op for op in self.changes.ops if op[1] == key]
        if not ops:
            return None
        staged = InMemoryReadStore()
        base = Changes()
        if ops[0][0] not in {"set", "delete"}:
            base.ops.extend(await self._committed_value(key))
        base.ops.extend(ops)
        await staged.commit(base)
        return staged

    async def _committed_value(self, key: str) -> list[Op]:
        """What `key` holds in the store, as writes. Read once per batch: only the batch's own
        commit changes the projection's keys, so a second read would find the same."""
        if key not in self._committed:
            loaded = Changes()
            await _load(self.store, key, loaded)
            self._committed[key] = loaded.ops
        return self._committed[key]

    async def get(self, key: str) -> str | None:
        staged = await self._pending(key)
        return await (staged or self.store).get(key)

    async def hgetall(self, key: str) -> dict[str, str]:
        staged = await self._pending(key)
        return await (staged or self.store).hgetall(key)

    async def hget_written(self, key: str, field_: str) -> str | None:
        """A hash field that only `hset_written` writes (the hash's other fields may be written as
        usual): its write in this batch, else the committed value, in constant time."""
        if (key, field_) in self.written:
            return self.written[(key, field_)]
        if key not in self._committed:  # known to be a hash: one round trip, and kept for this batch
            loaded = await self.store.hgetall(key)
            self._committed[key] = [("hset", key, loaded)] if loaded else []
        for op in self._committed[key]:
            match op:
                case ("hset", _, committed):
                    return committed.get(field_)
        return None

    def hset_written(self, key: str, field_: str, value: str) -> None:
        self.written[(key, field_)] = value
        self.changes.hset(key, {field_: value})

    async def hget(self, key: str, field_: str) -> str | None:
        """One field of a hash, as `hgetall(key).get(field_)`: this batch's last write of the field
        when it has one, else the committed value, without replaying the batch's other writes."""
        for op in reversed(self.changes.ops):
            match op:
                case ("hset", k, mapping) if k == key and field_ in mapping:
                    return mapping[field_]
                case ("hdel", k, fields) if k == key and field_ in fields:
                    return None
                case ("delete", k) if k == key:
                    return None
                case (_, k, *_) if k == key and op[0] not in {"hset", "hdel"}:
                    return (await self.hgetall(key)).get(field_)
        for op in await self._committed_value(key):
            match op:
                case ("hset", _, mapping):
                    return mapping.get(field_)
        return None

    async def smembers(self, key: str) -> set[str]:
        staged = await self._pending(key)
        return await (staged or self.store).smembers(key)

    async def zrange(self, key: str) -> list[tuple[str, float]]:
        staged = await self._pending(key)
        return await (staged or self.store).zrange(key)

    async def lrange(self, key: str) -> list[str]:
        staged = await self._pending(key)
        return await (staged or self.store).lrange(key)


async def _load(store: ReadStore, key: str, into: Changes) -> None:
    """Copy whatever `key` holds in the store into `into` as writes."""
    match await store.kind(key):
        case "string":
            into.set(key, await store.get(key) or "")
        case "hash":
            into.hset(key, await store.hgetall(key))
        case "set":
            into.sadd(key, *sorted(await store.smembers(key)))
        case "zset":
            into.zadd(key, dict(await store.zrange(key)))
        case "list":
            into.rpush(key, *await store.lrange(key))


class Projection(Protocol):
    name: str
    """Also the namespace of its keys and the name of its checkpoint."""

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None: ...


@dataclass
class Stats:
    applied: int = 0
    position: int = 0
    lags: deque[float] = field(default_factory=lambda: deque(maxlen=10_000))
    """Seconds from the original append (at the source, for a received event) to visible in the
    view, for recent events."""


class ProjectionRunner:
    def __init__(
        self,
        projection: Projection,
        events: EventStore,
        views: ReadStore,
        registry: EventRegistry,
        batch_size: int = 500,
    ) -> None:
        self.projection = projection
        self.events = events
        self.views = views
        self.registry = registry
        self.batch_size = batch_size
        self.stats = Stats()
        self.failure: BaseException | None = None

    async def apply_batch(self, batch: list[RecordedEvent]) -> list[float]:
        """Apply and commit the batch; the lag of each of its events."""
        view = View(self.views)
        for recorded in batch:
            event = self.registry.decode_recorded(recorded)
            await self.projection.apply(event, recorded, view)
        last = batch[-1].position
        faults.point("projection.mid-batch")
        await self.views.commit(view.changes, (self.projection.name, last))
        now = datetime.now(UTC)
        lags = [(now - occurred_at(r)).total_seconds() for r in batch]
        self.stats.applied += len(batch)
        self.stats.position = last
        self.stats.lags.extend(lags)
        return lags

    async def run(self) -> None:
        """Follow the store for ever from the stored checkpoint, in the service's metrics (a replay
        "as of" a day or a rebuild catches up outside them)."""
        after = await self.views.checkpoint(self.projection.name)
        self.stats.position = after
        try:
            async for batch in batches(self.events, after, self.batch_size):
                lags = await self.apply_batch(batch)
                current().metrics.projected(self.projection.name, lags, self.stats.position)
        except asyncio.CancelledError:
            raise
        except BaseException as error:
            self.failure = error
            log.exception("projection %s stopped at position %s", self.projection.name, after)
            raise

    async def catch_up(self, progress: tqdm[Any] | None = None) -> int:
        """Apply everything up to the store's current head; return the number of events."""
        after = await self.views.checkpoint(self.projection.name)
        applied = 0
        while batch := await self.events.read_all(after, self.batch_size):
            await self.apply_batch(batch)
            applied += len(batch)
            if progress is not None:
                progress.update(batch[-1].position - after)
            after = batch[-1].position
        return applied


@dataclass(frozen=True)
class RebuildReport:
    projection: str
    events: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else float("inf")


async def rebuild(runner: ProjectionRunner, show_progress: bool = True) -> RebuildReport:
    """Drop the projection's view and checkpoint and build it again from the first event."""
    name = runner.projection.name
    started = time.perf_counter()
    await runner.views.drop(name)
    head = await runner.events.head()
    with tqdm(
        total=head, desc=f"rebuild {name}", unit="pos", disable=not show_progress, leave=True
    ) as progress:
        count = await runner.catch_up(progress)
    return RebuildReport(name, count, time.perf_counter() - started)
