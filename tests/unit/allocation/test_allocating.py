"""Opening, closing and allocating (交办) a registered proposal: given/when/then."""

from datetime import UTC, date, datetime

import pytest

from services.allocation.domain import events as e
from services.allocation.domain.commands import Allocate, CloseCase, OpenCase, Route
from services.allocation.domain.state import Allocated, AwaitingAllocation, Closed, PendingReceipt
from shared.kernel.decider import InvalidField, NotAllowedInState, NotFound
from shared.kernel.events import Event
from shared.testing.decider import Scenario
from tests.unit.allocation.examples import (
    ALLOCATED_AT,
    WUHAI_60,
    ZHONGWEI_87,
    counted,
    decider,
    wuhai_60_allocated,
    wuhai_60_opened,
    zhongwei_87_opened,
)

open_wuhai_60 = OpenCase(
    proposal_id=WUHAI_60,
    number="60",
    title="关于推动家政服务业发展的提案",
    kind="proposal",
    jurisdiction="wuhai",
    items=(1,),
    at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
)
allocate_wuhai_60 = Allocate(
    mode="主办+协办", at=ALLOCATED_AT, lead="shangwu", co_units=("minzheng", "renshe")
)
ended = CloseCase(WUHAI_60, "withdrawn", "领衔人撤回", at=datetime(2025, 3, 5, tzinfo=UTC))


def test_a_registered_proposal_opens_a_case_awaiting_allocation() -> None:
    state = Scenario(decider).given().when(open_wuhai_60).then(wuhai_60_opened)
    assert isinstance(state, AwaitingAllocation)


def test_a_registered_proposal_seen_again_opens_nothing() -> None:
    Scenario(decider).given(wuhai_60_opened).when(open_wuhai_60).then()


def test_a_proposal_without_items_is_one_item() -> None:
    opened = (
        Scenario(decider)
        .given()
        .when(OpenCase(**{**open_wuhai_60.__dict__, "items": ()}))
        .then(wuhai_60_opened)
    )
    assert isinstance(opened, AwaitingAllocation) and opened.case.items == (1,)


def test_a_proposal_ended_at_intake_before_allocation_closes_the_case() -> None:
    closed = e.CaseClosed(proposal_id=WUHAI_60, outcome="withdrawn", reason="领衔人撤回", closed_at=ended.at)
    state = Scenario(decider).given(wuhai_60_opened).when(ended).then(closed)
    assert isinstance(state, Closed)


def test_a_proposal_ended_after_allocation_or_never_opened_is_ignored() -> None:
    Scenario(decider).given(wuhai_60_opened, wuhai_60_allocated).when(ended).then()
    Scenario(decider).given().when(ended).then()


def test_the_office_allocates_one_lead_with_co_units_and_the_policy_counts_the_deadlines() -> None:
    state = Scenario(decider).given(wuhai_60_opened).when(allocate_wuhai_60).then(counted(wuhai_60_allocated))
    assert isinstance(state, Allocated)
    assert [(a.unit, a.role, a.name) for a in state.assignments] == [
        ("shangwu", "lead", "PENDING_RECEIPT"),
        ("minzheng", "co", "PENDING_RECEIPT"),
        ("renshe", "co", "PENDING_RECEIPT"),
    ]


def test_a_fixed_date_from_the_allocation_notice_overrides_the_policy() -> None:
    fixed = Allocate(mode="独办", at=ALLOCATED_AT, lead="shangwu", reply_due=date(2025, 5, 31))
    expected = wuhai_60_allocated.model_copy(
        update={
            "mode": "独办",
            "routing": [e.Routing(item=1, lead="shangwu")],
            "reply_due": date(2025, 5, 31),
            "calendar_version": "2025-1",
        }
    )
    Scenario(decider).given(wuhai_60_opened).when(fixed).then(expected)


def test_items_of_one_proposal_go_to_different_leads_and_the_jurisdiction_fixes_the_reply_date() -> None:
    routing = (
        Route(1, "fupin", ("minzheng",)),
        Route(2, "counties", ("xuanchuan", "minzheng")),
    )
    at = datetime(2021, 4, 12, 9, 0, tzinfo=UTC)
    state = (
        Scenario(decider)
        .given(zhongwei_87_opened)
        .when(Allocate(mode="分办", at=at, routing=routing))
        .then(
            e.ProposalAllocated(
                proposal_id=ZHONGWEI_87,
                number="87",
                title=zhongwei_87_opened.title,
                kind="proposal",
                jurisdiction="zhongwei",
                mode="分办",
                routing=[
                    e.Routing(item=1, lead="fupin", co_units=["minzheng"]),
                    e.Routing(item=2, lead="counties", co_units=["xuanchuan", "minzheng"]),
                ],
                allocated_at=at,
                reply_due=date(2021, 9, 30),
                co_opinion_due=date(2021, 5, 12),
                adjustment_until=date(2021, 4, 21),
                calendar_version="2021-weekends",  # no calendar data for 2021: provisional
            )
        )
    )
    assert isinstance(state, Allocated)
    parts = {a.unit: (a.role, a.items) for a in state.assignments}
    assert parts == {
        "fupin": ("lead", (1,)),
        "minzheng": ("co", (1, 2)),
        "counties": ("lead", (2,)),
        "xuanchuan": ("co", (2,)),
    }
    assert all(isinstance(a, PendingReceipt) for a in state.assignments)


def test_a_proposal_not_registered_here_cannot_be_allocated() -> None:
    Scenario(decider).given().when(allocate_wuhai_60).then_rejected(NotFound)


@pytest.mark.parametrize(
    ("history", "state"),
    [((wuhai_60_opened, wuhai_60_allocated), "ALLOCATED"), ((wuhai_60_opened,), "CLOSED")],
)
def test_an_allocated_or_closed_proposal_cannot_be_allocated_again(
    history: tuple[Event, ...], state: str
) -> None:
    if state == "CLOSED":
        history = (*history, e.CaseClosed(proposal_id=WUHAI_60, outcome="merged", closed_at=ended.at))
    Scenario(decider).given(*history).when(allocate_wuhai_60).then_rejected(
        NotAllowedInState, current_state=state
    )


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (Allocate(mode="主办+协办", at=ALLOCATED_AT, lead="shangwu", co_units=("shangwu",)), "co_units"),
        (
            Allocate(mode="独办", at=ALLOCATED_AT, routing=(Route(1, "shangwu", ("shangwu",)),)),
            "routing[0].co_units",
        ),
        (Allocate(mode="独办", at=ALLOCATED_AT), "lead"),
        (Allocate(mode="独办", at=ALLOCATED_AT, lead="shangwu", routing=(Route(1, "shangwu"),)), "routing"),
        (Allocate(mode="独办", at=ALLOCATED_AT, routing=(Route(2, "shangwu"),)), "routing[0].item"),
        (Allocate(mode="独办", at=ALLOCATED_AT, lead="shangwu", co_units=("minzheng",)), "mode"),
        (Allocate(mode="主办+协办", at=ALLOCATED_AT, lead="shangwu"), "mode"),
        (Allocate(mode="分办", at=ALLOCATED_AT, lead="shangwu"), "mode"),
        (Allocate(mode="独办", at=ALLOCATED_AT, lead="shangwu", reply_due=date(2025, 3, 1)), "reply_due"),
    ],
)
def test_an_allocation_that_breaks_a_rule_is_refused_naming_the_field(command: Allocate, field: str) -> None:
    Scenario(decider).given(wuhai_60_opened).when(command).then_rejected(InvalidField, field=field)


def test_every_item_needs_a_lead_once() -> None:
    twice = (Route(1, "fupin"), Route(1, "counties"))
    Scenario(decider).given(zhongwei_87_opened).when(
        Allocate(mode="分办", at=ALLOCATED_AT, routing=twice)
    ).then_rejected(InvalidField, field="routing[1].item")
    Scenario(decider).given(zhongwei_87_opened).when(
        Allocate(mode="独办", at=ALLOCATED_AT, routing=(Route(1, "fupin"),))
    ).then_rejected(InvalidField, field="routing", rule="item 2 has no lead unit")


def test_a_jurisdiction_without_a_policy_cannot_be_allocated() -> None:
    elsewhere = wuhai_60_opened.model_copy(update={"jurisdiction": "atlantis"})
    Scenario(decider).given(elsewhere).when(allocate_wuhai_60).then_rejected(
        InvalidField, field="jurisdiction"
    )
