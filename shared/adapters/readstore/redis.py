"""Redis read store: every commit is one MULTI/EXEC with the checkpoint in it.

Every key it touches is under its prefix, and `COMMANDS` are all it sends: a store's Redis user is
allowed those on `<prefix>:*` and nothing else (runtime/redis_acl.py).
"""

from collections.abc import Awaitable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from shared.adapters.readstore import Changes, Op

COMMANDS = (
    # on connecting, from redis-py, the database when the URL names one; its CLIENT SETINFO (the
    # library's name and version) stays refused: redis-py ignores the refusal, and a Redis before
    # 7.2 knows no such command, in an ACL file or anywhere
    "select",
    "ping",
    # a commit
    "multi",
    "exec",
    "set",
    "del",
    "hset",
    "hdel",
    "hincrby",
    "sadd",
    "srem",
    "zadd",
    "zrem",
    "rpush",
    # the reads, `keys` and `drop`
    "get",
    "type",
    "hgetall",
    "smembers",
    "zrange",
    "lrange",
    "scan",
    "unlink",
)
"""The Redis commands this adapter sends, as ACL rules name them."""


class RedisReadStore:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "pp") -> "RedisReadStore":
        return cls(Redis.from_url(url, decode_responses=True), prefix)

    @property
    def redis(self) -> Redis:
        return self._redis

    def _key(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    def _checkpoint_key(self, name: str) -> str:
        return f"{self._prefix}:checkpoint:{name}"

    async def commit(self, changes: Changes, checkpoint: tuple[str, int] | None = None) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for op in changes.ops:
                self._queue(pipe, op)
            if checkpoint is not None:
                pipe.set(self._checkpoint_key(checkpoint[0]), checkpoint[1])
            await pipe.execute()

    def _queue(self, pipe: Pipeline, op: Op) -> None:
        key = self._key(op[1])
        match op:
            case ("set", _, value):
                pipe.set(key, value)
            case ("delete", _):
                pipe.delete(key)
            case ("hset", _, mapping):
                pipe.hset(key, items=[part for pair in mapping.items() for part in pair])
            case ("hdel", _, fields):
                pipe.hdel(key, *fields)
            case ("hincrby", _, name, amount):
                pipe.hincrby(key, name, amount)
            case ("sadd", _, members):
                pipe.sadd(key, *members)
            case ("srem", _, members):
                pipe.srem(key, *members)
            case ("zadd", _, mapping):
                pipe.zadd(key, dict(mapping))
            case ("zrem", _, members):
                pipe.zrem(key, *members)
            case ("rpush", _, values):
                pipe.rpush(key, *values)

    async def checkpoint(self, name: str) -> int:
        value = await self._redis.get(self._checkpoint_key(name))
        return int(value) if value is not None else 0

    async def kind(self, key: str) -> str | None:
        found = str(await _wait(self._redis.type(self._key(key))))
        return None if found == "none" else found

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._key(key))
        return None if value is None else str(value)

    async def hgetall(self, key: str) -> dict[str, str]:
        raw: dict[str, str] = await _wait(self._redis.hgetall(self._key(key)))
        return {str(k): str(v) for k, v in raw.items()}

    async def smembers(self, key: str) -> set[str]:
        members: set[str] = await _wait(self._redis.smembers(self._key(key)))
        return {str(m) for m in members}

    async def zrange(self, key: str) -> list[tuple[str, float]]:
        pairs = await self._redis.zrange(self._key(key), 0, -1, withscores=True)
        return [(str(pair[0]), float(pair[1])) for pair in pairs]

    async def lrange(self, key: str) -> list[str]:
        values: list[str] = await _wait(self._redis.lrange(self._key(key), 0, -1))
        return [str(v) for v in values]

    async def keys(self, pattern: str) -> list[str]:
        cut = len(self._prefix) + 1
        found = [k[cut:] async for k in self._redis.scan_iter(match=self._key(pattern), count=500)]
        return sorted(found)

    async def drop(self, namespace: str) -> int:
        dropped = 0
        batch: list[str] = []
        async for key in self._redis.scan_iter(match=f"{self._key(namespace)}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                dropped += await self._redis.unlink(*batch)
                batch.clear()
        if batch:
            dropped += await self._redis.unlink(*batch)
        await self._redis.delete(self._checkpoint_key(namespace))
        return dropped

    async def ping(self) -> None:
        await _wait(self._redis.ping())

    async def close(self) -> None:
        await self._redis.aclose()


T = TypeVar("T")


async def _wait(result: Awaitable[T] | T) -> T:
    """redis-py types its commands as sync-or-async; the asyncio client always returns awaitables."""
    if isinstance(result, Awaitable):
        return await result
    return result
