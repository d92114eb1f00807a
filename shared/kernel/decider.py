"""Deciders and the one command handler every service uses.

A decider is two pure functions over immutable state: `decide(command, state)` returns the new
events or raises a `Rejected`, and `evolve(state, event)` folds one event into the state. The
handler loads a stream, decides and appends with the expected version; the ids of the events
come from the command id, so a retried command appends nothing and gets the first answer.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID

from shared.adapters.eventstore import EventStore, NewEvent, RecordedEvent
from shared.kernel import faults
from shared.kernel.errors import WrongExpectedVersion
from shared.kernel.events import Event, EventRegistry
from shared.kernel.ids import event_id

S = TypeVar("S")
C = TypeVar("C")


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

    def metadata(self) -> dict[str, Any]:
        return {
            "command_id": str(self.command_id),
            "actor": self.actor,
            "correlation_id": self.correlation_id or str(self.command_id),
            "causation_id": self.causation_id or str(self.command_id),
            **self.extra,
        }


@dataclass(frozen=True)
class Outcome(Generic[S]):
    events: list[Event]
    state: S
    version: int
    repeated: bool = False
    """True when the command had been handled before and nothing was appended."""


class CommandHandler(Generic[C, S]):
    def __init__(self, store: EventStore, registry: EventRegistry, decider: Decider[C, S]) -> None:
        self.store = store
        self.registry = registry
        self.decider = decider

    async def load(self, stream: str) -> tuple[S, list[RecordedEvent]]:
        recorded = await self.store.read_stream(stream)
        events = [self.registry.decode_recorded(r) for r in recorded]
        return self.decider.fold(events), recorded

    async def handle(self, stream: str, command: C, meta: CommandMeta, attempts: int = 3) -> Outcome[S]:
        """Decide on the current state and append; when someone else appended in between, decide
        again on the new state (up to `attempts` times) before the conflict reaches the caller."""
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
            return Outcome(
                [self.registry.decode_recorded(r) for r in earlier], state, len(recorded), repeated=True
            )
        events = list(self.decider.decide(command, state))
        if events:
            metadata = meta.metadata()
            new = [
                NewEvent(event_id(_cause(stream, meta), i), *self.registry.encode(e), metadata=metadata)
                for i, e in enumerate(events)
            ]
            await self.store.append(stream, new, expected_version=len(recorded))
            faults.point("decider.after-append")
        return Outcome(events, self.decider.fold(events, state), len(recorded) + len(events))


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
