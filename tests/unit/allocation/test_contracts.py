"""Allocation announces every routing, first and revised, as allocation.proposal-allocated.v1."""

from datetime import UTC, date, datetime

from services.allocation.application.outbound import to_integration
from services.allocation.contracts import InternallyAllocatedV1, ProposalAllocatedV1
from services.allocation.domain import events as e
from tests.unit.allocation.examples import ALLOCATED_AT, acknowledged, wuhai_60_allocated


def test_the_first_allocation_is_revision_one_with_the_whole_routing() -> None:
    public = to_integration(wuhai_60_allocated)
    assert isinstance(public, ProposalAllocatedV1)
    assert public.model_dump(mode="json") == {
        "proposal_id": "wuhai-2025-60",
        "revision": 1,
        "number": "60",
        "title": "关于推动家政服务业发展的提案",
        "kind": "proposal",
        "jurisdiction": "wuhai",
        "mode": "主办+协办",
        "lead_units": ["shangwu"],
        "co_units": ["minzheng", "renshe"],
        "routing": [{"item": 1, "lead": "shangwu", "co_units": ["minzheng", "renshe"]}],
        "allocated_at": ALLOCATED_AT.isoformat().replace("+00:00", "Z"),
        "reply_due": "2025-06-10",
        "co_opinion_due": "2025-04-10",
    }


def test_a_reallocation_is_announced_with_the_next_revision() -> None:
    at = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
    reallocated = e.ProposalReallocated(
        **wuhai_60_allocated.model_dump(
            include={"proposal_id", "number", "title", "kind", "jurisdiction", "mode"}
        ),
        revision=2,
        replaced_unit="minzheng",
        replacement="fulian",
        routing=[e.Routing(item=1, lead="shangwu", co_units=["fulian", "renshe"])],
        reallocated_at=at,
        reply_due=date(2025, 6, 10),
        co_opinion_due=date(2025, 4, 10),
        adjustment_until=date(2025, 3, 26),
    )
    public = to_integration(reallocated)
    assert isinstance(public, ProposalAllocatedV1)
    assert (public.revision, public.co_units, public.allocated_at) == (2, ["fulian", "renshe"], at)


def test_an_internal_allocation_is_announced_without_its_sections_and_people() -> None:
    internal = e.InternallyAllocated(
        proposal_id="zhongwei-2021-12",
        unit="minzheng",
        tasks=[
            e.InternalTask(
                item=n, section="社会救助科", leader="马立军", person="杨雪芳", deadline=date(2021, 9, 30)
            )
            for n in (1, 2)
        ],
        allocated_at=datetime(2021, 4, 15, 2, 0, tzinfo=UTC),
    )
    public = to_integration(internal)
    assert isinstance(public, InternallyAllocatedV1)
    assert (public.unit, public.items, public.routing_key()) == (
        "minzheng",
        [1, 2],
        "allocation.internally-allocated.v1.minzheng",
    )
    text = public.model_dump_json()
    assert not any(private in text for private in ("社会救助科", "马立军", "杨雪芳"))


def test_an_acknowledgement_is_addressed_to_the_unit_that_gave_it() -> None:
    public = to_integration(acknowledged("minzheng"))
    assert public is not None and public.routing_key() == "allocation.assignment-acknowledged.v1.minzheng"
