"""Every adapter of a port, behind one fixture, so one suite runs against each."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.eventstore import EventStore
from shared.eventstore.memory import InMemoryEventStore
from tests.servers import require_kurrentdb, require_postgres

EVENT_STORES = ["memory", "sqlite", "postgres", "kurrentdb"]


@pytest.fixture(params=EVENT_STORES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventStore]:
    kind = request.param
    if kind == "memory":
        yield InMemoryEventStore()
    elif kind == "sqlite":
        from shared.eventstore.sqlite import SqliteEventStore

        sqlite_store = await SqliteEventStore.open(tmp_path / "events.sqlite3")
        yield sqlite_store
        await sqlite_store.close()
    elif kind == "postgres":
        from shared.eventstore.postgres import PostgresEventStore

        url = require_postgres()
        schema = f"contract_{uuid.uuid4().hex[:12]}"
        pg_store = await PostgresEventStore.open(url, schema=schema)
        try:
            yield pg_store
        finally:
            await pg_store.drop_schema()
            await pg_store.close()
    elif kind == "kurrentdb":
        from shared.eventstore.kurrentdb import KurrentDBEventStore

        url = require_kurrentdb()
        kdb_store = await KurrentDBEventStore.open(url)
        yield kdb_store
        await kdb_store.close()
