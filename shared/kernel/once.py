"""Workers that follow the store and act at most once: read every known event, append a record with
a derived id before acting, and act only when that append added it.

A second run (or a run after a kill) finds the record and does nothing; a kill between the append
and the action loses that action rather than repeating it.
"""

from uuid import UUID

from shared.adapters.eventstore import EventStore, NewEvent
from shared.kernel.errors import WrongExpectedVersion
from shared.kernel.events import Event, EventRegistry


async def history(store: EventStore, registry: EventRegistry) -> list[Event]:
    """Every event in the store whose type `registry` knows, in order."""
    events: list[Event] = []
    after = 0
    while batch := await store.read_all(after=after):
        events += [registry.decode_recorded(r) for r in batch if registry.knows(r.type)]
        after = batch[-1].position
    return events


async def append_once(
    store: EventStore, registry: EventRegistry, stream: str, id_: UUID, event: Event, actor: str
) -> bool:
    """Append `event` with the id `id_` unless `stream` already holds it; True when this call added it."""
    type_name, data = registry.encode(event)
    while True:
        recorded = await store.read_stream(stream)
        if any(r.id == id_ for r in recorded):
            return False
        try:
            await store.append(stream, [NewEvent(id_, type_name, data, {"actor": actor})], len(recorded))
            return True
        except WrongExpectedVersion:
            continue  # another writer appended: read again, and stop if it was this very record
