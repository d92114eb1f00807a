"""Allocation's decider, driven by random commands of the office and the units on one proposal, keeps
the rules of DOMAIN.md: every item has exactly one lead and no lead is its own co-unit, the deadlines
fall after 交办, a unit asks for another unit only within its window and before the office decided,
each reallocation is one revision more, a unit allocates internally only its own items, an extension
only moves the deadline later, and a refused command changes nothing. The state is always the fold of
the events, and every event reads back from its stored JSON unchanged."""

import json
from copy import deepcopy
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from services.allocation.domain import events as e
from services.allocation.domain.commands import (
    Acknowledge,
    Allocate,
    AllocateInternally,
    CloseCase,
    Command,
    DecideAdjustment,
    DecideExtension,
    DesignateKeyItem,
    Kind,
    Mode,
    OpenCase,
    RecordSupervision,
    RequestAdjustment,
    RequestExtension,
    Route,
    SupervisionKind,
    Task,
    Urge,
)
from services.allocation.domain.decider import make_decider
from services.allocation.domain.state import (
    AdjustmentRequested,
    Allocated,
    Assignment,
    AwaitingAllocation,
    Closed,
    InProgress,
    PendingReceipt,
    Received,
    State,
    Unopened,
    parts,
)
from shared.kernel.decider import InvalidField, Rejected
from shared.kernel.events import Event
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import local_date
from shared.rules.policy import load_policies
from shared.settings import DEPLOY
from tests.fuzz.budget import MACHINE_RUNS, fuzz_settings

POLICIES = load_policies(DEPLOY / "policy")
WORKING = WorkingCalendar.load(DEPLOY / "calendar")
DECIDER = make_decider(POLICIES, WORKING)
PROPOSAL_ID = "zhongwei-2021-87"
TITLE = "关于进一步巩固脱贫攻坚成果，提高农民防风险能力的建议"
UNITS = ("fupin", "minzheng", "counties", "xuanchuan", "shangwu")
"""市扶贫办, 市民政局, 各县（区）人民政府, 市委宣传部 (seed 000, 第87号) and 市商务局, on none of it."""
STARTS = {
    "zhongwei": datetime(2021, 4, 6, 1, 0, tzinfo=UTC),
    "jincheng": datetime(2025, 3, 10, 1, 0, tzinfo=UTC),
}
"""When 交办 happens in a run: 中卫 fixes the deadline 2021-09-30 for its 2021 session."""
MODES: tuple[Mode, ...] = ("独办", "主办+协办", "分办")
OFFICE = "office:zhongwei-tiwei"
ENDED = (Unopened, Closed)
UNIT_EVENTS = (
    e.AssignmentAcknowledged,
    e.AdjustmentRequested,
    e.AdjustmentRefused,
    e.InternallyAllocated,
    e.ExtensionRequested,
    e.ExtensionGranted,
    e.ExtensionRefused,
    e.UnitUrged,
)
"""Events about one unit's part: only ever about a unit that handles the proposal."""

units = st.sampled_from(UNITS)
days = st.integers(0, 3)
Wanted = type[Assignment] | tuple[type[Assignment], ...]
MOSTLY = st.sampled_from([True, True, True, False])
reasons = st.sampled_from(["该项建议不属于本单位职责", "需跨年度统筹资金", "涉及多个部门职责", " "])


def fitting_mode(routing: tuple[Route, ...]) -> Mode:
    """The mode DOMAIN.md gives a routing: one unit alone, one lead with co-units, or several leads."""
    if len({r.lead for r in routing}) > 1:
        return "分办"
    return "主办+协办" if any(r.co_units for r in routing) else "独办"


@st.composite
def valid_routings(draw: st.DrawFn, items: tuple[int, ...]) -> tuple[Route, ...]:
    """One lead per item and co-units other than it, each named once."""
    routes = []
    for item in items:
        lead = draw(units)
        others = st.sampled_from([u for u in UNITS if u != lead])
        routes.append(Route(item, lead, tuple(draw(st.lists(others, max_size=2, unique=True)))))
    return tuple(routes)


any_routes = st.builds(Route, st.integers(0, 4), units, st.lists(units, max_size=3).map(tuple))


def routings(items: tuple[int, ...]) -> st.SearchStrategy[tuple[Route, ...]]:
    """Mostly valid; sometimes an item twice, missing or unknown, a lead among its co-units, or a
    co-unit named twice."""
    anything = st.lists(any_routes, max_size=4).map(tuple)
    return st.one_of(valid_routings(items), valid_routings(items), anything)


class AllocationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.history: list[Event] = []
        self.state: State = DECIDER.initial
        self.items: tuple[int, ...] = ()
        self.clock = STARTS["jincheng"]

    def later(self, days: int) -> datetime:
        self.clock += timedelta(days=days, minutes=1)
        return self.clock

    def act(self, command: Command) -> list[Event]:
        """Decide, check what every command must respect, and keep the events of an accepted one."""
        before, kept = self.state, deepcopy(self.state)
        try:
            events = list(DECIDER.decide(command, before))
        except Rejected:
            assert before == kept, f"a refused {type(command).__name__} changed the state"
            return []
        assert before == kept, f"{type(command).__name__} changed the state it decided on"
        if not events:
            assert isinstance(command, OpenCase | CloseCase), (
                f"{type(command).__name__} accepted, nothing appended"
            )
            return []
        assert events == list(DECIDER.decide(command, before)), "decide is not deterministic"
        assert not isinstance(before, ENDED) or isinstance(command, OpenCase), (
            f"{before.name} accepted {type(command).__name__}"
        )
        assert all(getattr(ev, "proposal_id", None) == PROPOSAL_ID for ev in events), events
        after = DECIDER.fold(events, before)
        assert after != before, f"{type(command).__name__} appended {events} that change nothing"
        for event in events:
            assert_round_trip(event)
            check_transition(event, before, after)
        self.history += events
        self.state = after
        return events

    @initialize(
        jurisdiction=st.sampled_from(["jincheng", "jincheng", "wuhai", "zhongwei", "zhongwei", "taiyuan"]),
        kind=st.sampled_from(["proposal", "suggestion"]),
        items=st.sampled_from([(1,), (1, 2), (1, 2, 3)]),
        data=st.data(),
    )
    def the_registered_proposal_reaches_allocation(
        self, jurisdiction: str, kind: Kind, items: tuple[int, ...], data: st.DataObject
    ) -> None:
        """Opened, and in most runs allocated at once with a valid routing, so that runs reach the
        units' commands; the other runs allocate (or fail to) through the rule."""
        self.clock = STARTS.get(jurisdiction, STARTS["jincheng"])
        self.items = items
        opened = OpenCase(
            PROPOSAL_ID, "87", TITLE, kind, jurisdiction, items, self.clock - timedelta(days=20)
        )
        assert self.act(opened), "a registered proposal is not opened"
        assert not self.act(opened), "a proposal was opened twice"
        if data.draw(MOSTLY):
            routing = data.draw(valid_routings(items))
            self.act(Allocate(fitting_mode(routing), self.clock, routing=routing))

    @rule(
        data=st.data(),
        one_lead=st.booleans(),
        mode_fits=st.sampled_from([True, True, True, False]),
        wait=days,
    )
    def allocate(self, data: st.DataObject, one_lead: bool, mode_fits: bool, wait: int) -> None:
        routing = data.draw(routings(self.items))
        if one_lead:
            lead, co_units = data.draw(units), tuple(data.draw(st.lists(units, max_size=3)))
            routing = tuple(Route(item, lead, co_units) for item in self.items)
            extra = data.draw(st.sampled_from([(), (), (), routing]))
            command = Allocate("主办+协办", self.later(wait), lead=lead, co_units=co_units, routing=extra)
        else:
            command = Allocate("主办+协办", self.later(wait), routing=routing)
        mode = fitting_mode(routing) if routing and mode_fits else data.draw(st.sampled_from(MODES))
        fixed = data.draw(st.sampled_from([None, None, None, date(2021, 9, 30), self.clock.date()]))
        self.act(replace(command, mode=mode, reply_due=fixed))

    def unit(self, data: st.DataObject, wanted: Wanted = Assignment, lead: bool = False) -> str:
        """Mostly a unit that handles the proposal (in the state `wanted`, or a lead, when there is
        one), sometimes any unit."""
        handling = list(self.state.assignments) if isinstance(self.state, Allocated) else []
        fitting = [a.unit for a in handling if isinstance(a, wanted) and (not lead or a.role == "lead")]
        choice = data.draw(st.sampled_from(["fitting"] * 5 + ["handling"] * 2 + ["any"]))
        if fitting and choice == "fitting":
            return data.draw(st.sampled_from(fitting))
        if handling and choice != "any":
            return data.draw(st.sampled_from([a.unit for a in handling]))
        return data.draw(units)

    @rule(data=st.data(), wait=days)
    def acknowledge(self, data: st.DataObject, wait: int) -> None:
        self.act(Acknowledge(self.unit(data, PendingReceipt), "王军", self.later(wait)))

    @rule(data=st.data(), reason=reasons, wait=st.integers(0, 3))
    def request_adjustment(self, data: st.DataObject, reason: str, wait: int) -> None:
        self.act(RequestAdjustment(self.unit(data, Received), reason, self.later(wait)))

    @rule(data=st.data(), approve=st.booleans(), wait=st.integers(0, 2))
    def decide_adjustment(self, data: st.DataObject, approve: bool, wait: int) -> None:
        """Mostly a replacement new to the proposal; sometimes none, or one that already handles it."""
        unit = self.unit(data, AdjustmentRequested)
        handling = {a.unit for a in self.state.assignments} if isinstance(self.state, Allocated) else set()
        new = [u for u in (*UNITS, "renshe", "weijian") if u not in handling]
        anyone = st.sampled_from([None, "", *UNITS])
        replacement = data.draw(st.one_of(st.sampled_from(new), st.sampled_from(new), anyone))
        self.act(DecideAdjustment(unit, approve, self.later(wait), replacement, "职责调整"))

    @rule(data=st.data(), wait=days)
    def allocate_internally(self, data: st.DataObject, wait: int) -> None:
        """Mostly every item the unit handles, sometimes too few, someone else's, or a name left empty."""
        unit = self.unit(data, Received)
        mine = self.state.assignment(unit) if isinstance(self.state, Allocated) else None
        if mine is not None and data.draw(MOSTLY):
            chosen = mine.items
        else:
            chosen = tuple(data.draw(st.lists(st.sampled_from((0, *self.items)), max_size=4)))
        person = data.draw(st.sampled_from(["孔繁银", "孔繁银", "孔繁银", " "]))
        tasks = tuple(Task(i, "养老服务与社会救助科", "孔繁银", person, date(2021, 9, 15)) for i in chosen)
        self.act(AllocateInternally(unit, tasks, self.later(wait)))

    @rule(data=st.data(), months=st.sampled_from([1, 3, 0, -1]), reason=reasons, wait=days)
    def request_extension(self, data: st.DataObject, months: int, reason: str, wait: int) -> None:
        """Mostly a later date, sometimes the current deadline or an earlier one."""
        unit = self.unit(data, (Received, InProgress), lead=True)
        due = self.state.reply_due if isinstance(self.state, Allocated) else self.clock.date()
        self.act(RequestExtension(unit, due + timedelta(days=30 * months), reason, self.later(wait)))

    @rule(data=st.data(), grant=st.booleans(), wait=st.integers(0, 2))
    def decide_extension(self, data: st.DataObject, grant: bool, wait: int) -> None:
        self.act(
            DecideExtension(self.unit(data), grant, self.later(wait), "情况属实" if grant else "理由不充分")
        )

    @rule(leader=st.sampled_from(["王军", " "]), wait=days)
    def designate_key_item(self, leader: str, wait: int) -> None:
        self.act(DesignateKeyItem(leader, "市政协副主席", self.later(wait)))

    @rule(
        kind=st.sampled_from(["meeting", "visit", "call"]),
        days_ago=st.integers(-1, 3),
        notes=st.sampled_from(["实地察看社区养老服务中心", ""]),
        wait=days,
    )
    def record_supervision(self, kind: SupervisionKind, days_ago: int, notes: str, wait: int) -> None:
        at = self.later(wait)
        self.act(RecordSupervision(kind, at.date() - timedelta(days=days_ago), notes, "张彦辉", at))

    @rule(data=st.data(), reason=reasons, wait=days)
    def urge(self, data: st.DataObject, reason: str, wait: int) -> None:
        self.act(Urge(self.unit(data), reason, OFFICE, self.later(wait)))

    @rule(really=st.sampled_from([False] * 9 + [True]), wait=days)
    def close(self, really: bool, wait: int) -> None:
        """Rarely: the proposal ends before 交办 (merged or withdrawn late), which ends the run's interest."""
        if really:
            self.act(CloseCase(PROPOSAL_ID, "withdrawn", "已通过其他渠道解决", self.later(wait)))

    @invariant()
    def every_item_has_exactly_one_lead_and_no_lead_helps_itself(self) -> None:
        if isinstance(self.state, Allocated):
            routing = self.state.routing
            assert sorted(r.item for r in routing) == sorted(self.items), routing
            for route in routing:
                assert route.lead not in route.co_units, route
                assert len(set(route.co_units)) == len(route.co_units), f"a co-unit named twice: {route}"
            assert self.state.mode == fitting_mode(routing), (self.state.mode, routing)

    @invariant()
    def the_assignments_are_the_units_of_the_routing(self) -> None:
        if isinstance(self.state, Allocated):
            expected = {unit: (role, sorted(items)) for unit, role, items in parts(self.state.routing)}
            actual = {a.unit: (a.role, sorted(a.items)) for a in self.state.assignments}
            assert len(self.state.assignments) == len(actual), self.state.assignments
            assert actual == expected
            for assignment in self.state.assignments:
                assert len(set(assignment.items)) == len(assignment.items), f"an item twice: {assignment}"

    @invariant()
    def the_deadlines_fall_after_the_allocation(self) -> None:
        if isinstance(self.state, Allocated):
            day = local_date(self.state.allocated_at)
            assert day < self.state.co_opinion_due <= self.state.reply_due, self.state
            for assignment in self.state.assignments:
                assert assignment.adjustment_until > day, assignment

    @invariant()
    def each_reallocation_is_one_revision_more(self) -> None:
        revisions = [ev.revision for ev in self.history if isinstance(ev, e.ProposalReallocated)]
        assert revisions == list(range(2, 2 + len(revisions))), revisions
        if isinstance(self.state, Allocated):
            assert self.state.revision == 1 + len(revisions)

    @invariant()
    def a_pending_extension_belongs_to_a_lead_of_the_proposal(self) -> None:
        if isinstance(self.state, Allocated) and self.state.extension is not None:
            asking = self.state.assignment(self.state.extension.unit)
            assert asking is not None and asking.role == "lead", (
                self.state.extension,
                self.state.assignments,
            )

    def teardown(self) -> None:
        """Replayed from the store, as the command handler loads it, the events give the same state."""
        stored = [e.registry.encode(event) for event in self.history]
        assert DECIDER.fold([e.registry.decode(*json.loads(json.dumps(row))) for row in stored]) == self.state
        closed = any(isinstance(ev, e.CaseClosed) for ev in self.history)
        assert isinstance(self.state, Closed) == closed
        assert not (closed and any(isinstance(ev, e.ProposalAllocated) for ev in self.history))


def assert_round_trip(event: Event) -> None:
    """What the store keeps is JSON: the event read back from it is the same event."""
    type_name, data = e.registry.encode(event)
    assert e.registry.decode(type_name, json.loads(json.dumps(data, ensure_ascii=False))) == event


def check_transition(event: Event, before: State, after: State) -> None:
    """The rules of one accepted event, on the states before and after it."""
    match event:
        case e.ProposalAllocated():
            assert isinstance(before, AwaitingAllocation) and isinstance(after, Allocated)
            assert after.revision == 1
            assert all(isinstance(a, PendingReceipt) for a in after.assignments)
            check_window(
                local_date(event.allocated_at),
                event.adjustment_until,
                before.case.jurisdiction,
                before.case.kind,
            )
        case e.AdjustmentRequested():
            assert isinstance(before, Allocated)
            asking = before.assignment(event.unit)
            assert isinstance(asking, PendingReceipt | Received), asking
            assert local_date(event.requested_at) <= asking.adjustment_until, (event, asking)
        case e.AdjustmentRefused():
            assert isinstance(before, Allocated) and isinstance(after, Allocated)
            assert isinstance(before.assignment(event.unit), AdjustmentRequested)
            assert isinstance(after.assignment(event.unit), Received)
        case e.ProposalReallocated():
            check_reallocation(event, before, after)
        case e.InternallyAllocated():
            assert isinstance(before, Allocated)
            own = before.assignment(event.unit)
            assert isinstance(own, Received), own
            assert {t.item for t in event.tasks} == set(own.items), (event.tasks, own)
        case e.ExtensionRequested():
            assert isinstance(before, Allocated) and before.extension is None
            asking = before.assignment(event.unit)
            assert asking is not None and asking.role == "lead", asking
            assert event.reply_due > before.reply_due
        case e.ExtensionGranted():
            assert isinstance(before, Allocated) and isinstance(after, Allocated)
            assert before.extension is not None and before.extension.unit == event.unit
            assert after.reply_due == before.extension.reply_due > before.reply_due
        case e.KeyItemDesignated():
            assert isinstance(before, AwaitingAllocation | Allocated) and before.key_item is None
        case e.SupervisionRecorded():
            assert isinstance(before, Allocated) and before.key_item is not None
            assert event.held_on <= local_date(event.recorded_at)
    if isinstance(event, UNIT_EVENTS):
        assert isinstance(before, Allocated) and before.assignment(event.unit) is not None


def check_window(day: date, until: date, jurisdiction: str, kind: str) -> None:
    """A unit asks for another unit until the n-th working day after 交办, n from the policy."""
    working_days = POLICIES[(jurisdiction, kind)].adjustment_request_working_days
    assert WORKING.is_working_day(until), until
    assert WORKING.working_days_between(day, until) == working_days, (day, until, working_days)


def check_reallocation(event: e.ProposalReallocated, before: State, after: State) -> None:
    """Only a requested adjustment moves a part, to a unit new to the proposal, one revision more,
    with every other unit's part and the deadlines as they were."""
    assert isinstance(before, Allocated) and isinstance(after, Allocated)
    assert isinstance(before.assignment(event.replaced_unit), AdjustmentRequested)
    assert before.assignment(event.replacement) is None
    assert after.revision == before.revision + 1 == event.revision
    assert after.assignment(event.replaced_unit) is None
    assert isinstance(after.assignment(event.replacement), PendingReceipt)
    assert (after.reply_due, after.co_opinion_due) == (before.reply_due, before.co_opinion_due)
    for assignment in before.assignments:
        if assignment.unit != event.replaced_unit:
            assert after.assignment(assignment.unit) == assignment
    swap = {event.replaced_unit: event.replacement}
    assert after.routing == tuple(
        Route(r.item, swap.get(r.lead, r.lead), tuple(swap.get(c, c) for c in r.co_units))
        for r in before.routing
    )


AllocationMachine.TestCase.settings = fuzz_settings(MACHINE_RUNS)
test_allocation_decider_keeps_the_rules_of_allocation = AllocationMachine.TestCase


def allocated_87(allocate: Allocate) -> State:
    """第87号 opened in 晋城 with two items, then `allocate` decided on it."""
    at = STARTS["jincheng"]
    opened = DECIDER.fold(
        DECIDER.decide(
            OpenCase(PROPOSAL_ID, "87", TITLE, "proposal", "jincheng", (1, 2), at), DECIDER.initial
        )
    )
    return DECIDER.fold(DECIDER.decide(allocate, opened), opened)


def test_a_co_unit_named_twice_is_refused_not_given_its_items_twice() -> None:
    """Found by the machine: 市民政局 named twice (or under two of its names) held items (1, 1, 2, 2)."""
    at = STARTS["jincheng"]
    twice = ("minzheng", "minzheng")
    for allocate, field in (
        (Allocate("主办+协办", at, lead="fupin", co_units=twice), "co_units"),
        (
            Allocate("主办+协办", at, routing=(Route(1, "fupin", twice), Route(2, "fupin"))),
            "routing[0].co_units",
        ),
    ):
        with pytest.raises(InvalidField) as refused:
            allocated_87(allocate)
        assert refused.value.extra["field"] == field


def test_an_extension_asked_by_a_replaced_unit_lapses_with_its_part() -> None:
    """Found by the machine: 市扶贫办 asked for more time, then for another unit; once 市人社局 took
    over, the extension could not be decided and 市人社局 could never ask for one."""
    at = STARTS["jincheng"]
    state = allocated_87(Allocate("独办", at, lead="fupin"))
    for command in (
        Acknowledge("fupin", "王军", at),
        RequestExtension("fupin", date(2025, 9, 10), "需跨年度统筹资金", at + timedelta(days=1)),
        RequestAdjustment("fupin", "该项建议不属于本单位职责", at + timedelta(days=1)),
        DecideAdjustment("fupin", True, at + timedelta(days=2), "renshe", "职责调整"),
        Acknowledge("renshe", "李明", at + timedelta(days=3)),
    ):
        state = DECIDER.fold(DECIDER.decide(command, state), state)
    assert isinstance(state, Allocated) and state.extension is None
    asked = DECIDER.decide(RequestExtension("renshe", date(2025, 9, 10), "需跨年度统筹资金", at), state)
    assert [type(event) for event in asked] == [e.ExtensionRequested]
