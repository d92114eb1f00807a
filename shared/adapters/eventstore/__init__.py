"""The event store port: what every adapter provides and proves in the contract suite.

Versions count the events of a stream: a new stream is at version 0, and after appending two
events it is at version 2. Positions order all events of the store; they only ever grow, and a
reader never sees a later position before an earlier one has become visible.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from shared.kernel.errors import WrongExpectedVersion

__all__ = ["AppendResult", "EventStore", "NewEvent", "RecordedEvent", "WrongExpectedVersion"]


@dataclass(frozen=True)
class NewEvent:
    id: UUID
    type: str
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedEvent:
    id: UUID
    stream: str
    version: int
    """Index of the event in its stream, from 0."""
    position: int
    """Global position, greater than 0."""
    type: str
    data: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime


@dataclass(frozen=True)
class AppendResult:
    version: int
    """The stream's version after the append."""
    position: int
    """The global position of the last event of the append."""


class EventStore(Protocol):
    async def append(self, stream: str, events: Sequence[NewEvent], expected_version: int) -> AppendResult:
        """Append all events or none.

        Raises WrongExpectedVersion unless the stream has exactly `expected_version` events.
        Appending events whose ids are all in the stream already appends nothing and returns
        the result of the first append, whatever `expected_version` says.
        """
        ...

    async def read_stream(self, stream: str, from_version: int = 0) -> list[RecordedEvent]: ...

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Events with a position greater than `after`, in global order."""
        ...

    def subscribe(self, after: int = 0) -> AsyncIterator[RecordedEvent]:
        """Every event with a position greater than `after`, now and as they come; never ends."""
        ...

    async def head(self) -> int:
        """The position of the last event, 0 in an empty store."""
        ...

    async def ping(self) -> None:
        """Raise if the store cannot be reached."""
        ...

    async def close(self) -> None: ...
