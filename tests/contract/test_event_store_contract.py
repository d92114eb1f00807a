"""The event store contract: every adapter passes every test here."""

import asyncio
import uuid

import pytest

from shared.adapters.eventstore import EventStore, NewEvent, RecordedEvent
from shared.kernel.errors import WrongExpectedVersion
from shared.kernel.ids import event_id


def new_events(cause: str, count: int, type_: str = "intake.ProposalSubmitted.v1") -> list[NewEvent]:
    return [
        NewEvent(
            id=event_id(cause, i),
            type=type_,
            data={"title": "关于进一步加强城市社区养老服务体系建设的提案", "item": i},
            metadata={"correlation_id": cause},
        )
        for i in range(count)
    ]


def a_stream() -> str:
    return f"intake-proposal-{uuid.uuid4().hex}"


async def events_of(store: EventStore, streams: set[str], after: int) -> list[RecordedEvent]:
    """Everything after `after` in the given streams (other tests may share the server)."""
    seen: list[RecordedEvent] = []
    while True:
        batch = await store.read_all(after, 200)
        if not batch:
            return seen
        seen.extend(e for e in batch if e.stream in streams)
        after = batch[-1].position


async def collect(store: EventStore, streams: set[str], after: int, count: int) -> list[RecordedEvent]:
    seen: list[RecordedEvent] = []

    async def run() -> None:
        async for event in store.subscribe(after):
            if event.stream in streams:
                seen.append(event)
                if len(seen) == count:
                    return

    await asyncio.wait_for(run(), 20)
    return seen


async def test_a_new_stream_is_appended_at_expected_version_zero(store: EventStore) -> None:
    stream = a_stream()
    result = await store.append(stream, new_events("c1", 2), expected_version=0)
    assert result.version == 2
    recorded = await store.read_stream(stream)
    assert [e.version for e in recorded] == [0, 1]
    assert [e.data["item"] for e in recorded] == [0, 1]
    assert recorded[1].position == result.position
    assert recorded[0].metadata == {"correlation_id": "c1"}
    assert recorded[0].type == "intake.ProposalSubmitted.v1"
    assert recorded[0].data["title"] == "关于进一步加强城市社区养老服务体系建设的提案"


async def test_a_wrong_expected_version_raises_and_appends_nothing(store: EventStore) -> None:
    stream = a_stream()
    await store.append(stream, new_events("c1", 1), expected_version=0)
    for wrong in (0, 2, 5):
        with pytest.raises(WrongExpectedVersion) as raised:
            await store.append(stream, new_events(f"c-{wrong}", 2), expected_version=wrong)
        assert raised.value.stream == stream
        assert raised.value.actual == 1
    assert len(await store.read_stream(stream)) == 1


async def test_appending_to_a_missing_stream_with_a_version_raises(store: EventStore) -> None:
    with pytest.raises(WrongExpectedVersion):
        await store.append(a_stream(), new_events("c1", 1), expected_version=3)


async def test_appending_the_same_event_ids_again_appends_nothing(store: EventStore) -> None:
    stream = a_stream()
    start = await store.head()
    first = await store.append(stream, new_events("c1", 2), expected_version=0)
    again = await store.append(stream, new_events("c1", 2), expected_version=0)
    assert again == first
    await store.append(stream, new_events("c2", 1), expected_version=2)
    retried_late = await store.append(stream, new_events("c1", 2), expected_version=0)
    assert retried_late == first
    assert len(await store.read_stream(stream)) == 3
    assert len(await events_of(store, {stream}, start)) == 3


async def test_a_stream_keeps_its_total_order(store: EventStore) -> None:
    stream = a_stream()
    for batch in range(5):
        await store.append(stream, new_events(f"c{batch}", 3), expected_version=batch * 3)
    recorded = await store.read_stream(stream)
    assert [e.version for e in recorded] == list(range(15))
    positions = [e.position for e in recorded]
    assert positions == sorted(positions) and len(set(positions)) == 15
    assert [e.version for e in await store.read_stream(stream, from_version=12)] == [12, 13, 14]


async def test_reading_a_missing_stream_gives_nothing(store: EventStore) -> None:
    assert await store.read_stream(a_stream()) == []


async def test_read_all_is_in_global_order_from_a_position(store: EventStore) -> None:
    a, b = a_stream(), a_stream()
    start = await store.head()
    await store.append(a, new_events("a1", 1), 0)
    await store.append(b, new_events("b1", 2), 0)
    await store.append(a, new_events("a2", 1), 1)
    seen = await events_of(store, {a, b}, start)
    assert [(e.stream, e.version) for e in seen] == [(a, 0), (b, 0), (b, 1), (a, 1)]
    after_second = await events_of(store, {a, b}, seen[1].position)
    assert [(e.stream, e.version) for e in after_second] == [(b, 1), (a, 1)]


async def test_readers_never_see_a_gap_while_writers_append_concurrently(store: EventStore) -> None:
    streams = {a_stream() for _ in range(8)}
    start = await store.head()
    per_stream = 12
    writing = True
    seen: list[RecordedEvent] = []

    async def write(stream: str) -> None:
        for i in range(per_stream):
            await store.append(stream, new_events(f"{stream}/{i}", 1), expected_version=i)

    async def read() -> None:
        position = start
        while True:
            done = not writing
            batch = await store.read_all(position, 50)
            for event in batch:
                assert event.position > position
                position = event.position
                if event.stream in streams:
                    seen.append(event)
            if done and not batch:
                return
            await asyncio.sleep(0)

    reader = asyncio.create_task(read())
    await asyncio.gather(*(write(s) for s in streams))
    writing = False
    await asyncio.wait_for(reader, 30)
    final = await events_of(store, streams, start)
    assert [e.id for e in seen] == [e.id for e in final]
    assert len(final) == len(streams) * per_stream


async def test_subscribe_from_a_position_excludes_that_position(store: EventStore) -> None:
    stream = a_stream()
    await store.append(stream, new_events("c1", 3), 0)
    recorded = await store.read_stream(stream)
    seen = await collect(store, {stream}, recorded[0].position, 2)
    assert [e.version for e in seen] == [1, 2]


async def test_a_subscriber_sees_events_appended_after_it_started(store: EventStore) -> None:
    stream = a_stream()
    start = await store.head()
    waiting = asyncio.create_task(collect(store, {stream}, start, 3))
    await asyncio.sleep(0.05)  # the subscriber is now idle, waiting for new events
    await store.append(stream, new_events("c1", 1), 0)
    await store.append(stream, new_events("c2", 2), 1)
    seen = await waiting
    assert [e.version for e in seen] == [0, 1, 2]


async def test_a_subscriber_that_stops_resumes_from_its_checkpoint(store: EventStore) -> None:
    stream = a_stream()
    start = await store.head()
    await store.append(stream, new_events("c1", 4), 0)
    first = await collect(store, {stream}, start, 2)
    checkpoint = first[-1].position
    await store.append(stream, new_events("c2", 3), 4)
    rest = await collect(store, {stream}, checkpoint, 5)
    ids = [e.id for e in first + rest]
    assert len(ids) == len(set(ids)) == 7
    assert [e.version for e in first + rest] == list(range(7))


async def test_head_is_the_position_of_the_last_event(store: EventStore) -> None:
    stream = a_stream()
    result = await store.append(stream, new_events("c1", 2), 0)
    assert await store.head() >= result.position
    last = (await store.read_stream(stream))[-1]
    assert last.position == result.position


async def test_ping_answers_when_the_store_is_reachable(store: EventStore) -> None:
    await store.ping()
