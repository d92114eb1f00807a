"""Each unit's steps on its assignment, and the office's decisions on them: given/when/then."""

from datetime import UTC, date, datetime

from services.allocation.domain import events as e
from services.allocation.domain.commands import (
    Acknowledge,
    AllocateInternally,
    DecideAdjustment,
    DecideExtension,
    RequestAdjustment,
    RequestExtension,
    Task,
)
from services.allocation.domain.decider import WindowClosed
from services.allocation.domain.state import Allocated, InProgress
from shared.kernel.decider import Forbidden, InvalidField, NotAllowedInState, NotFound
from shared.testing.decider import Scenario
from tests.unit.allocation.examples import (
    ALLOCATED_AT,
    WUHAI_60,
    acknowledged,
    decider,
    wuhai_60_allocated,
    wuhai_60_opened,
)

LATER = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
AFTER_THE_WINDOW = datetime(2025, 3, 20, 10, 0, tzinfo=UTC)
allocated = (wuhai_60_opened, wuhai_60_allocated)
REASON = "养老护理员培训属人社部门职责"
minzheng_asks = e.AdjustmentRequested(
    proposal_id=WUHAI_60, unit="minzheng", reason=REASON, requested_at=LATER
)
task = Task(1, "养老服务与社会救助科", "孔繁银", "孔繁银", date(2025, 5, 31))
shangwu_in_progress = e.InternallyAllocated(
    proposal_id=WUHAI_60,
    unit="shangwu",
    tasks=[
        e.InternalTask(item=1, section="服务业科", leader="孙雪斌", person="王丽", deadline=date(2025, 5, 31))
    ],
    allocated_at=LATER,
)
extension_asked = e.ExtensionRequested(
    proposal_id=WUHAI_60,
    unit="shangwu",
    reply_due=date(2025, 9, 10),
    reason="涉及多部门协调",
    requested_at=LATER,
)


def assignment(state: object, unit: str) -> str:
    assert isinstance(state, Allocated)
    found = state.assignment(unit)
    return found.name if found else "none"


def test_a_unit_acknowledges_its_assignment() -> None:
    state = (
        Scenario(decider)
        .given(*allocated)
        .when(Acknowledge("minzheng", "王丽", ALLOCATED_AT))
        .then(acknowledged("minzheng"))
    )
    assert assignment(state, "minzheng") == "RECEIVED"
    assert assignment(state, "shangwu") == "PENDING_RECEIPT"


def test_acknowledging_twice_is_refused_naming_received() -> None:
    Scenario(decider).given(*allocated, acknowledged("minzheng")).when(
        Acknowledge("minzheng", "王丽", LATER)
    ).then_rejected(NotAllowedInState, current_state="RECEIVED")


def test_nothing_can_be_acknowledged_before_allocation() -> None:
    Scenario(decider).given(wuhai_60_opened).when(Acknowledge("minzheng", "王丽", LATER)).then_rejected(
        NotAllowedInState, current_state="AWAITING_ALLOCATION"
    )


def test_a_unit_without_an_assignment_has_nothing_to_acknowledge() -> None:
    Scenario(decider).given(*allocated).when(Acknowledge("jiaoyu", "张卫洲", LATER)).then_rejected(NotFound)


def test_a_unit_asks_for_another_unit_within_the_window() -> None:
    state = (
        Scenario(decider)
        .given(*allocated, acknowledged("minzheng"))
        .when(RequestAdjustment("minzheng", REASON, LATER))
        .then(minzheng_asks)
    )
    assert assignment(state, "minzheng") == "ADJUSTMENT_REQUESTED"


def test_a_unit_may_ask_for_another_unit_before_acknowledging() -> None:
    Scenario(decider).given(*allocated).when(RequestAdjustment("minzheng", REASON, LATER)).then(minzheng_asks)


def test_asking_for_another_unit_after_the_window_is_refused() -> None:
    refused = (
        Scenario(decider)
        .given(*allocated, acknowledged("minzheng"))
        .when(RequestAdjustment("minzheng", REASON, AFTER_THE_WINDOW))
        .then_rejected(WindowClosed, current_state="RECEIVED")
    )
    assert refused.status == 409 and "2025-03-19" in refused.detail


def test_asking_for_another_unit_after_internal_allocation_or_twice_is_refused() -> None:
    Scenario(decider).given(*allocated, acknowledged("shangwu"), shangwu_in_progress).when(
        RequestAdjustment("shangwu", REASON, LATER)
    ).then_rejected(NotAllowedInState, current_state="IN_PROGRESS")
    Scenario(decider).given(*allocated, minzheng_asks).when(
        RequestAdjustment("minzheng", REASON, LATER)
    ).then_rejected(NotAllowedInState, current_state="ADJUSTMENT_REQUESTED")


def test_asking_for_another_unit_needs_a_reason() -> None:
    Scenario(decider).given(*allocated).when(RequestAdjustment("minzheng", "  ", LATER)).then_rejected(
        InvalidField, field="reason"
    )


def test_the_office_approves_an_adjustment_and_the_new_unit_takes_the_part() -> None:
    decided_at = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
    reallocated = e.ProposalReallocated(
        **wuhai_60_allocated.model_dump(
            include={"proposal_id", "number", "title", "kind", "jurisdiction", "mode"}
        ),
        revision=2,
        replaced_unit="minzheng",
        replacement="fulian",
        routing=[e.Routing(item=1, lead="shangwu", co_units=["fulian", "renshe"])],
        reallocated_at=decided_at,
        reply_due=date(2025, 6, 10),
        co_opinion_due=date(2025, 4, 10),
        adjustment_until=date(2025, 3, 26),
        calendar_version="2025-1",
    )
    state = (
        Scenario(decider)
        .given(*allocated, minzheng_asks)
        .when(DecideAdjustment("minzheng", approve=True, at=decided_at, replacement="fulian"))
        .then(reallocated)
    )
    assert isinstance(state, Allocated) and state.revision == 2
    assert [(a.unit, a.role, a.name) for a in state.assignments] == [
        ("shangwu", "lead", "PENDING_RECEIPT"),
        ("renshe", "co", "PENDING_RECEIPT"),
        ("fulian", "co", "PENDING_RECEIPT"),
    ]
    # the new unit's window counts from the reallocation
    Scenario(decider).given(*allocated, minzheng_asks, reallocated).when(
        RequestAdjustment("fulian", "非本单位职责", AFTER_THE_WINDOW)
    ).then(
        e.AdjustmentRequested(
            proposal_id=WUHAI_60, unit="fulian", reason="非本单位职责", requested_at=AFTER_THE_WINDOW
        )
    )


def test_the_office_refuses_an_adjustment_and_the_unit_keeps_its_part() -> None:
    state = (
        Scenario(decider)
        .given(*allocated, minzheng_asks)
        .when(DecideAdjustment("minzheng", approve=False, at=LATER, reason="属民政职责"))
        .then(
            e.AdjustmentRefused(proposal_id=WUHAI_60, unit="minzheng", reason="属民政职责", decided_at=LATER)
        )
    )
    assert assignment(state, "minzheng") == "RECEIVED"


def test_an_adjustment_not_asked_for_cannot_be_decided() -> None:
    Scenario(decider).given(*allocated, acknowledged("minzheng")).when(
        DecideAdjustment("minzheng", approve=False, at=LATER)
    ).then_rejected(NotAllowedInState, current_state="RECEIVED")


def test_an_approval_names_a_unit_not_yet_on_the_proposal() -> None:
    given = Scenario(decider).given(*allocated, minzheng_asks)
    given.when(DecideAdjustment("minzheng", approve=True, at=LATER)).then_rejected(
        InvalidField, field="replacement"
    )
    given.when(DecideAdjustment("minzheng", approve=True, at=LATER, replacement="renshe")).then_rejected(
        InvalidField, field="replacement"
    )


def test_a_unit_allocates_its_items_internally() -> None:
    internally = e.InternallyAllocated(
        proposal_id=WUHAI_60,
        unit="minzheng",
        tasks=[
            e.InternalTask(
                item=1, section=task.section, leader="孔繁银", person="孔繁银", deadline=task.deadline
            )
        ],
        allocated_at=LATER,
    )
    state = (
        Scenario(decider)
        .given(*allocated, acknowledged("minzheng"))
        .when(AllocateInternally("minzheng", (task,), LATER))
        .then(internally)
    )
    assert isinstance(state, Allocated)
    assert state.assignment("minzheng") == InProgress(
        "minzheng", "co", (1,), date(2025, 3, 19), tasks=(task,)
    )


def test_internal_allocation_comes_after_acknowledgement() -> None:
    Scenario(decider).given(*allocated).when(AllocateInternally("minzheng", (task,), LATER)).then_rejected(
        NotAllowedInState, current_state="PENDING_RECEIPT"
    )


def test_internal_allocation_covers_exactly_the_units_items_with_names() -> None:
    given = Scenario(decider).given(*allocated, acknowledged("minzheng"))
    other_item = Task(2, task.section, task.leader, task.person, task.deadline)
    given.when(AllocateInternally("minzheng", (other_item,), LATER)).then_rejected(
        InvalidField, field="tasks[0].item"
    )
    given.when(AllocateInternally("minzheng", (), LATER)).then_rejected(InvalidField, field="tasks")
    nobody = Task(1, task.section, task.leader, " ", task.deadline)
    given.when(AllocateInternally("minzheng", (nobody,), LATER)).then_rejected(
        InvalidField, field="tasks[0].person"
    )


def test_the_lead_unit_asks_for_a_later_reply_date() -> None:
    state = (
        Scenario(decider)
        .given(*allocated, acknowledged("shangwu"), shangwu_in_progress)
        .when(RequestExtension("shangwu", date(2025, 9, 10), "涉及多部门协调", LATER))
        .then(extension_asked)
    )
    assert isinstance(state, Allocated) and state.extension is not None


def test_an_extension_must_move_the_reply_date_later() -> None:
    Scenario(decider).given(*allocated, acknowledged("shangwu")).when(
        RequestExtension("shangwu", date(2025, 6, 10), "涉及多部门协调", LATER)
    ).then_rejected(InvalidField, field="reply_due")


def test_only_the_lead_unit_asks_for_an_extension_after_acknowledging_and_once_at_a_time() -> None:
    Scenario(decider).given(*allocated, acknowledged("minzheng")).when(
        RequestExtension("minzheng", date(2025, 9, 10), "涉及多部门协调", LATER)
    ).then_rejected(Forbidden)
    Scenario(decider).given(*allocated).when(
        RequestExtension("shangwu", date(2025, 9, 10), "涉及多部门协调", LATER)
    ).then_rejected(NotAllowedInState, current_state="PENDING_RECEIPT")
    Scenario(decider).given(*allocated, acknowledged("shangwu"), extension_asked).when(
        RequestExtension("shangwu", date(2025, 10, 10), "涉及多部门协调", LATER)
    ).then_rejected(NotAllowedInState, current_state="EXTENSION_REQUESTED")


def test_the_office_grants_an_extension_and_the_reply_date_moves() -> None:
    state = (
        Scenario(decider)
        .given(*allocated, acknowledged("shangwu"), extension_asked)
        .when(DecideExtension("shangwu", grant=True, at=LATER))
        .then(
            e.ExtensionGranted(
                proposal_id=WUHAI_60, unit="shangwu", reply_due=date(2025, 9, 10), decided_at=LATER
            )
        )
    )
    assert isinstance(state, Allocated)
    assert (state.reply_due, state.extension) == (date(2025, 9, 10), None)


def test_the_office_refuses_an_extension_and_the_reply_date_stays() -> None:
    state = (
        Scenario(decider)
        .given(*allocated, acknowledged("shangwu"), extension_asked)
        .when(DecideExtension("shangwu", grant=False, at=LATER, reason="按期办理"))
        .then(e.ExtensionRefused(proposal_id=WUHAI_60, unit="shangwu", reason="按期办理", decided_at=LATER))
    )
    assert isinstance(state, Allocated)
    assert (state.reply_due, state.extension) == (date(2025, 6, 10), None)


def test_an_extension_not_asked_for_cannot_be_decided() -> None:
    Scenario(decider).given(*allocated, acknowledged("shangwu")).when(
        DecideExtension("shangwu", grant=True, at=LATER)
    ).then_rejected(NotAllowedInState)
