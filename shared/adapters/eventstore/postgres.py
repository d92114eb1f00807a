"""Event store on PostgreSQL, through an `asyncpg` pool; every store lives in its own schema.

- A store needs no more than a role that owns its schema (as `runtime.provision` makes one per
  service): the first open creates the table and the append function there, as that role; once
  they exist, opening needs no CREATE right at all. Nothing outside the schema is touched.
- Appends take a transaction-scoped advisory lock (one key per schema), so appends to a schema
  run one at a time: the next position is the last one plus 1, and since the lock is released
  only once the transaction is visible, positions are contiguous and become visible in order.
- An append is one call of a PL/pgSQL function of the schema, in one round trip: the lock is
  held only while the server runs it, never while a busy client process gets round to its next
  statement (a lock held across round trips made every appender to the schema wait on the
  slowest).
- Each append NOTIFYs a channel of the schema (payload: the last position) on commit.
- `subscribe` is woken by those notifications, which a dedicated connection LISTENs to (opened
  on the first subscribe, reopened when it drops), and polls every second in any case.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias
from uuid import UUID

import asyncpg

from shared.adapters.eventstore import AppendResult, NewEvent, RecordedEvent
from shared.adapters.eventstore.notify import Wakeup, catch_up
from shared.kernel import faults
from shared.kernel.errors import WrongExpectedVersion

__all__ = ["PostgresEventStore", "advisory_key", "check_schema"]

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
"""How often an idle subscriber reads anyway, in case a notification was lost."""

RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)
"""Waits between attempts to reopen the listening connection; the last one repeats."""

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for the listening connection to open (a first subscriber waits that long)."""

APPEND_FUNCTION = "append_events_v1"
"""The append function of each schema; a new version of it gets a new name, so that schemas made
by an older release are given the new one beside the old."""
APPEND_ARGUMENTS = "bigint, text, text, integer, uuid[], text[], text[], text[]"

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

if TYPE_CHECKING:
    Pool: TypeAlias = asyncpg.Pool[asyncpg.Record]
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record]


def check_schema(schema: str) -> str:
    """The schema name, if it is a plain identifier (it is written into SQL); else ValueError."""
    if not IDENTIFIER.fullmatch(schema):
        raise ValueError(f"schema must be letters, digits and underscores (at most 63), not {schema!r}")
    return schema


def advisory_key(purpose: str, schema: str) -> int:
    """A stable signed 64-bit advisory lock key for `purpose` on `schema`."""
    digest = hashlib.blake2b(f"eventstore:{purpose}:{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class _Sql:
    """The statements of one schema."""

    def __init__(self, schema: str) -> None:
        table = f'"{schema}".events'
        columns = "position, stream, version, id, type, data, metadata, recorded_at"
        self.table = table
        self.create_schema = f'CREATE SCHEMA IF NOT EXISTS "{schema}"'
        self.create_table = f"""
            CREATE TABLE IF NOT EXISTS {table} (
                position bigint PRIMARY KEY,
                stream text NOT NULL,
                version int NOT NULL,
                id uuid NOT NULL UNIQUE,
                type text NOT NULL,
                data jsonb NOT NULL,
                metadata jsonb NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (stream, version)
            )"""
        self.drop_schema = f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'
        self.read_stream = (
            f"SELECT {columns} FROM {table} WHERE stream = $1 AND version >= $2 ORDER BY version"
        )
        self.read_all = f"SELECT {columns} FROM {table} WHERE position > $1 ORDER BY position LIMIT $2"
        self.head = f"SELECT coalesce(max(position), 0) FROM {table}"
        self.append_function = f'"{schema}".{APPEND_FUNCTION}'
        self.function_exists = (
            f"SELECT to_regprocedure('{self.append_function}({APPEND_ARGUMENTS})') IS NOT NULL"
        )
        self.create_function = f"""
            CREATE OR REPLACE FUNCTION {self.append_function}(
                lock_key bigint, channel text, stream_name text, expected int,
                ids uuid[], types text[], datas text[], metadatas text[]
            ) RETURNS TABLE (outcome text, next_version int, last_position bigint)
            LANGUAGE plpgsql AS $fn$
            DECLARE
                count_new int := coalesce(array_length(ids, 1), 0);
                distinct_ids int;
                actual int;
                head bigint;
            BEGIN
                PERFORM pg_advisory_xact_lock(lock_key);
                IF count_new > 0 THEN
                    SELECT count(DISTINCT i) INTO distinct_ids FROM unnest(ids) AS i;
                    IF (SELECT count(*) FROM {table} e WHERE e.stream = stream_name AND e.id = any(ids))
                            = distinct_ids THEN
                        RETURN QUERY SELECT 'earlier', e.version + 1, e.position FROM {table} e
                            WHERE e.stream = stream_name AND e.id = any(ids)
                            ORDER BY e.version DESC LIMIT 1;
                        RETURN;
                    END IF;
                END IF;
                SELECT coalesce(max(e.version) + 1, 0) INTO actual FROM {table} e
                    WHERE e.stream = stream_name;
                IF actual <> expected THEN
                    RETURN QUERY SELECT 'conflict', actual, 0::bigint;
                    RETURN;
                END IF;
                SELECT coalesce(max(e.position), 0) INTO head FROM {table} e;
                IF count_new > 0 THEN
                    INSERT INTO {table} (position, stream, version, id, type, data, metadata)
                    SELECT head + n, stream_name, expected + n::int - 1, i, t, d::jsonb, m::jsonb
                    FROM unnest(ids, types, datas, metadatas) WITH ORDINALITY AS batch(i, t, d, m, n);
                    PERFORM pg_notify(channel, (head + count_new)::text);
                END IF;
                RETURN QUERY SELECT 'appended', expected + count_new, head + count_new;
            END
            $fn$"""
        self.append = (
            f"SELECT outcome, next_version, last_position FROM {self.append_function}"
            "($1, $2, $3, $4, $5::uuid[], $6::text[], $7::text[], $8::text[])"
        )


class PostgresEventStore:
    def __init__(self, url: str, pool: Pool, schema: str) -> None:
        self._pool = pool
        self._sql = _Sql(schema)
        self._schema = schema
        self._append_key = advisory_key("append", schema)
        self._channel = f"{schema}_events"[:63]
        self._wakeup = Wakeup()
        self._listener = _Listener(url, self._channel, self._wakeup)

    @classmethod
    async def open(cls, url: str, schema: str = "public", pool_size: int = 10) -> PostgresEventStore:
        """Connect, and create the schema and its table if missing."""
        check_schema(schema)
        pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size, reset=_keep_session)
        store = cls(url, pool, schema)
        try:
            await store._create_table()
        except BaseException:
            await pool.close()
            raise
        return store

    async def append(self, stream: str, events: Sequence[NewEvent], expected_version: int) -> AppendResult:
        if events:
            faults.point("eventstore.mid-append")  # killed here, the append is not committed
        row = await self._pool.fetchrow(
            self._sql.append, self._append_key, self._channel, stream, expected_version, *_columns(events)
        )
        assert row is not None
        if row["outcome"] == "conflict":
            raise WrongExpectedVersion(stream, expected_version, row["next_version"])
        return AppendResult(version=row["next_version"], position=row["last_position"])

    async def read_stream(self, stream: str, from_version: int = 0) -> list[RecordedEvent]:
        rows = await self._fetch(self._sql.read_stream, stream, from_version)
        return [_decode(row) for row in rows]

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        rows = await self._fetch(self._sql.read_all, after, limit)
        return [_decode(row) for row in rows]

    async def _fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        return await self._pool.fetch(query, *args)

    def subscribe(self, after: int = 0) -> AsyncIterator[RecordedEvent]:
        return catch_up(self._read_all_listening, after, self._wakeup, poll_seconds=POLL_SECONDS)

    async def head(self) -> int:
        position: int = await self._pool.fetchval(self._sql.head)
        return position

    async def ping(self) -> None:
        await self._pool.fetchval("SELECT 1")

    async def drop_schema(self) -> None:
        """Drop the store's schema and everything in it (tests use a schema each)."""
        await self._pool.execute(self._sql.drop_schema)

    async def close(self) -> None:
        await self._listener.stop()
        await self._pool.close()

    async def _create_table(self) -> None:
        """Create schema, table and append function if missing, under an advisory lock so concurrent
        openers do not clash; when they exist, no CREATE privilege is needed."""
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", advisory_key("ddl", self._schema))
            if not await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", self._sql.table):
                if not await connection.fetchval(
                    "SELECT exists(SELECT 1 FROM pg_namespace WHERE nspname = $1)", self._schema
                ):
                    await connection.execute(self._sql.create_schema)
                await connection.execute(self._sql.create_table)
            if not await connection.fetchval(self._sql.function_exists):
                await connection.execute(self._sql.create_function)

    async def _read_all_listening(self, after: int, limit: int) -> list[RecordedEvent]:
        """`read_all` for subscribers: listens for appends first, so none goes unnoticed."""
        await self._listener.start()
        return await self.read_all(after, limit)


class _Listener:
    """Keeps one connection LISTENing to the store's channel, and wakes subscribers on NOTIFY."""

    def __init__(self, url: str, channel: str, wakeup: Wakeup) -> None:
        self._url = url
        self._channel = channel
        self._wakeup = wakeup
        self._task: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()

    async def start(self) -> None:
        """Start listening, if not yet; returns once the first attempt to connect is over."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"listen {self._channel}")
        await self._first_attempt.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        """Listen; when the connection cannot be opened or drops, try again after a while."""
        failures = 0
        while True:
            try:
                await self._listen_until_lost()
                failures = 0
            except Exception as error:
                log.warning("cannot listen on %s, polling until reconnected: %s", self._channel, error)
                failures += 1
            self._first_attempt.set()
            self._wakeup.notify()
            await asyncio.sleep(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])

    async def _listen_until_lost(self) -> None:
        connection: Connection = await asyncpg.connect(self._url, timeout=CONNECT_TIMEOUT)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(self._channel, self._notified)
            self._first_attempt.set()
            self._wakeup.notify()  # catch up on anything appended while we were not listening
            await lost.wait()
            log.warning("listening connection on %s was lost, reconnecting", self._channel)
        finally:
            await connection.close(timeout=2)

    def _notified(self, connection: object, pid: int, channel: str, payload: object, /) -> None:
        self._wakeup.notify()


async def _keep_session(connection: Connection) -> None:
    """What a connection needs undone when it goes back to the pool: nothing. The store sets no
    session state (its locks are transaction-scoped, it LISTENs on a connection of its own), so
    asyncpg's default reset, one more round trip after every query, is skipped; an unfinished
    transaction is still rolled back by the pool itself."""


def _columns(events: Sequence[NewEvent]) -> list[list[Any]]:
    """The per-event columns of an append, as the arrays the append function takes."""
    return [
        [e.id for e in events],
        [e.type for e in events],
        [json.dumps(e.data, ensure_ascii=False) for e in events],
        [json.dumps(e.metadata, ensure_ascii=False) for e in events],
    ]


def _decode(row: asyncpg.Record) -> RecordedEvent:
    return RecordedEvent(
        id=UUID(int=row["id"].int),
        stream=row["stream"],
        version=row["version"],
        position=row["position"],
        type=row["type"],
        data=json.loads(row["data"]),
        metadata=json.loads(row["metadata"]),
        recorded_at=row["recorded_at"],
    )
