"""The message bus on RabbitMQ, through aio-pika.

One robust connection. Publishing goes through one channel with publisher confirms to a durable
topic exchange, `mandatory` so that a message no queue is bound for comes back and raises
`Unroutable`. Each queue is a quorum queue whose delivery limit makes exactly `max_deliveries`
deliveries happen (RabbitMQ 3.10 dead-letters a message once it has been returned more than
`x-delivery-limit` times, so the limit is `max_deliveries - 1`); its dead letters go through the
direct exchange `<exchange>.dlx` to the durable queue `<queue>.dlq`, where they stay.

Each consumer has its own channel, with `prefetch` unacked messages at most; handlers run
concurrently up to that bound. A message is acked after its handler returned and the inbox
remembered it; a failure is nacked back to the queue (a delivery counted by the broker) after a
wait that grows with each delivery (`retry_delay`, four times longer each time, at most a minute),
so that a message that came too early (a reply before its proposal reached the service) or met a
restarting database is tried again later rather than spending its deliveries in milliseconds.
A `Malformed` message is dead-lettered at once by the consumer itself: it publishes the message,
with confirms, to the dead-letter exchange with the reason in its `dead-letter-reason` header (and
the routing key it came with), then acks it; should that publish fail, it rejects the message and
the broker dead-letters it without the reason. A message the broker dead-lettered at its delivery
limit shows that as its reason.

Where the broker's definitions hold the exchanges, queues and bindings (`declare=False`, a deployment's
`python -m runtime.broker`), the bus declares nothing: it finds each one by a passive declare, which
needs no permission, and raises LookupError naming what is missing. Its user then needs no configure
right, which would let it delete another service's queue.
"""

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from shared.adapters.bus import DEAD_LETTER_REASON, DELIVERY_LIMIT, Handler, Inbox, Malformed, Message
from shared.kernel import faults
from shared.kernel.errors import PublishTimeout, Unroutable

log = logging.getLogger(__name__)

DEFAULT_CONTENT_TYPE = "application/cloudevents+json"  # the default of Message.content_type

DEAD_LETTER_ROUTING_KEY = "dead-letter-routing-key"
"""The routing key a message dead-lettered by a consumer came with (the broker's go in `x-death`)."""
REASON_LIMIT = 2000
"""At most this many characters of a reason go into the header."""
KeepDead = Callable[[Message, str], Awaitable[None]]
"""Puts a message into the consumer's dead-letter queue with the reason."""

# Headers the broker adds; they are not part of the message that was published.
_BROKER_HEADERS = frozenset({"x-delivery-count", "x-death"})
_BROKER_HEADER_PREFIXES = ("x-first-death-", "x-last-death-")


def _headers(raw: Mapping[str, Any] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in (raw or {}).items():
        if key in _BROKER_HEADERS or key.startswith(_BROKER_HEADER_PREFIXES):
            continue
        if isinstance(value, bytes):
            headers[key] = value.decode("utf-8", errors="replace")
        elif isinstance(value, str):
            headers[key] = value
    return headers


def _to_message(incoming: AbstractIncomingMessage, routing_key: str | None = None) -> Message:
    return Message(
        id=incoming.message_id or "",
        routing_key=routing_key if routing_key is not None else incoming.routing_key or "",
        body=incoming.body,
        headers=_headers(incoming.headers),
        content_type=incoming.content_type or DEFAULT_CONTENT_TYPE,
        redelivered=bool(incoming.redelivered),
    )


def _dead_letter(incoming: AbstractIncomingMessage) -> Message:
    """A message of a dead-letter queue as it was published, with the reason it is there."""
    headers = _headers(incoming.headers)
    routing_key = headers.pop(DEAD_LETTER_ROUTING_KEY, None) or _newest_death(incoming, "routing-keys")
    if DEAD_LETTER_REASON not in headers:
        reason = _newest_death(incoming, "reason")
        headers[DEAD_LETTER_REASON] = DELIVERY_LIMIT if reason == "delivery_limit" else reason or "unknown"
    message = _to_message(incoming, routing_key or incoming.routing_key or "")
    return replace(message, headers=headers, redelivered=False)


def _newest_death(incoming: AbstractIncomingMessage, field: str) -> str | None:
    """A field of the newest `x-death` entry the broker added when it dead-lettered the message."""
    deaths = (incoming.headers or {}).get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], Mapping):
        value = deaths[0].get(field)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            return value.decode() if isinstance(value, bytes) else str(value)
    return None


def _delivery_count(incoming: AbstractIncomingMessage) -> int:
    """How many times the broker had delivered this message before this delivery."""
    count = (incoming.headers or {}).get("x-delivery-count")
    return count if isinstance(count, int) else 0


async def _settle(settling: Awaitable[None], what: str, incoming: AbstractIncomingMessage) -> None:
    """Ack, nack or reject; when the channel is gone the broker requeues the message anyway."""
    try:
        await settling
    except (aiormq.exceptions.AMQPError, ConnectionError, RuntimeError) as error:
        log.warning("could not %s message %s: %r", what, incoming.message_id, error)


RETRY_DELAY_CAP = 60.0


def backoff(first: float, delivery: int) -> float:
    """How long a failed message is held before it goes back: `first` after the first delivery,
    four times longer after each next one, never more than a minute."""
    return min(first * 4 ** (delivery - 1), RETRY_DELAY_CAP) if first > 0 else 0.0


def dead_letter_exchange(exchange: str) -> str:
    return f"{exchange}.dlx"


def queue_arguments(queue: str, exchange: str, max_deliveries: int) -> dict[str, Any]:
    """The arguments of a consuming queue on `exchange`: quorum, `max_deliveries` deliveries at most,
    then its dead-letter exchange with the queue's name as key. The broker's definitions declare
    the queues with the same (a declare with other arguments fails)."""
    if max_deliveries < 1:
        raise ValueError("max_deliveries must be at least 1")
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": max_deliveries - 1,
        "x-dead-letter-exchange": dead_letter_exchange(exchange),
        "x-dead-letter-routing-key": queue,
    }


async def _existing_exchange(channel: AbstractChannel, exchange: str) -> AbstractExchange:
    """A passive declare: the exchange if it exists, else LookupError (the channel is then closed)."""
    try:
        return await channel.get_exchange(exchange, ensure=True)
    except aiormq.exceptions.ChannelNotFoundEntity as missing:
        raise LookupError(f"exchange {exchange!r} is not declared") from missing


async def _existing_queue(channel: AbstractChannel, queue: str) -> AbstractQueue:
    """A passive declare: the queue if it exists, else LookupError (the channel is then closed)."""
    try:
        return await channel.get_queue(queue, ensure=True)
    except aiormq.exceptions.ChannelNotFoundEntity as missing:
        raise LookupError(f"queue {queue!r} is not declared") from missing


class RabbitMQConsumer:
    """One consumer on its own channel; `stop` returns whatever it has not acked to the queue."""

    def __init__(
        self,
        channel: AbstractChannel,
        queue: AbstractQueue,
        handler: Handler,
        inbox: Inbox,
        max_deliveries: int | None,
        keep_dead: KeepDead,
        retry_delay: float = 0.0,
    ) -> None:
        self._channel = channel
        self._keep_dead = keep_dead
        self._retry_delay = retry_delay
        self._queue = queue
        self._handler = handler
        self._inbox = inbox
        self._max_deliveries = max_deliveries
        self._inflight: set[asyncio.Task[Any]] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._tag: str | None = None
        self._stopping = False

    @property
    def queue(self) -> str:
        return self._queue.name

    async def start(self) -> None:
        self._tag = await self._queue.consume(self._on_message, no_ack=False)

    async def _on_message(self, incoming: AbstractIncomingMessage) -> None:
        if self._stopping:
            return  # arrived while stopping: closing the channel gives it back unacked
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            await self._process(incoming)
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def _process(self, incoming: AbstractIncomingMessage) -> None:
        queue = self._queue.name
        message = _to_message(incoming)
        if not message.id:
            log.warning("dead-lettering a message without message_id from queue %r", queue)
            await _settle(incoming.reject(requeue=False), "reject", incoming)
            return
        try:
            if await self._inbox.seen(queue, message.id):
                await _settle(incoming.ack(), "ack", incoming)
                return
            await self._handler(message)
            await self._inbox.remember(queue, message.id)
        except Malformed as error:
            log.warning(
                "dead-lettering malformed message %s (routing key %r) from queue %r: %s",
                message.id,
                message.routing_key,
                queue,
                error,
            )
            await self._dead_letter(incoming, message, str(error))
            return
        except asyncio.CancelledError:
            if not self._stopping:
                # The handler was cancelled but the consumer lives on: give the message back now
                # rather than when the channel closes.
                give_back = asyncio.get_running_loop().create_task(
                    _settle(incoming.nack(requeue=True), "nack", incoming)
                )
                self._background.add(give_back)
                give_back.add_done_callback(self._background.discard)
            raise
        except Exception:
            delivery = _delivery_count(incoming) + 1
            if self._max_deliveries is not None and delivery >= self._max_deliveries:
                log.exception(
                    "handler failed for message %s on queue %r at its last delivery (%d of %d): "
                    "the broker dead-letters it",
                    message.id,
                    queue,
                    delivery,
                    self._max_deliveries,
                )
            else:
                log.exception(
                    "handler failed for message %s on queue %r (delivery %d of %s): requeued",
                    message.id,
                    queue,
                    delivery,
                    self._max_deliveries or "?",
                )
            if self._max_deliveries is None or delivery < self._max_deliveries:
                await asyncio.sleep(backoff(self._retry_delay, delivery))
            await _settle(incoming.nack(requeue=True), "nack", incoming)
            return
        faults.point("consumer.before-ack")
        await _settle(incoming.ack(), "ack", incoming)

    async def _dead_letter(self, incoming: AbstractIncomingMessage, message: Message, reason: str) -> None:
        """Keep the message in the dead-letter queue with its reason, then ack it; or reject it."""
        try:
            await self._keep_dead(message, reason)
        except Exception as error:  # any failure to publish: the broker still dead-letters it
            log.warning(
                "could not keep message %s with its reason (%r): rejected, dead-lettered without it",
                message.id,
                error,
            )
            await _settle(incoming.reject(requeue=False), "reject", incoming)
            return
        await _settle(incoming.ack(), "ack", incoming)

    async def stop(self) -> None:
        """Cancel the consumer, cancel running handlers and close the channel: unacked go back."""
        if self._stopping:
            return
        self._stopping = True
        if self._tag is not None and not self._channel.is_closed:
            with contextlib.suppress(aiormq.exceptions.AMQPError, ConnectionError, RuntimeError):
                await self._queue.cancel(self._tag)
        current = asyncio.current_task()
        running = [task for task in self._inflight if task is not current]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        if not self._channel.is_closed:
            with contextlib.suppress(aiormq.exceptions.AMQPError, ConnectionError, RuntimeError):
                await self._channel.close()


class RabbitMQBus:
    def __init__(
        self,
        connection: AbstractRobustConnection,
        publisher: AbstractChannel,
        topology: AbstractChannel,
        exchange: AbstractExchange,
        dead_letter_exchange: AbstractExchange,
        publish_timeout: float,
        retry_delay: float = 0.0,
        declare: bool = True,
    ) -> None:
        self._connection = connection
        self._declare = declare
        self._retry_delay = retry_delay
        self._publisher = publisher
        self._topology = topology
        self._exchange = exchange
        self._dlx = dead_letter_exchange
        self._publish_timeout = publish_timeout
        # Strong references: aio-pika's robust channels restore what is still referenced.
        self._queues: dict[str, tuple[AbstractQueue, AbstractQueue]] = {}
        self._max_deliveries: dict[str, int] = {}
        self._consumers: set[RabbitMQConsumer] = set()

    @classmethod
    async def connect(
        cls,
        url: str,
        exchange: str = "proposals.events",
        publish_timeout: float = 10.0,
        retry_delay: float = 0.0,
        declare: bool = True,
    ) -> "RabbitMQBus":
        """`retry_delay`: how long a consumer holds a failed message before giving it back the first
        time (see `backoff`); 0 gives it back at once. `declare`: declare the exchanges and queues,
        or only find them where the broker's definitions hold them."""
        connection = await aio_pika.connect_robust(url)
        try:
            publisher = await connection.channel(publisher_confirms=True, on_return_raises=True)
            topology = await connection.channel(publisher_confirms=False)
            topic: AbstractExchange
            dlx: AbstractExchange
            # The dead-letter exchange on the publishing channel: a consumer's dead letters are
            # published to it with confirms.
            if declare:
                topic = await publisher.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
                dlx = await publisher.declare_exchange(
                    dead_letter_exchange(exchange), aio_pika.ExchangeType.DIRECT, durable=True
                )
            else:
                topic = await _existing_exchange(publisher, exchange)
                dlx = await _existing_exchange(publisher, dead_letter_exchange(exchange))
        except BaseException:
            await connection.close()
            raise
        return cls(connection, publisher, topology, topic, dlx, publish_timeout, retry_delay, declare)

    @property
    def exchange(self) -> str:
        return self._exchange.name

    @property
    def declared_queues(self) -> list[str]:
        """The queues this bus has declared (and not deleted)."""
        return list(self._queues)

    @staticmethod
    def dead_letter_queue(queue: str) -> str:
        return f"{queue}.dlq"

    async def publish(self, message: Message) -> None:
        outgoing = aio_pika.Message(
            body=message.body,
            message_id=message.id,
            content_type=message.content_type,
            headers=dict(message.headers),
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            async with asyncio.timeout(self._publish_timeout):
                confirmation = await self._exchange.publish(
                    outgoing, routing_key=message.routing_key, mandatory=True
                )
        except aiormq.exceptions.PublishError as returned:
            # The broker returned the message (Basic.Return): no queue is bound for its key.
            raise Unroutable(message.routing_key) from returned
        except TimeoutError as timeout:
            raise PublishTimeout(
                f"no confirm for message {message.id} within {self._publish_timeout:g} s"
            ) from timeout
        if not isinstance(confirmation, aiormq.spec.Basic.Ack):
            # A returned message given back as the result instead of raised.
            raise Unroutable(message.routing_key)

    async def publish_many(self, messages: Sequence[Message]) -> None:
        # The channel sends in the order the publishes start; the confirms are awaited together.
        results = await asyncio.gather(
            *(self.publish(message) for message in messages), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def declare_queue(self, queue: str, routing_keys: Sequence[str], max_deliveries: int = 5) -> None:
        """Declare the queue, its dead-letter queue and their bindings; where the broker's definitions
        hold them (`declare=False`), find the two queues (LookupError when one is missing)."""
        arguments = queue_arguments(queue, self._exchange.name, max_deliveries)
        if not self._declare:
            dead = await _existing_queue(self._topology, self.dead_letter_queue(queue))
            declared = await _existing_queue(self._topology, queue)
            self._queues[queue] = (declared, dead)
            self._max_deliveries[queue] = max_deliveries
            return
        dead = await self._topology.declare_queue(self.dead_letter_queue(queue), durable=True)
        await dead.bind(self._dlx, routing_key=queue)
        declared = await self._topology.declare_queue(queue, durable=True, arguments=arguments)
        for key in routing_keys:
            await declared.bind(self._exchange.name, routing_key=key)
        self._queues[queue] = (declared, dead)
        self._max_deliveries[queue] = max_deliveries

    async def consume(
        self, queue: str, handler: Handler, inbox: Inbox, prefetch: int = 32
    ) -> RabbitMQConsumer:
        channel = await self._connection.channel(publisher_confirms=False)
        try:
            await channel.set_qos(prefetch_count=prefetch)
            declared = await _existing_queue(channel, queue)
            consumer = RabbitMQConsumer(
                channel,
                declared,
                handler,
                inbox,
                self._max_deliveries.get(queue),
                functools.partial(self._keep_dead, queue),
                self._retry_delay,
            )
            await consumer.start()
        except BaseException:
            await channel.close()
            raise
        self._consumers.add(consumer)
        return consumer

    async def _keep_dead(self, queue: str, message: Message, reason: str) -> None:
        """Publish a message to the queue's dead-letter queue with its reason, and wait for the confirm."""
        headers = {
            **message.headers,
            DEAD_LETTER_REASON: reason[:REASON_LIMIT],
            DEAD_LETTER_ROUTING_KEY: message.routing_key,
        }
        outgoing = aio_pika.Message(
            body=message.body,
            message_id=message.id,
            content_type=message.content_type,
            headers=dict(headers),
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        async with asyncio.timeout(self._publish_timeout):
            await self._dlx.publish(outgoing, routing_key=queue, mandatory=True)

    async def dead_letters(self, queue: str) -> list[Message]:
        """Get every dead letter without acking, then close the channel: they all go back."""
        channel = await self._connection.channel(publisher_confirms=False)
        try:
            dead = await _existing_queue(channel, self.dead_letter_queue(queue))
            letters: list[Message] = []
            while (incoming := await dead.get(no_ack=False, fail=False)) is not None:
                letters.append(_dead_letter(incoming))
            return letters
        finally:
            await channel.close()

    async def delete_queue(self, queue: str) -> None:
        for consumer in list(self._consumers):
            if consumer.queue == queue:
                await consumer.stop()
                self._consumers.discard(consumer)
        await self._topology.queue_delete(queue, if_unused=False, if_empty=False)
        await self._topology.queue_delete(self.dead_letter_queue(queue), if_unused=False, if_empty=False)
        self._queues.pop(queue, None)
        self._max_deliveries.pop(queue, None)

    async def delete_exchanges(self) -> None:
        """Delete the topic exchange and its dead-letter exchange (for tests and teardown)."""
        await self._topology.exchange_delete(self._exchange.name)
        await self._topology.exchange_delete(self._dlx.name)

    async def ping(self) -> None:
        if self._connection.is_closed:
            raise ConnectionError("the RabbitMQ connection is closed")

        async def check() -> None:
            channel = await self._connection.channel(publisher_confirms=False)
            try:
                await channel.get_exchange(self._exchange.name, ensure=True)
            finally:
                await channel.close()

        try:
            await asyncio.wait_for(check(), self._publish_timeout)
        except TimeoutError as timeout:
            raise ConnectionError("RabbitMQ did not answer in time") from timeout

    async def close(self) -> None:
        for consumer in list(self._consumers):
            await consumer.stop()
        self._consumers.clear()
        await self._connection.close()
