"""Batches from a subscription: as many events as are ready, up to a size, without waiting."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from shared.eventstore import EventStore, RecordedEvent


async def batches(store: EventStore, after: int, size: int = 500) -> AsyncIterator[list[RecordedEvent]]:
    """Every event after `after`, grouped: a batch closes when full or when nothing more is ready."""
    ready: asyncio.Queue[RecordedEvent] = asyncio.Queue(maxsize=size * 4)

    async def pump() -> None:
        async for event in store.subscribe(after):
            await ready.put(event)

    pumping = asyncio.create_task(pump())
    try:
        while True:
            getting = asyncio.create_task(ready.get())
            done, _ = await asyncio.wait({getting, pumping}, return_when=asyncio.FIRST_COMPLETED)
            if getting not in done:
                getting.cancel()
                pumping.result()  # the subscription ended: raise its error
                return
            batch = [getting.result()]
            while len(batch) < size and not ready.empty():
                batch.append(ready.get_nowait())
            yield batch
    finally:
        pumping.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pumping
