"""The read store contract: the in-memory and Redis adapters behave the same, and Redis does so as a
store's own user, which may run no command the adapter does not declare."""

import asyncio

from shared.adapters.readstore import Changes, ReadStore


async def test_a_commit_applies_every_change_and_its_checkpoint(read_store: ReadStore) -> None:
    changes = Changes()
    changes.hset("units:minzheng", {"name": "市民政局", "open": "3"})
    changes.sadd("units", "minzheng", "shangwu")
    changes.set("title:254", "关于加快推进社区居家养老服务的提案")
    changes.zadd("due", {"254": 20260930.0})
    changes.rpush("timeline:254", "submitted", "registered")
    changes.hincrby("counts", "registered", 2)
    await read_store.commit(changes, ("units", 42))

    assert await read_store.hgetall("units:minzheng") == {"name": "市民政局", "open": "3"}
    assert await read_store.smembers("units") == {"minzheng", "shangwu"}
    assert await read_store.get("title:254") == "关于加快推进社区居家养老服务的提案"
    assert await read_store.zrange("due") == [("254", 20260930.0)]
    assert await read_store.lrange("timeline:254") == ["submitted", "registered"]
    assert await read_store.hgetall("counts") == {"registered": "2"}
    assert await read_store.checkpoint("units") == 42


async def test_later_changes_update_and_remove(read_store: ReadStore) -> None:
    first = Changes()
    first.hset("p:60", {"state": "registered", "lead": "shangwu"})
    first.sadd("state:registered", "60")
    first.hincrby("counts", "registered")
    await read_store.commit(first, ("p", 1))
    second = Changes()
    second.hset("p:60", {"state": "allocated"})
    second.hdel("p:60", "lead")
    second.srem("state:registered", "60")
    second.hincrby("counts", "registered", -1)
    second.zadd("z", {"a": 1.0, "b": 2.0})
    second.zrem("z", "a")
    second.delete("missing")
    await read_store.commit(second, ("p", 2))
    assert await read_store.hgetall("p:60") == {"state": "allocated"}
    assert await read_store.smembers("state:registered") == set()
    assert await read_store.hgetall("counts") == {"registered": "0"}
    assert await read_store.zrange("z") == [("b", 2.0)]
    assert await read_store.checkpoint("p") == 2


async def test_a_checkpoint_never_set_is_zero(read_store: ReadStore) -> None:
    assert await read_store.checkpoint("never") == 0
    assert await read_store.get("nothing") is None
    assert await read_store.hgetall("nothing") == {}


async def test_drop_removes_a_namespace_and_its_checkpoint_only(read_store: ReadStore) -> None:
    changes = Changes()
    changes.hset("unit-view:minzheng", {"open": "1"})
    changes.sadd("unit-view:index", "minzheng")
    changes.set("office-view:total", "1")
    await read_store.commit(changes, ("unit-view", 7))
    await read_store.commit(Changes(), ("office-view", 9))
    assert await read_store.drop("unit-view") == 2
    assert await read_store.keys("unit-view:*") == []
    assert await read_store.checkpoint("unit-view") == 0
    assert await read_store.get("office-view:total") == "1"
    assert await read_store.checkpoint("office-view") == 9


async def test_keys_lists_relative_keys_by_pattern(read_store: ReadStore) -> None:
    changes = Changes()
    changes.set("v:a", "1")
    changes.set("v:b", "2")
    changes.set("w:c", "3")
    await read_store.commit(changes)
    assert await read_store.keys("v:*") == ["v:a", "v:b"]


async def test_a_writer_cancelled_mid_commit_stops(read_store: ReadStore) -> None:
    """A projection or gateway must stop when cancelled, even inside a commit."""
    for trial in range(60):

        async def commit_for_ever(n: int) -> None:
            while True:
                changes = Changes()
                changes.set("cancel-probe", str(n))
                await read_store.commit(changes, ("probe", n))
                await asyncio.sleep(0)  # the in-memory store never yields by itself

        task = asyncio.create_task(commit_for_ever(trial))
        for _ in range(trial % 7):
            await asyncio.sleep(0)
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=2)
        assert done, f"the cancelled writer was still running after 2 s (trial {trial})"


async def test_each_key_tells_what_it_holds(read_store: ReadStore) -> None:
    changes = Changes()
    changes.set("k:string", "第60号")
    changes.hset("k:hash", {"state": "REPLIED"})
    changes.sadd("k:set", "minzheng")
    changes.zadd("k:zset", {"60": 1.0})
    changes.rpush("k:list", "submitted")
    await read_store.commit(changes)
    expected = {"k:string": "string", "k:hash": "hash", "k:set": "set", "k:zset": "zset", "k:list": "list"}
    assert {key: await read_store.kind(key) for key in expected} == expected
    assert await read_store.kind("k:missing") is None
