"""The raw limits of the parts the platform is built from, measured on this machine in this run.

Each of our figures is read against the best the same parts do with nothing of ours around them:

- HTTP + insert: a minimal FastAPI app (bench.raw_app) doing one asyncpg insert per request,
  driven at its maximum rate by the load generator → requests/s, p50/p99.
- Confirmed publish: persistent messages through a topic exchange to a quorum queue, publishes
  gathered per 100 and their confirms awaited together (as the gateway does) → messages/s.
- Pipelined Redis: HSET and SET in MULTI/EXEC pipelines of a few hundred commands (as a
  projection commits) → writes/s.
- PostgreSQL replay: every row of an events table shaped like ours, in position order through a
  server-side cursor, JSON decoded → events/s.

Everything is created under the given name and removed afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
from redis.asyncio import Redis

from bench.load import closed_loop
from bench.payloads import TITLES, InsertRequests, sample_event
from shared.adapters.eventstore.postgres import PostgresEventStore

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Servers:
    postgres_url: str
    redis_url: str
    rabbitmq_url: str


@dataclass(frozen=True)
class RawSizes:
    http_requests: int = 20_000
    messages: int = 20_000
    redis_writes: int = 200_000
    replay_events: int = 100_000
    processes: int = 2
    """Load generator processes."""
    concurrency: int = 64
    """Requests in flight at most, over all load processes."""


# HTTP + one insert


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def http_insert(
    postgres_url: str, schema: str, workdir: Path, requests: int, *, processes: int = 2, concurrency: int = 64
) -> dict[str, Any]:
    """Serve the raw app in its own process and load it at its maximum rate."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RAW_POSTGRES_URL": postgres_url,
        "RAW_SCHEMA": schema,
        "SERVICE_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    url = f"http://127.0.0.1:{port}"
    with (workdir / "raw_app.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.raw_app"], cwd=workdir, env=environment, stdout=log, stderr=log
        )
        try:
            _wait_ready(f"{url}/ready", process)
            result = closed_loop(
                InsertRequests(f"{url}/rows"), requests, processes=processes, concurrency=concurrency
            )
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    rows = asyncio.run(_count(postgres_url, f'"{schema}".rows'))
    return {"figure": "requests/s", "value": result.ok_rate, **result.as_dict(), "rows": rows}


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the raw app exited with {process.returncode} before answering")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.1)


async def _count(postgres_url: str, table: str) -> int:
    connection = await asyncpg.connect(postgres_url)
    try:
        count: int = await connection.fetchval(f"SELECT count(*) FROM {table}")
        return count
    finally:
        await connection.close()


# RabbitMQ confirmed publish


async def confirmed_publish(rabbitmq_url: str, name: str, messages: int, group: int = 100) -> dict[str, Any]:
    """Publish persistent messages to a quorum queue via a topic exchange, confirms per `group`."""
    connection = await aio_pika.connect(rabbitmq_url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(f"{name}.raw", aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(
            f"{name}.raw.quorum", durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(exchange, routing_key="raw.#")
        bodies = [_envelope(i) for i in range(messages)]
        try:
            started = time.perf_counter()
            for first in range(0, messages, group):
                await asyncio.gather(
                    *(
                        exchange.publish(
                            aio_pika.Message(
                                body,
                                message_id=str(uuid.uuid4()),
                                content_type="application/cloudevents+json",
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                            ),
                            routing_key="raw.proposal-submitted.v1.zhongwei",
                            mandatory=True,
                        )
                        for body in bodies[first : first + group]
                    )
                )
            elapsed = time.perf_counter() - started
            declared = await channel.declare_queue(
                f"{name}.raw.quorum", durable=True, arguments={"x-queue-type": "quorum"}
            )
            queued = declared.declaration_result.message_count
        finally:
            await channel.queue_delete(f"{name}.raw.quorum")
            await channel.exchange_delete(f"{name}.raw")
    finally:
        await connection.close()
    return {
        "figure": "messages/s",
        "value": messages / elapsed,
        "messages": messages,
        "group": group,
        "elapsed": elapsed,
        "queued": queued,
    }


def _envelope(index: int) -> bytes:
    """A CloudEvent of the size the gateway publishes."""
    return json.dumps(
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": "/proposals/intake",
            "type": "intake.proposal-submitted.v1",
            "subject": f"intake-{index}",
            "time": datetime.now(UTC).isoformat(),
            "datacontenttype": "application/json",
            "data": sample_event(index),
        },
        ensure_ascii=False,
    ).encode()


# Redis pipelined writes


async def pipelined_redis(redis_url: str, prefix: str, writes: int, pipeline: int = 250) -> dict[str, Any]:
    """HSET (a read model row) and SET (a checkpoint-like value) in MULTI/EXEC pipelines."""
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        started = time.perf_counter()
        for first in range(0, writes, pipeline):
            async with redis.pipeline(transaction=True) as pipe:
                for i in range(first, min(first + pipeline, writes)):
                    if i % 2:
                        pipe.set(f"{prefix}:raw:value:{i}", str(i))
                    else:
                        pipe.hset(
                            f"{prefix}:raw:row:{i}",
                            mapping={
                                "id": f"bench-{i}",
                                "title": TITLES[i % len(TITLES)],
                                "status": "registered",
                                "lead": "minzheng",
                                "number": str(i),
                                "updated": "2026-01-15T09:30:00+08:00",
                            },
                        )
                await pipe.execute()
        elapsed = time.perf_counter() - started
        await delete_keys(redis, f"{prefix}:raw:*")
    finally:
        await redis.aclose()
    return {
        "figure": "writes/s",
        "value": writes / elapsed,
        "writes": writes,
        "pipeline": pipeline,
        "elapsed": elapsed,
    }


async def delete_keys(redis: Redis, pattern: str) -> int:
    deleted = 0
    batch: list[str] = []
    async for key in redis.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            deleted += await redis.unlink(*batch)
            batch.clear()
    if batch:
        deleted += await redis.unlink(*batch)
    return deleted


# PostgreSQL replay


async def fill_events(postgres_url: str, schema: str, events: int) -> None:
    """An events table of our shape in `schema`, with `events` rows, written with COPY."""
    store = await PostgresEventStore.open(postgres_url, schema=schema)
    await store.close()
    connection = await asyncpg.connect(postgres_url)
    try:
        now = datetime.now(UTC)
        metadata = json.dumps({"correlation_id": "bench", "command": "submit"})
        records = [
            (
                i,
                f"intake-bench-{i // 8}",
                i % 8,
                uuid.uuid4(),
                "intake.proposal-submitted.v1",
                json.dumps(sample_event(i), ensure_ascii=False),
                metadata,
                now,
            )
            for i in range(1, events + 1)
        ]
        await connection.copy_records_to_table("events", schema_name=schema, records=records)
    finally:
        await connection.close()


async def postgres_replay(postgres_url: str, schema: str, page: int = 1000) -> dict[str, Any]:
    """Read every event of `schema` in position order through a cursor, decoding the JSON."""
    connection = await asyncpg.connect(postgres_url)
    try:
        query = (
            "SELECT position, stream, version, id, type, data, metadata, recorded_at "
            f'FROM "{schema}".events ORDER BY position'
        )
        count = 0
        started = time.perf_counter()
        async with connection.transaction():
            async for row in connection.cursor(query, prefetch=page):
                json.loads(row["data"])
                json.loads(row["metadata"])
                count += 1
        elapsed = time.perf_counter() - started
    finally:
        await connection.close()
    return {"figure": "events/s", "value": count / elapsed, "events": count, "page": page, "elapsed": elapsed}


async def drop_schema(postgres_url: str, schema: str) -> None:
    connection = await asyncpg.connect(postgres_url)
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


def measure(servers: Servers, name: str, workdir: Path, sizes: RawSizes = RawSizes()) -> dict[str, Any]:
    """Every raw limit, under `name` (schema `<name>_raw`, exchange `<name>.raw`, keys `<name>:raw:`)."""
    schema = f"{name}_raw"
    try:
        http = http_insert(
            servers.postgres_url,
            schema,
            workdir,
            sizes.http_requests,
            processes=sizes.processes,
            concurrency=sizes.concurrency,
        )
        print(f"  raw HTTP + insert: {http['value']:,.0f} requests/s (p99 {http['p99_ms']:.1f} ms)")
        publish = asyncio.run(confirmed_publish(servers.rabbitmq_url, name, sizes.messages))
        print(f"  raw confirmed publish: {publish['value']:,.0f} messages/s")
        redis = asyncio.run(pipelined_redis(servers.redis_url, name, sizes.redis_writes))
        print(f"  raw pipelined Redis: {redis['value']:,.0f} writes/s")
        asyncio.run(fill_events(servers.postgres_url, schema, sizes.replay_events))
        replay = asyncio.run(postgres_replay(servers.postgres_url, schema))
        print(f"  raw PostgreSQL replay: {replay['value']:,.0f} events/s")
    finally:
        asyncio.run(drop_schema(servers.postgres_url, schema))
    return {"http_insert": http, "confirmed_publish": publish, "redis_pipelined": redis, "replay": replay}
