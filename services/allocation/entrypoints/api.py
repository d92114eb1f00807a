"""HTTP commands of allocation: 交办 by the office, then each unit's own steps on its assignment."""

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.allocation.application.service import AllocationService
from services.allocation.domain.commands import (
    Acknowledge,
    Allocate,
    AllocateInternally,
    Command,
    DecideAdjustment,
    DecideExtension,
    DesignateKeyItem,
    Mode,
    RecordSupervision,
    RequestAdjustment,
    RequestExtension,
    Route,
    SupervisionKind,
    Task,
    Urge,
)
from services.allocation.domain.state import Allocated, Assignment, AwaitingAllocation, Closed, Unopened
from services.allocation.entrypoints.schemas import AllocationView, AssignmentView, CommandResult
from shared.kernel.decider import Forbidden, NotFound
from shared.web.http import command_meta, now
from shared.web.identity import Caller, Identity
from shared.web.problems import COMMAND_RESPONSES
from shared.web.provided import provided
from shared.web.schemas import MANY, LongText, ShortText

router = APIRouter(tags=["allocation"])

Service = Annotated[AllocationService, Depends(provided(AllocationService))]


class RouteBody(BaseModel):
    item: int
    lead: ShortText = Field(min_length=1)
    co_units: list[ShortText] = Field(default_factory=list, max_length=MANY)


class AllocateBody(BaseModel):
    """Either `lead` (and `co_units`) for every item, or `routing` item by item (seed 000, 第87号)."""

    mode: Mode
    lead: ShortText | None = None
    co_units: list[ShortText] = Field(default_factory=list, max_length=MANY)
    routing: list[RouteBody] = Field(default_factory=list, max_length=MANY)
    reply_due: date | None = None
    """A fixed date from the allocation notice, e.g. 2021-09-30."""


class AdjustmentRequestBody(BaseModel):
    reason: LongText = Field(min_length=1)


class AdjustmentDecisionBody(BaseModel):
    approve: bool
    replacement: ShortText | None = None
    reason: LongText = ""


class TaskBody(BaseModel):
    item: int
    section: ShortText = Field(min_length=1, description="责任科室")
    leader: ShortText = Field(min_length=1, description="责任领导")
    person: ShortText = Field(min_length=1, description="责任人")
    deadline: date
    measure: LongText = Field(default="", description="办理措施")


class InternalAllocationBody(BaseModel):
    tasks: list[TaskBody] = Field(min_length=1, max_length=MANY)


class ExtensionRequestBody(BaseModel):
    reply_due: date
    reason: LongText = Field(min_length=1)


class ExtensionDecisionBody(BaseModel):
    grant: bool
    reason: LongText = ""


class KeyItemBody(BaseModel):
    leader: ShortText = Field(min_length=1, description="督办领导, e.g. 王志强")
    leader_title: ShortText = Field(min_length=1, description="e.g. 市政协副主席")
    reason: LongText = ""


class SupervisionBody(BaseModel):
    kind: SupervisionKind = Field(description="meeting (督办会), visit (视察) or call (电话督办)")
    held_on: date
    notes: LongText = Field(min_length=1)
    by: ShortText | None = Field(default=None, description="who supervised; the caller when absent")


class UrgeBody(BaseModel):
    unit: ShortText = Field(min_length=1, description="the unit urged (id, name or alias)")
    reason: LongText = Field(min_length=1)


def office_only(caller: Identity) -> None:
    if not caller.is_office:
        raise Forbidden("only the coordinating office may do this")


def acting_unit(service: AllocationService, caller: Identity, unit: str) -> str:
    unit_id = service.unit_id("unit", unit)
    if not caller.acts_for(unit_id):
        raise Forbidden(f"the caller does not act for {unit_id}")
    return unit_id


async def run(
    service: AllocationService, request: Request, caller: Identity, proposal_id: str, command: Command
) -> CommandResult:
    outcome = await service.handle(proposal_id, command, await command_meta(request, caller))
    answer = CommandResult(proposal_id=proposal_id, state=outcome.state.name, version=outcome.version)
    unit = getattr(command, "unit", None)
    if isinstance(outcome.state, Allocated) and unit:
        assignment = outcome.state.assignment(unit)
        answer.assignment = assignment.name if assignment else None
    return answer


@router.post("/allocations/{proposal_id}", responses=COMMAND_RESPONSES)
async def allocate(
    request: Request, caller: Caller, service: Service, proposal_id: str, body: AllocateBody
) -> CommandResult:
    """交办 (office): the mode, the units, and optionally the fixed reply date of the allocation notice."""
    office_only(caller)
    units = service.unit_id
    command = Allocate(
        mode=body.mode,
        at=now(request),
        lead=units("lead", body.lead) if body.lead else None,
        co_units=tuple(units(f"co_units[{i}]", name) for i, name in enumerate(body.co_units)),
        routing=tuple(
            Route(
                route.item,
                units(f"routing[{i}].lead", route.lead),
                tuple(units(f"routing[{i}].co_units[{j}]", c) for j, c in enumerate(route.co_units)),
            )
            for i, route in enumerate(body.routing)
        ),
        reply_due=body.reply_due,
    )
    return await run(service, request, caller, proposal_id, command)


@router.post("/allocations/{proposal_id}/units/{unit}/acknowledge", responses=COMMAND_RESPONSES)
async def acknowledge(
    request: Request, caller: Caller, service: Service, proposal_id: str, unit: str
) -> CommandResult:
    """签收 (the unit itself)."""
    unit_id = acting_unit(service, caller, unit)
    command = Acknowledge(unit_id, by=caller.name or caller.subject, at=now(request))
    return await run(service, request, caller, proposal_id, command)


@router.post("/allocations/{proposal_id}/units/{unit}/adjustment-request", responses=COMMAND_RESPONSES)
async def request_adjustment(
    request: Request,
    caller: Caller,
    service: Service,
    proposal_id: str,
    unit: str,
    body: AdjustmentRequestBody,
) -> CommandResult:
    """申请调整 (the unit itself, within the window after 交办)."""
    unit_id = acting_unit(service, caller, unit)
    command = RequestAdjustment(unit_id, body.reason, at=now(request))
    return await run(service, request, caller, proposal_id, command)


@router.post("/allocations/{proposal_id}/units/{unit}/adjustment-decision", responses=COMMAND_RESPONSES)
async def decide_adjustment(
    request: Request,
    caller: Caller,
    service: Service,
    proposal_id: str,
    unit: str,
    body: AdjustmentDecisionBody,
) -> CommandResult:
    """The office approves (naming the unit that takes over) or refuses an adjustment request."""
    office_only(caller)
    units = service.unit_id
    replacement = units("replacement", body.replacement) if body.replacement else None
    command = DecideAdjustment(
        units("unit", unit), body.approve, at=now(request), replacement=replacement, reason=body.reason
    )
    return await run(service, request, caller, proposal_id, command)


@router.post("/allocations/{proposal_id}/units/{unit}/internal-allocation", responses=COMMAND_RESPONSES)
async def allocate_internally(
    request: Request,
    caller: Caller,
    service: Service,
    proposal_id: str,
    unit: str,
    body: InternalAllocationBody,
) -> CommandResult:
    """内部交办 (the unit itself): each item to a 责任科室, 责任领导 and 责任人 with a deadline."""
    unit_id = acting_unit(service, caller, unit)
    tasks = tuple(Task(t.item, t.section, t.leader, t.person, t.deadline, t.measure) for t in body.tasks)
    return await run(
        service, request, caller, proposal_id, AllocateInternally(unit_id, tasks, at=now(request))
    )


@router.post("/allocations/{proposal_id}/units/{unit}/extension-request", responses=COMMAND_RESPONSES)
async def request_extension(
    request: Request,
    caller: Caller,
    service: Service,
    proposal_id: str,
    unit: str,
    body: ExtensionRequestBody,
) -> CommandResult:
    """The lead unit asks for a later reply date."""
    unit_id = acting_unit(service, caller, unit)
    command = RequestExtension(unit_id, body.reply_due, body.reason, at=now(request))
    return await run(service, request, caller, proposal_id, command)


@router.post("/allocations/{proposal_id}/units/{unit}/extension-decision", responses=COMMAND_RESPONSES)
async def decide_extension(
    request: Request,
    caller: Caller,
    service: Service,
    proposal_id: str,
    unit: str,
    body: ExtensionDecisionBody,
) -> CommandResult:
    """The office grants (the reply date moves) or refuses an extension."""
    office_only(caller)
    command = DecideExtension(service.unit_id("unit", unit), body.grant, now(request), body.reason)
    return await run(service, request, caller, proposal_id, command)


@router.post("/allocations/{proposal_id}/key-item", responses=COMMAND_RESPONSES)
async def designate_key_item(
    request: Request, caller: Caller, service: Service, proposal_id: str, body: KeyItemBody
) -> CommandResult:
    """重点提案 / 重点督办建议 (office): the leader who supervises it."""
    office_only(caller)
    command = DesignateKeyItem(body.leader, body.leader_title, at=now(request), reason=body.reason)
    return await run(service, request, caller, proposal_id, command)


@router.post("/allocations/{proposal_id}/supervision", responses=COMMAND_RESPONSES)
async def record_supervision(
    request: Request, caller: Caller, service: Service, proposal_id: str, body: SupervisionBody
) -> CommandResult:
    """督办 of a key item (office): a meeting, visit or call, the day it was held, by whom, notes."""
    office_only(caller)
    by = body.by or caller.name or caller.subject
    command = RecordSupervision(body.kind, body.held_on, body.notes, by=by, at=now(request))
    return await run(service, request, caller, proposal_id, command)


@router.post("/allocations/{proposal_id}/urges", responses=COMMAND_RESPONSES)
async def urge(
    request: Request, caller: Caller, service: Service, proposal_id: str, body: UrgeBody
) -> CommandResult:
    """催办 (office): press one handling unit, with the reason."""
    office_only(caller)
    unit_id = service.unit_id("unit", body.unit)
    command = Urge(unit_id, body.reason, by=caller.name or caller.subject, at=now(request))
    return await run(service, request, caller, proposal_id, command)


@router.get("/allocations/{proposal_id}", responses=COMMAND_RESPONSES)
async def get_allocation(caller: Caller, service: Service, proposal_id: str) -> AllocationView:
    """The allocation as it stands: for the office, and for every unit that has a part in it."""
    state, version = await service.get(proposal_id)
    if isinstance(state, Unopened):
        raise NotFound(f"no allocation for proposal {proposal_id}")
    if not caller.is_office and not (
        isinstance(state, Allocated) and any(caller.acts_for(a.unit) for a in state.assignments)
    ):
        raise Forbidden("only the office and the units handling this proposal may read it")
    return describe(proposal_id, version, state)


def describe(
    proposal_id: str, version: int, state: AwaitingAllocation | Allocated | Closed
) -> AllocationView:
    view = AllocationView(proposal_id=proposal_id, version=version, state=state.name, case=state.case)
    if isinstance(state, AwaitingAllocation | Allocated):
        view.key_item = state.key_item
    if isinstance(state, Allocated):
        view.mode = state.mode
        view.revision = state.revision
        view.routing = list(state.routing)
        view.assignments = [assignment_view(a) for a in state.assignments]
        view.allocated_at = state.allocated_at.isoformat()
        view.reply_due = state.reply_due
        view.co_opinion_due = state.co_opinion_due
        view.extension_requested = state.extension
        view.urges = state.urges
    return view


def assignment_view(assignment: Assignment) -> AssignmentView:
    return AssignmentView.model_validate({"state": assignment.name, **asdict(assignment)})
