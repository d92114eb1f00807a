"""The oracle: what must hold after a fault, computed from the event stores and nothing else.

Every service keeps its own store; the oracle reads all of them, one after the other, and judges
the history they hold together (`read_stores`).

- Lost: every command that got a 2xx left its events in its service's store. The HTTP edge derives the
  command id from the caller and the Idempotency-Key (`shared.web.http.command_meta`) and the command
  handler writes it into each event's metadata, so an accepted key is found when one of its
  candidate ids (the key with any actor the store has seen) is there.
- Duplicated: no effect happened twice. The events of one command in one stream carry exactly the
  ids the handler derives from stream and command id (a second append of the same command would
  need other ids); and every integration event caused at most one command in each service that
  consumes it (the causation id of an inbound command is the message id, which is the event id).
  A service's record of the messages it received (`<service>-received-…`, each recorded once by
  its id) is no effect: a message recorded twice would be a repeated append.
- Converged: the views' records equal a rebuild from the views' own store (their record of the
  public events) into a separate in-memory read store with the same projections and the views'
  registry, and their checkpoints stand at that store's head.
"""

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from shared.adapters.eventstore import EventStore, RecordedEvent
from shared.adapters.readstore import ReadStore
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.events import EventRegistry
from shared.kernel.ids import derived_id, event_id
from shared.kernel.projections import Projection, ProjectionRunner
from shared.kernel.records import is_received


class Answered(Protocol):
    """What the oracle needs of one command the driver sent (a `CommandRecord` is one)."""

    @property
    def command(self) -> str: ...

    @property
    def idempotency_key(self) -> str: ...

    @property
    def status(self) -> int | None: ...


def accepted(records: Iterable[Answered]) -> list[Answered]:
    """The commands the platform answered with a 2xx, once per idempotency key."""
    seen: dict[str, Answered] = {}
    for record in records:
        if record.status is not None and 200 <= record.status < 300:
            seen.setdefault(record.idempotency_key, record)
    return list(seen.values())


async def read_everything(store: EventStore, batch: int = 5000) -> list[RecordedEvent]:
    events: list[RecordedEvent] = []
    after = 0
    while chunk := await store.read_all(after, batch):
        events += chunk
        after = chunk[-1].position
    return events


async def read_stores(stores: Mapping[str, EventStore]) -> list[RecordedEvent]:
    """Every event of every store (by service), store after store."""
    events: list[RecordedEvent] = []
    for store in stores.values():
        events += await read_everything(store)
    return events


def command_ids(events: Iterable[RecordedEvent]) -> set[str]:
    return {str(e.metadata["command_id"]) for e in events if "command_id" in e.metadata}


def actors(events: Iterable[RecordedEvent]) -> set[str]:
    """Every caller subject the store has seen (actors are written `role:subject`)."""
    found: set[str] = set()
    for event in events:
        actor = event.metadata.get("actor")
        if isinstance(actor, str) and ":" in actor:
            found.add(actor.split(":", 1)[1])
    return found


def lost(records: Iterable[Answered], events: Sequence[RecordedEvent]) -> list[Answered]:
    """The accepted commands none of whose candidate command ids is in the store."""
    present = command_ids(events)
    subjects = actors(events)
    return [
        record
        for record in accepted(records)
        if not any(str(derived_id("http", s, record.idempotency_key)) in present for s in subjects)
    ]


@dataclass(frozen=True)
class Duplicate:
    stream: str
    cause: str
    """The command id (for a repeated append) or the integration event id (for a repeated effect)."""
    why: str


def duplicated(events: Sequence[RecordedEvent]) -> list[Duplicate]:
    return [*_repeated_appends(events), *_repeated_effects(events)]


def _repeated_appends(events: Sequence[RecordedEvent]) -> list[Duplicate]:
    """Events of one command in one stream whose ids are not exactly the derived ones."""
    groups: dict[tuple[str, str], list[UUID]] = defaultdict(list)
    for event in events:
        command = event.metadata.get("command_id")
        if command is not None:
            groups[(event.stream, str(command))].append(event.id)
    found: list[Duplicate] = []
    for (stream, command), ids in groups.items():
        expected = {event_id(f"{stream}/{command}", i) for i in range(len(ids))}
        if set(ids) != expected:
            found.append(Duplicate(stream, command, f"{len(ids)} events, not the ids of one append"))
    return found


def _repeated_effects(events: Sequence[RecordedEvent]) -> list[Duplicate]:
    """Integration events that caused more than one command in one consuming service."""
    ids = {str(e.id) for e in events}
    effects: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for event in events:
        cause = event.metadata.get("causation_id")
        command = event.metadata.get("command_id")
        if cause is None or command is None or str(cause) not in ids:
            continue
        service = event.stream.split("-", 1)[0]
        if is_received(service, event.stream):
            continue
        effects[(service, str(cause))].add((event.stream, str(command)))
    return [
        Duplicate(
            ", ".join(sorted(stream for stream, _ in commands)),
            cause,
            f"{len(commands)} commands in {service} for one message",
        )
        for (service, cause), commands in effects.items()
        if len(commands) > 1
    ]


Snapshot = dict[str, tuple[str, object]]


async def snapshot(store: ReadStore, namespaces: Iterable[str]) -> Snapshot:
    """Every record under the namespaces, with its kind, in a form that compares by value."""
    records: Snapshot = {}
    for namespace in namespaces:
        for key in await store.keys(f"{namespace}:*"):
            kind = await store.kind(key)
            match kind:
                case "string":
                    records[key] = (kind, await store.get(key))
                case "hash":
                    records[key] = (kind, await store.hgetall(key))
                case "set":
                    records[key] = (kind, sorted(await store.smembers(key)))
                case "zset":
                    records[key] = (kind, sorted(await store.zrange(key)))
                case "list":
                    records[key] = (kind, await store.lrange(key))
    return records


def differences(expected: Snapshot, actual: Snapshot, limit: int = 5) -> list[str]:
    """The first few keys that differ, for the report."""
    keys = sorted(set(expected) | set(actual))
    wrong = [k for k in keys if expected.get(k) != actual.get(k)]
    return [f"{k}: expected {expected.get(k)!r:.80}, found {actual.get(k)!r:.80}" for k in wrong[:limit]]


class Reference:
    """The projections rebuilt from the store into memory, followed incrementally while waiting."""

    def __init__(
        self, events: EventStore, projections: Sequence[Projection], registry: EventRegistry
    ) -> None:
        self.events = events
        self.store = InMemoryReadStore()
        self.runners = [ProjectionRunner(p, events, self.store, registry) for p in projections]

    @property
    def namespaces(self) -> list[str]:
        return [r.projection.name for r in self.runners]

    async def catch_up(self) -> int:
        """Apply everything up to the head; the head position it stands at."""
        head = await self.events.head()
        for runner in self.runners:
            await runner.catch_up()
        return head


@dataclass(frozen=True)
class Convergence:
    converged: bool
    seconds: float
    head: int
    differences: list[str]


async def converge(reference: Reference, views: ReadStore, within: float, poll: float = 0.25) -> Convergence:
    """Wait until the views equal the reference at the store's head, up to `within` seconds."""
    started = time.monotonic()
    deadline = started + within
    while True:
        head = await reference.catch_up()
        marks = [await views.checkpoint(name) for name in reference.namespaces]
        wrong: list[str] = [
            f"checkpoint {n} at {m}, head at {head}"
            for n, m in zip(reference.namespaces, marks, strict=True)
            if m != head
        ]
        if not wrong:
            expected = await snapshot(reference.store, reference.namespaces)
            wrong = differences(expected, await snapshot(views, reference.namespaces))
            if not wrong and await reference.events.head() == head:
                return Convergence(True, time.monotonic() - started, head, [])
        if time.monotonic() > deadline:
            return Convergence(False, time.monotonic() - started, head, wrong)
        await asyncio.sleep(poll)
