"""Each store's own PostgreSQL role and schema: the provisioning of a deployment, written once.

A store is a service, or an agency's own instance of one (`reply_shangwu`, see
`ServiceSettings.store_name`). It gets a login role that owns the schema of its name and is granted
nothing else: CONNECT on the database, no right on `public` or on another store's schema, no
temporary tables. Its event store creates its table and append function in that schema when it
first opens, as their owner. A schema that exists already is handed to its role with everything
in it (a deployment that ran every service as one user, say).

Run again, the provisioning changes nothing but the passwords, which it sets every time, so a
password changed in the environment takes effect on the next run. The statements are the same
for compose (its one-shot `provision` service runs this module) and for the tests.

    python -m runtime.provision [--dry-run] [STORE ...]     (default: every service)

connects to `POSTGRES_URL` (required outside development) as an administrator of the database
(its owner with CREATEROLE, or a superuser) and takes each store's password from
`<STORE>_DB_PASSWORD` (`REPLY_SHANGWU_DB_PASSWORD`); an empty one is refused unless `APP_ENV` is
development, where a role without a password can log in only where the server trusts it.
"""

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import asyncpg

from shared.settings import STORE_NAME

__all__ = [
    "ProvisioningRefused",
    "Store",
    "database_statements",
    "deprovision",
    "password_variable",
    "provision",
    "store_statements",
    "stores_from_environment",
]

DEVELOPMENT = "development"
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
"""The database provisioned in development when POSTGRES_URL names none."""


class ProvisioningRefused(ValueError):
    """The provisioning cannot be run as asked (a missing password, a bad name)."""


@dataclass(frozen=True)
class Store:
    """One store: its schema, the role that owns it (of the same name unless told), its password."""

    schema: str
    role: str = ""
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.role:
            object.__setattr__(self, "role", self.schema)
        for kind, name in (("schema", self.schema), ("role", self.role)):
            if not STORE_NAME.fullmatch(name) or name.startswith("pg_"):
                raise ProvisioningRefused(
                    f"a {kind} name is lower-case letters, digits and underscores (not pg_…): {name!r}"
                )

    def url(self, server_url: str) -> str:
        """The store's EVENTSTORE_URL on the server and database of `server_url`: as its role, in
        its schema."""
        parts = urlsplit(server_url)
        secret = f":{quote(self.password, safe='')}" if self.password else ""
        host = parts.netloc.rpartition("@")[2]
        query = urlencode([*parse_qsl(parts.query), ("schema", self.schema)])
        return urlunsplit(parts._replace(netloc=f"{self.role}{secret}@{host}", query=query))


def _quoted(name: str) -> str:
    """An identifier for SQL; the names are checked by `Store`, so quoting cannot be escaped."""
    return f'"{name}"'


def database_statements(database: str, stores: Sequence[Store]) -> list[str]:
    """What nobody gets by default any more (CONNECT and TEMP on the database, anything on
    `public`), and the one grant of each store's role: CONNECT."""
    return [
        f"REVOKE ALL ON DATABASE {_quoted(database)} FROM PUBLIC",
        "REVOKE ALL ON SCHEMA public FROM PUBLIC",
        *(f"GRANT CONNECT ON DATABASE {_quoted(database)} TO {_quoted(s.role)}" for s in stores),
    ]


def store_statements(store: Store) -> list[str]:
    """The role (without its password) and the schema it owns; each idempotent."""
    role, schema = _quoted(store.role), _quoted(store.schema)
    return [
        f"DO $$ BEGIN CREATE ROLE {role}; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        f"ALTER ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        f"ALTER ROLE {role} SET search_path = {schema}",
        f"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {role}",
        f"ALTER SCHEMA {schema} OWNER TO {role}",
        _hand_over(store),
        f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC",
    ]


def _hand_over(store: Store) -> str:
    """Make the role the owner of whatever the schema holds already (tables, sequences, functions)."""
    return f"""DO $$ DECLARE item record; BEGIN
        FOR item IN SELECT c.oid::regclass AS name FROM pg_class c
                WHERE c.relnamespace = '{_quoted(store.schema)}'::regnamespace
                AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
                AND pg_get_userbyid(c.relowner) <> '{store.role}' LOOP
            EXECUTE format('ALTER TABLE %s OWNER TO %I', item.name, '{store.role}');
        END LOOP;
        FOR item IN SELECT p.oid::regprocedure AS name FROM pg_proc p
                WHERE p.pronamespace = '{_quoted(store.schema)}'::regnamespace
                AND pg_get_userbyid(p.proowner) <> '{store.role}' LOOP
            EXECUTE format('ALTER ROUTINE %s OWNER TO %I', item.name, '{store.role}');
        END LOOP;
    END $$"""


async def provision(admin_url: str, stores: Sequence[Store], *, lock_database: bool = True) -> None:
    """Create or update every store's role and schema in the database of `admin_url`.

    `lock_database` also takes from PUBLIC what every role has by default (CONNECT, TEMP, the
    `public` schema) and grants each role CONNECT: a deployment's own database wants it; a database
    shared with others (the tests' servers) keeps what it grants to everyone.
    """
    connection = await asyncpg.connect(admin_url)
    try:
        database: str = await connection.fetchval("SELECT current_database()")
        async with connection.transaction():
            for store in stores:
                for statement in store_statements(store):
                    await connection.execute(statement)
                await _set_password(connection, store)
            for statement in database_statements(database, stores) if lock_database else []:
                await connection.execute(statement)
    finally:
        await connection.close()


async def _set_password(connection: "asyncpg.Connection[asyncpg.Record]", store: Store) -> None:
    """The role's password, quoted by the server itself; none when the store has none."""
    if store.password is None:
        await connection.execute(f"ALTER ROLE {_quoted(store.role)} PASSWORD NULL")
        return
    statement: str = await connection.fetchval(
        "SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)", store.role, store.password
    )
    await connection.execute(statement)


async def deprovision(admin_url: str, stores: Sequence[Store]) -> None:
    """Drop every store's schema with its events, and its role (tests and tools clean up with this)."""
    connection = await asyncpg.connect(admin_url)
    try:
        for store in stores:
            await connection.execute(f"DROP SCHEMA IF EXISTS {_quoted(store.schema)} CASCADE")
            if await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", store.role):
                await connection.execute(f"DROP OWNED BY {_quoted(store.role)}")
                await connection.execute(f"DROP ROLE {_quoted(store.role)}")
    finally:
        await connection.close()


def password_variable(store: str) -> str:
    """Where a store's password is in the environment: `REPLY_SHANGWU_DB_PASSWORD`."""
    return f"{store.upper()}_DB_PASSWORD"


def stores_from_environment(names: Sequence[str], environment: Mapping[str, str]) -> list[Store]:
    """The stores named, with their passwords; an empty one is refused outside development."""
    development = environment.get("APP_ENV", DEVELOPMENT) == DEVELOPMENT
    stores = []
    for name in names:
        password = environment.get(password_variable(name), "")
        if not password and not development:
            raise ProvisioningRefused(f"set {password_variable(name)}: no empty password outside development")
        stores.append(Store(name, password=password or None))
    return stores


def _every_service() -> list[str]:
    from runtime.catalog import CATALOG

    return list(CATALOG)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.provision", description=__doc__)
    parser.add_argument("stores", nargs="*", help="store names (default: every service)")
    parser.add_argument("--dry-run", action="store_true", help="print the statements, run nothing")
    arguments = parser.parse_args(argv)
    names = arguments.stores or _every_service()
    try:
        stores = stores_from_environment(names, os.environ)
    except ProvisioningRefused as refused:
        print(f"provisioning refused: {refused}", file=sys.stderr)
        return 2
    if arguments.dry_run:
        for store in stores:
            print(";\n".join(store_statements(store)) + ";")
        print(";\n".join(database_statements("<database>", stores)) + ";")
        return 0
    admin_url = os.environ.get("POSTGRES_URL", "")
    if not admin_url:
        if os.environ.get("APP_ENV", DEVELOPMENT) != DEVELOPMENT:
            print("provisioning refused: set POSTGRES_URL to the database to provision", file=sys.stderr)
            return 2
        admin_url = LOCAL_SERVER
    asyncio.run(provision(admin_url, stores))
    print(f"provisioned {len(stores)} store(s): {', '.join(s.schema for s in stores)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
