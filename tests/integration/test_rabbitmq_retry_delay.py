"""A failed message is held before it goes back, longer at each delivery: a message that came too
early (a reply before its proposal) is not dead-lettered within milliseconds."""

import time
import uuid
from collections.abc import AsyncIterator

import pytest

from shared.adapters.bus import Message
from shared.adapters.bus.inbox import InMemoryInbox
from shared.adapters.bus.rabbitmq import RETRY_DELAY_CAP, RabbitMQBus, backoff
from shared.testing.waiting import eventually
from tests.servers import require_rabbitmq


def test_the_wait_grows_four_times_at_each_delivery_up_to_a_minute() -> None:
    assert [backoff(1.0, d) for d in (1, 2, 3, 4, 5)] == [1.0, 4.0, 16.0, 60.0, RETRY_DELAY_CAP]
    assert backoff(0.0, 3) == 0.0


@pytest.fixture
async def bus() -> AsyncIterator[RabbitMQBus]:
    exchange = f"test.retry.{uuid.uuid4().hex[:12]}"
    rabbit = await RabbitMQBus.connect(require_rabbitmq(), exchange=exchange, retry_delay=0.3)
    try:
        yield rabbit
    finally:
        for queue in rabbit.declared_queues:
            await rabbit.delete_queue(queue)
        await rabbit.delete_exchanges()
        await rabbit.close()


async def test_a_message_that_fails_is_delivered_again_only_after_the_delay(bus: RabbitMQBus) -> None:
    queue = f"{bus.exchange}.feedback"
    await bus.declare_queue(queue, ["reply.#"], max_deliveries=5)
    calls: list[float] = []

    async def early_then_ready(message: Message) -> None:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise RuntimeError("proposal 254 is not recorded yet")

    await bus.consume(queue, early_then_ready, InMemoryInbox())
    await bus.publish(Message(str(uuid.uuid4()), "reply.reply-issued.v1", b"{}", {}))

    await eventually(lambda: len(calls) == 3, timeout=20)
    assert calls[1] - calls[0] >= 0.3
    assert calls[2] - calls[1] >= 1.2
    assert await bus.dead_letters(queue) == []
