"""The message bus contract: every adapter passes every test here.

Each test declares its own queues (uuid-suffixed) on the fixture's own exchange. Nothing waits a
fixed time: a test waits for a state with a deadline (`eventually`), and where it must show that
something did *not* happen it publishes a sentinel behind it and waits for the sentinel.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from shared.adapters.bus import DEAD_LETTER_REASON, DELIVERY_LIMIT, Inbox, Malformed, Message, MessageBus
from shared.adapters.bus.inbox import InMemoryInbox
from shared.kernel.errors import Unroutable
from shared.testing.waiting import eventually
from tests.servers import require_redis

TITLE = "关于进一步加强城市社区养老服务体系建设的提案"


def a_queue(name: str) -> str:
    return f"test.{name}.{uuid.uuid4().hex[:12]}"


def a_message(routing_key: str, n: int = 0, **headers: str) -> Message:
    return Message(
        id=f"evt-{uuid.uuid4().hex}",
        routing_key=routing_key,
        body=f'{{"title": "{TITLE}", "n": {n}}}'.encode(),
        headers=headers,
    )


class Recorder:
    """A handler that records what it got, optionally doing something first."""

    def __init__(self, effect: Callable[[Message], Awaitable[None]] | None = None) -> None:
        self.calls: list[Message] = []
        self.done: list[Message] = []
        self._effect = effect

    async def __call__(self, message: Message) -> None:
        self.calls.append(message)
        if self._effect is not None:
            await self._effect(message)
        self.done.append(message)

    def ids(self) -> list[str]:
        return [m.id for m in self.done]


@pytest.fixture(params=["memory", "redis"])
async def inbox(request: pytest.FixtureRequest) -> AsyncIterator[Inbox]:
    if request.param == "memory":
        yield InMemoryInbox()
        return
    from redis.asyncio import Redis

    from shared.adapters.bus.inbox import RedisInbox

    redis = Redis.from_url(require_redis())
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    try:
        yield RedisInbox(redis, prefix)
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def test_a_published_message_reaches_the_consumer_intact(bus: MessageBus) -> None:
    queue = a_queue("intact")
    await bus.declare_queue(queue, ["intake.#"])
    sent = a_message(
        "intake.proposal.registered.v1", 1, **{"ce-type": "intake.ProposalRegistered.v1", "x-tenant": "cppcc"}
    )
    await bus.publish(sent)
    got = Recorder()
    await bus.consume(queue, got, InMemoryInbox())
    await eventually(lambda: len(got.done) == 1)
    [received] = got.done
    assert received == sent
    assert received.id == sent.id
    assert received.routing_key == "intake.proposal.registered.v1"
    assert received.body.decode() == f'{{"title": "{TITLE}", "n": 1}}'
    assert received.headers == {"ce-type": "intake.ProposalRegistered.v1", "x-tenant": "cppcc"}
    assert received.content_type == "application/cloudevents+json"
    assert received.redelivered is False


async def test_publish_many_confirms_all_in_order(bus: MessageBus) -> None:
    queue = a_queue("many")
    await bus.declare_queue(queue, ["intake.#"])
    sent = [a_message("intake.proposal.registered.v1", i) for i in range(30)]
    await bus.publish_many(sent)
    got = Recorder()
    await bus.consume(queue, got, InMemoryInbox(), prefetch=1)
    await eventually(lambda: len(got.done) == 30)
    assert got.ids() == [m.id for m in sent]


async def test_an_unroutable_message_raises(bus: MessageBus) -> None:
    queue = a_queue("unroutable")
    await bus.declare_queue(queue, ["allocation.#"])
    with pytest.raises(Unroutable) as raised:
        await bus.publish(a_message("intake.proposal.registered.v1"))
    assert raised.value.routing_key == "intake.proposal.registered.v1"

    routed = a_message("allocation.assignment.received.v1")
    with pytest.raises(Unroutable):
        await bus.publish_many([routed, a_message("reply.sent.v1")])
    # the routable one of the batch was still published
    got = Recorder()
    await bus.consume(queue, got, InMemoryInbox())
    await eventually(lambda: got.ids() == [routed.id])


async def test_routing_follows_topic_patterns(bus: MessageBus) -> None:
    allocation, one_word, registered = a_queue("alloc"), a_queue("oneword"), a_queue("registered")
    await bus.declare_queue(allocation, ["allocation.#"])
    await bus.declare_queue(one_word, ["intake.*"])
    await bus.declare_queue(registered, ["*.proposal.registered.v1", "feedback.#"])

    intake = a_message("intake.proposal.registered.v1")
    assignment = a_message("allocation.assignment.received.v1")
    bare = a_message("allocation")  # `#` matches zero words
    short = a_message("intake.sentinel")
    await bus.publish(intake)
    await bus.publish(assignment)
    await bus.publish(bare)
    await bus.publish(short)

    got = {name: Recorder() for name in (allocation, one_word, registered)}
    for name, recorder in got.items():
        await bus.consume(name, recorder, InMemoryInbox(), prefetch=1)
    # each queue ends with the last message published to it: anything wrongly routed came before
    await eventually(lambda: got[allocation].ids()[-1:] == [bare.id])
    await eventually(lambda: got[one_word].ids()[-1:] == [short.id])
    await eventually(lambda: got[registered].ids()[-1:] == [intake.id])
    assert got[allocation].ids() == [assignment.id, bare.id]
    assert got[one_word].ids() == [short.id]
    assert got[registered].ids() == [intake.id]


async def test_a_message_is_acked_only_after_its_handler_finished(bus: MessageBus) -> None:
    queue = a_queue("ack")
    await bus.declare_queue(queue, ["intake.#"])
    never = asyncio.Event()

    async def hang(message: Message) -> None:
        await never.wait()

    first = Recorder(hang)
    consumer = await bus.consume(queue, first, InMemoryInbox())
    sent = a_message("intake.proposal.registered.v1")
    await bus.publish(sent)
    await eventually(lambda: len(first.calls) == 1)
    await consumer.stop()  # the handler has not finished: the message was not acked
    assert first.done == []

    second = Recorder()
    await bus.consume(queue, second, InMemoryInbox())
    await eventually(lambda: len(second.done) == 1)
    [again] = second.done
    assert again.id == sent.id and again.body == sent.body
    assert again.redelivered is True
    assert first.calls[0].redelivered is False


async def test_a_consumer_that_dies_before_acking_gets_the_message_again(bus: MessageBus) -> None:
    queue = a_queue("dies")
    await bus.declare_queue(queue, ["intake.#"])
    handler_tasks: list[asyncio.Task[object]] = []

    async def die_the_first_time(message: Message) -> None:
        if not message.redelivered:
            task = asyncio.current_task()
            assert task is not None
            handler_tasks.append(task)
            await asyncio.Event().wait()

    got = Recorder(die_the_first_time)
    await bus.consume(queue, got, InMemoryInbox())
    sent = a_message("intake.proposal.registered.v1")
    await bus.publish(sent)
    await eventually(lambda: len(handler_tasks) == 1)
    handler_tasks[0].cancel()  # the task running the handler is cancelled mid-effect

    await eventually(lambda: len(got.done) == 1)
    assert [(m.id, m.redelivered) for m in got.calls] == [(sent.id, False), (sent.id, True)]
    assert await bus.dead_letters(queue) == []


@pytest.mark.parametrize("max_deliveries", [1, 3])
async def test_a_message_failing_max_deliveries_times_is_dead_lettered(
    bus: MessageBus, max_deliveries: int
) -> None:
    queue = a_queue("failing")
    await bus.declare_queue(queue, ["intake.#"], max_deliveries=max_deliveries)
    poison = a_message("intake.proposal.registered.v1", 1, **{"ce-type": "intake.ProposalRegistered.v1"})
    sentinel = a_message("intake.sentinel.v1", 2)

    async def fail_on_poison(message: Message) -> None:
        if message.id == poison.id:
            raise RuntimeError("the read model is not there yet")

    got = Recorder(fail_on_poison)
    await bus.consume(queue, got, InMemoryInbox(), prefetch=1)
    await bus.publish(poison)

    async def dead_lettered() -> bool:
        return len(await bus.dead_letters(queue)) == 1

    await eventually(dead_lettered)
    # the queue goes on: the sentinel behind it is processed and the poison is not delivered again
    await bus.publish(sentinel)
    await eventually(lambda: got.ids() == [sentinel.id])
    poison_calls = [m for m in got.calls if m.id == poison.id]
    assert len(poison_calls) == max_deliveries
    assert [m.redelivered for m in poison_calls] == [False] + [True] * (max_deliveries - 1)

    first_look = await bus.dead_letters(queue)
    second_look = await bus.dead_letters(queue)
    assert first_look == second_look
    [letter] = first_look
    assert letter.id == poison.id
    assert letter.routing_key == poison.routing_key
    assert letter.body == poison.body
    reason = letter.headers[DEAD_LETTER_REASON]
    assert reason.startswith(DELIVERY_LIMIT), reason
    assert letter.headers == {**poison.headers, DEAD_LETTER_REASON: reason}


async def test_a_malformed_message_is_dead_lettered_at_once_with_its_reason_and_the_rest_goes_on(
    bus: MessageBus,
) -> None:
    queue = a_queue("malformed")
    await bus.declare_queue(queue, ["intake.#"], max_deliveries=5)
    bad = [a_message("intake.proposal.registered.v1", i) for i in range(2)]
    good = [a_message("intake.proposal.registered.v1", i) for i in range(2, 5)]
    bad_ids = {m.id for m in bad}

    async def reject_bad(message: Message) -> None:
        if message.id in bad_ids:
            raise Malformed(f"message {message.id} is not a CloudEvent")

    got = Recorder(reject_bad)
    await bus.consume(queue, got, InMemoryInbox(), prefetch=1)
    await bus.publish_many([bad[0], good[0], bad[1], good[1], good[2]])
    await eventually(lambda: got.ids() == [m.id for m in good])

    async def both_dead_lettered() -> bool:
        return len(await bus.dead_letters(queue)) == 2

    await eventually(both_dead_lettered)
    letters = await bus.dead_letters(queue)
    assert [m.id for m in letters] == [m.id for m in bad]  # oldest first
    assert [m.body for m in letters] == [m.body for m in bad]
    assert [m.routing_key for m in letters] == [m.routing_key for m in bad]
    assert [m.headers for m in letters] == [
        {**m.headers, DEAD_LETTER_REASON: f"message {m.id} is not a CloudEvent"} for m in bad
    ]
    assert await bus.dead_letters(queue) == letters
    assert [m.id for m in got.calls].count(bad[0].id) == 1
    assert [m.id for m in got.calls].count(bad[1].id) == 1


async def test_the_same_message_id_is_processed_once(bus: MessageBus, inbox: Inbox) -> None:
    queue = a_queue("inbox")
    await bus.declare_queue(queue, ["intake.#"])
    once = a_message("intake.proposal.registered.v1", 1)
    other = a_message("intake.proposal.registered.v1", 2)
    sentinel = a_message("intake.sentinel.v1", 3)
    got = Recorder()
    await bus.consume(queue, got, inbox, prefetch=1)
    await bus.publish(once)
    await bus.publish_many([once, other])
    await bus.publish(once)
    await bus.publish(sentinel)
    await eventually(lambda: got.ids()[-1:] == [sentinel.id])
    assert got.ids() == [once.id, other.id, sentinel.id]
    assert await inbox.seen(queue, once.id)
    assert await bus.dead_letters(queue) == []


async def test_an_empty_dead_letter_queue_shows_nothing(bus: MessageBus) -> None:
    queue = a_queue("empty")
    await bus.declare_queue(queue, ["intake.#"])
    assert await bus.dead_letters(queue) == []


async def test_an_undeclared_queue_cannot_be_consumed_or_inspected(bus: MessageBus) -> None:
    queue = a_queue("undeclared")
    with pytest.raises(LookupError):
        await bus.consume(queue, Recorder(), InMemoryInbox())
    with pytest.raises(LookupError):
        await bus.dead_letters(queue)
    await bus.ping()  # the bus is still usable


async def test_a_deleted_queue_takes_no_more_messages(bus: MessageBus) -> None:
    queue = a_queue("deleted")
    await bus.declare_queue(queue, ["intake.#"])
    await bus.publish(a_message("intake.proposal.registered.v1"))
    await bus.delete_queue(queue)
    with pytest.raises(Unroutable):
        await bus.publish(a_message("intake.proposal.registered.v1"))
    await bus.delete_queue(queue)  # deleting again is harmless


async def test_ping_answers_when_the_bus_is_reachable(bus: MessageBus) -> None:
    await bus.ping()


async def test_a_consumer_taking_one_at_a_time_handles_the_messages_in_the_order_published(
    bus: MessageBus,
) -> None:
    queue = a_queue("in-order")
    await bus.declare_queue(queue, ["reply.#"])
    sent = [a_message("reply.reply-issued.v1.minzheng", n) for n in range(40)]
    active: list[int] = []

    async def one_at_a_time(message: Message) -> None:
        active.append(1)
        assert len(active) == 1, "two messages handled at once"
        await asyncio.sleep(0)  # let another delivery in, if the consumer would allow it
        active.pop()

    handled = Recorder(one_at_a_time)
    consumer = await bus.consume(queue, handled, InMemoryInbox(), prefetch=1)
    try:
        await bus.publish_many(sent)
        await eventually(lambda: len(handled.done) == len(sent))
        assert handled.ids() == [m.id for m in sent]
    finally:
        await consumer.stop()
