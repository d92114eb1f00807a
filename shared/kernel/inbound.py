"""Inbound integration events: a durable queue per consuming service, each message a local command.

A handler receives the CloudEvent and turns it into a command of its own service, handled like an
HTTP command with the message id as the command id, so a redelivery appends nothing new.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from shared.adapters.bus import Inbox, Malformed, Message, MessageBus
from shared.kernel.cloudevents import CloudEvent

log = logging.getLogger(__name__)

EventHandler = Callable[[CloudEvent], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    queue: str
    handlers: dict[str, EventHandler]
    """Integration event type → what to do with it."""

    @property
    def routing_keys(self) -> list[str]:
        return [f"{type_name}.#" for type_name in self.handlers]


def parse(message: Message) -> CloudEvent:
    try:
        return CloudEvent.from_message(message)
    except (ValidationError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise Malformed(f"message {message.id} is not a CloudEvent: {error}") from error


async def consume_forever(
    bus: MessageBus, inbox: Inbox, subscription: Subscription, max_deliveries: int = 5
) -> None:
    """Declare the queue, consume it until cancelled, then stop without acking what is unfinished."""

    async def handle(message: Message) -> None:
        event = parse(message)
        handler = subscription.handlers.get(event.type)
        if handler is None:
            raise Malformed(f"queue {subscription.queue} has no handler for {event.type}")
        await handler(event)

    await bus.declare_queue(subscription.queue, subscription.routing_keys, max_deliveries)
    consumer = await bus.consume(subscription.queue, handle, inbox)
    try:
        await asyncio.Event().wait()
    finally:
        await consumer.stop()


async def declare_all(bus: MessageBus, queues: Mapping[str, Sequence[str]], max_deliveries: int) -> None:
    """Declare every consuming queue of the platform, so no event is published before its queue."""
    for queue, routing_keys in queues.items():
        await bus.declare_queue(queue, routing_keys, max_deliveries)
