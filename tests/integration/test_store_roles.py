"""Each store's own role on the real PostgreSQL: it owns its schema and can use nothing else.

Every test provisions intake's and allocation's stores as `runtime.provision` does for a deployment,
in a database of its own (the provisioning takes from PUBLIC what every role has by default, which
a shared database must keep), and removes the roles, the schemas and the database afterwards.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from runtime.provision import Store, deprovision, provision
from shared.adapters.eventstore import NewEvent
from shared.adapters.eventstore.postgres import PostgresEventStore
from tests.servers import require_postgres

SUBMITTED = "intake.submitted.v1"


def submitted(proposal: str) -> list[NewEvent]:
    data = {
        "proposal_id": proposal,
        "title": "关于加强社区养老服务体系建设的建议",
        "at": datetime.now(UTC).isoformat(),
    }
    return [NewEvent(id=uuid.uuid4(), type=SUBMITTED, data=data, metadata={"actor": "office:政协提案委"})]


def in_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """An administrator's URL of a database made for the test, dropped after it."""
    server = require_postgres()
    name = f"own_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield in_database(server, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def stores(database: str) -> AsyncIterator[dict[str, Store]]:
    tag = urlsplit(database).path.lstrip("/")
    stores = {s: Store(f"{tag}_{s}", password=f"{s}-{uuid.uuid4().hex}") for s in ("intake", "allocation")}
    try:
        await provision(database, list(stores.values()))
        yield stores
    finally:
        await deprovision(database, list(stores.values()))
        roles = await roles_named(database, tag)
        assert roles == [], f"roles left behind: {roles}"


async def roles_named(url: str, prefix: str) -> list[str]:
    admin = await asyncpg.connect(url)
    try:
        rows = await admin.fetch("SELECT rolname FROM pg_roles WHERE rolname LIKE $1", f"{prefix}%")
        return [row["rolname"] for row in rows]
    finally:
        await admin.close()


async def open_as_its_role(database: str, store: Store, schema: str | None = None) -> PostgresEventStore:
    """The store as its service opens it: logged in as its role, on a schema (its own by default)."""
    url = store.url(database)
    return await PostgresEventStore.open(url.split("?")[0], schema=schema or store.schema)


async def test_a_services_role_appends_to_and_reads_its_own_schema(
    database: str, stores: dict[str, Store]
) -> None:
    intake = await open_as_its_role(database, stores["intake"])
    try:
        result = await intake.append("intake-proposal-jincheng-254", submitted("jincheng-254"), 0)
        assert result.version == 1
        assert [e.type for e in await intake.read_stream("intake-proposal-jincheng-254")] == [SUBMITTED]
        assert [e.position for e in await intake.read_all()] == [result.position]
        assert await intake.head() == result.position
        first = await anext(aiter(intake.subscribe(0)))
        assert first.stream == "intake-proposal-jincheng-254"
    finally:
        await intake.close()


async def test_a_services_role_cannot_read_another_services_schema(
    database: str, stores: dict[str, Store]
) -> None:
    allocation = await open_as_its_role(database, stores["allocation"])
    await allocation.append("allocation-proposal-jincheng-254", submitted("jincheng-254"), 0)
    await allocation.close()
    other = stores["allocation"].schema

    connection = await asyncpg.connect(stores["intake"].url(database).split("?")[0])
    try:
        with pytest.raises(
            asyncpg.exceptions.InsufficientPrivilegeError, match="permission denied for schema"
        ):
            await connection.fetch(f'SELECT * FROM "{other}".events')
        with pytest.raises(
            asyncpg.exceptions.InsufficientPrivilegeError, match="permission denied for schema"
        ):
            await connection.execute(f'INSERT INTO "{other}".events (position) VALUES (99)')
    finally:
        await connection.close()
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="permission denied for schema"):
        await open_as_its_role(database, stores["intake"], schema=other)


async def test_a_services_role_can_create_nothing_outside_its_schema(
    database: str, stores: dict[str, Store]
) -> None:
    connection = await asyncpg.connect(stores["intake"].url(database).split("?")[0])
    try:
        for statement in (
            "CREATE TABLE public.proposals (id text)",
            "CREATE SCHEMA shared_events",
            "CREATE TEMPORARY TABLE scratch (id text)",
        ):
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                await connection.execute(statement)
    finally:
        await connection.close()


async def test_provisioning_again_changes_the_password_and_keeps_the_events(
    database: str, stores: dict[str, Store]
) -> None:
    intake = await open_as_its_role(database, stores["intake"])
    await intake.append("intake-proposal-wuhai-60", submitted("wuhai-60"), 0)
    await intake.close()
    before = await stored_password(database, stores["intake"].role)

    rotated = Store(stores["intake"].schema, password="rotated-" + uuid.uuid4().hex)
    await provision(database, [rotated, stores["allocation"]])

    assert before.startswith("SCRAM-SHA-256$")
    assert await stored_password(database, rotated.role) not in ("", before)
    again = await open_as_its_role(database, rotated)
    try:
        assert [e.stream for e in await again.read_all()] == ["intake-proposal-wuhai-60"]
    finally:
        await again.close()


async def stored_password(database: str, role: str) -> str:
    admin = await asyncpg.connect(database)
    try:
        hashed: str | None = await admin.fetchval(
            "SELECT rolpassword FROM pg_authid WHERE rolname = $1", role
        )
        return hashed or ""
    finally:
        await admin.close()


async def test_a_schema_made_before_its_role_is_handed_over_with_its_events(database: str) -> None:
    store = Store(f"{urlsplit(database).path.lstrip('/')}_reply", password="reply-" + uuid.uuid4().hex)
    earlier = await PostgresEventStore.open(database, schema=store.schema)  # as the administrator
    await earlier.append("reply-proposal-wuhai-60", submitted("wuhai-60"), 0)
    await earlier.close()
    try:
        await provision(database, [store])
        reply = await open_as_its_role(database, store)
        try:
            await reply.append("reply-proposal-wuhai-60", submitted("wuhai-60"), 1)
            assert [e.version for e in await reply.read_stream("reply-proposal-wuhai-60")] == [0, 1]
        finally:
            await reply.close()
    finally:
        await deprovision(database, [store])
