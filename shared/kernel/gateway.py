"""The gateway: a checkpointed subscription that publishes a service's integration events.

The event store is the outbox. The gateway reads the service's new events, translates the public
ones into integration events, publishes them with confirms in a CloudEvents envelope whose id is
the event id, signed by the instance that issues it, and only then moves its checkpoint. Killed at
any point, it publishes again from its checkpoint: a message may go out twice, and consumers drop
the repeat by its id.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from opentelemetry.trace import SpanKind

from shared.adapters.bus import Message, MessageBus
from shared.adapters.eventstore import EventStore, RecordedEvent
from shared.adapters.readstore import Changes, ReadStore
from shared.kernel import faults
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.errors import Unroutable
from shared.kernel.events import Event, EventRegistry
from shared.kernel.records import is_received
from shared.kernel.signatures import Issuer
from shared.kernel.subscription import batches
from shared.observability import logging as logs
from shared.observability import tracing
from shared.observability.telemetry import current

log = logging.getLogger(__name__)

Translate = Callable[[Event], IntegrationEvent | None]


@dataclass
class GatewayStats:
    published: int = 0
    unrouted: int = 0
    position: int = 0


class Gateway:
    def __init__(
        self,
        service: str,
        events: EventStore,
        bus: MessageBus,
        checkpoints: ReadStore,
        registry: EventRegistry,
        translate: Translate,
        batch_size: int = 200,
        contract: EventRegistry | None = None,
        *,
        issuer: Issuer,
    ) -> None:
        self.service = service
        self.issuer = issuer
        """Who signs what this gateway publishes: the instance, by its store's name, and its key."""
        self.checkpoint_name = f"gateway-{service}"
        self.events = events
        self.bus = bus
        self.checkpoints = checkpoints
        self.registry = registry
        self.translate = translate
        self.batch_size = batch_size
        self.contract = contract or EventRegistry()
        """The service's public events: an event superseded by a new version is published in both."""
        self.stats = GatewayStats()

    def owns(self, recorded: RecordedEvent) -> bool:
        """The service's own facts: not the events it received from others and recorded."""
        return recorded.stream.startswith(f"{self.service}-") and not is_received(
            self.service, recorded.stream
        )

    def envelope(self, recorded: RecordedEvent) -> Message | None:
        """The message announcing this event, or None when it is private or not ours."""
        messages = self.messages(recorded)
        return messages[0] if messages else None

    def messages(self, recorded: RecordedEvent) -> list[Message]:
        """The messages announcing this event: its public event, then the same in each older version
        still published, all with the event's id (a consumer taking two versions takes it once),
        each signed."""
        return [message for _, message in self._outgoing(recorded)]

    def _outgoing(self, recorded: RecordedEvent) -> list[tuple[CloudEvent, Message]]:
        if not self.owns(recorded):
            return []
        public = self.translate(self.registry.decode_recorded(recorded))
        if public is None:
            return []
        data = public.model_dump(mode="json")
        versions = [(public.type_name, data)]
        versions += [(older, downcast(data)) for older, downcast in self.contract.downcasts(public.type_name)]
        key = public.routing_key()
        envelopes = [
            self.issuer.sign(
                CloudEvent(
                    id=str(recorded.id),
                    source=self.issuer.source,
                    type=type_name,
                    subject=recorded.stream,
                    time=recorded.recorded_at,
                    data=version,
                    correlationid=_text(recorded.metadata.get("correlation_id")),
                    causationid=_text(recorded.metadata.get("causation_id")),
                    traceparent=_text(recorded.metadata.get(tracing.TRACEPARENT)),
                )
            )
            for type_name, version in versions
        ]
        return [(e, e.to_message(e.type + key.removeprefix(public.type_name))) for e in envelopes]

    async def _publish(self, event: CloudEvent, message: Message) -> None:
        """Publish in a span of the trace of the append, and with its ids on the log lines."""
        telemetry = current()
        with (
            logs.scoped(**event.ids),
            telemetry.tracer.start_as_current_span(
                f"{event.type} publish",
                context=tracing.continued(event.traceparent),
                kind=SpanKind.PRODUCER,
                attributes={"cloudevents.event_id": event.id, "cloudevents.event_type": event.type},
            ),
        ):
            try:
                await self.bus.publish(message)
            except Unroutable:
                self.stats.unrouted += 1
                telemetry.metrics.message_published(event.type, routed=False)
                log.info("no queue is bound for %s (event %s)", message.routing_key, message.id)
                return
            self.stats.published += 1
            telemetry.metrics.message_published(event.type, routed=True)

    async def publish_batch(self, batch: list[RecordedEvent]) -> None:
        outgoing = [pair for recorded in batch for pair in self._outgoing(recorded)]
        await asyncio.gather(*(self._publish(event, message) for event, message in outgoing))
        faults.point("gateway.after-publish-before-checkpoint")
        self.stats.position = batch[-1].position
        await self.checkpoints.commit(Changes(), (self.checkpoint_name, self.stats.position))
        current().metrics.gateway_position.set(self.stats.position)

    async def run(self) -> None:
        after = await self.checkpoints.checkpoint(self.checkpoint_name)
        self.stats.position = after
        async for batch in batches(self.events, after, self.batch_size):
            await self.publish_batch(batch)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
