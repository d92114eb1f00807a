"""HTTP commands on proposals at intake, and the current state of one.

Who may do what: the office reviews (review, register, not-register, merge, return); a proposer
submits for themselves and acts only on proposals naming them; resubmitting is for the one who leads
(领衔). Reading a proposal is for the office and its proposers; anyone else gets 403 (not 404: that a
proposal id exists is not a secret worth hiding, and 403 tells a proposer what went wrong).
"""

from dataclasses import fields
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.intake.application.service import ProposalService
from services.intake.domain.commands import (
    Command,
    NotRegister,
    Register,
    Resubmit,
    ReturnForRevision,
    StartReview,
    SubmitProposal,
    Withdraw,
)
from services.intake.domain.events import ConvertedTo, Item, Proposer, Role
from services.intake.domain.state import Existing, NoProposal, Proposal, State
from services.intake.entrypoints.schemas import CommandResult, Details, ProposalView
from shared.kernel.contracts import Kind
from shared.kernel.decider import Forbidden, NotFound, Outcome
from shared.web.http import command_meta, now
from shared.web.identity import Caller, Identity
from shared.web.problems import COMMAND_RESPONSES
from shared.web.provided import provided
from shared.web.schemas import MANY, LongText, ShortText

router = APIRouter(tags=["intake"])

Service = Annotated[ProposalService, Depends(provided(ProposalService))]


class ProposerBody(BaseModel):
    id: ShortText
    name: ShortText
    unit: ShortText = ""
    phone: ShortText = ""
    role: Role = "领衔"


class SubmitBody(BaseModel):
    jurisdiction: ShortText
    kind: Kind
    session: ShortText
    title: ShortText
    items: list[LongText] = Field(max_length=MANY)
    """The suggestion items in order; they are numbered from 1."""
    proposers: list[ProposerBody] = Field(max_length=MANY)
    channel: ShortText = "online"


class RegisterBody(BaseModel):
    number: ShortText
    category: ShortText


class NotRegisterBody(BaseModel):
    reason: ShortText
    """A code from the jurisdiction's policy (not_registered_reasons), e.g. empty_content."""
    converted_to: ConvertedTo = "none"


class MergeBody(BaseModel):
    into: ShortText


class ReturnBody(BaseModel):
    reason: LongText


class ResubmitBody(BaseModel):
    title: ShortText | None = None
    items: list[LongText] | None = Field(None, max_length=MANY)


class WithdrawBody(BaseModel):
    reason: LongText = ""
    signed_by: list[ShortText] = Field([], max_length=MANY)
    """The proposers who signed the withdrawal; the caller counts as signed."""


@router.post("/proposals", status_code=201, responses=COMMAND_RESPONSES)
async def submit_proposal(
    body: SubmitBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    proposers = tuple(Proposer(**p.model_dump()) for p in body.proposers)
    if not caller.is_office and not (caller.role == "proposer" and _names(proposers, caller)):
        raise Forbidden("a proposer submits only proposals naming them; otherwise the office enters it")
    meta = await command_meta(request, caller)
    command = SubmitProposal(
        proposal_id=str(meta.command_id),
        jurisdiction=body.jurisdiction,
        kind=body.kind,
        session=body.session,
        title=body.title,
        items=_items(body.items),
        proposers=proposers,
        channel=body.channel,
        submitted_by=caller.subject,
        at=now(request),
    )
    return _result(command.proposal_id, await service.submit(command, meta))


@router.post("/proposals/{proposal_id}/review", responses=COMMAND_RESPONSES)
async def start_review(proposal_id: str, request: Request, caller: Caller, service: Service) -> CommandResult:
    _office(caller)
    return await _act(service, request, caller, proposal_id, StartReview(caller.subject, now(request)))


@router.post("/proposals/{proposal_id}/register", responses=COMMAND_RESPONSES)
async def register(
    proposal_id: str, body: RegisterBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    _office(caller)
    command = Register(body.number, body.category, caller.subject, now(request))
    return await _act(service, request, caller, proposal_id, command)


@router.post("/proposals/{proposal_id}/not-register", responses=COMMAND_RESPONSES)
async def not_register(
    proposal_id: str, body: NotRegisterBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    _office(caller)
    command = NotRegister(body.reason, body.converted_to, caller.subject, now(request))
    return await _act(service, request, caller, proposal_id, command)


@router.post("/proposals/{proposal_id}/merge", responses=COMMAND_RESPONSES)
async def merge(
    proposal_id: str, body: MergeBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    _office(caller)
    meta = await command_meta(request, caller)
    outcome = await service.merge(proposal_id, body.into, caller.subject, now(request), meta)
    return _result(proposal_id, outcome)


@router.post("/proposals/{proposal_id}/return", responses=COMMAND_RESPONSES)
async def return_for_revision(
    proposal_id: str, body: ReturnBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    _office(caller)
    command = ReturnForRevision(body.reason, caller.subject, now(request))
    return await _act(service, request, caller, proposal_id, command)


@router.post("/proposals/{proposal_id}/resubmit", responses=COMMAND_RESPONSES)
async def resubmit(
    proposal_id: str, body: ResubmitBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    proposal = await _proposal(service, proposal_id)
    if caller.role != "proposer" or not proposal.is_lead(caller.subject):
        raise Forbidden("only the proposer who leads it (领衔) resubmits a proposal")
    items = None if body.items is None else _items(body.items)
    command = Resubmit(body.title, items, caller.subject, now(request))
    return await _act(service, request, caller, proposal_id, command)


@router.post("/proposals/{proposal_id}/withdraw", responses=COMMAND_RESPONSES)
async def withdraw(
    proposal_id: str, body: WithdrawBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    proposal = await _proposal(service, proposal_id)
    _proposer(caller, proposal)
    signed_by = frozenset([*body.signed_by, caller.subject])
    command = Withdraw(body.reason, signed_by, caller.subject, now(request))
    return await _act(service, request, caller, proposal_id, command)


@router.get("/proposals/{proposal_id}", responses=COMMAND_RESPONSES)
async def get_proposal(proposal_id: str, caller: Caller, service: Service) -> ProposalView:
    state, version = await service.current(proposal_id)
    existing = _existing(state)
    if not caller.is_office:
        _proposer(caller, existing.proposal)
    return _view(existing, version)


async def _act(
    service: ProposalService, request: Request, caller: Identity, proposal_id: str, command: Command
) -> CommandResult:
    outcome = await service.act(proposal_id, command, await command_meta(request, caller))
    return _result(proposal_id, outcome)


async def _proposal(service: ProposalService, proposal_id: str) -> Proposal:
    state, _ = await service.current(proposal_id)
    return _existing(state).proposal


def _existing(state: State) -> Existing:
    if isinstance(state, NoProposal):
        raise NotFound("no such proposal")
    return state


def _office(caller: Identity) -> None:
    if not caller.is_office:
        raise Forbidden("only the office reviews proposals")


def _proposer(caller: Identity, proposal: Proposal) -> None:
    if caller.role != "proposer" or not proposal.is_proposer(caller.subject):
        raise Forbidden("only the office and the proposal's own proposers may do this")


def _names(proposers: tuple[Proposer, ...], caller: Identity) -> bool:
    return any(p.id == caller.subject for p in proposers)


def _items(texts: list[str]) -> tuple[Item, ...]:
    return tuple(Item(number=n, text=text) for n, text in enumerate(texts, start=1))


def _result(proposal_id: str, outcome: Outcome[State]) -> CommandResult:
    return CommandResult(proposal_id=proposal_id, state=outcome.state.name, version=outcome.version)


def _view(state: Existing, version: int) -> ProposalView:
    p = state.proposal
    details = Details.model_validate(
        {f.name: getattr(state, f.name) for f in fields(state) if f.name != "proposal"}
    )
    return ProposalView(
        proposal_id=p.proposal_id,
        state=state.name,
        version=version,
        jurisdiction=p.jurisdiction,
        kind=p.kind,
        session=p.session,
        title=p.title,
        items=list(p.items),
        proposers=list(p.proposers),
        channel=p.channel,
        submitted_by=p.submitted_by,
        submitted_at=p.submitted_at,
        details=details,
    )
