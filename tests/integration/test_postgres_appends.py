"""Appends on PostgreSQL: one call of the schema's append function, under the schema's lock.

Every service of a deployment appends to one schema, so the lock must be held only while the
server runs the append, and a schema made before the append function existed must get it.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.adapters.eventstore import NewEvent
from shared.adapters.eventstore.postgres import PostgresEventStore, advisory_key
from shared.testing.waiting import eventually
from tests.servers import require_postgres

EARLIER_TABLE = """
    CREATE TABLE "{schema}".events (
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
"""The table as the release before the append function made it."""


def registered(title: str) -> NewEvent:
    return NewEvent(uuid.uuid4(), "intake.proposal-registered.v1", {"title": title}, {"actor": "office"})


@pytest.fixture
async def schema() -> AsyncIterator[str]:
    url = require_postgres()
    name = f"appends_{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        finally:
            await connection.close()


async def test_a_schema_made_before_the_append_function_gets_it_when_opened(schema: str) -> None:
    url = require_postgres()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'CREATE SCHEMA "{schema}"')
        await connection.execute(EARLIER_TABLE.format(schema=schema))
        await connection.execute(
            f"""INSERT INTO "{schema}".events (position, stream, version, id, type, data, metadata)
                VALUES (1, 'intake-proposal-1', 0, $1, 'intake.proposal-submitted.v1', '{{}}', '{{}}')""",
            uuid.uuid4(),
        )
    finally:
        await connection.close()
    store = await PostgresEventStore.open(url, schema=schema)
    try:
        result = await store.append("intake-proposal-1", [registered("关于加强社区养老服务的建议")], 1)
        assert (result.version, result.position) == (2, 2)
        assert [e.type for e in await store.read_stream("intake-proposal-1")] == [
            "intake.proposal-submitted.v1",
            "intake.proposal-registered.v1",
        ]
    finally:
        await store.close()


async def test_an_append_waits_for_the_schema_lock_and_then_takes_the_next_position(schema: str) -> None:
    url = require_postgres()
    store = await PostgresEventStore.open(url, schema=schema)
    holder = await asyncpg.connect(url)
    key = advisory_key("append", schema)
    try:
        await store.append("allocation-proposal-1", [registered("乌海市商务局")], 0)
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT pg_advisory_xact_lock($1)", key)
        waiting = asyncio.create_task(store.append("reply-proposal-1", [registered("中卫市民政局")], 0))

        async def blocked_on_the_lock() -> bool:
            return bool(
                await holder.fetchval(
                    """SELECT exists(SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                       AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1)""",
                    key,
                )
            )

        await eventually(blocked_on_the_lock)
        assert not waiting.done()
        await transaction.commit()
        result = await asyncio.wait_for(waiting, 5)
        assert (result.version, result.position) == (1, 2)
    finally:
        await holder.close()
        await store.close()
