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
from shared.kernel.records import is_received
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
        contract: EventRegistry | None = None,
    ) -> None:
        self.service = service
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
        still published, all with the event's id (a consumer taking two versions takes it once)."""
        if not self.owns(recorded):
            return []
        public = self.translate(self.registry.decode_recorded(recorded))
        if public is None:
            return []
        data = public.model_dump(mode="json")
        versions = [(public.type_name, data)]
        versions += [(older, downcast(data)) for older, downcast in self.contract.downcasts(public.type_name)]
        key = public.routing_key()
        return [
            CloudEvent(
                id=str(recorded.id),
                source=f"/proposals/{self.service}",
                type=type_name,
                subject=recorded.stream,
                time=recorded.recorded_at,
                data=version,
                correlationid=_text(recorded.metadata.get("correlation_id")),
                causationid=_text(recorded.metadata.get("causation_id")),
            ).to_message(type_name + key.removeprefix(public.type_name))
            for type_name, version in versions
        ]

    async def _publish(self, message: Message) -> None:
        try:
            await self.bus.publish(message)
            self.stats.published += 1
        except Unroutable:
            self.stats.unrouted += 1
            log.info("no queue is bound for %s (event %s)", message.routing_key, message.id)

    async def publish_batch(self, batch: list[RecordedEvent]) -> None:
        messages = [m for recorded in batch for m in self.messages(recorded)]
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
