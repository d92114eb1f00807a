"""Deciders and the one command handler every service uses.

A decider is two pure functions over immutable state: `decide(command, state)` returns the new
events or raises a `Rejected`, and `evolve(state, event)` folds one event into the state. The
handler loads a stream, decides and appends with the expected version; the ids of the events
come from the command id, so a retried command appends nothing and gets the first answer.
"""

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID

from opentelemetry.trace import StatusCode

from shared.adapters.eventstore import EventStore, NewEvent, RecordedEvent
from shared.kernel import faults
from shared.kernel.errors import WrongExpectedVersion
from shared.kernel.events import Event, EventRegistry
from shared.kernel.ids import event_id
from shared.observability import tracing
from shared.observability.telemetry import current

S = TypeVar("S")
C = TypeVar("C")

STREAM = "eventstore.stream"
OUTCOME = "command.outcome"
REQUEST_DIGEST = "request_sha256"
"""The metadata key of `CommandMeta.request_digest`."""


class Rejected(Exception):
    """A command the rules refuse; `status` is the HTTP answer."""

    status = 409
    title = "Not allowed"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotAllowedInState(Rejected):
    def __init__(self, action: str, state: str) -> None:
        super().__init__(f"{action} is not allowed while the item is {state}", current_state=state)


class InvalidField(Rejected):
    status = 422
    title = "Invalid field"

    def __init__(self, field_: str, rule: str) -> None:
        super().__init__(f"{field_}: {rule}", field=field_, rule=rule)


class IdempotencyKeyReused(Rejected):
    """The command's id (from the caller's Idempotency-Key) was first used for another request: 422, as
    the IETF idempotency-key draft says, rather than the first request's answer to a different one."""

    status = 422
    title = "Idempotency-Key is already used"

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was used before with another request (another body or path); send "
            "that request again unchanged for its answer, or use a new key for a new request",
            field="Idempotency-Key",
            rule="one key, one request",
        )


class Forbidden(Rejected):
    status = 403
    title = "Forbidden"


class NotFound(Rejected):
    status = 404
    title = "Not found"


@dataclass(frozen=True)
class Decider(Generic[C, S]):
    decide: Callable[[C, S], Sequence[Event]]
    evolve: Callable[[S, Event], S]
    initial: S

    def fold(self, events: Sequence[Event], state: S | None = None) -> S:
        current = self.initial if state is None else state
        for event in events:
            current = self.evolve(current, event)
        return current


@dataclass(frozen=True)
class CommandMeta:
    """What comes with a command from the edge: its id, who, and the ids that trace it."""

    command_id: UUID | str
    actor: str = ""
    correlation_id: str | None = None
    causation_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    request_digest: str | None = None
    """The SHA-256 of the request the command was made from, when its id came from the caller (an
    Idempotency-Key): kept with the events, so that the same id with another request is refused."""

    def metadata(self) -> dict[str, Any]:
        found = {
            "command_id": str(self.command_id),
            "actor": self.actor,
            "correlation_id": self.correlation_id or str(self.command_id),
            "causation_id": self.causation_id or str(self.command_id),
            **self.extra,
        }
        if self.request_digest:
            found[REQUEST_DIGEST] = self.request_digest
        return found


@dataclass(frozen=True)
class Outcome(Generic[S]):
    events: list[Event]
    state: S
    version: int
    repeated: bool = False
    """True when the command had been handled before and nothing was appended."""


class CommandHandler(Generic[C, S]):
    def __init__(
        self,
        store: EventStore,
        registry: EventRegistry,
        decider: Decider[C, S],
        executor: Executor | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.decider = decider
        self.executor = executor
        """Where `decide` runs when it does seconds of work (rendering a letter to stamp its digest):
        off the event loop, so the service's requests, gateway and consumer go on meanwhile."""

    async def load(self, stream: str) -> tuple[S, list[RecordedEvent]]:
        with current().tracer.start_as_current_span("eventstore read_stream", attributes={STREAM: stream}):
            recorded = await self.store.read_stream(stream)
        events = [self.registry.decode_recorded(r) for r in recorded]
        return self.decider.fold(events), recorded

    async def handle(self, stream: str, command: C, meta: CommandMeta, attempts: int = 3) -> Outcome[S]:
        """Decide on the current state and append; when someone else appended in between, decide
        again on the new state (up to `attempts` times) before the conflict reaches the caller."""
        async with self._observed(stream, command, meta) as observe:
            return observe(await self._handle(stream, command, meta, attempts))

    async def open(self, stream: str, command: C, meta: CommandMeta) -> None:
        """Open a stream of its own with what the command decides on the initial state, without
        reading it first: the event ids come from the stream and the command, so the same command
        again appends nothing (the store's idempotent append). For facts recorded once each."""
        async with self._observed(stream, command, meta) as observe:
            events = list(self.decider.decide(command, self.decider.initial))
            if events:
                await self._append(stream, events, meta, 0)
            observe(Outcome(events, self.decider.fold(events), len(events)))

    @contextlib.asynccontextmanager
    async def _observed(
        self, stream: str, command: C, meta: CommandMeta
    ) -> AsyncIterator[Callable[[Outcome[S]], Outcome[S]]]:
        """The command's span and count: yields what takes the outcome to record it."""
        telemetry = current()
        name = type(command).__name__
        attributes = {STREAM: stream, "command.id": str(meta.command_id)}
        with telemetry.tracer.start_as_current_span(
            f"command {name}", attributes=attributes, record_exception=False, set_status_on_exception=False
        ) as span:

            def observe(outcome: Outcome[S]) -> Outcome[S]:
                result = "repeated" if outcome.repeated else "appended" if outcome.events else "unchanged"
                span.set_attribute(OUTCOME, result)
                telemetry.metrics.command_handled(name, result)
                return outcome

            try:
                yield observe
            except Exception as error:
                result = _failure(error)
                span.set_attribute(OUTCOME, result)
                if result == "failed":
                    span.record_exception(error)
                    span.set_status(StatusCode.ERROR, f"{type(error).__name__}: {error}")
                telemetry.metrics.command_handled(name, result)
                raise

    async def _handle(self, stream: str, command: C, meta: CommandMeta, attempts: int) -> Outcome[S]:
        for attempt in range(1, attempts + 1):
            try:
                return await self._handle_once(stream, command, meta)
            except WrongExpectedVersion:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    async def _handle_once(self, stream: str, command: C, meta: CommandMeta) -> Outcome[S]:
        state, recorded = await self.load(stream)
        earlier = _caused_by(recorded, _cause(stream, meta))
        if earlier:
            _same_request(earlier[0], meta)
            return Outcome(
                [self.registry.decode_recorded(r) for r in earlier], state, len(recorded), repeated=True
            )
        with current().tracer.start_as_current_span(
            "decide", record_exception=False, set_status_on_exception=False
        ):
            events = await self._decide(command, state)
        if events:
            await self._append(stream, events, meta, len(recorded))
            faults.point("decider.after-append")
        return Outcome(events, self.decider.fold(events, state), len(recorded) + len(events))

    async def _decide(self, command: C, state: S) -> list[Event]:
        if self.executor is None:
            return list(self.decider.decide(command, state))
        decide = functools.partial(self.decider.decide, command, state)
        return list(await asyncio.get_running_loop().run_in_executor(self.executor, decide))

    async def _append(self, stream: str, events: list[Event], meta: CommandMeta, expected: int) -> None:
        """Append with the expected version; the events keep the trace context of their append."""
        telemetry = current()
        with telemetry.tracer.start_as_current_span(
            "eventstore append", attributes={STREAM: stream, "eventstore.events": len(events)}
        ):
            metadata = meta.metadata()
            if traceparent := tracing.traceparent():
                metadata[tracing.TRACEPARENT] = traceparent
            new = [
                NewEvent(event_id(_cause(stream, meta), i), *self.registry.encode(e), metadata=metadata)
                for i, e in enumerate(events)
            ]
            started = time.perf_counter()
            await self.store.append(stream, new, expected_version=expected)
            telemetry.metrics.appended(len(new), time.perf_counter() - started)


def _failure(error: Exception) -> str:
    if isinstance(error, Rejected):
        return "rejected"
    if isinstance(error, WrongExpectedVersion):
        return "conflict"
    return "failed"


def _same_request(first: RecordedEvent, meta: CommandMeta) -> None:
    """A command seen before answers as the first time only when it comes from the same request;
    events recorded before digests were kept, or by a message, are taken as the same."""
    recorded = first.metadata.get(REQUEST_DIGEST)
    if meta.request_digest and recorded and recorded != meta.request_digest:
        raise IdempotencyKeyReused()


def _cause(stream: str, meta: CommandMeta) -> str:
    """What event ids derive from: the command and the stream it changes, because one message
    becomes a command in several services (each its own stream) and ids are unique store-wide."""
    return f"{stream}/{meta.command_id}"


def _caused_by(recorded: Sequence[RecordedEvent], command_id: UUID | str) -> list[RecordedEvent]:
    first = event_id(command_id, 0)
    for index, event in enumerate(recorded):
        if event.id == first:
            ids = {event_id(command_id, i) for i in range(len(recorded) - index)}
            return [r for r in recorded[index:] if r.id in ids]
    return []
