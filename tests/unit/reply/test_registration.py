"""Reply learns the session, items and proposers from intake's 立案, whichever of 立案 and the
allocation arrives first; each reply records the digest of its letter, rendered by the stamp."""

import asyncio
import threading
from dataclasses import replace
from typing import Any

import pytest

from services.reply.application import inbound
from services.reply.application.service import ReplyService, stream_name
from services.reply.documents import letter as letters
from services.reply.domain.commands import OverrideCoOpinions, Proposer, TakeRegistration
from services.reply.domain.decider import decider, stamped
from services.reply.domain.events import LetterDigest, ReplyIssued
from services.reply.domain.state import Allocated, NotAllocated
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.documents import Rendered
from shared.documents.settings import load_all
from shared.kernel.decider import CommandMeta, NotAllowedInState
from shared.rules.policy import load_policies
from shared.settings import DEPLOY
from tests.unit.reply.messages import cloud_event, jiazheng_allocated, jiazheng_registered
from tests.unit.reply.seeds import ALLOCATED_AT, JIAZHENG, LETTER, jiazheng_reply
from tests.unit.reply.seeds import jiazheng_allocated as allocation_taken
from tests.unit.reply.seeds import jiazheng_registered as registration_taken


def take_registration() -> TakeRegistration:
    return TakeRegistration(
        proposal_id=JIAZHENG,
        jurisdiction="wuhai",
        kind="proposal",
        session="市政协十届四次会议",
        number="60",
        title="关于推动家政服务业发展的提案",
        items=((1, "融入智慧平台，推动家政服务业数智化"), (2, "融入党群服务，推动家政服务业便捷化")),
        proposers=(Proposer("wuhai-liujianfeng", "刘建峰", phone="15144738888"),),
        at=ALLOCATED_AT,
    )


@pytest.mark.parametrize("registration_first", [True, False])
def test_the_registration_is_kept_whether_it_comes_before_or_after_the_allocation(registration_first: bool):
    history = [registration_taken(), allocation_taken()]
    state = decider.fold(history if registration_first else history[::-1])
    assert isinstance(state, Allocated)
    assert state.registration == registration_taken()
    assert state.current.leads["shangwu"].name == "AWAITING_CO_OPINIONS"


def test_a_registration_is_taken_once_and_only_it_is_allowed_before_the_allocation():
    (event,) = decider.decide(take_registration(), NotAllocated())
    assert event == registration_taken()
    state = decider.fold([event])
    assert isinstance(state, NotAllocated) and state.registration == event
    assert decider.decide(take_registration(), state) == []
    with pytest.raises(NotAllowedInState):
        decider.decide(jiazheng_reply(), state)


def test_the_stamp_sees_the_state_before_the_reply_and_its_digest_is_recorded():
    seen: list[tuple[Allocated, ReplyIssued]] = []

    def stamp(state: Allocated, reply: ReplyIssued) -> LetterDigest:
        seen.append((state, reply))
        return LETTER

    state = decider.fold([registration_taken(), allocation_taken(co_units=())])
    assert isinstance(state, Allocated)
    (unstamped,) = decider.decide(jiazheng_reply(), state)
    (issued,) = stamped(stamp).decide(jiazheng_reply(), state)
    assert isinstance(unstamped, ReplyIssued) and unstamped.letter is None
    assert issued == unstamped.model_copy(update={"letter": LETTER})
    assert seen == [(state, unstamped)]


async def test_the_registration_message_becomes_the_event_and_a_redelivery_has_no_effect():
    store = InMemoryEventStore()
    service = ReplyService(store, load_policies(DEPLOY / "policy"), load_all(DEPLOY / "policy"))
    handlers = inbound.INBOUND.bind(service)
    message = cloud_event(jiazheng_registered(), "msg-reg-60", "intake")
    for _ in range(2):
        await handlers["intake.proposal-registered.v1"](message)
    await handlers["allocation.proposal-allocated.v1"](
        cloud_event(jiazheng_allocated(), "msg-alloc", "allocation")
    )
    recorded = await store.read_stream(stream_name(JIAZHENG))
    assert [r.type for r in recorded] == ["reply.registration-taken.v1", "reply.allocation-taken.v1"]
    state, _ = await service.current(JIAZHENG)
    assert isinstance(state, Allocated) and state.registration is not None
    expected = replace(take_registration(), at=state.registration.taken_at)
    assert state.registration.proposers[0].name == expected.proposers[0].name == "刘建峰"
    assert [i.text for i in state.registration.items] == [text for _, text in expected.items]
    assert state.registration.session == "市政协十届四次会议"


async def test_a_reply_is_stamped_off_the_event_loop_which_goes_on_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = InMemoryEventStore()
    service = ReplyService(store, load_policies(DEPLOY / "policy"), load_all(DEPLOY / "policy"))
    handlers = inbound.INBOUND.bind(service)
    await handlers["intake.proposal-registered.v1"](cloud_event(jiazheng_registered(), "msg-reg", "intake"))
    allocated = cloud_event(jiazheng_allocated(), "msg-alloc", "allocation")
    await handlers["allocation.proposal-allocated.v1"](allocated)
    waived = OverrideCoOpinions(JIAZHENG, "协办意见已电话沟通", ALLOCATED_AT)
    await service.handle(waived, CommandMeta("override-wuhai-60"))
    rendered_in: list[str] = []
    render = letters.rendered

    def rendered(*args: Any) -> Rendered:
        rendered_in.append(threading.current_thread().name)
        return render(*args)

    monkeypatch.setattr(letters, "rendered", rendered)
    loop_turns = 0

    async def turns() -> None:
        nonlocal loop_turns
        while True:
            loop_turns += 1
            await asyncio.sleep(0)

    counting = asyncio.create_task(turns())
    try:
        await service.handle(jiazheng_reply(), CommandMeta("reply-wuhai-60"))
    finally:
        counting.cancel()

    assert rendered_in and all(name.startswith("reply-letters") for name in rendered_in)
    assert loop_turns > 1, "the event loop stood still while the letter was rendered"
