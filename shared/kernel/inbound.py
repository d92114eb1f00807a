"""Inbound integration events: what a service consumes, declared once, each message a local command.

A service declares an `Inbound`: each integration event type it consumes with the method that turns
the event into a command of its own, handled like an HTTP command with the message id as the
command id, so a redelivery appends nothing new. Its queue's bindings (and, from them, the broker
topology and permissions) are derived from that declaration and nothing else. A message of an
older version of a type is upcast through the publisher's contract before its handler sees it.
Before any of it, the consumer verifies the message's signature and that its source may issue its
type (`shared.kernel.signatures`): a message that fails is dead-lettered with the reason, counted.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from opentelemetry.trace import SpanKind
from pydantic import ValidationError

from shared.adapters.bus import Inbox, Malformed, Message, MessageBus
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.errors import UnknownEventType
from shared.kernel.events import EventRegistry
from shared.kernel.signatures import Refused, Verifier
from shared.observability import logging as logs
from shared.observability import tracing
from shared.observability.telemetry import Telemetry, current

log = logging.getLogger(__name__)

S = TypeVar("S")
EventHandler = Callable[[CloudEvent], Awaitable[None]]
Handle = Callable[[S, Any, CloudEvent], Awaitable[None]]
"""What a service does with one event: (the service, the event upcast to its current type, its envelope)."""
UNPARSED = "unparsed"
"""The type label of a message that is not a CloudEvent."""


class Inbound(Generic[S]):
    """The integration events a service consumes, each with what the service does with it."""

    def __init__(
        self,
        handlers: Mapping[type[IntegrationEvent], Handle[S]],
        contracts: Iterable[EventRegistry],
        recognises_repeats: bool = False,
    ) -> None:
        self.recognises_repeats = recognises_repeats
        """Every handler knows a message it had before from its id alone (a command with the message
        id as its command id, or a record once per message): the consumer keeps no inbox."""
        self.contract = EventRegistry()
        for registry in contracts:
            self.contract.include(registry)
        self.handlers = {cls.type_name: handle for cls, handle in handlers.items()}
        for name in self.handlers:
            self.contract.class_of(name)  # every handled type is a published one

    @property
    def type_names(self) -> list[str]:
        """The current types consumed."""
        return sorted(self.handlers)

    @property
    def accepted(self) -> list[str]:
        """The current types and every older version read as one of them."""
        return sorted({*self.handlers, *(o for n in self.handlers for o in self.contract.older_names(n))})

    @property
    def routing_keys(self) -> list[str]:
        """The bindings: the current types only. An older version is published beside a newer one
        with the same id for other agencies; a queue bound by an older release gets both, and takes
        the event once (the second is a repeat of the same message id)."""
        return [f"{name}.#" for name in self.type_names]

    def decode(self, event: CloudEvent) -> IntegrationEvent:
        """The event's data as its current type; Malformed (dead-lettered at once) when it does not fit."""
        try:
            decoded = self.contract.decode(event.type, event.data)
        except (ValidationError, UnknownEventType) as error:
            raise Malformed(f"{event.type} {event.id} does not fit its contract: {error}") from error
        assert isinstance(decoded, IntegrationEvent)
        return decoded

    def bind(self, service: S) -> dict[str, EventHandler]:
        """Type name (current or older) → the handler of a received CloudEvent."""

        def handler_of(name: str) -> EventHandler:
            async def handle(event: CloudEvent) -> None:
                decoded = self.decode(event)
                await self.handlers[decoded.type_name](service, decoded, event)

            return handle

        return {name: handler_of(name) for name in self.accepted}


@dataclass(frozen=True)
class Subscription:
    queue: str
    handlers: dict[str, EventHandler]
    """Integration event type → what to do with it."""
    bindings: Sequence[str] | None = None
    """The routing keys of the queue; every handled type when not given."""

    @property
    def routing_keys(self) -> list[str]:
        return list(self.bindings) if self.bindings is not None else [f"{t}.#" for t in self.handlers]


def parse(message: Message, verifier: Verifier) -> CloudEvent:
    """The CloudEvent a message carries, once its signature and source hold; Malformed (or Refused,
    with its reason) otherwise."""
    try:
        attributes = json.loads(message.body)
        event = CloudEvent.model_validate(attributes)
    except (ValidationError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise Malformed(f"message {message.id} is not a CloudEvent: {error}") from error
    verifier.verify(attributes)  # the object as received: what its issuer signed
    return event


async def consume_forever(
    bus: MessageBus, inbox: Inbox, subscription: Subscription, verifier: Verifier, max_deliveries: int = 5
) -> None:
    """Declare the queue, consume it until cancelled, then stop without acking what is unfinished.
    Every message is verified first."""
    telemetry = current()  # bound again for each message: a broker client may run it in its own task

    async def handle(message: Message) -> None:
        with telemetry.bound():
            try:
                event = parse(message, verifier)
            except Refused as refused:
                telemetry.metrics.message_refused(refused.reason)
                raise
            except Malformed:
                telemetry.metrics.message_consumed(UNPARSED, "malformed")
                raise
            await _handle_observed(event, subscription, telemetry)

    await bus.declare_queue(subscription.queue, subscription.routing_keys, max_deliveries)
    consumer = await bus.consume(subscription.queue, handle, inbox)
    try:
        await asyncio.Event().wait()
    finally:
        await consumer.stop()


async def _handle_observed(event: CloudEvent, subscription: Subscription, telemetry: Telemetry) -> None:
    """Handle the event in a span continuing its trace, with its ids on the log lines, counted."""
    metrics = telemetry.metrics
    metrics.consumer_lag.labels(event.type).observe((datetime.now(UTC) - event.time).total_seconds())
    with (
        logs.scoped(**event.ids),
        telemetry.tracer.start_as_current_span(
            f"{event.type} process",
            context=tracing.continued(event.traceparent),
            kind=SpanKind.CONSUMER,
            attributes={
                "cloudevents.event_id": event.id,
                "cloudevents.event_type": event.type,
                "cloudevents.event_source": event.source,
                "messaging.destination.name": subscription.queue,
            },
        ),
    ):
        handler = subscription.handlers.get(event.type)
        try:
            if handler is None:
                raise Malformed(f"queue {subscription.queue} has no handler for {event.type}")
            await handler(event)
        except Malformed:
            metrics.message_consumed(event.type, "malformed")
            raise
        except Exception:
            metrics.message_consumed(event.type, "failed")
            raise
        metrics.message_consumed(event.type, "handled")


async def declare_all(bus: MessageBus, queues: Mapping[str, Sequence[str]], max_deliveries: int) -> None:
    """Declare every consuming queue of the platform, so no event is published before its queue."""
    for queue, routing_keys in queues.items():
        await bus.declare_queue(queue, routing_keys, max_deliveries)
