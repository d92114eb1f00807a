"""The gateway: a checkpointed subscription that publishes a service's integration events.

The event store is the outbox. The gateway reads the service's new events, translates the public
ones into integration events, publishes them with confirms in a CloudEvents envelope whose id is
the event id, and only then moves its checkpoint. Killed at any point, it publishes again from its
checkpoint: a message may go out twice, and consumers drop the repeat by its id.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from shared.adapters.bus import Message, MessageBus
from shared.adapters.eventstore import EventStore, RecordedEvent
from shared.adapters.readstore import Changes, ReadStore
from shared.kernel import faults
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.errors import Unroutable
from shared.kernel.events import Event, EventRegistry
from shared.kernel.subscription import batches

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
    ) -> None:
        self.service = service
        self.checkpoint_name = f"gateway-{service}"
        self.events = events
        self.bus = bus
        self.checkpoints = checkpoints
        self.registry = registry
        self.translate = translate
        self.batch_size = batch_size
        self.stats = GatewayStats()

    def owns(self, recorded: RecordedEvent) -> bool:
        return recorded.stream.startswith(f"{self.service}-")

    def envelope(self, recorded: RecordedEvent) -> Message | None:
        """The message announcing this event, or None when it is private or not ours."""
        if not self.owns(recorded):
            return None
        public = self.translate(self.registry.decode_recorded(recorded))
        if public is None:
            return None
        cloud_event = CloudEvent(
            id=str(recorded.id),
            source=f"/proposals/{self.service}",
            type=public.type_name,
            subject=recorded.stream,
            time=recorded.recorded_at,
            data=public.model_dump(mode="json"),
            correlationid=_text(recorded.metadata.get("correlation_id")),
            causationid=_text(recorded.metadata.get("causation_id")),
        )
        return cloud_event.to_message(public.routing_key())

    async def _publish(self, message: Message) -> None:
        try:
            await self.bus.publish(message)
            self.stats.published += 1
        except Unroutable:
            self.stats.unrouted += 1
            log.info("no queue is bound for %s (event %s)", message.routing_key, message.id)

    async def publish_batch(self, batch: list[RecordedEvent]) -> None:
        messages = [m for m in map(self.envelope, batch) if m is not None]
        await asyncio.gather(*(self._publish(m) for m in messages))
        faults.point("gateway.after-publish-before-checkpoint")
        self.stats.position = batch[-1].position
        await self.checkpoints.commit(Changes(), (self.checkpoint_name, self.stats.position))

    async def run(self) -> None:
        after = await self.checkpoints.checkpoint(self.checkpoint_name)
        self.stats.position = after
        async for batch in batches(self.events, after, self.batch_size):
            await self.publish_batch(batch)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
