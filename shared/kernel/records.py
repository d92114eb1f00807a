"""The record of received integration events, in the consuming service's own store.

A service that keeps a view of other services' facts (the views service, allocation's deadlines)
never reads their stores: it records each integration event it consumes once, by message id, in
its own store, and projects from there. Rebuilding or replaying "as of" a date reads that record.
The record keeps the envelope's time, so a view knows when a fact happened at its source, not only
when it arrived.

Each message is recorded through the one command handler in a stream of its own
(`<service>-received-<proposal>-<message id>`): messages of one proposal handled at the same moment
never contend for a stream version, and a redelivered message finds its record and appends nothing.
"""

from collections.abc import Sequence
from datetime import datetime

from shared.adapters.eventstore import EventStore, RecordedEvent
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.decider import CommandHandler, CommandMeta, Decider
from shared.kernel.events import Event, EventRegistry
from shared.kernel.signatures import service_and_unit

OCCURRED_AT = "occurred_at"
SOURCE = "source"


def _decide(event: Event, _state: None) -> Sequence[Event]:
    return [event]


def _evolve(state: None, _event: Event) -> None:
    return state


RECORD: Decider[Event, None] = Decider(_decide, _evolve, None)
"""Recording is always allowed; a repeat is recognised by the command handler from the message id."""


def received_stream(service: str, event: IntegrationEvent, message_id: str) -> str:
    key = getattr(event, "proposal_id", None)
    return f"{service}-received-{key if isinstance(key, str) else event.type_name}-{message_id}"


def is_received(service: str, stream: str) -> bool:
    return stream.startswith(f"{service}-received-")


class Recorder:
    """Records integration events in `service`'s store, each message once."""

    def __init__(self, store: EventStore, service: str, contract: EventRegistry) -> None:
        self.service = service
        self.handler: CommandHandler[Event, None] = CommandHandler(store, contract, RECORD)

    async def record(self, event: IntegrationEvent, envelope: CloudEvent) -> None:
        """Record the event; a message recorded before appends nothing."""
        stream = received_stream(self.service, event, envelope.id)
        meta = CommandMeta(
            command_id=envelope.id,
            actor=f"system:{self.service}",
            correlation_id=envelope.correlationid,
            causation_id=envelope.id,
            extra={SOURCE: envelope.source, OCCURRED_AT: envelope.time.isoformat()},
        )
        await self.handler.open(stream, event, meta)


def occurred_at(recorded: RecordedEvent) -> datetime:
    """When the fact happened at its source: the envelope's time for a received event, else when it
    was recorded."""
    when = recorded.metadata.get(OCCURRED_AT)
    return datetime.fromisoformat(when) if isinstance(when, str) else recorded.recorded_at


def source_service(recorded: RecordedEvent) -> str:
    """The service an event comes from: the envelope's `/proposals/<store>` (an agency instance's
    `reply_shangwu` is reply's), else its stream's prefix."""
    source = recorded.metadata.get(SOURCE)
    if isinstance(source, str) and source:
        return service_and_unit(source.rstrip("/").rsplit("/", 1)[-1])[0]
    return recorded.stream.split("-", 1)[0]
