"""The command handler: load, decide, append with the expected version; a retry appends nothing."""

from dataclasses import dataclass
from uuid import uuid4

import pytest

from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.kernel.decider import (
    CommandHandler,
    CommandMeta,
    Decider,
    IdempotencyKeyReused,
    NotAllowedInState,
)
from shared.kernel.errors import WrongExpectedVersion
from shared.kernel.events import Event, EventRegistry
from shared.testing.decider import Scenario

registry = EventRegistry()


@registry.register("test.proposal-submitted.v1")
class Submitted(Event):
    title: str


@registry.register("test.proposal-registered.v1")
class Registered(Event):
    number: str


@dataclass(frozen=True)
class Submit:
    title: str


@dataclass(frozen=True)
class Register:
    number: str


@dataclass(frozen=True)
class Nothing:
    pass


@dataclass(frozen=True)
class UnderReview:
    title: str


@dataclass(frozen=True)
class RegisteredState:
    number: str


State = Nothing | UnderReview | RegisteredState


def decide(command: Submit | Register, state: State) -> list[Event]:
    match command, state:
        case Submit(title=title), Nothing():
            return [Submitted(title=title)]
        case Register(number=number), UnderReview():
            return [Registered(number=number)]
    raise NotAllowedInState(type(command).__name__, type(state).__name__)


def evolve(state: State, event: Event) -> State:
    match event:
        case Submitted(title=title):
            return UnderReview(title)
        case Registered(number=number):
            return RegisteredState(number)
    return state


decider: Decider[Submit | Register, State] = Decider(decide, evolve, Nothing())
TITLE = "关于推动家政服务业发展的提案"


def test_given_when_then_reads_as_a_sentence() -> None:
    Scenario(decider).given(Submitted(title=TITLE)).when(Register("60")).then(Registered(number="60"))
    Scenario(decider).given().when(Register("60")).then_rejected(NotAllowedInState, current_state="Nothing")


async def test_a_command_appends_its_events_with_ids_from_the_command_id() -> None:
    store = InMemoryEventStore()
    handler = CommandHandler(store, registry, decider)
    outcome = await handler.handle("intake-proposal-60", Submit(TITLE), CommandMeta(uuid4(), actor="提案委"))
    assert outcome.state == UnderReview(TITLE)
    [recorded] = await store.read_stream("intake-proposal-60")
    assert recorded.type == "test.proposal-submitted.v1"
    assert recorded.metadata["actor"] == "提案委"


async def test_a_retried_command_appends_nothing_and_answers_as_the_first_time() -> None:
    store = InMemoryEventStore()
    handler = CommandHandler(store, registry, decider)
    submit_id, register_id = uuid4(), uuid4()
    await handler.handle("intake-proposal-60", Submit(TITLE), CommandMeta(submit_id))
    first = await handler.handle("intake-proposal-60", Register("60"), CommandMeta(register_id))
    again = await handler.handle("intake-proposal-60", Register("60"), CommandMeta(register_id))
    assert again.repeated and not first.repeated
    assert again.events == first.events == [Registered(number="60")]
    assert len(await store.read_stream("intake-proposal-60")) == 2


async def test_a_refused_command_appends_nothing() -> None:
    store = InMemoryEventStore()
    handler = CommandHandler(store, registry, decider)
    with pytest.raises(NotAllowedInState) as refused:
        await handler.handle("intake-proposal-60", Register("60"), CommandMeta(uuid4()))
    assert refused.value.extra == {"current_state": "Nothing"}
    assert await store.read_stream("intake-proposal-60") == []


async def test_a_concurrent_change_is_a_version_conflict() -> None:
    store = InMemoryEventStore()
    handler = CommandHandler(store, registry, decider)
    await handler.handle("intake-proposal-60", Submit(TITLE), CommandMeta(uuid4()))

    _, recorded = await handler.load("intake-proposal-60")
    await handler.handle("intake-proposal-60", Register("60"), CommandMeta(uuid4()))
    with pytest.raises(WrongExpectedVersion):
        await store.append("intake-proposal-60", [], expected_version=len(recorded))


async def test_one_message_handled_by_two_services_gives_events_with_different_ids() -> None:
    store = InMemoryEventStore()
    handler = CommandHandler(store, registry, decider)
    message = CommandMeta("the-message-id-of-proposal-registered")
    await handler.handle("allocation-proposal-60", Submit(TITLE), message)
    await handler.handle("feedback-proposal-60", Submit(TITLE), message)
    [allocation] = await store.read_stream("allocation-proposal-60")
    [feedback] = await store.read_stream("feedback-proposal-60")
    assert allocation.id != feedback.id


async def test_the_same_command_id_from_another_request_is_refused_and_appends_nothing() -> None:
    store = InMemoryEventStore()
    handler = CommandHandler(store, registry, decider)
    first = CommandMeta("http-ru-juxia-2025-01", request_digest="3b1f" * 16)
    await handler.handle("intake-proposal-60", Submit(TITLE), first)

    other = CommandMeta("http-ru-juxia-2025-01", request_digest="9c0e" * 16)
    with pytest.raises(IdempotencyKeyReused) as refused:
        await handler.handle("intake-proposal-60", Submit("关于加强社区养老服务体系建设的建议"), other)

    assert refused.value.status == 422 and refused.value.extra["field"] == "Idempotency-Key"
    [recorded] = await store.read_stream("intake-proposal-60")
    assert recorded.metadata["request_sha256"] == "3b1f" * 16


async def test_the_same_request_again_answers_as_the_first_time() -> None:
    store = InMemoryEventStore()
    handler = CommandHandler(store, registry, decider)
    meta = CommandMeta("http-ru-juxia-2025-01", request_digest="3b1f" * 16)
    first = await handler.handle("intake-proposal-60", Submit(TITLE), meta)

    again = await handler.handle("intake-proposal-60", Submit(TITLE), meta)

    assert again.repeated and again.events == first.events
    assert len(await store.read_stream("intake-proposal-60")) == 1


async def test_events_recorded_without_a_request_digest_are_repeated_as_before() -> None:
    store = InMemoryEventStore()
    handler = CommandHandler(store, registry, decider)
    await handler.handle("intake-proposal-60", Submit(TITLE), CommandMeta("http-ru-juxia-2025-01"))

    again = CommandMeta("http-ru-juxia-2025-01", request_digest="9c0e" * 16)
    assert (await handler.handle("intake-proposal-60", Submit(TITLE), again)).repeated
