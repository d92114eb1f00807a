"""In-memory event store, for unit tests. Passes the same contract suite as the real stores."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

from shared.adapters.eventstore import AppendResult, NewEvent, RecordedEvent
from shared.adapters.eventstore.notify import Wakeup, catch_up
from shared.kernel.errors import WrongExpectedVersion


class InMemoryEventStore:
    def __init__(self) -> None:
        self._all: list[RecordedEvent] = []
        self._streams: dict[str, list[RecordedEvent]] = {}
        self._lock = asyncio.Lock()
        self._wakeup = Wakeup()

    async def append(self, stream: str, events: Sequence[NewEvent], expected_version: int) -> AppendResult:
        async with self._lock:
            existing = self._streams.get(stream, [])
            repeated = _already_appended(existing, events)
            if repeated is not None:
                return repeated
            if len(existing) != expected_version:
                raise WrongExpectedVersion(stream, expected_version, len(existing))
            now = datetime.now(UTC)
            recorded = [
                RecordedEvent(
                    id=e.id,
                    stream=stream,
                    version=expected_version + i,
                    position=len(self._all) + i + 1,
                    type=e.type,
                    data=e.data,
                    metadata=e.metadata,
                    recorded_at=now,
                )
                for i, e in enumerate(events)
            ]
            self._streams[stream] = [*existing, *recorded]
            self._all.extend(recorded)
        self._wakeup.notify()
        last = recorded[-1] if recorded else None
        return AppendResult(
            version=expected_version + len(recorded),
            position=last.position if last else len(self._all),
        )

    async def read_stream(self, stream: str, from_version: int = 0) -> list[RecordedEvent]:
        return list(self._streams.get(stream, [])[from_version:])

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return self._all[after : after + limit]

    def subscribe(self, after: int = 0) -> AsyncIterator[RecordedEvent]:
        return catch_up(self.read_all, after, self._wakeup)

    async def head(self) -> int:
        return len(self._all)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


def _already_appended(existing: Sequence[RecordedEvent], events: Sequence[NewEvent]) -> AppendResult | None:
    """The earlier result when every event id is in the stream already, else None."""
    by_id = {e.id: e for e in existing}
    found = [by_id[e.id] for e in events if e.id in by_id]
    if not events or len(found) != len(events):
        return None
    last = max(found, key=lambda e: e.version)
    return AppendResult(version=last.version + 1, position=last.position)
