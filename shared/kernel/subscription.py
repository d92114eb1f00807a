"""Batches from the store: as many events as are ready, up to a size, without waiting.

When nothing is ready, a subscription from the last position is the signal that something new was
appended; the batch itself is then read with `read_all`. Everything runs in the caller's task, so
cancelling the caller stops it at once.
"""

import contextlib
from collections.abc import AsyncIterator

from shared.adapters.eventstore import EventStore, RecordedEvent


async def batches(store: EventStore, after: int, size: int = 500) -> AsyncIterator[list[RecordedEvent]]:
    """Every event after `after`, in order, grouped in batches of at most `size`."""
    while True:
        batch = await store.read_all(after, size)
        if batch:
            after = batch[-1].position
            yield batch
            continue
        await _next_append(store, after)


async def _next_append(store: EventStore, after: int) -> None:
    """Return once an event after `after` exists."""
    subscription = store.subscribe(after)
    try:
        await anext(subscription)
    finally:
        with contextlib.suppress(RuntimeError):
            await subscription.aclose()  # type: ignore[attr-defined]
