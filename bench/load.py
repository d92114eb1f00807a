"""A multi-process HTTP load generator that is not itself the bottleneck.

One Python process with one HTTP client tops out at a few thousand requests a second, below what
the services can take; so the load comes from several processes (multiprocessing "spawn"), each an
asyncio loop (uvloop when installed) with an aiohttp client keeping its connections alive.

Two shapes of load:

- `closed_loop`: `requests` requests as fast as they are answered, `concurrency` in flight at
  most (spread over the processes): the maximum rate.
- `open_loop`: `rate` requests a second for `duration` seconds, sent on schedule whether or not
  earlier ones were answered. A request's latency counts from the moment it was due, so a server
  that falls behind shows it in the percentiles instead of slowing the load down.

Requests come from a factory called with a global index 0, 1, 2 … (each index once, in one of the
processes): bodies that must be unique per request are built from it. Since the processes are
spawned, the factory must be picklable: a module-level function or an instance of a module-level
class.

`ceiling` measures the generator itself against a trivial HTTP server in its own process, so a
figure can be read against what the client could have sent at most on the same machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import multiprocessing
import queue
import socket
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, cast

__all__ = [
    "LoadResult",
    "Request",
    "RequestFactory",
    "ceiling",
    "closed_loop",
    "open_loop",
    "percentile",
]

TIMEOUT = 30.0
"""Seconds a request may take before it counts as an error."""
START_TIMEOUT = 120.0
"""Seconds a load process waits for the others to be ready before giving up."""


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    """The JSON body, or None for none."""


class RequestFactory(Protocol):
    def __call__(self, index: int) -> Request: ...


@dataclass(frozen=True)
class LoadResult:
    """What a load run measured; latencies in milliseconds, over the answered requests."""

    requests: int
    ok: int
    errors: int
    """Requests answered 4xx/5xx, or not answered (refused, reset, timed out)."""
    elapsed: float
    rate: float
    """Requests per second, all of them, answered or not."""
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    """How many requests got each status; "error" for those without an answer."""
    processes: int
    concurrency: int
    target_rate: float | None = None
    """The scheduled rate of an open-loop run."""
    ok_rate: float = 0.0
    """Requests per second answered 2xx/3xx."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass(frozen=True)
class _Share:
    """One process's part of a run."""

    factory: RequestFactory
    indices: range
    concurrency: int
    timeout: float
    rate: float | None
    """Requests per second for this process (open loop), or None (closed loop)."""


@dataclass
class _Outcome:
    started: float
    finished: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)


def closed_loop(
    factory: RequestFactory,
    requests: int,
    *,
    processes: int = 2,
    concurrency: int = 64,
    timeout: float = TIMEOUT,
) -> LoadResult:
    """Send `requests` requests as fast as they are answered, `concurrency` in flight at most."""
    per_process = max(1, concurrency // processes)
    shares = [
        _Share(factory, range(p, requests, processes), per_process, timeout, None) for p in range(processes)
    ]
    return _summarise(_run(shares), requests, processes, per_process * processes, None)


def open_loop(
    factory: RequestFactory,
    rate: float,
    duration: float,
    *,
    processes: int = 2,
    concurrency: int = 512,
    timeout: float = TIMEOUT,
) -> LoadResult:
    """Send `rate` requests a second for `duration` seconds; `concurrency` bounds those in flight."""
    requests = max(1, round(rate * duration))
    per_process = max(1, concurrency // processes)
    shares = [
        _Share(factory, range(p, requests, processes), per_process, timeout, rate / processes)
        for p in range(processes)
    ]
    return _summarise(_run(shares), requests, processes, per_process * processes, rate)


def _run(shares: list[_Share]) -> list[_Outcome]:
    """Run each share in its own spawned process, all starting together.

    Plain processes rather than a pool: whatever ends the run (an error, Ctrl-C) terminates them,
    where a pool would wait for its workers at exit.
    """
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(shares))
    answers: Any = context.Queue()
    workers = [
        context.Process(target=_work, args=(i, share, barrier, answers), name=f"load {i}", daemon=True)
        for i, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes: dict[int, _Outcome] = {}
        while len(outcomes) < len(workers):
            try:
                index, outcome = answers.get(timeout=1.0)
            except queue.Empty:
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"{dead[0].name} exited with {dead[0].exitcode}") from None
                continue
            if isinstance(outcome, str):
                raise RuntimeError(f"load process {index} failed: {outcome}")
            outcomes[index] = outcome
        return [outcomes[i] for i in range(len(workers))]
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        for worker in workers:
            worker.join(5)


def _summarise(
    outcomes: list[_Outcome], requests: int, processes: int, concurrency: int, target: float | None
) -> LoadResult:
    latencies = sorted(lat for o in outcomes for lat in o.latencies)
    statuses: dict[str, int] = {}
    for outcome in outcomes:
        for status, count in outcome.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    ok = sum(count for status, count in statuses.items() if status.isdigit() and int(status) < 400)
    elapsed = max(o.finished for o in outcomes) - min(o.started for o in outcomes)
    return LoadResult(
        requests=requests,
        ok=ok,
        errors=requests - ok,
        elapsed=elapsed,
        rate=requests / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p90_ms=percentile(latencies, 0.90) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        max_ms=(latencies[-1] if latencies else 0.0) * 1000,
        statuses=dict(sorted(statuses.items())),
        processes=processes,
        concurrency=concurrency,
        target_rate=target,
        ok_rate=ok / elapsed if elapsed > 0 else 0.0,
    )


def _work(index: int, share: _Share, barrier: Any, answers: Any) -> None:
    """The body of a load process: build the requests, wait for the others, send, answer."""
    try:
        try:
            import uvloop
        except ImportError:
            outcome = asyncio.run(_send(share, barrier))
        else:
            outcome = uvloop.run(_send(share, barrier))
    except BaseException as error:
        answers.put((index, repr(error)))
        raise
    answers.put((index, outcome))


async def _send(share: _Share, barrier: Any) -> _Outcome:
    import aiohttp

    prepared = [_prepare(share.factory(i)) for i in share.indices]
    connector = aiohttp.TCPConnector(limit=share.concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=share.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.get_running_loop().run_in_executor(None, barrier.wait, START_TIMEOUT)
        outcome = _Outcome(started=time.time(), finished=0.0)
        if share.rate is None:
            await _closed(session, prepared, share.concurrency, outcome)
        else:
            await _open(session, prepared, share.rate, share.concurrency, outcome)
        outcome.finished = time.time()
    return outcome


_Prepared = tuple[str, str, dict[str, str], bytes | None]


def _prepare(request: Request) -> _Prepared:
    headers = dict(request.headers)
    body = None
    if request.json is not None:
        body = json.dumps(request.json, ensure_ascii=False).encode()
        headers.setdefault("Content-Type", "application/json")
    return request.method, request.url, headers, body


async def _one(session: Any, request: _Prepared, due: float, outcome: _Outcome) -> None:
    """Send one request; record its status and, when answered, its latency counted from `due`."""
    import aiohttp

    method, url, headers, body = request
    try:
        async with session.request(method, url, headers=headers, data=body) as response:
            await response.read()
            status = str(response.status)
    except (aiohttp.ClientError, TimeoutError, OSError):
        outcome.statuses["error"] = outcome.statuses.get("error", 0) + 1
        return
    outcome.latencies.append(time.perf_counter() - due)
    outcome.statuses[status] = outcome.statuses.get(status, 0) + 1


async def _closed(session: Any, prepared: list[_Prepared], concurrency: int, outcome: _Outcome) -> None:
    queue = iter(prepared)

    async def lane() -> None:
        for request in queue:
            await _one(session, request, time.perf_counter(), outcome)

    await asyncio.gather(*(lane() for _ in range(concurrency)))


async def _open(
    session: Any, prepared: list[_Prepared], rate: float, concurrency: int, outcome: _Outcome
) -> None:
    slots = asyncio.Semaphore(concurrency)
    start = time.perf_counter()
    tasks: set[asyncio.Task[None]] = set()

    async def send(request: _Prepared, due: float) -> None:
        try:
            await _one(session, request, due, outcome)
        finally:
            slots.release()

    for i, request in enumerate(prepared):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await slots.acquire()
        task = asyncio.create_task(send(request, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)


# The trivial server the generator's ceiling is measured against.

_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
    b'Connection: keep-alive\r\n\r\n{"ok":true}'
)


class _Trivial(asyncio.Protocol):
    """Answers every HTTP/1.1 request with the same small JSON, keeping the connection open."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        answers = 0
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            length = _content_length(self._buffer[:end])
            if len(self._buffer) < end + 4 + length:
                break
            self._buffer = self._buffer[end + 4 + length :]
            answers += 1
        if answers and self._transport is not None:
            self._transport.write(_ANSWER * answers)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _serve_trivial(sock: socket.socket) -> None:
    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_Trivial, sock=sock)
        async with server:
            await server.serve_forever()

    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.run(main())
        return
    asyncio.run(main())


@dataclass(frozen=True)
class _TrivialGet:
    url: str

    def __call__(self, index: int) -> Request:
        return Request("GET", self.url)


@dataclass(frozen=True)
class _TrivialPost:
    url: str

    def __call__(self, index: int) -> Request:
        return Request("POST", self.url, json={"index": index, "title": f"关于第{index}号的提案"})


def ceiling(
    requests: int = 20_000, *, processes: int = 2, concurrency: int = 64, post: bool = True
) -> LoadResult:
    """The generator's own maximum rate, against a server that does nothing (in its own process)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/trivial"
    server = multiprocessing.get_context("spawn").Process(target=_serve_trivial, args=(sock,), daemon=True)
    server.start()
    sock.close()
    try:
        factory: RequestFactory = _TrivialPost(url) if post else _TrivialGet(url)
        return closed_loop(factory, requests, processes=processes, concurrency=concurrency)
    finally:
        server.terminate()
        server.join(5)
