"""A TCP proxy on loopback that can cut, refuse and stall the connections through it.

The services reach the broker through it (their BUS_URL names the proxy's port), so a scenario can
do to the network what a switch or a firewall would: `cut` closes every connection and refuses new
ones until `restore`; `stall` keeps the connections open but forwards nothing until `resume`, which
is what a hung peer looks like from the other end.

`Proxy` runs in the caller's event loop; `ThreadedProxy` runs one in a thread of its own, so the
network keeps working while the caller blocks (starting processes, waiting for them).
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, Self, TypeVar

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
T = TypeVar("T")


class Proxy:
    def __init__(
        self, upstream_host: str, upstream_port: int, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host = host
        self.port = port
        """The listening port; with 0, the one the system gave at the first `start`."""
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self.accepted = 0
        """Connections accepted since the start, for tests and reports."""

    @property
    def listening(self) -> bool:
        return self._server is not None

    @property
    def connections(self) -> int:
        """Client connections open now."""
        return len(self._writers) // 2

    async def start(self) -> None:
        """Listen (again, on the same port after a `cut`)."""
        if self._server is not None:
            return
        self._server = await asyncio.start_server(self._accept, self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Stop listening, so new connections are refused, and close every open connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            _abort(writer)
        pumps = list(self._pumps)
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)

    async def restore(self) -> None:
        """Accept and forward again after a `cut`."""
        self._flowing.set()
        await self.start()

    def stall(self) -> None:
        """Keep every connection open but forward no byte, either way, until `resume`."""
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    async def close(self) -> None:
        await self.cut()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError as error:
            log.info("proxy: upstream %s:%s refused: %s", *self.upstream, error)
            _abort(client_writer)
            return
        if self._server is None:  # cut while connecting
            _abort(client_writer)
            _abort(upstream_writer)
            return
        self.accepted += 1
        self._writers.update((client_writer, upstream_writer))
        pair = (client_writer, upstream_writer)
        for reader, writer in ((client_reader, upstream_writer), (upstream_reader, client_writer)):
            pump = asyncio.get_running_loop().create_task(self._pump(reader, writer, pair))
            self._pumps.add(pump)
            pump.add_done_callback(self._pumps.discard)

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    ) -> None:
        """Copy one direction; when either side ends, end both."""
        try:
            while data := await reader.read(CHUNK):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            for each in pair:
                self._writers.discard(each)
                _abort(each)


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close at once, as a broken network would: no waiting for buffered bytes."""
    with contextlib.suppress(Exception):
        writer.transport.abort()


class ThreadedProxy:
    """A `Proxy` in its own thread and event loop, driven from synchronous code or another loop."""

    def __init__(
        self, upstream_host: str, upstream_port: int, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chaos-proxy", daemon=True)
        self._thread.start()
        self.proxy: Proxy = self._call(_make(upstream_host, upstream_port, host, port))

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        return self.proxy.port

    @property
    def connections(self) -> int:
        return self.proxy.connections

    def start(self) -> None:
        self._call(self.proxy.start())

    def cut(self) -> None:
        self._call(self.proxy.cut())

    def restore(self) -> None:
        self._call(self.proxy.restore())

    def stall(self) -> None:
        self._loop.call_soon_threadsafe(self.proxy.stall)

    def resume(self) -> None:
        self._loop.call_soon_threadsafe(self.proxy.resume)

    def close(self) -> None:
        if not self._loop.is_running():
            return
        self._call(self.proxy.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout)


async def _make(upstream_host: str, upstream_port: int, host: str, port: int) -> Proxy:
    """Made inside the proxy's loop, so its event belongs there."""
    return Proxy(upstream_host, upstream_port, host, port)
