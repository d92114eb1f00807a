"""Event store in one SQLite file, through `aiosqlite`; several processes may share the file.

- WAL mode, so readers never block the writer nor see an unfinished append.
- Appends run in `BEGIN IMMEDIATE` transactions: one writer at a time across all processes
  (others wait up to `BUSY_TIMEOUT` seconds). The next position is computed inside the
  transaction as the last one plus 1, so positions are contiguous and commit in order.
- Two connections: one for appends (guarded by a lock, one transaction at a time) and one for
  reads, which only ever sees committed events.
- `subscribe` is woken by appends of this process and polls for those of other processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import aiosqlite

from shared.adapters.eventstore import AppendResult, NewEvent, RecordedEvent
from shared.adapters.eventstore.notify import Wakeup, catch_up
from shared.kernel.errors import WrongExpectedVersion

__all__ = ["SqliteEventStore"]

BUSY_TIMEOUT = 30.0
"""Seconds to wait for another process's write transaction before giving up."""

POLL_SECONDS = 0.2
"""How often an idle subscriber looks for appends of other processes."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    version INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream, version)
)
"""

COLUMNS = "position, stream, version, id, type, data, metadata, recorded_at"


class SqliteEventStore:
    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._wakeup = Wakeup()

    @classmethod
    async def open(cls, path: str | Path) -> SqliteEventStore:
        """Open the store at `path`, creating the file and its table if missing."""
        writer = await _connect(path)
        try:
            await writer.execute("PRAGMA journal_mode=WAL")
            await writer.execute(SCHEMA)
            reader = await _connect(path)
        except BaseException:
            await writer.close()
            raise
        return cls(writer, reader)

    async def append(self, stream: str, events: Sequence[NewEvent], expected_version: int) -> AppendResult:
        async with self._write_lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                result, appended = await self._append_in_transaction(stream, events, expected_version)
                await self._writer.execute("COMMIT")
            except BaseException:
                await self._rollback()
                raise
        if appended:
            self._wakeup.notify()
        return result

    async def read_stream(self, stream: str, from_version: int = 0) -> list[RecordedEvent]:
        rows = await self._reader.execute_fetchall(
            f"SELECT {COLUMNS} FROM events WHERE stream = ? AND version >= ? ORDER BY version",
            (stream, from_version),
        )
        return [_decode(row) for row in rows]

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        rows = await self._reader.execute_fetchall(
            f"SELECT {COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        )
        return [_decode(row) for row in rows]

    def subscribe(self, after: int = 0) -> AsyncIterator[RecordedEvent]:
        return catch_up(self.read_all, after, self._wakeup, poll_seconds=POLL_SECONDS)

    async def head(self) -> int:
        return await _last_position(self._reader)

    async def ping(self) -> None:
        await self._reader.execute_fetchall("SELECT 1")

    async def close(self) -> None:
        await self._writer.close()
        await self._reader.close()

    async def _append_in_transaction(
        self, stream: str, events: Sequence[NewEvent], expected_version: int
    ) -> tuple[AppendResult, bool]:
        """The result, and whether anything was appended; call inside the write transaction."""
        earlier = await self._earlier_result(stream, events)
        if earlier is not None:
            return earlier, False
        actual = await self._stream_version(stream)
        if actual != expected_version:
            raise WrongExpectedVersion(stream, expected_version, actual)
        last = await _last_position(self._writer)
        if not events:
            return AppendResult(version=expected_version, position=last), False
        await self._writer.executemany(
            f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            _rows(stream, events, expected_version, last),
        )
        return AppendResult(version=expected_version + len(events), position=last + len(events)), True

    async def _earlier_result(self, stream: str, events: Sequence[NewEvent]) -> AppendResult | None:
        """The result of the earlier append when every event id is in the stream already."""
        if not events:
            return None
        ids = {str(e.id) for e in events}
        rows = list(
            await self._writer.execute_fetchall(
                "SELECT version, position FROM events"
                " WHERE stream = ? AND id IN (SELECT value FROM json_each(?))",
                (stream, json.dumps(sorted(ids))),
            )
        )
        if len(rows) != len(ids):
            return None
        version, position = max(rows)
        return AppendResult(version=version + 1, position=position)

    async def _stream_version(self, stream: str) -> int:
        rows = list(
            await self._writer.execute_fetchall(
                "SELECT coalesce(max(version) + 1, 0) FROM events WHERE stream = ?", (stream,)
            )
        )
        return int(rows[0][0])

    async def _rollback(self) -> None:
        """End the write transaction, if one is open; runs even when the caller is cancelled."""
        with contextlib.suppress(sqlite3.Error, ValueError):
            await asyncio.shield(self._writer.execute("ROLLBACK"))


async def _connect(path: str | Path) -> aiosqlite.Connection:
    """A connection in autocommit mode: transactions are begun and ended explicitly."""
    return await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)


async def _last_position(connection: aiosqlite.Connection) -> int:
    rows = list(await connection.execute_fetchall("SELECT coalesce(max(position), 0) FROM events"))
    return int(rows[0][0])


def _rows(
    stream: str, events: Sequence[NewEvent], expected_version: int, last_position: int
) -> Iterable[tuple[Any, ...]]:
    recorded_at = datetime.now(UTC).isoformat()
    for i, event in enumerate(events):
        yield (
            last_position + i + 1,
            stream,
            expected_version + i,
            str(event.id),
            event.type,
            json.dumps(event.data, ensure_ascii=False),
            json.dumps(event.metadata, ensure_ascii=False),
            recorded_at,
        )


def _decode(row: Sequence[Any]) -> RecordedEvent:
    position, stream, version, id_, type_, data, metadata, recorded_at = row
    return RecordedEvent(
        id=UUID(id_),
        stream=stream,
        version=version,
        position=position,
        type=type_,
        data=json.loads(data),
        metadata=json.loads(metadata),
        recorded_at=datetime.fromisoformat(recorded_at),
    )
