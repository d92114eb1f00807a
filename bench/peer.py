"""Our PostgreSQL event store beside a peer: the `eventsourcing` library's PostgreSQL recorder.

Both do the same work in the same run on the same database, each in its own schema, with the same
payloads (a submitted proposal's JSON, about 1 KB):

- append, one event per call: streams of 8 events, each event its own append with the expected
  version, one writer (the latency of an append is what a command waits for);
- append, concurrent: the same with `writers` appends in flight (our asyncpg pool, the peer's
  psycopg pool with a thread per writer), as a service under load appends;
- append, batches: `batch` events to one stream per call;
- replay: every event in order, in pages of 1000, the JSON decoded.

The peer's recorder is synchronous (psycopg 3); ours is asyncio (asyncpg). Each is driven the way
it is meant to be used. Figures are events per second, and ours divided by the peer's.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from bench.payloads import sample_event
from bench.raw import drop_schema
from shared.adapters.eventstore import NewEvent
from shared.adapters.eventstore.postgres import PostgresEventStore

STREAM_LENGTH = 8
TOPIC = "intake.proposal-submitted.v1"
PAGE = 1000


@dataclass(frozen=True)
class PeerSizes:
    single: int = 4_000
    """Events appended one per call, one writer."""
    concurrent: int = 8_000
    """Events appended one per call, `writers` at a time."""
    batched: int = 40_000
    """Events appended `batch` per call."""
    batch: int = 100
    writers: int = 10


@dataclass(frozen=True)
class _Append:
    """One append: a stream, the version it is expected at, and the payloads."""

    stream: str
    version: int
    payloads: list[dict[str, Any]]


def single_appends(count: int, prefix: str) -> Iterator[_Append]:
    """Appends of one event each, to streams of STREAM_LENGTH events, stream by stream."""
    for i in range(count):
        yield _Append(f"{prefix}-{i // STREAM_LENGTH}", i % STREAM_LENGTH, [sample_event(i)])


def batched_appends(count: int, batch: int, prefix: str) -> Iterator[_Append]:
    for first in range(0, count, batch):
        size = min(batch, count - first)
        yield _Append(f"{prefix}-{first // batch}", 0, [sample_event(first + i) for i in range(size)])


def concurrent_lanes(count: int, writers: int, prefix: str) -> list[list[_Append]]:
    """`writers` lanes of single appends; each stream stays in one lane, so versions follow."""
    lanes: list[list[_Append]] = [[] for _ in range(writers)]
    for append in single_appends(count, prefix):
        lanes[_lane(append.stream, writers)].append(append)
    return lanes


def _lane(stream: str, writers: int) -> int:
    return int(stream.rsplit("-", 1)[1]) % writers


# Ours


class Ours:
    def __init__(self, store: PostgresEventStore) -> None:
        self.store = store

    @classmethod
    async def open(cls, postgres_url: str, schema: str, pool_size: int) -> Ours:
        return cls(await PostgresEventStore.open(postgres_url, schema=schema, pool_size=pool_size))

    async def append(self, append: _Append) -> None:
        events = [NewEvent(uuid.uuid4(), TOPIC, payload) for payload in append.payloads]
        await self.store.append(append.stream, events, append.version)

    async def run_lanes(self, lanes: list[list[_Append]]) -> None:
        async def lane(appends: list[_Append]) -> None:
            for append in appends:
                await self.append(append)

        await asyncio.gather(*(lane(appends) for appends in lanes))

    async def replay(self) -> int:
        count, after = 0, 0
        while page := await self.store.read_all(after, PAGE):
            count += len(page)
            after = page[-1].position
        return count


async def measure_ours(postgres_url: str, schema: str, sizes: PeerSizes) -> dict[str, float]:
    ours = await Ours.open(postgres_url, schema, pool_size=sizes.writers)
    try:
        single = await _timed_async(lambda: ours.run_lanes([list(single_appends(sizes.single, "s"))]))
        concurrent = await _timed_async(
            lambda: ours.run_lanes(concurrent_lanes(sizes.concurrent, sizes.writers, "c"))
        )
        batched = await _timed_async(
            lambda: ours.run_lanes([list(batched_appends(sizes.batched, sizes.batch, "b"))])
        )
        started = time.perf_counter()
        replayed = await ours.replay()
        replay = time.perf_counter() - started
    finally:
        await ours.store.close()
    return {
        "append_single": sizes.single / single,
        "append_concurrent": sizes.concurrent / concurrent,
        "append_batched": sizes.batched / batched,
        "replay": replayed / replay,
        "replayed": replayed,
    }


async def _timed_async(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


# The peer


class Peer:
    def __init__(self, postgres_url: str, schema: str, pool_size: int) -> None:
        parts = urlsplit(postgres_url)
        self.datastore = PostgresDatastore(
            dbname=parts.path.lstrip("/") or "postgres",
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            schema=schema,
            pool_size=pool_size,
        )
        self.recorder = PostgresApplicationRecorder(self.datastore, events_table_name="stored_events")
        self.recorder.create_table()

    def append(self, append: _Append) -> None:
        originator = uuid.uuid5(uuid.NAMESPACE_URL, append.stream)
        self.recorder.insert_events(
            [
                StoredEvent(
                    originator_id=originator,
                    originator_version=append.version + i,
                    topic=TOPIC,
                    state=json.dumps(payload, ensure_ascii=False).encode(),
                )
                for i, payload in enumerate(append.payloads)
            ]
        )

    def run_lanes(self, lanes: list[list[_Append]]) -> None:
        def lane(appends: list[_Append]) -> None:
            for append in appends:
                self.append(append)

        if len(lanes) == 1:
            lane(lanes[0])
            return
        with ThreadPoolExecutor(len(lanes)) as pool:
            for done in [pool.submit(lane, appends) for appends in lanes]:
                done.result()

    def replay(self) -> int:
        count, after = 0, 0
        while page := self.recorder.select_notifications(after, PAGE, inclusive_of_start=False):
            for notification in page:
                json.loads(notification.state)
            count += len(page)
            after = page[-1].id
        return count

    def close(self) -> None:
        self.datastore.close()


def measure_peer(postgres_url: str, schema: str, sizes: PeerSizes) -> dict[str, float]:
    asyncio.run(_create_schema(postgres_url, schema))
    peer = Peer(postgres_url, schema, pool_size=sizes.writers)
    try:
        single = _timed(lambda: peer.run_lanes([list(single_appends(sizes.single, "s"))]))
        concurrent = _timed(lambda: peer.run_lanes(concurrent_lanes(sizes.concurrent, sizes.writers, "c")))
        batched = _timed(lambda: peer.run_lanes([list(batched_appends(sizes.batched, sizes.batch, "b"))]))
        started = time.perf_counter()
        replayed = peer.replay()
        replay = time.perf_counter() - started
    finally:
        peer.close()
    return {
        "append_single": sizes.single / single,
        "append_concurrent": sizes.concurrent / concurrent,
        "append_batched": sizes.batched / batched,
        "replay": replayed / replay,
        "replayed": replayed,
    }


def _timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


async def _create_schema(postgres_url: str, schema: str) -> None:
    connection = await asyncpg.connect(postgres_url)
    try:
        await connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        await connection.close()


def measure(postgres_url: str, name: str, sizes: PeerSizes = PeerSizes()) -> dict[str, Any]:
    """Both stores, one after the other, in schemas `<name>_ours` and `<name>_peer`; then dropped."""
    ours_schema, peer_schema = f"{name}_ours", f"{name}_peer"
    try:
        ours = asyncio.run(measure_ours(postgres_url, ours_schema, sizes))
        peer = measure_peer(postgres_url, peer_schema, sizes)
    finally:
        for schema in (ours_schema, peer_schema):
            asyncio.run(drop_schema(postgres_url, schema))
    figures = {}
    for key in ("append_single", "append_concurrent", "append_batched", "replay"):
        figures[key] = {
            "ours": ours[key],
            "peer": peer[key],
            "ratio": ours[key] / peer[key] if peer[key] else 0.0,
        }
        print(
            f"  {key.replace('_', ' ')}: ours {ours[key]:,.0f} events/s, peer {peer[key]:,.0f} events/s "
            f"(×{figures[key]['ratio']:.2f})"
        )
    return {
        "sizes": {
            "single": sizes.single,
            "concurrent": sizes.concurrent,
            "batched": sizes.batched,
            "batch": sizes.batch,
            "writers": sizes.writers,
        },
        "replayed": {"ours": ours["replayed"], "peer": peer["replayed"]},
        **figures,
    }
