"""The KurrentDB adapter's mapping, without a server: versions, events, system events, paging.

The adapter's own flow (idempotent appends, missing streams, stopping a subscription) is run
against a stand-in for the client, which follows the client's documented behaviour; the
contract suite proves it against a real server where KURRENTDB_URL is set.
"""

import asyncio
import re
import socket
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID, uuid4

import pytest
from kurrentdbclient import NewEvent as KurrentNewEvent
from kurrentdbclient import StreamState
from kurrentdbclient.common import construct_filter_exclude_regex, construct_filter_include_regex
from kurrentdbclient.exceptions import NotFoundError, WrongCurrentVersionError

from shared.adapters.eventstore import AppendResult, NewEvent, RecordedEvent
from shared.adapters.eventstore.kurrentdb import (
    KurrentDBEventStore,
    current_version_for,
    decode_json,
    earlier_result,
    from_kurrent,
    is_system_event,
    read_after,
    to_kurrent,
    version_after,
)
from shared.adapters.eventstore.prefix import WHOLE_LOG, StreamPrefix
from shared.adapters.infrastructure import open_event_store
from shared.kernel.errors import WrongExpectedVersion

ONE = UUID(int=1)


@dataclass(frozen=True)
class Record:
    """Stands in for kurrentdbclient's RecordedEvent: the attributes the adapter reads."""

    stream_name: str
    stream_position: int
    commit_position: int
    type: str = "intake.ProposalSubmitted.v1"
    data: bytes = b'{"title":"\xe6\x8f\x90\xe6\xa1\x88"}'
    metadata: bytes = b'{"correlation_id":"c1"}'
    id: UUID = ONE
    recorded_at: datetime | None = None


# --- versions -------------------------------------------------------------------------------


def test_a_new_stream_is_no_stream_and_n_events_is_the_last_position() -> None:
    assert current_version_for(0) is StreamState.NO_STREAM
    assert current_version_for(1) == 0
    assert current_version_for(7) == 6


def test_a_negative_expected_version_is_refused() -> None:
    with pytest.raises(ValueError):
        current_version_for(-1)


def test_a_current_version_maps_back_to_a_count_of_events() -> None:
    assert version_after(StreamState.NO_STREAM) == 0
    assert version_after(None) == 0
    assert version_after(0) == 1
    assert version_after(6) == 7
    for expected in range(5):
        assert version_after(current_version_for(expected)) == expected
    with pytest.raises(ValueError):
        version_after(StreamState.ANY)


# --- events ---------------------------------------------------------------------------------


def test_a_new_event_becomes_json_with_its_id() -> None:
    event = NewEvent(id=uuid4(), type="t.v1", data={"title": "提案", "n": 1}, metadata={"c": "x"})
    kurrent = to_kurrent(event)
    assert isinstance(kurrent, KurrentNewEvent)
    assert kurrent.id == event.id
    assert kurrent.type == "t.v1"
    assert kurrent.content_type == "application/json"
    assert decode_json(kurrent.data) == {"title": "提案", "n": 1}
    assert decode_json(kurrent.metadata) == {"c": "x"}


def test_a_recorded_event_maps_to_ours() -> None:
    at = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    record = Record("intake-proposal-1", 3, 123456, id=UUID(int=9), recorded_at=at)
    event = from_kurrent(record)
    assert event == RecordedEvent(
        id=UUID(int=9),
        stream="intake-proposal-1",
        version=3,
        position=123456,
        type="intake.ProposalSubmitted.v1",
        data={"title": "提案"},
        metadata={"correlation_id": "c1"},
        recorded_at=at,
    )


def test_a_missing_or_naive_recorded_at_is_made_utc() -> None:
    before = datetime.now(UTC)
    assert from_kurrent(Record("s", 0, 1)).recorded_at >= before
    naive = from_kurrent(Record("s", 0, 1, recorded_at=datetime(2024, 1, 1))).recorded_at
    assert naive == datetime(2024, 1, 1, tzinfo=UTC)


def test_stored_bytes_that_are_not_a_json_object_do_not_break_reading() -> None:
    assert decode_json(b"") == {}
    assert decode_json(b"[1, 2]") == {"_value": [1, 2]}
    assert decode_json(b"\xff not json") == {"_raw": "\ufffd not json"}
    event = from_kurrent(Record("s", 0, 1, data=b"", metadata=b""))
    assert event.data == {} and event.metadata == {}


def test_system_events_are_in_dollar_streams_or_of_dollar_types() -> None:
    assert is_system_event("$stats-127.0.0.1:2113", "$statsCollected")
    assert is_system_event("$ce-intake", "$>")
    assert is_system_event("intake-proposal-1", "$metadata")
    assert is_system_event("$$intake-proposal-1", "$metadata")
    assert not is_system_event("intake-proposal-1", "intake.ProposalSubmitted.v1")
    assert not is_system_event("intake-$1", "x.$y")


def test_the_earlier_result_needs_every_event_id() -> None:
    events = [NewEvent(id=UUID(int=i), type="t", data={}) for i in (1, 2)]
    existing = [
        RecordedEvent(UUID(int=i + 1), "s", i, 100 * (i + 1), "t", {}, {}, datetime.now(UTC))
        for i in range(3)
    ]
    assert earlier_result(existing, events) == AppendResult(version=2, position=200)
    assert earlier_result(existing[:1], events) is None
    assert earlier_result(existing, []) is None


# --- read_all paging ------------------------------------------------------------------------


def log_of(records: list[Record]) -> Any:
    """A fetch like the client's: forwards from a position, that position included if present."""
    calls: list[tuple[int, int]] = []

    async def fetch(position: int, count: int) -> list[Record]:
        calls.append((position, count))
        return [r for r in records if r.commit_position >= position][:count]

    fetch.calls = calls  # type: ignore[attr-defined]
    return fetch


def stream_events(positions: Iterable[int], stream: str = "s") -> list[Record]:
    return [Record(stream, i, p, id=UUID(int=p)) for i, p in enumerate(positions)]


async def test_read_after_excludes_the_position_it_starts_from() -> None:
    fetch = log_of(stream_events([10, 20, 30, 40]))
    assert [e.position for e in await read_after(fetch, 20, 10)] == [30, 40]
    assert [e.position for e in await read_after(fetch, 0, 10)] == [10, 20, 30, 40]
    assert await read_after(fetch, 40, 10) == []


async def test_read_after_returns_at_most_limit_events_in_order() -> None:
    fetch = log_of(stream_events([10, 20, 30, 40, 50]))
    assert [e.position for e in await read_after(fetch, 10, 2)] == [20, 30]
    assert [e.position for e in await read_after(fetch, 0, 2)] == [10, 20]
    assert [e.position for e in await read_after(fetch, 15, 2)] == [20, 30]


async def test_read_after_goes_past_pages_of_system_events() -> None:
    system = [Record("s", i, p, type="$metadata") for i, p in enumerate(range(1, 50))]
    fetch = log_of([*system, *stream_events([60, 70])])
    assert [e.position for e in await read_after(fetch, 0, 3)] == [60, 70]
    assert len(fetch.calls) > 1
    assert all(count >= 2 for _, count in fetch.calls)


# --- the adapter against a stand-in client --------------------------------------------------


class FakeClient:
    """Behaves as the client's docs say: stream positions from 0, commit positions from 100."""

    def __init__(self) -> None:
        self.streams: dict[str, list[Record]] = {}
        self.log: list[Record] = []
        self.subscriptions: list[FakeSubscription] = []
        self.idempotent_position: int | None = None  # what the server answers to a repeated append
        self.filters: list[dict[str, Any]] = []  # the filter arguments of each read of $all
        self.honour_filters = False  # True: filter $all by stream name as the server does

    async def append_to_stream(
        self, stream_name: str, *, events: Iterable[KurrentNewEvent], current_version: Any
    ) -> int:
        existing = self.streams.get(stream_name, [])
        events = list(events)
        actual = existing[-1].stream_position if existing else StreamState.NO_STREAM
        start = 0 if current_version is StreamState.NO_STREAM else current_version + 1
        window = existing[start : start + len(events)]
        if window and [r.id for r in window] == [e.id for e in events]:
            if self.idempotent_position is not None:
                return self.idempotent_position
            return window[-1].commit_position
        if actual != current_version:
            raise WrongCurrentVersionError(
                "wrong", stream_name=stream_name, actual_version=actual, expected_version=current_version
            )
        for event in events:
            record = Record(
                stream_name,
                len(existing),
                100 * (len(self.log) + 1),
                type=event.type,
                data=event.data,
                metadata=event.metadata,
                id=event.id,
            )
            existing.append(record)
            self.log.append(record)
        self.streams[stream_name] = existing
        return existing[-1].commit_position

    async def get_stream(
        self,
        stream_name: str,
        *,
        stream_position: int | None = None,
        backwards: bool = False,
        limit: int = 1 << 62,
    ) -> tuple[Record, ...]:
        if stream_name not in self.streams:
            raise NotFoundError(f"Stream {stream_name!r} not found")
        records = self.streams[stream_name][stream_position or 0 :]
        if backwards:
            records = records[::-1]
        return tuple(records[:limit])

    def all_events(self, filters: dict[str, Any]) -> list[Record]:
        """$all as the server answers a filtered read: the filter's regex over stream names."""
        self.filters.append({k: v for k, v in filters.items() if k.startswith("filter_")})
        if not self.honour_filters:
            return list(self.log)
        include, exclude = filters.get("filter_include", ()), filters.get("filter_exclude", ())
        regex = (
            construct_filter_include_regex(include) if include else construct_filter_exclude_regex(exclude)
        )
        return [r for r in self.log if re.match(regex, r.stream_name)]

    async def read_all(self, *, commit_position: int | None, limit: int, **filters: Any) -> "FakeRead":
        records = [r for r in self.all_events(filters) if r.commit_position >= (commit_position or 0)]
        return FakeRead(records[:limit])

    async def subscribe_to_all(self, **kwargs: Any) -> "FakeSubscription":
        subscription = FakeSubscription(
            [r for r in self.all_events(kwargs) if r.commit_position > (kwargs["commit_position"] or 0)]
        )
        self.subscriptions.append(subscription)
        return subscription

    async def get_commit_position(self, **kwargs: Any) -> int:
        if "timeout" in kwargs:  # ping: the last event of the log, unfiltered
            return self.log[-1].commit_position if self.log else 0
        found = self.all_events(kwargs)
        return found[-1].commit_position if found else 0

    async def close(self) -> None:
        return None


class FakeRead:
    """The response of a read of $all: an async iterator and context manager."""

    def __init__(self, records: list[Record]) -> None:
        self.records = records

    async def __aenter__(self) -> "FakeRead":
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def __aiter__(self) -> AsyncIterator[Record]:
        return self.iterate()

    async def iterate(self) -> AsyncIterator[Record]:
        for record in self.records:
            yield record


class FakeSubscription:
    def __init__(self, records: list[Record]) -> None:
        self.records = records
        self.stopped = False

    def __aiter__(self) -> AsyncIterator[Record]:
        return self.iterate()

    async def iterate(self) -> AsyncIterator[Record]:
        for record in self.records:
            yield record
        await asyncio.Event().wait()  # a catch-up subscription never ends

    async def stop(self) -> None:
        self.stopped = True


def a_store(client: FakeClient, streams: StreamPrefix = WHOLE_LOG) -> KurrentDBEventStore:
    return KurrentDBEventStore(
        cast(Any, client), "esdb://admin:secret@127.0.0.1:2113?Tls=false", streams=streams
    )


def events(cause: int, count: int) -> list[NewEvent]:
    return [NewEvent(id=UUID(int=cause * 100 + i), type="t.v1", data={"i": i}) for i in range(count)]


async def test_appends_map_versions_and_positions() -> None:
    store = a_store(FakeClient())
    assert await store.append("s", events(1, 2), 0) == AppendResult(version=2, position=200)
    assert await store.append("s", events(2, 1), 2) == AppendResult(version=3, position=300)
    assert [e.version for e in await store.read_stream("s")] == [0, 1, 2]
    assert [e.version for e in await store.read_stream("s", from_version=2)] == [2]
    assert await store.read_stream("missing") == []


async def test_a_repeated_append_returns_the_earlier_result_whatever_the_version() -> None:
    store = a_store(FakeClient())
    first = await store.append("s", events(1, 2), 0)
    await store.append("s", events(2, 1), 2)
    assert await store.append("s", events(1, 2), 0) == first  # the server's idempotence
    assert await store.append("s", events(1, 2), 3) == first  # found by reading the stream
    assert await store.append("s", events(2, 1), 0) == AppendResult(version=3, position=300)


async def test_a_repeat_answered_without_a_position_is_looked_up() -> None:
    client = FakeClient()
    store = a_store(client)
    first = await store.append("s", events(1, 2), 0)
    client.idempotent_position = 0
    assert await store.append("s", events(1, 2), 0) == first


async def test_a_wrong_version_raises_ours_with_the_actual_count() -> None:
    store = a_store(FakeClient())
    with pytest.raises(WrongExpectedVersion) as raised:
        await store.append("s", events(1, 1), 3)
    assert (raised.value.stream, raised.value.expected, raised.value.actual) == ("s", 3, 0)
    await store.append("s", events(1, 1), 0)
    for wrong in (0, 2):
        with pytest.raises(WrongExpectedVersion) as raised:
            await store.append("s", events(2, 2), wrong)
        assert raised.value.actual == 1


async def test_an_empty_append_checks_the_version() -> None:
    store = a_store(FakeClient())
    assert await store.append("s", [], 0) == AppendResult(version=0, position=0)
    await store.append("s", events(1, 2), 0)
    assert await store.append("s", [], 2) == AppendResult(version=2, position=200)
    with pytest.raises(WrongExpectedVersion):
        await store.append("s", [], 1)


async def test_a_subscription_skips_system_events_and_is_stopped_when_closed() -> None:
    client = FakeClient()
    store = a_store(client)
    await store.append("s", events(1, 3), 0)
    client.log.insert(1, Record("$stats", 0, 150, type="$statsCollected"))
    subscription = cast(AsyncGenerator[RecordedEvent, None], store.subscribe(100))
    seen = [await anext(subscription), await anext(subscription)]
    assert [e.position for e in seen] == [200, 300]
    await subscription.aclose()
    assert client.subscriptions[-1].stopped


async def test_the_url_in_messages_has_no_password() -> None:
    store = a_store(FakeClient())
    assert "secret" not in store._url


# --- ping through the real client, without a server -----------------------------------------


async def test_ping_fails_quickly_when_nothing_listens() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    store = await KurrentDBEventStore.open(f"esdb://127.0.0.1:{port}?Tls=false", ping_timeout=5)
    started = time.perf_counter()
    with pytest.raises(ConnectionError, match="cannot be reached"):
        await store.ping()
    assert time.perf_counter() - started < 5
    await store.close()


async def test_ping_gives_up_after_its_timeout_when_the_server_never_answers() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accept, never answer

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    store = await KurrentDBEventStore.open(f"esdb://127.0.0.1:{port}?Tls=false", ping_timeout=0.5)
    started = time.perf_counter()
    with pytest.raises(ConnectionError, match=r"did not answer within 0\.5s"):
        await store.ping()
    assert time.perf_counter() - started < 2
    await store.close()
    server.close()


# --- a store's own streams on a shared log --------------------------------------------------

SHANGWU = StreamPrefix.of("reply", "reply_shangwu")


def server_regex(streams: StreamPrefix) -> str:
    """The regex the client sends the server for the store's filter."""
    return construct_filter_include_regex(streams.server_filter)


def test_a_services_streams_keep_their_names_under_its_own_prefix() -> None:
    intake = StreamPrefix.of("intake")
    assert intake.stored_name("intake-proposal-wuhai-60") == "intake-proposal-wuhai-60"
    assert intake.our_name("intake-proposal-wuhai-60") == "intake-proposal-wuhai-60"
    assert re.match(server_regex(intake), "intake-proposal-wuhai-60")
    assert not re.match(server_regex(intake), "allocation-proposal-wuhai-60")


def test_an_agency_instance_keeps_the_services_streams_under_its_own_prefix() -> None:
    assert SHANGWU.stored_name("reply-proposal-wuhai-60") == "reply_shangwu-proposal-wuhai-60"
    assert SHANGWU.our_name("reply_shangwu-proposal-wuhai-60") == "reply-proposal-wuhai-60"
    assert re.match(server_regex(SHANGWU), "reply_shangwu-proposal-wuhai-60")


def test_no_stores_filter_matches_another_stores_streams() -> None:
    stores = [
        StreamPrefix.of("reply"),
        SHANGWU,
        StreamPrefix.of("reply", "reply_weijian"),
        StreamPrefix.of("views"),
    ]
    for store in stores:
        for other in stores:
            name = other.stored_name(f"{other.own}proposal-jincheng-254")
            assert bool(re.match(server_regex(store), name)) == (store == other), (store, name)
            assert store.holds(name) == (store == other), (store, name)


def test_a_store_refuses_the_streams_of_another_service() -> None:
    with pytest.raises(ValueError, match="reply-"):
        SHANGWU.stored_name("allocation-proposal-wuhai-60")
    with pytest.raises(ValueError):
        SHANGWU.our_name("reply-proposal-wuhai-60")
    for bad in ("Reply-", "reply", "reply-x-", "re ply-", "$ce-"):
        with pytest.raises(ValueError):
            StreamPrefix(bad, "reply-")


def test_the_whole_log_is_every_stream_that_is_not_the_servers() -> None:
    assert WHOLE_LOG.stored_name("anything-1") == "anything-1"
    assert WHOLE_LOG.holds("intake-proposal-1") and WHOLE_LOG.holds("reply_shangwu-proposal-1")
    assert not WHOLE_LOG.holds("$stats-127.0.0.1:2113")


def a_shared_log() -> FakeClient:
    """One server that the central reply, 市商务局's own reply and intake all write to."""
    client = FakeClient()
    client.honour_filters = True
    return client


async def test_read_all_subscribe_and_head_see_only_the_stores_own_streams() -> None:
    client = a_shared_log()
    intake, reply, shangwu = (
        a_store(client, StreamPrefix.of("intake")),
        a_store(client, StreamPrefix.of("reply")),
        a_store(client, SHANGWU),
    )
    await intake.append("intake-proposal-wuhai-60", events(1, 2), 0)
    await reply.append("reply-proposal-wuhai-60", events(2, 1), 0)
    await shangwu.append("reply-proposal-wuhai-60", events(3, 2), 0)
    await intake.append("intake-proposal-wuhai-61", events(4, 1), 0)

    assert [(e.stream, e.position) for e in await reply.read_all()] == [("reply-proposal-wuhai-60", 300)]
    assert [e.position for e in await shangwu.read_all()] == [400, 500]
    assert {e.stream for e in await shangwu.read_all()} == {"reply-proposal-wuhai-60"}
    assert [e.position for e in await intake.read_all(100)] == [200, 600]
    assert (await intake.head(), await reply.head(), await shangwu.head()) == (600, 300, 500)
    subscription = cast(AsyncGenerator[RecordedEvent, None], shangwu.subscribe())
    assert [(await anext(subscription)).position for _ in range(2)] == [400, 500]
    await subscription.aclose()
    assert {f.get("filter_include") for f in client.filters} == {
        ("intake-.*",),
        ("reply-.*",),
        ("reply_shangwu-.*",),
    }


async def test_an_agency_instances_streams_are_apart_from_the_central_services() -> None:
    client = a_shared_log()
    reply, shangwu = a_store(client, StreamPrefix.of("reply")), a_store(client, SHANGWU)
    await shangwu.append("reply-proposal-wuhai-60", events(1, 2), 0)

    assert await reply.read_stream("reply-proposal-wuhai-60") == []
    await reply.append("reply-proposal-wuhai-60", events(2, 1), 0)  # its own stream, at version 0
    assert [e.version for e in await shangwu.read_stream("reply-proposal-wuhai-60")] == [0, 1]
    assert set(client.streams) == {"reply_shangwu-proposal-wuhai-60", "reply-proposal-wuhai-60"}


async def test_the_server_filter_is_not_trusted_alone() -> None:
    client = FakeClient()  # a server that answers every stream whatever the filter
    intake, allocation = (
        a_store(client, StreamPrefix.of("intake")),
        a_store(client, StreamPrefix.of("allocation")),
    )
    await intake.append("intake-proposal-wuhai-60", events(1, 1), 0)
    await allocation.append("allocation-proposal-wuhai-60", events(2, 1), 0)
    await intake.append("intake-proposal-wuhai-61", events(3, 1), 0)

    assert [e.stream for e in await intake.read_all()] == [
        "intake-proposal-wuhai-60",
        "intake-proposal-wuhai-61",
    ]
    subscription = cast(AsyncGenerator[RecordedEvent, None], allocation.subscribe())
    assert (await anext(subscription)).stream == "allocation-proposal-wuhai-60"
    await subscription.aclose()


async def test_an_append_to_another_services_stream_is_refused() -> None:
    client = a_shared_log()
    with pytest.raises(ValueError, match="intake-"):
        await a_store(client, StreamPrefix.of("intake")).append(
            "allocation-proposal-wuhai-60", events(1, 1), 0
        )
    assert client.log == []


async def test_the_store_of_a_service_is_named_by_its_settings() -> None:
    store = await open_event_store("esdb://127.0.0.1:2113?Tls=false", "reply", "reply_shangwu")
    assert isinstance(store, KurrentDBEventStore)
    assert store.streams == SHANGWU
    await store.close()
    whole = await open_event_store("esdb://127.0.0.1:2113?Tls=false")
    assert isinstance(whole, KurrentDBEventStore) and whole.streams == WHOLE_LOG
    await whole.close()
