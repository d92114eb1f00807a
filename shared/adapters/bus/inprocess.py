"""The message bus in memory: a topic exchange and its queues inside one process.

It behaves like the RabbitMQ adapter as far as a service can tell: AMQP topic routing, a
message that reaches no queue raises `Unroutable`, manual ack after the handler's effect,
redelivery (with `redelivered=True`) after a failure or a consumer that stopped mid-handler, a
delivery limit after which the message is kept in the queue's dead-letter list, and `Malformed`
dead-lettering at once, each dead letter with its reason. Every delivery counts towards the limit,
as on a quorum queue: a message whose handler was interrupted by a stop or a cancellation counts
one delivery too.
Nothing survives the process.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace

from shared.adapters.bus import DEAD_LETTER_REASON, DELIVERY_LIMIT, Handler, Inbox, Malformed, Message
from shared.kernel.errors import Unroutable

log = logging.getLogger(__name__)


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: dot-separated words, `*` one word, `#` zero or more words."""
    words = routing_key.split(".")
    parts = pattern.split(".")
    # reachable[j]: the first i pattern parts can match the first j words
    reachable = [True] + [False] * len(words)
    for part in parts:
        nxt = [False] * (len(words) + 1)
        for j, ok in enumerate(reachable):
            if not ok:
                continue
            if part == "#":
                for k in range(j, len(words) + 1):
                    nxt[k] = True
                break  # every later j is covered already
            if j < len(words) and part in ("*", words[j]):
                nxt[j + 1] = True
        reachable = nxt
    return reachable[len(words)]


@dataclass
class _Delivery:
    message: Message
    deliveries: int = 0
    redelivered: bool = False


class _Queue:
    def __init__(self, name: str, max_deliveries: int) -> None:
        self.name = name
        self.max_deliveries = max_deliveries
        self.patterns: list[str] = []
        self.ready: deque[_Delivery] = deque()
        self.dead: list[Message] = []
        self.consumers: set[InProcessConsumer] = set()
        self._signal = asyncio.Event()

    def put(self, delivery: _Delivery, front: bool = False) -> None:
        if front:
            self.ready.appendleft(delivery)
        else:
            self.ready.append(delivery)
        self._signal.set()
        self._signal = asyncio.Event()

    async def take(self) -> _Delivery:
        while not self.ready:
            await self._signal.wait()
        return self.ready.popleft()

    def give_back(self, delivery: _Delivery, reason: str) -> None:
        """A delivery not acked: requeue it, or dead-letter it when it has had its deliveries."""
        if delivery.deliveries >= self.max_deliveries:
            self.dead_letter(delivery, f"{DELIVERY_LIMIT}: {reason}, delivered {delivery.deliveries} times")
            return
        delivery.redelivered = True
        self.put(delivery, front=True)

    def dead_letter(self, delivery: _Delivery, reason: str) -> None:
        message = delivery.message
        log.warning(
            "dead-lettering message %s (routing key %r) from queue %r: %s",
            message.id,
            message.routing_key,
            self.name,
            reason,
        )
        headers = {**message.headers, DEAD_LETTER_REASON: reason}
        self.dead.append(replace(message, redelivered=False, headers=headers))


class InProcessConsumer:
    """Takes up to `prefetch` messages at a time from a queue and runs the handler on each."""

    def __init__(self, queue: _Queue, handler: Handler, inbox: Inbox, prefetch: int) -> None:
        self._queue = queue
        self._handler = handler
        self._inbox = inbox
        self._slots = asyncio.Semaphore(prefetch)
        self._inflight: set[asyncio.Task[None]] = set()
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"consumer:{queue.name}")

    async def _run(self) -> None:
        try:
            while True:
                await self._slots.acquire()
                try:
                    delivery = await self._queue.take()
                except BaseException:
                    self._slots.release()
                    raise
                task = asyncio.get_running_loop().create_task(
                    self._deliver(delivery), name=f"handler:{self._queue.name}:{delivery.message.id}"
                )
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
        finally:
            # The consumer is gone: whatever its handlers have not acked goes back to the queue.
            tasks = list(self._inflight)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._queue.consumers.discard(self)

    async def _deliver(self, delivery: _Delivery) -> None:
        queue = self._queue
        delivery.deliveries += 1
        message = replace(delivery.message, redelivered=delivery.redelivered)
        try:
            if not await self._inbox.seen(queue.name, message.id):
                await self._handler(message)
                await self._inbox.remember(queue.name, message.id)
        except Malformed as error:
            queue.dead_letter(delivery, str(error))
        except asyncio.CancelledError:
            queue.give_back(delivery, "consumer stopped before ack")
            raise
        except Exception:
            log.exception(
                "handler failed for message %s on queue %r (delivery %d of %d)",
                message.id,
                queue.name,
                delivery.deliveries,
                queue.max_deliveries,
            )
            queue.give_back(delivery, "handler failed")
        finally:
            self._slots.release()
        # returning is the ack: the message has left the queue for good

    async def stop(self) -> None:
        """Stop taking messages; handlers still running are cancelled and their messages requeued."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._queue.consumers.discard(self)


class InProcessBus:
    def __init__(self, exchange: str = "proposals.events") -> None:
        self.exchange = exchange
        self._queues: dict[str, _Queue] = {}

    def _route(self, routing_key: str) -> list[_Queue]:
        return [
            queue
            for queue in self._queues.values()
            if any(topic_matches(pattern, routing_key) for pattern in queue.patterns)
        ]

    def _queue(self, name: str) -> _Queue:
        try:
            return self._queues[name]
        except KeyError:
            raise LookupError(f"queue {name!r} is not declared") from None

    async def publish(self, message: Message) -> None:
        queues = self._route(message.routing_key)
        if not queues:
            raise Unroutable(message.routing_key)
        for queue in queues:
            queue.put(_Delivery(replace(message, redelivered=False)))

    async def publish_many(self, messages: Sequence[Message]) -> None:
        errors: list[Exception] = []
        for message in messages:
            try:
                await self.publish(message)
            except Unroutable as error:
                errors.append(error)
        if errors:
            raise errors[0]

    async def declare_queue(self, queue: str, routing_keys: Sequence[str], max_deliveries: int = 5) -> None:
        if max_deliveries < 1:
            raise ValueError("max_deliveries must be at least 1")
        declared = self._queues.get(queue)
        if declared is None:
            declared = self._queues[queue] = _Queue(queue, max_deliveries)
        elif declared.max_deliveries != max_deliveries:
            raise ValueError(f"queue {queue!r} is declared with max_deliveries={declared.max_deliveries}")
        for key in routing_keys:
            if key not in declared.patterns:
                declared.patterns.append(key)

    async def consume(
        self, queue: str, handler: Handler, inbox: Inbox, prefetch: int = 32
    ) -> InProcessConsumer:
        if prefetch < 1:
            raise ValueError("prefetch must be at least 1")
        declared = self._queue(queue)
        consumer = InProcessConsumer(declared, handler, inbox, prefetch)
        declared.consumers.add(consumer)
        return consumer

    async def dead_letters(self, queue: str) -> list[Message]:
        return list(self._queue(queue).dead)

    async def delete_queue(self, queue: str) -> None:
        declared = self._queues.pop(queue, None)
        if declared is not None:
            for consumer in list(declared.consumers):
                await consumer.stop()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        for queue in self._queues.values():
            for consumer in list(queue.consumers):
                await consumer.stop()
