"""Each store's own Redis user on the real Redis: its own keys, nothing of another's, no administration.

Every test makes the users of two stores, intake and allocation, as `runtime.redis_acl` does for a
deployment (ACL SETUSER, as the server's administrator), under names and key prefixes of its own,
and deletes the users and their keys afterwards; the server's other users are left as they are.
The last test loads the ACL file compose mounts into a Redis of its own, as compose starts it.
"""

import re
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import AuthenticationError, NoPermissionError

from runtime.redis_acl import COMMANDS, RedisUser, apply, remove, write_acl_file
from shared.adapters.bus.inbox import RedisInbox
from shared.adapters.readstore import Changes
from shared.adapters.readstore.redis import RedisReadStore
from tests.servers import IN_CI, require_redis

NO_KEY = r"(?i)no permissions to access"
"""How Redis refuses a key outside the user's patterns (NOPERM; worded differently from 7.2 on)."""


def no_command(name: str) -> str:
    return rf"(?i)no permissions to run the '{re.escape(name)}' command"


@pytest.fixture
async def users() -> AsyncIterator[dict[str, RedisUser]]:
    """intake's and allocation's users, as a deployment has them, under a name of the test's own."""
    admin_url = require_redis()
    tag = f"acl_{uuid.uuid4().hex[:10]}"
    made = {
        store: RedisUser(f"{tag}_{store}", f"{tag}:{store}", password=f"{store}-{uuid.uuid4().hex}")
        for store in ("intake", "allocation")
    }
    await apply(admin_url, list(made.values()))
    try:
        yield made
    finally:
        await remove(admin_url, list(made.values()))
        admin = Redis.from_url(admin_url, decode_responses=True)
        try:
            keys = [key async for key in admin.scan_iter(match=f"{tag}:*")]
            if keys:
                await admin.delete(*keys)
            left = [name for name in await admin.acl_users() if str(name).startswith(tag)]
            assert left == [], f"users left behind: {left}"
        finally:
            await admin.aclose()


def store_as(user: RedisUser, prefix: str | None = None) -> RedisReadStore:
    """The read store as a service opens it: READSTORE_URL with its user, on a prefix (its own)."""
    return RedisReadStore.from_url(user.url(require_redis()), prefix or user.prefix)


def client_as(user: RedisUser, server_url: str | None = None) -> Redis:
    return Redis.from_url(user.url(server_url or require_redis()), decode_responses=True)


async def run(client: Redis, *command: str) -> Any:
    """One command as written, its answer or the server's refusal as redis-py raises it."""
    return await client.execute_command(*command)  # type: ignore[no-untyped-call]


def allocated(proposal: str) -> Changes:
    changes = Changes()
    changes.hset(
        f"case:{proposal}", {"state": "ALLOCATED", "lead": "minzheng", "title": "关于加快推进养老服务的提案"}
    )
    changes.sadd("unit:minzheng:open", proposal)
    changes.zadd("deadlines", {proposal: 20260930.0})
    changes.rpush(f"timeline:{proposal}", "registered", "allocated")
    changes.hincrby("counts", "allocated")
    return changes


async def test_a_services_user_writes_and_reads_its_own_keys_through_the_adapter(
    users: dict[str, RedisUser],
) -> None:
    allocation = store_as(users["allocation"])
    try:
        await allocation.commit(allocated("zhongwei-12"), ("deadlines", 17))
        await allocation.commit(Changes(), ("gateway-allocation", 23))

        assert await allocation.checkpoint("deadlines") == 17
        assert await allocation.checkpoint("gateway-allocation") == 23
        assert (await allocation.hgetall("case:zhongwei-12"))["state"] == "ALLOCATED"
        assert await allocation.kind("deadlines") == "zset"
        assert await allocation.lrange("timeline:zhongwei-12") == ["registered", "allocated"]
        assert await allocation.keys("case:*") == ["case:zhongwei-12"]
        inbox = RedisInbox(allocation.redis, users["allocation"].prefix)
        await inbox.remember("allocation", "0b6f5c1e-message")
        assert await inbox.seen("allocation", "0b6f5c1e-message")
        assert await allocation.drop("case") == 1
        await allocation.ping()
    finally:
        await allocation.close()


async def test_a_services_user_cannot_read_or_write_another_services_keys(
    users: dict[str, RedisUser],
) -> None:
    intake = store_as(users["intake"])
    await intake.commit(allocated("wuhai-60"), ("proposals", 5))
    theirs = users["intake"].prefix
    allocation = client_as(users["allocation"])
    try:
        for read in (
            ["GET", f"{theirs}:checkpoint:proposals"],
            ["HGETALL", f"{theirs}:case:wuhai-60"],
            ["TYPE", f"{theirs}:case:wuhai-60"],
            ["EXISTS", f"{theirs}:case:wuhai-60"],
            ["SMEMBERS", f"{theirs}:unit:minzheng:open"],
            ["LRANGE", f"{theirs}:timeline:wuhai-60", "0", "-1"],
        ):
            with pytest.raises(NoPermissionError, match=NO_KEY):
                await run(allocation, *read)
        for write in (
            ["SET", f"{theirs}:checkpoint:proposals", "0"],
            ["HSET", f"{theirs}:case:wuhai-60", "state", "CLOSED"],
            ["DEL", f"{theirs}:case:wuhai-60"],
            ["UNLINK", f"{theirs}:deadlines"],
            ["RPUSH", f"{theirs}:timeline:wuhai-60", "closed"],
        ):
            with pytest.raises(NoPermissionError, match=NO_KEY):
                await run(allocation, *write)

        # A service started on another's prefix by mistake: the adapter gets the same answer.
        mistaken = store_as(users["allocation"], prefix=users["intake"].prefix)
        try:
            with pytest.raises(NoPermissionError, match=NO_KEY):
                await mistaken.checkpoint("proposals")
            with pytest.raises(NoPermissionError, match=NO_KEY):
                await mistaken.commit(allocated("wuhai-60"), ("proposals", 99))
        finally:
            await mistaken.close()

        assert await intake.checkpoint("proposals") == 5
        assert await intake.hgetall("case:wuhai-60") == {
            "state": "ALLOCATED",
            "lead": "minzheng",
            "title": "关于加快推进养老服务的提案",
        }
    finally:
        await allocation.aclose()
        await intake.close()


async def test_a_services_user_can_run_no_administrative_command(users: dict[str, RedisUser]) -> None:
    user = users["allocation"]
    admin = Redis.from_url(require_redis(), decode_responses=True)
    allocation = client_as(user)
    refused = {
        "flushall": ["FLUSHALL"],
        "flushdb": ["FLUSHDB"],
        "config|get": ["CONFIG", "GET", "*"],
        "config|set": ["CONFIG", "SET", "maxmemory", "1"],
        "keys": ["KEYS", "*"],
        "acl|setuser": ["ACL", "SETUSER", user.name, "~*", "+@all"],
        "info": ["INFO"],
        "eval": ["EVAL", "return 1", "0"],
        "publish": ["PUBLISH", "proposals", "第60号"],
        "subscribe": ["SUBSCRIBE", "proposals"],
    }
    try:
        for name, command in refused.items():
            # Asked of the server first: a command that would run is never sent to the shared server.
            verdict = await run(admin, "ACL", "DRYRUN", user.name, *command)
            assert verdict != "OK", f"{user.name} may run {name}"
            with pytest.raises(NoPermissionError, match=no_command(name)):
                await run(allocation, *command)
    finally:
        await allocation.aclose()
        await admin.aclose()


async def test_a_wrong_password_logs_no_one_in(users: dict[str, RedisUser]) -> None:
    wrong = RedisUser(users["intake"].name, users["intake"].prefix, password="not-its-password")
    client = client_as(wrong)
    try:
        with pytest.raises(AuthenticationError, match="invalid username-password pair"):
            await run(client, "PING")
    finally:
        await client.aclose()


async def test_the_users_commands_are_neither_dangerous_nor_administrative() -> None:
    admin = Redis.from_url(require_redis(), decode_responses=True)
    try:
        dangerous = set(await admin.acl_cat("dangerous")) | set(await admin.acl_cat("admin"))
        known = await run(admin, "COMMAND")
    finally:
        await admin.aclose()
    assert set(COMMANDS) & dangerous == set()
    assert set(COMMANDS) <= set(known), "a command this server does not know fails the whole ACL file"


# --- The file compose mounts, loaded by a Redis of its own --------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class OwnRedis:
    url: str
    admin_password: str
    intake: RedisUser
    views: RedisUser


@pytest.fixture
def redis_with_acl_file(tmp_path: Path) -> Iterator[OwnRedis]:
    """A redis-server started as compose starts it, on the file runtime.redis_acl writes."""
    server = shutil.which("redis-server")
    if server is None:
        reason = "redis-server is not installed: the ACL file cannot be loaded"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true)")
        pytest.skip(reason)
    intake, views = (RedisUser(s, f"pp:{s}", password=f"{s}-{uuid.uuid4().hex}") for s in ("intake", "views"))
    admin_password = f"admin-{uuid.uuid4().hex}"
    write_acl_file(tmp_path / "users.acl", [intake, views], admin_password)
    port = free_port()
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), "--save", ""]
    log = tmp_path / "redis.log"
    command += ["--appendonly", "no", "--aclfile", str(tmp_path / "users.acl"), "--logfile", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not accepts(port):
            if process.poll() is not None:
                pytest.fail(f"redis-server refused the ACL file: {log.read_text(encoding='utf-8')[-2000:]}")
            assert time.monotonic() < deadline, "redis-server did not answer within 10 s"
            time.sleep(0.05)
        yield OwnRedis(f"redis://127.0.0.1:{port}/0", admin_password, intake, views)
    finally:
        process.terminate()
        process.wait(10)


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


async def test_the_acl_file_locks_out_anyone_without_a_password_and_keeps_each_store_to_its_keys(
    redis_with_acl_file: OwnRedis,
) -> None:
    server = redis_with_acl_file
    anonymous = Redis.from_url(server.url, decode_responses=True)
    admin = Redis.from_url(server.url, password=server.admin_password, decode_responses=True)
    views = RedisReadStore.from_url(server.views.url(server.url), server.views.prefix)
    intake = client_as(server.intake, server.url)
    try:
        with pytest.raises(AuthenticationError, match=r"(?i)authentication required"):
            await run(anonymous, "PING")
        assert await run(admin, "PING")

        await views.commit(allocated("jincheng-254"), ("proposals", 3))
        assert await views.checkpoint("proposals") == 3
        with pytest.raises(NoPermissionError, match=NO_KEY):
            await run(intake, "GET", "pp:views:checkpoint:proposals")
        with pytest.raises(NoPermissionError, match=NO_KEY):
            await run(intake, "SET", "pp:views:checkpoint:proposals", "0")
        with pytest.raises(NoPermissionError, match=no_command("flushall")):
            await run(intake, "FLUSHALL")
        assert await run(admin, "GET", "pp:views:checkpoint:proposals") == "3"
    finally:
        for client in (anonymous, admin, intake):
            await client.aclose()
        await views.close()
