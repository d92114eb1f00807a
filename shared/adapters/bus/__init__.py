"""The message bus port: integration events between services and agencies.

One topic exchange; each consuming service declares its own durable queue bound to the routing
keys it wants. Handlers ack after their effect; a handler that raises gets the message again, up
to `max_deliveries` times, after which the message is moved to the queue's dead-letter queue,
where it is kept and counted. A handler that raises `Malformed` sends it there at once. Every dead
letter carries why in its `dead-letter-reason` header: the text of the `Malformed`, or the delivery
limit reached.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from shared.kernel.errors import PublishTimeout, Unroutable

__all__ = [
    "DEAD_LETTER_REASON",
    "Consumer",
    "Handler",
    "Inbox",
    "Malformed",
    "Message",
    "MessageBus",
    "PublishTimeout",
    "Unroutable",
]

DEAD_LETTER_REASON = "dead-letter-reason"
"""The header of a dead letter that says why it was dead-lettered."""
DELIVERY_LIMIT = "delivery limit reached"
"""How the reason of a message dead-lettered after its last failed delivery starts."""


@dataclass(frozen=True)
class Message:
    id: str
    """The message id: the id of the event it carries, so redeliveries can be recognised."""
    routing_key: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/cloudevents+json"
    redelivered: bool = False


class Malformed(Exception):
    """Raised by a handler for a message it can never process: dead-lettered without retry."""


Handler = Callable[[Message], Awaitable[None]]


class Inbox(Protocol):
    """Message ids a consumer has processed, so a redelivery has no second effect."""

    async def seen(self, consumer: str, message_id: str) -> bool: ...

    async def remember(self, consumer: str, message_id: str) -> None: ...


class Consumer(Protocol):
    async def stop(self) -> None:
        """Stop taking messages; a message not yet acked goes back to the queue."""
        ...


class MessageBus(Protocol):
    async def publish(self, message: Message) -> None:
        """Return once the broker has confirmed; raise Unroutable or PublishTimeout."""
        ...

    async def publish_many(self, messages: Sequence[Message]) -> None:
        """Publish in order and wait for every confirm together."""
        ...

    async def declare_queue(self, queue: str, routing_keys: Sequence[str], max_deliveries: int = 5) -> None:
        """A durable queue bound to these routing keys (topic patterns), with its dead-letter queue."""
        ...

    async def consume(self, queue: str, handler: Handler, inbox: Inbox, prefetch: int = 32) -> Consumer:
        """Deliver the queue's messages to `handler`; ack after it returns."""
        ...

    async def dead_letters(self, queue: str) -> list[Message]:
        """The messages kept in the queue's dead-letter queue, oldest first (left in place)."""
        ...

    async def delete_queue(self, queue: str) -> None:
        """Delete the queue and its dead-letter queue."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
