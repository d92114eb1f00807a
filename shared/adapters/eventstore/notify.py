"""Catch-up subscription over `read_all`, woken by appends instead of polling fast."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from shared.adapters.eventstore import RecordedEvent

ReadAll = Callable[[int, int], Awaitable[list[RecordedEvent]]]


class Wakeup:
    """Tells waiting subscribers that something was appended."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Event] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    def listener(self) -> asyncio.Event:
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        return waiter

    def forget(self, waiter: asyncio.Event) -> None:
        self._waiters.discard(waiter)


async def catch_up(
    read_all: ReadAll, after: int, wakeup: Wakeup, *, batch: int = 500, poll_seconds: float = 1.0
) -> AsyncIterator[RecordedEvent]:
    """Yield every event after `after`; wait for a wakeup (or poll) when there is nothing new."""
    waiter = wakeup.listener()
    position = after
    try:
        while True:
            waiter.clear()
            events = await read_all(position, batch)
            for event in events:
                yield event
                position = event.position
            if len(events) < batch:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                # cancellation that arrives as the waiter is set, and the subscriber never stops.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(poll_seconds):
                        await waiter.wait()
    finally:
        wakeup.forget(waiter)
