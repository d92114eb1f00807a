"""Several stores on one KurrentDB server, each the streams under its own prefix: each sees its own.

Runs only where KURRENTDB_URL (or ESDB_URL) names a server; skipped, with that reason, otherwise.
"""

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import cast

import pytest

from shared.adapters.eventstore import NewEvent, RecordedEvent
from shared.adapters.eventstore.kurrentdb import KurrentDBEventStore
from shared.adapters.eventstore.prefix import StreamPrefix
from tests.servers import require_kurrentdb


def rounds_opened(count: int) -> list[NewEvent]:
    return [
        NewEvent(uuid.uuid4(), "reply.round-opened.v1", {"proposal_id": "wuhai-60", "round": i}, {})
        for i in range(count)
    ]


@pytest.fixture
async def stores() -> AsyncIterator[dict[str, KurrentDBEventStore]]:
    """The central reply and two agencies' own instances of it, on one server, under fresh prefixes."""
    url = require_kurrentdb()
    tag = uuid.uuid4().hex[:10]
    opened = {
        name: await KurrentDBEventStore.open(url, streams=StreamPrefix.of("reply", f"{name}_{tag}"))
        for name in ("reply", "reply_shangwu", "reply_weijian")
    }
    try:
        yield opened
    finally:
        for store in opened.values():
            await store.close()


async def first(subscription: AsyncIterator[RecordedEvent], count: int) -> list[RecordedEvent]:
    seen: list[RecordedEvent] = []
    async for event in subscription:
        seen.append(event)
        if len(seen) == count:
            return seen
    return seen


async def test_each_store_on_a_shared_server_sees_only_its_own_streams(
    stores: dict[str, KurrentDBEventStore],
) -> None:
    reply, shangwu, weijian = stores["reply"], stores["reply_shangwu"], stores["reply_weijian"]
    assert await shangwu.head() == 0
    ours = await shangwu.append("reply-proposal-wuhai-60", rounds_opened(2), 0)
    await reply.append("reply-proposal-wuhai-60", rounds_opened(1), 0)  # the same name, another store
    await weijian.append("reply-proposal-wuhai-61", rounds_opened(3), 0)

    seen = await shangwu.read_all()
    assert [(e.stream, e.version) for e in seen] == [
        ("reply-proposal-wuhai-60", 0),
        ("reply-proposal-wuhai-60", 1),
    ]
    assert await shangwu.head() == ours.position
    assert [e.version for e in await reply.read_stream("reply-proposal-wuhai-60")] == [0]
    subscription = cast(AsyncGenerator[RecordedEvent, None], weijian.subscribe())
    try:
        subscribed = await asyncio.wait_for(first(subscription, 3), 20)
    finally:
        await subscription.aclose()
    assert {e.stream for e in subscribed} == {"reply-proposal-wuhai-61"}
    with pytest.raises(ValueError):
        await shangwu.append("allocation-proposal-wuhai-60", rounds_opened(1), 0)
