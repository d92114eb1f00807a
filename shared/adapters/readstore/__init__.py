"""The read-model port: views in a key-value store, written together with their checkpoint.

Writers collect `Changes` and commit them with the checkpoint of the last event they describe in
one atomic step, so a view never runs ahead of, or behind, its checkpoint. Keys are relative:
each adapter puts them under its own prefix, so tests and agencies can share one server.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

Op = (
    tuple[Literal["set"], str, str]
    | tuple[Literal["delete"], str]
    | tuple[Literal["hset"], str, Mapping[str, str]]
    | tuple[Literal["hdel"], str, Sequence[str]]
    | tuple[Literal["hincrby"], str, str, int]
    | tuple[Literal["sadd"], str, Sequence[str]]
    | tuple[Literal["srem"], str, Sequence[str]]
    | tuple[Literal["zadd"], str, Mapping[str, float]]
    | tuple[Literal["zrem"], str, Sequence[str]]
    | tuple[Literal["rpush"], str, Sequence[str]]
)


@dataclass
class Changes:
    """Writes to apply together; built by projections, committed by the runner."""

    ops: list[Op] = field(default_factory=list)

    def set(self, key: str, value: str) -> None:
        self.ops.append(("set", key, value))

    def delete(self, key: str) -> None:
        self.ops.append(("delete", key))

    def hset(self, key: str, mapping: Mapping[str, str]) -> None:
        if mapping:
            self.ops.append(("hset", key, dict(mapping)))

    def hdel(self, key: str, *fields: str) -> None:
        if fields:
            self.ops.append(("hdel", key, fields))

    def hincrby(self, key: str, field_: str, amount: int = 1) -> None:
        self.ops.append(("hincrby", key, field_, amount))

    def sadd(self, key: str, *members: str) -> None:
        if members:
            self.ops.append(("sadd", key, members))

    def srem(self, key: str, *members: str) -> None:
        if members:
            self.ops.append(("srem", key, members))

    def zadd(self, key: str, mapping: Mapping[str, float]) -> None:
        if mapping:
            self.ops.append(("zadd", key, dict(mapping)))

    def zrem(self, key: str, *members: str) -> None:
        if members:
            self.ops.append(("zrem", key, members))

    def rpush(self, key: str, *values: str) -> None:
        if values:
            self.ops.append(("rpush", key, values))

    def __len__(self) -> int:
        return len(self.ops)


class ReadStore(Protocol):
    async def commit(self, changes: Changes, checkpoint: tuple[str, int] | None = None) -> None:
        """Apply every change and set the named checkpoint, all at once or not at all."""
        ...

    async def checkpoint(self, name: str) -> int:
        """The stored position of a checkpoint, 0 if it was never set."""
        ...

    async def kind(self, key: str) -> str | None:
        """What the key holds: "string", "hash", "set", "zset" or "list"; None when missing."""
        ...

    async def get(self, key: str) -> str | None: ...

    async def hgetall(self, key: str) -> dict[str, str]: ...

    async def smembers(self, key: str) -> set[str]: ...

    async def zrange(self, key: str) -> list[tuple[str, float]]: ...

    async def lrange(self, key: str) -> list[str]: ...

    async def keys(self, pattern: str) -> list[str]:
        """Relative keys matching a glob pattern."""
        ...

    async def drop(self, namespace: str) -> int:
        """Delete every key under `namespace:` and the checkpoint named `namespace`."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
