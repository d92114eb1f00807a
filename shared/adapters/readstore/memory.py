"""In-memory read store, for the embedded run and unit tests."""

import fnmatch

from shared.adapters.readstore import Changes, Op


class ZSet(dict[str, float]):
    """A sorted set's members and scores: a type of its own, so it is never taken for a hash."""


Value = str | dict[str, str] | set[str] | ZSet | list[str]


class InMemoryReadStore:
    def __init__(self) -> None:
        self._data: dict[str, Value] = {}
        self._checkpoints: dict[str, int] = {}

    async def commit(self, changes: Changes, checkpoint: tuple[str, int] | None = None) -> None:
        staged = {key: _copy(value) for key, value in self._data.items() if _touched(key, changes)}
        for op in changes.ops:
            _apply(staged, op)
        for key in {op[1] for op in changes.ops}:
            value = staged.get(key)
            if value is None or (not isinstance(value, str) and not value):
                self._data.pop(key, None)
            else:
                self._data[key] = value
        if checkpoint is not None:
            self._checkpoints[checkpoint[0]] = checkpoint[1]

    async def checkpoint(self, name: str) -> int:
        return self._checkpoints.get(name, 0)

    async def get(self, key: str) -> str | None:
        value = self._data.get(key)
        return value if isinstance(value, str) else None

    async def kind(self, key: str) -> str | None:
        value = self._data.get(key)
        if value is None:
            return None
        if isinstance(value, ZSet):
            return "zset"
        return {str: "string", dict: "hash", set: "set", list: "list"}[type(value)]

    async def hgetall(self, key: str) -> dict[str, str]:
        value = self._data.get(key)
        return dict(value) if isinstance(value, dict) and not isinstance(value, ZSet) else {}

    async def smembers(self, key: str) -> set[str]:
        value = self._data.get(key)
        return set(value) if isinstance(value, set) else set()

    async def zrange(self, key: str) -> list[tuple[str, float]]:
        value = self._data.get(key)
        if not isinstance(value, ZSet):
            return []
        scores = {member: float(score) for member, score in value.items()}
        return sorted(scores.items(), key=lambda item: (item[1], item[0]))

    async def lrange(self, key: str) -> list[str]:
        value = self._data.get(key)
        return list(value) if isinstance(value, list) else []

    async def keys(self, pattern: str) -> list[str]:
        return sorted(k for k in self._data if fnmatch.fnmatchcase(k, pattern))

    async def drop(self, namespace: str) -> int:
        doomed = [k for k in self._data if k.startswith(f"{namespace}:")]
        for key in doomed:
            del self._data[key]
        self._checkpoints.pop(namespace, None)
        return len(doomed)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


def _touched(key: str, changes: Changes) -> bool:
    return any(op[1] == key for op in changes.ops)


def _copy(value: Value) -> Value:
    if isinstance(value, ZSet):
        return ZSet(value)
    return value if isinstance(value, str) else value.copy()


def _apply(data: dict[str, Value], op: Op) -> None:
    key = op[1]
    match op:
        case ("set", _, value):
            data[key] = value
        case ("delete", _):
            data.pop(key, None)
        case ("hset", _, mapping):
            _hash(data, key).update(mapping)
        case ("hdel", _, fields):
            for name in fields:
                _hash(data, key).pop(name, None)
        case ("hincrby", _, name, amount):
            table = _hash(data, key)
            table[name] = str(int(table.get(name, "0")) + amount)
        case ("sadd", _, members):
            _set(data, key).update(members)
        case ("srem", _, members):
            _set(data, key).difference_update(members)
        case ("zadd", _, mapping):
            _zset(data, key).update(mapping)
        case ("zrem", _, members):
            for member in members:
                _zset(data, key).pop(member, None)
        case ("rpush", _, values):
            _list(data, key).extend(values)


def _hash(data: dict[str, Value], key: str) -> dict[str, str]:
    value = data.setdefault(key, {})
    assert isinstance(value, dict)
    return value  # type: ignore[return-value]


def _zset(data: dict[str, Value], key: str) -> ZSet:
    value = data.setdefault(key, ZSet())
    assert isinstance(value, ZSet)
    return value


def _set(data: dict[str, Value], key: str) -> set[str]:
    value = data.setdefault(key, set())
    assert isinstance(value, set)
    return value


def _list(data: dict[str, Value], key: str) -> list[str]:
    value = data.setdefault(key, [])
    assert isinstance(value, list)
    return value
