"""Allocation and feedback messages become local commands; a redelivery has no second effect."""

import pytest

from services.reply.application import inbound
from services.reply.application.service import ReplyService, stream_name
from services.reply.domain.events import registry
from services.reply.domain.state import Allocated, AwaitingCoOpinions
from shared.adapters.bus import Malformed
from shared.adapters.eventstore import NewEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.kernel.events import Event
from shared.kernel.ids import event_id
from shared.rules.policy import load_policies
from shared.settings import DEPLOY
from tests.unit.reply.messages import cloud_event, jiazheng_allocated, rehandling_requested
from tests.unit.reply.seeds import JIAZHENG, jiazheng_replied


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore()


@pytest.fixture
def service(store: InMemoryEventStore) -> ReplyService:
    return ReplyService(store, load_policies(DEPLOY / "policy"))


async def test_an_allocation_delivered_twice_is_taken_once_with_the_policy_classes(service, store):
    handle = inbound.INBOUND.bind(service)["allocation.proposal-allocated.v1"]
    message = cloud_event(jiazheng_allocated(), "msg-alloc-1", "allocation")
    await handle(message)
    await handle(message)
    recorded = await store.read_stream(stream_name(JIAZHENG))
    assert [r.type for r in recorded] == ["reply.allocation-taken.v1"]
    assert recorded[0].data["result_classes"] == ["A", "B", "C"]
    assert recorded[0].metadata["actor"] == "system:reply"
    assert recorded[0].metadata["correlation_id"] == "corr-60"
    state, _ = await service.current(JIAZHENG)
    assert isinstance(state, Allocated) and state.current.leads["shangwu"] == AwaitingCoOpinions(
        ("minzheng", "renshe")
    )


async def test_an_older_revision_arriving_late_changes_nothing(service, store):
    handle = inbound.INBOUND.bind(service)["allocation.proposal-allocated.v1"]
    await handle(cloud_event(jiazheng_allocated(revision=2), "msg-alloc-2", "allocation"))
    await handle(cloud_event(jiazheng_allocated(revision=1), "msg-alloc-1", "allocation"))
    assert len(await store.read_stream(stream_name(JIAZHENG))) == 1


async def test_a_rehandling_request_delivered_twice_opens_one_round(service, store):
    handlers = inbound.INBOUND.bind(service)
    await handlers["allocation.proposal-allocated.v1"](cloud_event(jiazheng_allocated(), "m1", "allocation"))
    await store.append(stream_name(JIAZHENG), [_new(jiazheng_replied())], expected_version=1)
    message = cloud_event(rehandling_requested(), "msg-rehandle-2", "feedback")
    await handlers["feedback.rehandling-requested.v1"](message)
    await handlers["feedback.rehandling-requested.v1"](message)
    recorded = await store.read_stream(stream_name(JIAZHENG))
    assert [r.type for r in recorded][-1] == "reply.round-opened.v1"
    assert len(recorded) == 3


async def test_a_message_that_does_not_fit_the_contract_is_malformed(service):
    message = cloud_event(jiazheng_allocated(), "msg-bad", "allocation").model_copy(
        update={"data": {"proposal_id": JIAZHENG}}
    )
    with pytest.raises(Malformed):
        await inbound.INBOUND.bind(service)["allocation.proposal-allocated.v1"](message)


async def test_an_allocation_in_a_jurisdiction_without_a_policy_is_malformed(service):
    message = cloud_event(jiazheng_allocated(jurisdiction="baotou"), "msg-baotou", "allocation")
    with pytest.raises(Malformed, match="baotou"):
        await inbound.INBOUND.bind(service)["allocation.proposal-allocated.v1"](message)


def _new(event: Event) -> NewEvent:
    return NewEvent(event_id("reply-already-issued", 0), *registry.encode(event))
