"""The raw HTTP limit: a minimal FastAPI app doing one asyncpg insert per request.

Served by uvicorn exactly as a service is (`runtime.serve`: one process, the same loop and HTTP
implementation, the same log level), with a pool of the event store's size, so the only difference
from a service's command is the work of the command itself. `python -m bench.raw_app`, configured
by RAW_POSTGRES_URL, RAW_SCHEMA and SERVICE_PORT.
"""

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from fastapi import Body, FastAPI

from runtime.serve import Served, configure_logging, serve
from shared.adapters.eventstore.postgres import check_schema

POOL_SIZE = 10
"""The pool size of `PostgresEventStore.open`."""


def create(postgres_url: str, schema: str) -> FastAPI:
    table = f'"{check_schema(schema)}".rows'

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(postgres_url, min_size=1, max_size=POOL_SIZE)
        try:
            await pool.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            await pool.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (id bigserial PRIMARY KEY, data jsonb NOT NULL)"
            )
            app.state.pool = pool
            yield
        finally:
            await pool.close()

    app = FastAPI(title="raw: one insert per request", lifespan=lifespan)
    insert = f"INSERT INTO {table} (data) VALUES ($1::jsonb) RETURNING id"

    @app.post("/rows", status_code=201)
    async def add(payload: dict[str, Any] = Body(...)) -> dict[str, int]:  # noqa: B008
        row_id: int = await app.state.pool.fetchval(insert, json.dumps(payload, ensure_ascii=False))
        return {"id": row_id}

    @app.get("/ready")
    async def ready() -> dict[str, str]:
        await app.state.pool.fetchval("SELECT 1")
        return {"status": "ready"}

    return app


def main() -> None:
    level = os.environ.get("LOG_LEVEL", "WARNING")
    configure_logging(level)
    app = create(os.environ["RAW_POSTGRES_URL"], os.environ["RAW_SCHEMA"])
    port = int(os.environ["SERVICE_PORT"])
    asyncio.run(serve([Served("raw", app, "127.0.0.1", port)], level))


if __name__ == "__main__":
    main()
