"""Views "as of" a past day: the views' record replayed up to the end of that day (China time) in memory.

A fact counts from when it happened at its source (the envelope's time the record keeps), not from
when the views received it; facts arrive in about that order, not exactly, so the whole record is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.adapters.eventstore import EventStore
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.events import EventRegistry
from shared.kernel.projections import Projection, ProjectionRunner
from shared.kernel.records import occurred_at
from shared.rules.deadlines import local_date


async def replay_until(
    day: date, events: EventStore, projection: Projection, registry: EventRegistry, batch_size: int = 1000
) -> InMemoryReadStore:
    """A fresh read store holding `projection` built from every event recorded on or before `day`."""
    store = InMemoryReadStore()
    runner = ProjectionRunner(projection, events, store, registry, batch_size)
    after = 0
    while batch := await events.read_all(after, batch_size):
        earlier = [r for r in batch if local_date(occurred_at(r)) <= day]
        if earlier:
            await runner.apply_batch(earlier)
        after = batch[-1].position
    return store


@dataclass(frozen=True)
class Replay:
    """The views' record and what to replay it with: `until(day)` is the views as of that day."""

    events: EventStore
    projection: Projection
    registry: EventRegistry

    async def until(self, day: date) -> InMemoryReadStore:
        return await replay_until(day, self.events, self.projection, self.registry)
