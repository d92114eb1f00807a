"""Messages from intake become local commands; a redelivered message appends nothing."""

from datetime import UTC, datetime

import pytest

from services.allocation.application.service import AllocationService, stream
from services.intake.contracts import ProposalEndedAtIntakeV1
from shared.adapters.bus import Malformed
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.kernel.cloudevents import CloudEvent
from tests.unit.allocation.examples import allocation_service, deliver
from tests.unit.allocation.test_api import PROPOSAL, cloud_event, registered


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore()


@pytest.fixture
def service(store: InMemoryEventStore) -> AllocationService:
    return allocation_service(store)


async def types(store: InMemoryEventStore) -> list[str]:
    return [r.type for r in await store.read_stream(stream(PROPOSAL))]


async def test_a_registration_delivered_twice_opens_one_case(
    service: AllocationService, store: InMemoryEventStore
) -> None:
    message = cloud_event("msg-registered-60", registered)
    await deliver(service, message)
    await deliver(service, message)
    assert await types(store) == ["allocation.case-opened.v1"]
    metadata = (await store.read_stream(stream(PROPOSAL)))[0].metadata
    assert (metadata["actor"], metadata["causation_id"]) == ("system:allocation", "msg-registered-60")


async def test_a_proposal_withdrawn_before_allocation_closes_its_case(
    service: AllocationService, store: InMemoryEventStore
) -> None:
    await deliver(service, cloud_event("msg-registered-60", registered))
    withdrawn = ProposalEndedAtIntakeV1(proposal_id=PROPOSAL, outcome="withdrawn", reason="领衔人撤回")
    await deliver(service, cloud_event("msg-ended-60", withdrawn))
    await deliver(service, cloud_event("msg-ended-60", withdrawn))
    assert await types(store) == ["allocation.case-opened.v1", "allocation.case-closed.v1"]


async def test_an_ended_message_for_a_proposal_never_opened_is_acknowledged_without_effect(
    service: AllocationService, store: InMemoryEventStore
) -> None:
    merged = ProposalEndedAtIntakeV1(proposal_id=PROPOSAL, outcome="merged", merged_into="wuhai-2025-61")
    await deliver(service, cloud_event("msg-ended-60", merged))
    assert await types(store) == []


async def test_a_message_that_is_not_a_registration_is_malformed(service: AllocationService) -> None:
    broken = CloudEvent(
        id="msg-broken", source="intake", type="intake.proposal-registered.v1",
        time=datetime(2025, 3, 1, tzinfo=UTC), data={"proposal_id": PROPOSAL},
    )  # fmt: skip
    with pytest.raises(Malformed):
        await deliver(service, broken)
