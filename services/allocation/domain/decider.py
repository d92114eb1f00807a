"""The allocation of one proposal: pure `decide` and `evolve` over the states in `state.py`.

The handling rules (time limits) of every jurisdiction and the working-day calendar come in as plain
values when the decider is made; nothing here reads a file or a clock.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

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
    Mode,
    OpenCase,
    RecordSupervision,
    RequestAdjustment,
    RequestExtension,
    Route,
    Task,
    Urge,
)
from services.allocation.domain.state import (
    AdjustmentRequested,
    Allocated,
    Assignment,
    AwaitingAllocation,
    Case,
    Closed,
    InProgress,
    PendingExtension,
    PendingReceipt,
    Received,
    Role,
    State,
    Unopened,
    parts,
)
from services.allocation.domain.supervision import (
    designate_key_item,
    evolve_key_item,
    record_supervision,
    urge,
)
from services.allocation.domain.texts import texts
from shared.kernel.decider import Decider, Forbidden, InvalidField, NotAllowedInState, NotFound, Rejected
from shared.kernel.events import Event
from shared.rules.deadlines import WorkingCalendar, add_months, local_date, working_deadline
from shared.rules.policy import Policies, Policy


class WindowClosed(Rejected):
    """申请调整 after the window counted from 交办."""

    def __init__(self, state: str, until: date) -> None:
        super().__init__(
            f"the window for asking for another unit closed on {until.isoformat()}",
            current_state=state,
            field="at",
            rule=f"adjustment requests are accepted until {until.isoformat()}",
        )


def make_decider(policies: Policies, working: WorkingCalendar) -> Decider[Command, State]:
    def decide(command: Command, state: State) -> Sequence[Event]:
        check_lengths(command, state, policies)
        match command:
            case OpenCase():
                return open_case(command, state)
            case CloseCase():
                return close_case(command, state)
            case Allocate():
                return allocate(command, state, policies, working)
            case DecideAdjustment():
                return decide_adjustment(command, state, policies, working)
            case DesignateKeyItem():
                return designate_key_item(command, state)
            case RecordSupervision():
                return record_supervision(command, state)
            case Urge():
                return urge(command, state)
            case _:
                return decide_for_unit(command, state)

    return Decider(decide, evolve, Unopened())


def check_lengths(command: Command, state: State, policies: Policies) -> None:
    """Every text of the command within its policy's limits (422 naming the first field over)."""
    if isinstance(state, AwaitingAllocation | Allocated | Closed):
        policy = policies.get((state.case.jurisdiction, state.case.kind))
        if policy is not None:
            policy.limits.check(texts(command))


def open_case(command: OpenCase, state: State) -> list[Event]:
    if not isinstance(state, Unopened):
        return []
    return [
        e.CaseOpened(
            proposal_id=command.proposal_id,
            number=command.number,
            title=command.title,
            kind=command.kind,
            jurisdiction=command.jurisdiction,
            items=list(command.items or (1,)),
            opened_at=command.at,
        )
    ]


def close_case(command: CloseCase, state: State) -> list[Event]:
    if not isinstance(state, AwaitingAllocation):
        return []
    return [
        e.CaseClosed(
            proposal_id=command.proposal_id,
            outcome=command.outcome,
            reason=command.reason,
            closed_at=command.at,
        )
    ]


def allocate(command: Allocate, state: State, policies: Policies, working: WorkingCalendar) -> list[Event]:
    case = awaiting(state)
    policy = policy_of(case, policies)
    routing = expand(command, case)
    check_routing(routing, case)
    check_mode(command.mode, routing)
    day = local_date(command.at)
    reply_due = command.reply_due or policy.reply_deadline or add_months(day, policy.reply_months)
    if reply_due <= day:
        raise InvalidField("reply_due", f"must be after the allocation date {day.isoformat()}")
    window = working_deadline(day, policy.adjustment_request_working_days, working)
    return [
        e.ProposalAllocated(
            **case_fields(case),
            mode=command.mode,
            routing=routing_out(routing),
            allocated_at=command.at,
            reply_due=reply_due,
            co_opinion_due=min(add_months(day, policy.co_opinion_months), reply_due),
            adjustment_until=window.date,
            calendar_version=window.calendar_version,
        )
    ]


def awaiting(state: State) -> Case:
    match state:
        case AwaitingAllocation(case=case):
            return case
        case Unopened():
            raise NotFound("no registered proposal with this id has reached allocation")
        case _:
            raise NotAllowedInState("allocate", state.name)


def policy_of(case: Case, policies: Policies) -> Policy:
    policy = policies.get((case.jurisdiction, case.kind))
    if policy is None:
        raise InvalidField("jurisdiction", f"no handling policy for {case.jurisdiction!r} ({case.kind})")
    return policy


def expand(command: Allocate, case: Case) -> tuple[Route, ...]:
    """The routing item by item, also when one lead takes every item."""
    if command.lead is None:
        return command.routing
    if command.routing:
        raise InvalidField("routing", "give either one lead for every item or a routing item by item")
    if command.lead in command.co_units:
        raise InvalidField("co_units", f"{command.lead} is the lead unit, not a co-unit")
    check_named_once(command.co_units, "co_units")
    return tuple(Route(item, command.lead, command.co_units) for item in case.items)


def check_routing(routing: Sequence[Route], case: Case) -> None:
    if not routing:
        raise InvalidField("lead", "name the lead unit, or a routing item by item")
    seen: set[int] = set()
    for i, route in enumerate(routing):
        if route.item not in case.items:
            raise InvalidField(f"routing[{i}].item", f"proposal {case.number} has no item {route.item}")
        if route.item in seen:
            raise InvalidField(f"routing[{i}].item", f"item {route.item} is routed twice")
        if route.lead in route.co_units:
            raise InvalidField(
                f"routing[{i}].co_units", f"{route.lead} is the lead of item {route.item}, not a co-unit"
            )
        check_named_once(route.co_units, f"routing[{i}].co_units")
        seen.add(route.item)
    missing = [item for item in case.items if item not in seen]
    if missing:
        raise InvalidField("routing", f"item {missing[0]} has no lead unit")


def check_named_once(co_units: Sequence[str], field: str) -> None:
    """A co-unit named twice (also under two names of one unit) would hold its items twice."""
    twice = next((unit for i, unit in enumerate(co_units) if unit in co_units[:i]), None)
    if twice is not None:
        raise InvalidField(field, f"{twice} is named twice")


def check_mode(mode: Mode, routing: Sequence[Route]) -> None:
    leads = {route.lead for route in routing}
    has_co_units = any(route.co_units for route in routing)
    rule = {
        "独办": (len(leads) == 1 and not has_co_units, "独办 is one unit alone, without co-units"),
        "主办+协办": (len(leads) == 1 and has_co_units, "主办+协办 is one lead unit with co-units"),
        "分办": (len(leads) > 1, "分办 needs a different lead unit for some items"),
    }
    fits, text = rule[mode]
    if not fits:
        raise InvalidField("mode", text)


def case_fields(case: Case) -> dict[str, object]:
    return {
        "proposal_id": case.proposal_id,
        "number": case.number,
        "title": case.title,
        "kind": case.kind,
        "jurisdiction": case.jurisdiction,
    }


def routing_out(routing: Sequence[Route]) -> list[e.Routing]:
    return [e.Routing(item=r.item, lead=r.lead, co_units=list(r.co_units)) for r in routing]


def decide_adjustment(
    command: DecideAdjustment, state: State, policies: Policies, working: WorkingCalendar
) -> list[Event]:
    allocated, assignment = assignment_of(state, command.unit, "decide adjustment")
    if not isinstance(assignment, AdjustmentRequested):
        raise NotAllowedInState("decide adjustment", assignment.name)
    case = allocated.case
    if not command.approve:
        return [
            e.AdjustmentRefused(
                proposal_id=case.proposal_id, unit=command.unit, reason=command.reason, decided_at=command.at
            )
        ]
    replacement = check_replacement(command, allocated)
    policy = policy_of(case, policies)
    window = working_deadline(local_date(command.at), policy.adjustment_request_working_days, working)
    return [
        e.ProposalReallocated(
            **case_fields(case),
            revision=allocated.revision + 1,
            replaced_unit=command.unit,
            replacement=replacement,
            mode=allocated.mode,
            routing=routing_out(replaced(allocated.routing, command.unit, replacement)),
            reallocated_at=command.at,
            reply_due=allocated.reply_due,
            co_opinion_due=allocated.co_opinion_due,
            adjustment_until=window.date,
            calendar_version=window.calendar_version,
        )
    ]


def check_replacement(command: DecideAdjustment, allocated: Allocated) -> str:
    if not command.replacement:
        raise InvalidField("replacement", "name the unit that takes over when approving")
    if allocated.assignment(command.replacement) is not None:
        raise InvalidField("replacement", f"{command.replacement} already handles this proposal")
    return command.replacement


def replaced(routing: tuple[Route, ...], unit: str, replacement: str) -> tuple[Route, ...]:
    def swap(name: str) -> str:
        return replacement if name == unit else name

    return tuple(Route(r.item, swap(r.lead), tuple(swap(c) for c in r.co_units)) for r in routing)


def assignment_of(state: State, unit: str, action: str) -> tuple[Allocated, Assignment]:
    match state:
        case Allocated():
            assignment = state.assignment(unit)
            if assignment is None:
                raise NotFound(f"{unit} has no assignment on proposal {state.case.number}")
            return state, assignment
        case Unopened():
            raise NotFound("no registered proposal with this id has reached allocation")
        case _:
            raise NotAllowedInState(action, state.name)


def decide_for_unit(command: Command, state: State) -> list[Event]:
    match command:
        case Acknowledge():
            return acknowledge(command, state)
        case RequestAdjustment():
            return request_adjustment(command, state)
        case AllocateInternally():
            return allocate_internally(command, state)
        case RequestExtension():
            return request_extension(command, state)
        case DecideExtension():
            return decide_extension(command, state)
        case _:
            raise TypeError(f"unknown command {command!r}")


def acknowledge(command: Acknowledge, state: State) -> list[Event]:
    allocated, assignment = assignment_of(state, command.unit, "acknowledge")
    if not isinstance(assignment, PendingReceipt):
        raise NotAllowedInState("acknowledge", assignment.name)
    return [
        e.AssignmentAcknowledged(
            proposal_id=allocated.case.proposal_id,
            unit=command.unit,
            by=command.by,
            acknowledged_at=command.at,
        )
    ]


def request_adjustment(command: RequestAdjustment, state: State) -> list[Event]:
    allocated, assignment = assignment_of(state, command.unit, "request adjustment")
    if not isinstance(assignment, PendingReceipt | Received):
        raise NotAllowedInState("request adjustment", assignment.name)
    if local_date(command.at) > assignment.adjustment_until:
        raise WindowClosed(assignment.name, assignment.adjustment_until)
    return [
        e.AdjustmentRequested(
            proposal_id=allocated.case.proposal_id,
            unit=command.unit,
            reason=required(command.reason, "reason"),
            requested_at=command.at,
        )
    ]


def allocate_internally(command: AllocateInternally, state: State) -> list[Event]:
    allocated, assignment = assignment_of(state, command.unit, "allocate internally")
    if not isinstance(assignment, Received):
        raise NotAllowedInState("allocate internally", assignment.name)
    for i, task in enumerate(command.tasks):
        check_task(i, task, assignment)
    covered = {task.item for task in command.tasks}
    missing = [item for item in assignment.items if item not in covered]
    if missing:
        raise InvalidField("tasks", f"item {missing[0]} has no 责任科室, 责任领导 and 责任人")
    return [
        e.InternallyAllocated(
            proposal_id=allocated.case.proposal_id,
            unit=command.unit,
            tasks=[
                e.InternalTask(
                    item=t.item,
                    section=t.section,
                    leader=t.leader,
                    person=t.person,
                    deadline=t.deadline,
                    measure=t.measure,
                )
                for t in command.tasks
            ],
            allocated_at=command.at,
        )
    ]


def check_task(index: int, task: Task, assignment: Assignment) -> None:
    if task.item not in assignment.items:
        raise InvalidField(f"tasks[{index}].item", f"{assignment.unit} does not handle item {task.item}")
    for name in ("section", "leader", "person"):
        required(getattr(task, name), f"tasks[{index}].{name}")


def request_extension(command: RequestExtension, state: State) -> list[Event]:
    allocated, assignment = assignment_of(state, command.unit, "request extension")
    if assignment.role != "lead":
        raise Forbidden(f"only a lead unit may ask for more time; {command.unit} is a co-unit")
    if not isinstance(assignment, Received | InProgress):
        raise NotAllowedInState("request extension", assignment.name)
    if allocated.extension is not None:
        raise NotAllowedInState("request extension", "EXTENSION_REQUESTED")
    if command.reply_due <= allocated.reply_due:
        raise InvalidField(
            "reply_due", f"must be after the current reply_due {allocated.reply_due.isoformat()}"
        )
    return [
        e.ExtensionRequested(
            proposal_id=allocated.case.proposal_id,
            unit=command.unit,
            reply_due=command.reply_due,
            reason=required(command.reason, "reason"),
            requested_at=command.at,
        )
    ]


def decide_extension(command: DecideExtension, state: State) -> list[Event]:
    allocated, assignment = assignment_of(state, command.unit, "decide extension")
    pending = allocated.extension
    if pending is None or pending.unit != command.unit:
        raise NotAllowedInState("decide extension", f"{assignment.name} (no extension requested)")
    proposal_id = allocated.case.proposal_id
    if command.grant:
        return [
            e.ExtensionGranted(
                proposal_id=proposal_id, unit=command.unit, reply_due=pending.reply_due, decided_at=command.at
            )
        ]
    return [
        e.ExtensionRefused(
            proposal_id=proposal_id, unit=command.unit, reason=command.reason, decided_at=command.at
        )
    ]


def required(text: str, field: str) -> str:
    if not text.strip():
        raise InvalidField(field, "must not be empty")
    return text.strip()


def evolve(state: State, event: Event) -> State:
    match state, event:
        case (
            AwaitingAllocation() | Allocated(),
            e.KeyItemDesignated() | e.SupervisionRecorded() | e.UnitUrged(),
        ):
            return evolve_key_item(state, event)
        case Unopened(), e.CaseOpened():
            return AwaitingAllocation(case_of(event))
        case AwaitingAllocation(case=case), e.CaseClosed():
            return Closed(case, event.outcome)
        case AwaitingAllocation(), e.ProposalAllocated():
            return allocated_from(state, event)
        case Allocated(), _:
            return evolve_allocated(state, event)
    return state


def case_of(event: e.CaseOpened) -> Case:
    return Case(
        event.proposal_id, event.number, event.title, event.kind, event.jurisdiction, tuple(event.items)
    )


def routing_in(routing: list[e.Routing]) -> tuple[Route, ...]:
    return tuple(Route(r.item, r.lead, tuple(r.co_units)) for r in routing)


def allocated_from(state: AwaitingAllocation, event: e.ProposalAllocated) -> Allocated:
    routing = routing_in(event.routing)
    return Allocated(
        case=state.case,
        mode=event.mode,
        routing=routing,
        assignments=tuple(
            PendingReceipt(unit, role, items, event.adjustment_until) for unit, role, items in parts(routing)
        ),
        revision=1,
        allocated_at=event.allocated_at,
        reply_due=event.reply_due,
        co_opinion_due=event.co_opinion_due,
        key_item=state.key_item,
    )


def evolve_allocated(state: Allocated, event: Event) -> Allocated:
    match event:
        case e.AssignmentAcknowledged():
            return moved(state, event.unit, lambda a: Received(*core(a)))
        case e.AdjustmentRequested():
            reason = event.reason
            return moved(state, event.unit, lambda a: AdjustmentRequested(*core(a), reason=reason))
        case e.AdjustmentRefused():
            return moved(state, event.unit, lambda a: Received(*core(a)))
        case e.ProposalReallocated():
            return reallocated(state, event)
        case e.InternallyAllocated():
            tasks = tuple(
                Task(t.item, t.section, t.leader, t.person, t.deadline, t.measure) for t in event.tasks
            )
            return moved(state, event.unit, lambda a: InProgress(*core(a), tasks=tasks))
        case e.ExtensionRequested():
            return replace(state, extension=PendingExtension(event.unit, event.reply_due, event.reason))
        case e.ExtensionGranted():
            return replace(state, extension=None, reply_due=event.reply_due)
        case e.ExtensionRefused():
            return replace(state, extension=None)
    return state


def moved(state: Allocated, unit: str, to: Callable[[Assignment], Assignment]) -> Allocated:
    """The allocation with `unit`'s assignment moved on to the state `to` makes of it."""
    return replace(state, assignments=tuple(to(a) if a.unit == unit else a for a in state.assignments))


def core(a: Assignment) -> tuple[str, Role, tuple[int, ...], date]:
    return a.unit, a.role, a.items, a.adjustment_until


def reallocated(state: Allocated, event: e.ProposalReallocated) -> Allocated:
    """The replaced unit's part goes to the replacement; an extension it asked for lapses with it,
    since nobody could decide it any more and the new lead could never ask for one."""
    routing = routing_in(event.routing)
    kept = tuple(a for a in state.assignments if a.unit != event.replaced_unit)
    new = [
        PendingReceipt(unit, role, items, event.adjustment_until)
        for unit, role, items in parts(routing)
        if unit == event.replacement
    ]
    extension = state.extension
    if extension is not None and extension.unit == event.replaced_unit:
        extension = None
    return replace(
        state, routing=routing, assignments=(*kept, *new), revision=event.revision, extension=extension
    )
