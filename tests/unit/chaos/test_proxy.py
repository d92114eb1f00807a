"""The chaos proxy forwards, cuts (closing and refusing), restores on the same port, and stalls."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from chaos.proxy import Proxy, ThreadedProxy


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(1024):
        writer.write(data)
        await writer.drain()
    writer.close()


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


async def _say(port: int, text: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(text)
    await writer.drain()
    return reader, writer, await asyncio.wait_for(reader.readexactly(len(text)), 5)


async def test_forwards_both_ways(echo_port: int) -> None:
    proxy = Proxy("127.0.0.1", echo_port)
    await proxy.start()
    try:
        _, writer, answer = await _say(proxy.port, "中卫市民政局".encode())
        assert answer == "中卫市民政局".encode()
        assert proxy.connections == 1
        writer.close()
    finally:
        await proxy.close()


async def test_a_cut_closes_open_connections_refuses_new_ones_and_restore_reopens_the_port(
    echo_port: int,
) -> None:
    proxy = Proxy("127.0.0.1", echo_port)
    await proxy.start()
    port = proxy.port
    reader, writer, _ = await _say(port, b"before")
    await proxy.cut()
    assert await asyncio.wait_for(reader.read(), 5) == b""  # the open connection is gone
    assert proxy.connections == 0
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
    await proxy.restore()
    assert proxy.port == port
    _, again, answer = await _say(port, b"after")
    assert answer == b"after"
    writer.close()
    again.close()
    await proxy.close()


async def test_a_stall_keeps_the_connection_open_and_forwards_nothing_until_resumed(echo_port: int) -> None:
    proxy = Proxy("127.0.0.1", echo_port)
    await proxy.start()
    reader, writer, _ = await _say(proxy.port, b"warm")
    proxy.stall()
    writer.write(b"held")
    await writer.drain()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.readexactly(4), 0.3)
    assert proxy.connections == 1
    proxy.resume()
    assert await asyncio.wait_for(reader.readexactly(4), 5) == b"held"
    writer.close()
    await proxy.close()


async def test_the_threaded_proxy_works_while_the_caller_blocks(echo_port: int) -> None:
    with ThreadedProxy("127.0.0.1", echo_port) as proxy:
        _, writer, answer = await _say(proxy.port, b"ping")
        assert answer == b"ping"
        await asyncio.to_thread(proxy.cut)
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", proxy.port)
        await asyncio.to_thread(proxy.restore)
        _, again, answer = await _say(proxy.port, b"pong")
        assert answer == b"pong"
        writer.close()
        again.close()
