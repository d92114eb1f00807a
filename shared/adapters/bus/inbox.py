"""Inbox adapters: which message ids a consumer has already processed."""

from redis.asyncio import Redis

REDIS_COMMANDS = ("exists", "set")
"""What `RedisInbox` sends, as ACL rules name them, on the read store's connection and under its prefix."""


class NoInbox:
    """For a consumer whose handlers recognise a message they had before by themselves (every
    command carries the message id as its command id; a record is appended once per message id):
    no round trips to remember what the store already knows."""

    async def seen(self, consumer: str, message_id: str) -> bool:
        return False

    async def remember(self, consumer: str, message_id: str) -> None:
        return None


class InMemoryInbox:
    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()

    async def seen(self, consumer: str, message_id: str) -> bool:
        return (consumer, message_id) in self._seen

    async def remember(self, consumer: str, message_id: str) -> None:
        self._seen.add((consumer, message_id))


class RedisInbox:
    """One key per processed message, under the consumer's prefix, kept for `ttl_seconds`."""

    def __init__(self, redis: Redis, prefix: str, ttl_seconds: int = 30 * 24 * 3600) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_seconds

    def _key(self, consumer: str, message_id: str) -> str:
        return f"{self._prefix}:inbox:{consumer}:{message_id}"

    async def seen(self, consumer: str, message_id: str) -> bool:
        return bool(await self._redis.exists(self._key(consumer, message_id)))

    async def remember(self, consumer: str, message_id: str) -> None:
        await self._redis.set(self._key(consumer, message_id), "1", ex=self._ttl)
