"""Event store on KurrentDB (EventStoreDB), through the async gRPC client of `kurrentdbclient`.

How the port maps onto KurrentDB:

- Versions. Ours count the events of a stream (a new stream is at 0); KurrentDB's "current
  version" is the 0-based position of the last event, or `StreamState.NO_STREAM`. So expected
  version 0 is `NO_STREAM` and n is n - 1; an event's version is its `stream_position`.
- Positions. Ours are KurrentDB commit positions: they only grow, with gaps between them.
- Own streams. A service's store is the streams under its prefix (`shared.adapters.eventstore.
  prefix`): `intake-…`, or `reply_shangwu-…` for an agency's own instance of reply, which keeps
  reply's `reply-proposal-1` as `reply_shangwu-proposal-1`. `read_all`, `subscribe` and `head`
  ask the server for those streams only (a filter on the stream name), and drop anything else
  that comes back; an append to a stream of another service is refused. Without a prefix the
  store is the whole log (tools and tests).
- System events (streams or types starting with `$`) are left out of `read_all`, `subscribe`
  and `head`; the server filters system streams, and we filter types starting with `$` again.
- `head()` is the commit position of the store's last event (0 when there is none), so it is a
  real position that `read_all` and `subscribe` can start from.
- Idempotent appends. KurrentDB answers a repeated append (same event ids, an expected version
  behind the stream) with the earlier position, but only checks ids when the expected version
  is behind: at the stream's current version it appends the same ids again. So an append with
  an expected version above 0 first reads the stream and returns the earlier result if every
  id is in it (an extra read; a new stream needs none). When the server raises
  WrongCurrentVersion we read the stream again: the earlier result if every id is in it now,
  else our WrongExpectedVersion.
- data and metadata are JSON objects, stored with content type application/json. An event that
  is not a JSON object (written by some other tool) is read as {"_value": ...} or {"_raw": ...}
  rather than breaking every reader of the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Protocol
from urllib.parse import urlsplit
from uuid import UUID

from kurrentdbclient import AsyncKurrentDBClient, StreamState
from kurrentdbclient import NewEvent as KurrentNewEvent
from kurrentdbclient import RecordedEvent as KurrentRecordedEvent
from kurrentdbclient.exceptions import NotFoundError, ProgrammingError, WrongCurrentVersionError

from shared.adapters.eventstore import AppendResult, NewEvent, RecordedEvent
from shared.adapters.eventstore.prefix import WHOLE_LOG, StreamPrefix
from shared.kernel.errors import WrongExpectedVersion

__all__ = [
    "SYSTEM_STREAMS",
    "KurrentDBEventStore",
    "current_version_for",
    "earlier_result",
    "filter_options",
    "from_kurrent",
    "is_system_event",
    "read_after",
    "to_kurrent",
    "version_after",
]

JSON: Final = "application/json"

SYSTEM_STREAMS = (r"\$.+",)
"""Server-side filter (on stream names): leave out every stream whose name starts with `$`."""

PING_TIMEOUT = 2.0
RESUBSCRIBE_DELAY = 0.5


class KurrentRecord(Protocol):
    """What we read from a KurrentDB recorded event (so tests can pass a simple stand-in)."""

    @property
    def id(self) -> UUID: ...
    @property
    def type(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def metadata(self) -> bytes: ...
    @property
    def stream_name(self) -> str: ...
    @property
    def stream_position(self) -> int: ...
    @property
    def commit_position(self) -> int: ...
    @property
    def recorded_at(self) -> datetime | None: ...


# --- Pure mapping helpers -------------------------------------------------------------------


def current_version_for(expected_version: int) -> int | StreamState:
    """KurrentDB's `current_version` for our expected version (our count of events)."""
    if expected_version < 0:
        raise ValueError(f"expected_version must be 0 or more, not {expected_version}")
    return StreamState.NO_STREAM if expected_version == 0 else expected_version - 1


def version_after(current_version: int | StreamState | None) -> int:
    """Our version (count of events) for a KurrentDB current version."""
    if isinstance(current_version, int):
        return current_version + 1
    if current_version is StreamState.NO_STREAM or current_version is None:
        return 0
    raise ValueError(f"no event count for the stream state {current_version}")


def is_system_event(stream: str, type_: str) -> bool:
    """KurrentDB's own events: in system streams or of system types, both starting with `$`."""
    return stream.startswith("$") or type_.startswith("$")


def encode_json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_json(raw: bytes) -> dict[str, Any]:
    """A JSON object from stored bytes; empty is {}, anything else is wrapped, never raised."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:  # also UnicodeDecodeError
        return {"_raw": raw.decode("utf-8", errors="replace")}
    if isinstance(value, dict):
        return value
    return {"_value": value}


def to_kurrent(event: NewEvent) -> KurrentNewEvent:
    return KurrentNewEvent(
        type=event.type,
        data=encode_json(event.data),
        metadata=encode_json(event.metadata),
        content_type=JSON,
        id=event.id,
    )


def from_kurrent(recorded: KurrentRecord, streams: StreamPrefix = WHOLE_LOG) -> RecordedEvent:
    """Our recorded event, its stream under the service's name (`streams` maps it)."""
    recorded_at = recorded.recorded_at
    if recorded_at is None:
        recorded_at = datetime.now(UTC)
    elif recorded_at.tzinfo is None:
        recorded_at = recorded_at.replace(tzinfo=UTC)
    return RecordedEvent(
        id=recorded.id,
        stream=streams.our_name(recorded.stream_name),
        version=recorded.stream_position,
        position=recorded.commit_position,
        type=recorded.type,
        data=decode_json(recorded.data),
        metadata=decode_json(recorded.metadata),
        recorded_at=recorded_at,
    )


def filter_options(streams: StreamPrefix) -> dict[str, Any]:
    """The client's filter arguments for the store's streams: its prefix, or every non-system one."""
    if streams.whole_log:
        return {"filter_exclude": SYSTEM_STREAMS, "filter_by_stream_name": True}
    return {"filter_exclude": (), "filter_include": streams.server_filter, "filter_by_stream_name": True}


def is_ours(record: KurrentRecord, streams: StreamPrefix) -> bool:
    """A record of the store: in one of its streams, and no system event."""
    return streams.holds(record.stream_name) and not is_system_event(record.stream_name, record.type)


def earlier_result(existing: Sequence[RecordedEvent], events: Sequence[NewEvent]) -> AppendResult | None:
    """The result of the earlier append when every event id is in the stream already, else None."""
    by_id = {e.id: e for e in existing}
    found = [by_id[e.id] for e in events if e.id in by_id]
    if not events or len(found) != len(events):
        return None
    last = max(found, key=lambda e: e.version)
    return AppendResult(version=last.version + 1, position=last.position)


Fetch = Callable[[int, int], Awaitable[Sequence[KurrentRecord]]]


async def read_after(
    fetch: Fetch, after: int, limit: int, streams: StreamPrefix = WHOLE_LOG
) -> list[RecordedEvent]:
    """At most `limit` events of the store with a commit position greater than `after`, in order.

    `fetch(position, count)` reads up to `count` events forwards from `position`, which KurrentDB
    includes when an event is there; so one more than needed is read and positions up to `after`
    are dropped. System events and other stores' events that pass the server's filter are dropped
    here; when a whole page is dropped, reading goes on, so a short answer always means the end of
    the log.
    """
    found: list[RecordedEvent] = []
    position = after
    while len(found) < limit:
        count = limit - len(found) + 1
        page = await fetch(position, count)
        for record in page:
            if record.commit_position <= position:
                continue
            if is_ours(record, streams):
                found.append(from_kurrent(record, streams))
        if len(page) < count:
            break
        # A full page of count >= 2 events from `position` ends strictly after it: progress.
        position = page[-1].commit_position
    return found[:limit]


def _safe_url(url: str) -> str:
    """The URL without credentials, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"***@{host}").geturl()


# --- The adapter ----------------------------------------------------------------------------


class KurrentDBEventStore:
    def __init__(
        self,
        client: AsyncKurrentDBClient,
        url: str,
        ping_timeout: float = PING_TIMEOUT,
        streams: StreamPrefix = WHOLE_LOG,
    ) -> None:
        self._client = client
        self._url = _safe_url(url)
        self._ping_timeout = ping_timeout
        self._streams = streams
        self._filter = filter_options(streams)

    @classmethod
    async def open(
        cls, url: str, *, ping_timeout: float = PING_TIMEOUT, streams: StreamPrefix = WHOLE_LOG
    ) -> KurrentDBEventStore:
        """A store on the server at `url` (esdb://host:2113?Tls=false, kurrentdb://…, …+discover://…),
        made of the streams under `streams` (a service's own prefix; the whole log by default).

        With a single-node URL nothing is sent yet (gRPC connects on the first call): call
        `ping()` to know whether the server answers. A "+discover" URL asks the cluster here.
        """
        client = AsyncKurrentDBClient(uri=url)
        await client.connect()
        return cls(client, url, ping_timeout, streams)

    @property
    def streams(self) -> StreamPrefix:
        """The store's streams on the server."""
        return self._streams

    async def append(self, stream: str, events: Sequence[NewEvent], expected_version: int) -> AppendResult:
        current_version = current_version_for(expected_version)
        stored = self._streams.stored_name(stream)
        if not events:
            return await self._append_nothing(stream, expected_version)
        if expected_version > 0:
            # KurrentDB checks ids only when the expected version is behind the stream: at the
            # stream's current version it would append the same ids a second time.
            repeated = earlier_result(await self.read_stream(stream), events)
            if repeated is not None:
                return repeated
        try:
            commit_position = await self._client.append_to_stream(
                stored,
                events=[to_kurrent(e) for e in events],
                current_version=current_version,
            )
        except WrongCurrentVersionError as error:
            existing = await self.read_stream(stream)
            repeated = earlier_result(existing, events)
            if repeated is not None:
                return repeated
            actual = (
                version_after(error.actual_version)
                if isinstance(error.actual_version, int) or error.actual_version is StreamState.NO_STREAM
                else (existing[-1].version + 1 if existing else 0)
            )
            raise WrongExpectedVersion(stream, expected_version, actual) from error
        if not 0 < commit_position < 2**63:
            # An idempotent repeat the server gave no position for (KurrentDB's -1, as no
            # position or as an unsigned number): find the earlier one ourselves.
            repeated = earlier_result(await self.read_stream(stream), events)
            if repeated is not None:
                return repeated
        return AppendResult(version=expected_version + len(events), position=commit_position)

    async def _append_nothing(self, stream: str, expected_version: int) -> AppendResult:
        last = await self._last_of(stream)
        actual = 0 if last is None else last.stream_position + 1
        if actual != expected_version:
            raise WrongExpectedVersion(stream, expected_version, actual)
        return AppendResult(version=expected_version, position=await self.head())

    async def _last_of(self, stream: str) -> KurrentRecordedEvent | None:
        try:
            last = await self._client.get_stream(self._streams.stored_name(stream), backwards=True, limit=1)
        except NotFoundError:
            return None
        return last[0] if last else None

    async def read_stream(self, stream: str, from_version: int = 0) -> list[RecordedEvent]:
        try:
            recorded = await self._client.get_stream(
                self._streams.stored_name(stream),
                stream_position=from_version if from_version > 0 else None,
            )
        except NotFoundError:
            return []
        return [from_kurrent(r, self._streams) for r in recorded]

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        if limit <= 0:
            return []
        return await read_after(self._fetch, after, limit, self._streams)

    async def _fetch(self, position: int, count: int) -> list[KurrentRecordedEvent]:
        """Up to `count` events of the store's streams, forwards from `position` (included)."""
        response = await self._client.read_all(
            commit_position=position if position > 0 else None, limit=count, **self._filter
        )
        async with response:
            return [record async for record in response]

    async def subscribe(self, after: int = 0) -> AsyncIterator[RecordedEvent]:
        """A catch-up subscription to all events after `after`; it is stopped when this closes.

        Errors of the subscription are raised (the caller decides whether to start again); if
        the server ends it without an error, it is started again from the last event seen.
        """
        position = after
        while True:
            subscription = await self._client.subscribe_to_all(
                commit_position=position if position > 0 else None, **self._filter
            )
            try:
                async for record in subscription:
                    if record.commit_position <= position:
                        continue
                    position = record.commit_position
                    if is_ours(record, self._streams):
                        yield from_kurrent(record, self._streams)
            finally:
                # Cancels the gRPC call; a no-op when the iteration already stopped it.
                with contextlib.suppress(Exception):
                    await subscription.stop()
            await asyncio.sleep(RESUBSCRIBE_DELAY)  # ended without an error: not in a tight loop

    async def head(self) -> int:
        """The commit position of the store's last event; 0 when there is none."""
        return await self._client.get_commit_position(**self._filter)

    async def ping(self) -> None:
        """Read the last event of the log, or raise ConnectionError within the ping timeout."""
        try:
            # The gRPC deadline ends one call; the client may retry, so bound the whole too.
            await asyncio.wait_for(
                self._client.get_commit_position(filter_exclude=(), timeout=self._ping_timeout),
                self._ping_timeout,
            )
        except TimeoutError as error:
            raise ConnectionError(
                f"KurrentDB at {self._url} did not answer within {self._ping_timeout:g}s"
            ) from error
        except Exception as error:
            raise ConnectionError(
                f"KurrentDB at {self._url} cannot be reached: {type(error).__name__}: {error}"
            ) from error

    async def close(self) -> None:
        # close() of a client that never connected raises ProgrammingError; there is nothing to do.
        with contextlib.suppress(ProgrammingError):
            await self._client.close()
