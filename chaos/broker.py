"""What the scenarios do to the broker directly (not through the proxy): copy messages, publish
copies and poison, look into the dead-letter queues."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from runtime.topology import all_queues
from shared.adapters.bus.inprocess import topic_matches
from shared.adapters.bus.rabbitmq import RabbitMQBus

POISON_ROUTING_KEY = "intake.proposal-registered.v2"
"""A key several services consume (allocation, reply, feedback and the views): the poison must end in
the dead-letter queue of each (`poisoned_queues`)."""


@dataclass(frozen=True)
class Copy:
    """A message as the gateway published it, to be published again unchanged."""

    id: str
    routing_key: str
    body: bytes
    content_type: str
    headers: dict[str, object]


def _copy(incoming: AbstractIncomingMessage) -> Copy:
    return Copy(
        id=incoming.message_id or "",
        routing_key=incoming.routing_key or "",
        body=incoming.body,
        content_type=incoming.content_type or "application/cloudevents+json",
        headers=dict(incoming.headers or {}),
    )


class Spy:
    """A queue bound to every key of the exchange, holding a copy of each message published."""

    def __init__(self, url: str, exchange: str) -> None:
        self.url = url
        self.exchange = exchange
        self.queue = f"{exchange}.chaos-spy"

    async def open(self) -> None:
        connection = await aio_pika.connect(self.url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.queue, durable=False, auto_delete=False)
            await queue.bind(self.exchange, routing_key="#")

    async def take(self, limit: int) -> list[Copy]:
        """Up to `limit` copies, removed from the spy queue."""
        connection = await aio_pika.connect(self.url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(self.queue)
            copies: list[Copy] = []
            while len(copies) < limit and (incoming := await queue.get(no_ack=True, fail=False)) is not None:
                copies.append(_copy(incoming))
            return copies

    async def close(self) -> None:
        connection = await aio_pika.connect(self.url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(self.queue)


async def publish(url: str, exchange: str, copies: Sequence[Copy], times: int = 1) -> int:
    """Publish each copy `times` times, with the message id it had; the number published."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange)
        for _ in range(times):
            for copy in copies:
                message = aio_pika.Message(
                    body=copy.body,
                    message_id=copy.id,
                    content_type=copy.content_type,
                    headers=copy.headers,  # type: ignore[arg-type]
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                )
                await target.publish(message, routing_key=copy.routing_key)
    return len(copies) * times


async def publish_poison(url: str, exchange: str) -> str:
    """A message with a consumed routing key whose body is not a CloudEvent; its id."""
    poison = Copy(
        id=str(uuid.uuid4()),
        routing_key=POISON_ROUTING_KEY,
        body=b'{"specversion": "1.0", "type": "intake.proposal-registered.v2", "data": ',
        content_type="application/cloudevents+json",
        headers={},
    )
    await publish(url, exchange, [poison])
    return poison.id


def poisoned_queues(exchange: str) -> list[str]:
    """The queues bound to the poison's routing key, as the services' declarations bind them."""
    return [
        queue
        for queue, patterns in all_queues(exchange).items()
        if any(topic_matches(pattern, POISON_ROUTING_KEY) for pattern in patterns)
    ]


async def dead_letters(url: str, exchange: str) -> dict[str, dict[str, str]]:
    """Queue → id → routing key of each message in its dead-letter queue (left there)."""
    bus = await RabbitMQBus.connect(url, exchange)
    try:
        return {
            queue: {m.id: m.routing_key for m in await bus.dead_letters(queue)}
            for queue in all_queues(exchange)
        }
    finally:
        await bus.close()
