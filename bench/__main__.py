"""`python -m bench --proposals N` (`make bench`): the raw limits, then the platform, in one run.

1. the load generator's own ceiling, against a server that does nothing;
2. the raw limits (bench.raw): HTTP + insert, confirmed publish, pipelined Redis, replay;
3. the platform as processes (tools.simulation.stack) under one isolation name: intake at its
   maximum submit rate, then its latency at half that rate; the whole session of N proposals;
4. with the services stopped, our components on the events the session left (bench.components);
5. our event store beside the `eventsourcing` library's PostgreSQL recorder (bench.peer).

Prints a table of every figure beside its raw limit and target, and writes all of it as JSON
(bench/results/latest.json unless --output says otherwise). Everything the run creates on the
servers is removed at the end, also when it is interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import os
import platform
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
from redis.asyncio import Redis

from bench import components, peer, raw, report
from bench.load import ceiling
from bench.session import intake_latency_at, intake_rate, run_session
from tools.simulation.stack import Stack, StackConfig

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
STARTUP = 180.0
"""Seconds the services may take to answer /ready (a busy machine starts them slowly)."""
HEARTBEAT = 30.0
"""Seconds between two progress lines of a long phase."""
HALF_RATE_SECONDS = 20.0
"""How long intake is loaded at half its maximum rate for its latency."""
LIBRARIES = ("fastapi", "uvicorn", "asyncpg", "aio-pika", "redis", "aiohttp", "eventsourcing", "psycopg")


def servers_from_environment() -> raw.Servers:
    return raw.Servers(
        postgres_url=os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        rabbitmq_url=os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"),
    )


def machine(servers: raw.Servers) -> dict[str, Any]:
    """What the figures were measured on: cores, memory, load, versions of everything involved."""
    pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    libraries = {}
    for name in LIBRARIES:
        try:
            libraries[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            libraries[name] = "not installed"
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(pages * page_size / 2**30, 1),
        "load_average_at_start": os.getloadavg(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "servers": asyncio.run(server_versions(servers)),
        "libraries": libraries,
    }


async def server_versions(servers: raw.Servers) -> dict[str, str]:
    versions: dict[str, str] = {}
    connection = await asyncpg.connect(servers.postgres_url)
    try:
        versions["postgresql"] = str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()
    redis = Redis.from_url(servers.redis_url, decode_responses=True)
    try:
        versions["redis"] = str((await redis.info("server"))["redis_version"])
    finally:
        await redis.aclose()
    broker = await aio_pika.connect(servers.rabbitmq_url)
    try:
        properties = broker.transport.connection.server_properties if broker.transport else {}
        version = properties.get("version", b"?")
        versions["rabbitmq"] = version.decode() if isinstance(version, bytes) else str(version)
    finally:
        await broker.close()
    return versions


def phase(title: str, work: Callable[[], Any], progress: Callable[[], str] | None = None) -> Any:
    """Run one phase; a failure is recorded as the phase's result and the run goes on.

    While it runs, a line every HEARTBEAT seconds shows it is moving (with `progress` when given).
    """
    print(f"\n== {title}", flush=True)
    started = time.perf_counter()
    done = threading.Event()

    def beat() -> None:
        while not done.wait(HEARTBEAT):
            detail = ""
            if progress is not None:
                with contextlib.suppress(Exception):
                    detail = f": {progress()}"
            print(f"   … {time.perf_counter() - started:.0f} s{detail}", flush=True)

    heartbeat = threading.Thread(target=beat, name=f"progress of {title}", daemon=True)
    heartbeat.start()
    try:
        result = work()
    except Exception as error:
        traceback.print_exc()
        print(f"   {title} failed: {error!r}", flush=True)
        return {"error": repr(error)}
    finally:
        done.set()
        heartbeat.join()
    print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return result


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time (user + system) each service process has used so far, where /proc tells it."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for service in stack.config.services:
        with contextlib.suppress(OSError, KeyError, ValueError, IndexError):
            stat = Path(f"/proc/{stack.process(service).pid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            used[service] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def events_in(postgres_url: str, schemas: list[str]) -> Callable[[], str]:
    """A progress line: how many events the services' stores (`schemas`) hold now."""
    heads = " + ".join(f'(SELECT coalesce(max(position), 0) FROM "{schema}".events)' for schema in schemas)

    async def count() -> int:
        connection = await asyncpg.connect(postgres_url)
        try:
            head: int = await connection.fetchval(f"SELECT {heads}")
            return head
        finally:
            await connection.close()

    return lambda: f"{asyncio.run(count()):,} events in the stores"


def run(proposals: int, output: Path, processes: int, sizes: raw.RawSizes, peer_sizes: peer.PeerSizes) -> int:
    servers = servers_from_environment()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    print(f"benchmark {name}: {proposals} proposals; service logs in {workdir}", flush=True)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "proposals": proposals,
        "name": name,
        "machine": machine(servers),
    }
    try:
        results["load_ceiling"] = phase(
            "load generator ceiling (trivial server)",
            lambda: ceiling(
                sizes.http_requests, processes=processes, concurrency=sizes.concurrency
            ).as_dict(),
        )
        results["raw"] = phase("raw limits", lambda: raw.measure(servers, name, workdir, sizes))
        config = StackConfig(
            servers.postgres_url,
            servers.redis_url,
            servers.rabbitmq_url,
            name=name,
            workdir=workdir / "stack",
        )
        stack = Stack(config)
        try:
            failed = phase("start the platform", lambda: stack.start(timeout=STARTUP))
            if failed:
                results["platform"] = failed
            else:
                platform_phases(stack, proposals, servers, name, results)
        finally:
            stack.stop()
            stack.clean()
        results["peer"] = phase(
            "event store beside the eventsourcing recorder",
            lambda: peer.measure(servers.postgres_url, name, peer_sizes),
        )
    finally:
        results["machine"]["load_average_at_end"] = os.getloadavg()
        report.write(results, output)
    print()
    print(report.table(results))
    print(f"\nwritten to {output}")
    return 0


def platform_phases(
    stack: Stack, proposals: int, servers: raw.Servers, name: str, results: dict[str, Any]
) -> None:
    """Intake, the session, then (services stopped) the components on the events they left."""
    config = stack.config
    schemas = {service: config.schema(service) for service in config.services}
    stored = events_in(servers.postgres_url, list(schemas.values()))
    before = cpu_seconds(stack)
    results["intake"] = phase("intake submit rate", lambda: intake(stack, proposals), stored)
    middle = cpu_seconds(stack)
    results["session"] = phase(f"session of {proposals} proposals", lambda: session(stack, proposals), stored)
    after = cpu_seconds(stack)
    results["service_cpu_seconds"] = {
        "intake": {s: round(middle[s] - before[s], 2) for s in before if s in middle},
        "session": {s: round(after[s] - middle[s], 2) for s in middle if s in after},
    }
    stack.stop()
    results["components"] = phase(
        "components on the session's events",
        lambda: asyncio.run(
            components.measure(
                servers.postgres_url,
                schemas,
                servers.rabbitmq_url,
                servers.redis_url,
                name,
                config.key_prefix("views"),
            )
        ),
    )


def intake(stack: Stack, proposals: int) -> dict[str, Any]:
    """Submits at the maximum rate, then at half of it for a while: its p50/p99."""
    submits = max(2_000, min(proposals, 10_000))
    fastest = asyncio.run(intake_rate(stack, submits))
    print(
        f"   max: {fastest['ok_rate']:,.0f} submits/s answered 2xx ({fastest['errors']} errors), "
        f"p99 {fastest['p99_ms']:.1f} ms"
    )
    half = fastest["ok_rate"] / 2
    steady = asyncio.run(intake_latency_at(stack, half, HALF_RATE_SECONDS))
    print(
        f"   at {half:,.0f}/s: p50 {steady['p50_ms']:.1f} ms, p99 {steady['p99_ms']:.1f} ms "
        f"({steady['errors']} errors)"
    )
    return {"max": fastest, "half": steady}


def session(stack: Stack, proposals: int) -> dict[str, Any]:
    return asyncio.run(run_session(stack, proposals))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--proposals", type=int, default=10_000, help="proposals in the session (10000)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--processes", type=int, default=2, help="load generator processes (2)")
    parser.add_argument(
        "--quick", action="store_true", help="raw limits and peer at a tenth of their sizes (a trial run)"
    )
    args = parser.parse_args(argv)
    sizes, peer_sizes = raw.RawSizes(processes=args.processes), peer.PeerSizes()
    if args.quick:
        sizes = raw.RawSizes(2_000, 2_000, 20_000, 10_000, processes=args.processes)
        peer_sizes = peer.PeerSizes(single=400, concurrent=800, batched=4_000)
    return run(args.proposals, args.output, args.processes, sizes, peer_sizes)


if __name__ == "__main__":
    sys.exit(main())
