"""HTTP commands of reply: co-unit opinions, 面商, the office's override, replies, result classes,
publication."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from services.reply.application.service import ReplyService
from services.reply.documents import record as records
from services.reply.domain.commands import (
    Answer,
    ChangeResultClass,
    Channel,
    Command,
    DecideNotToPublish,
    IssueReply,
    OverrideCoOpinions,
    PublishReply,
    RecordConsultation,
    SubmitCoOpinion,
)
from services.reply.domain.state import (
    Allocated,
    LeadState,
    NotAllocated,
    NotPublished,
    Published,
    Replied,
    Round,
    State,
)
from services.reply.entrypoints.schemas import (
    CommandResult,
    Lead,
    ReplyView,
    RoundView,
    Unpublished,
)
from services.reply.entrypoints.schemas import NotPublished as NotPublishedView
from services.reply.entrypoints.schemas import Published as PublishedView
from shared.documents import render_pdf
from shared.kernel.decider import Forbidden, NotFound
from shared.web.http import command_meta, now
from shared.web.identity import Caller, Identity
from shared.web.problems import COMMAND_RESPONSES, problem_doc
from shared.web.provided import provided
from shared.web.schemas import MANY, LongText, ShortText

router = APIRouter(prefix="/replies", tags=["reply"])

Service = Annotated[ReplyService, Depends(provided(ReplyService))]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CoOpinionBody(Body):
    text: LongText
    signer: ShortText


class ConsultationBody(Body):
    held_on: date
    place: ShortText
    staff: list[ShortText] = Field(max_length=MANY)
    member_opinion: LongText
    contact_phone: ShortText
    channel: Channel = "online"
    """paper: entered from the 面商记录表 the member signed (GET …/consultation-records/{unit}.pdf)."""


class OverrideBody(Body):
    reason: LongText


class AnswerBody(Body):
    item: int
    text: LongText


class ReplyBody(Body):
    document_no: ShortText = Field(examples=["乌商务发〔2025〕26号"])
    result_class: ShortText = Field(examples=["A"])
    answers: list[AnswerBody] = Field(max_length=MANY)
    signer: ShortText
    contact_person: ShortText
    contact_phone: ShortText
    promise: LongText = ""


class ResultClassBody(Body):
    new_class: ShortText
    reason: LongText
    lead_unit: ShortText = ""
    """Which lead unit's reply; may be left out when one unit answers the proposal."""


class PublicationBody(Body):
    form: ShortText = Field(examples=["全文", "摘要"])
    """摘要 (a summary) or 全文 (the full text)."""
    text: LongText = ""
    """The summary, for 摘要; for 全文 the office's edited text, or empty for the reply's answers."""
    lead_unit: ShortText = ""
    """Which lead unit's reply; may be left out when one unit answers the proposal."""
    round: int | None = None
    """Which round's reply; the current round when left out."""


class NonPublicationBody(Body):
    reason: LongText = Field(examples=["涉及个人隐私"])
    lead_unit: ShortText = ""
    round: int | None = None


@router.post("/{proposal_id}/co-opinions", responses=COMMAND_RESPONSES)
async def submit_co_opinion(
    proposal_id: str, body: CoOpinionBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    """A co-unit (协办) sends its written opinion to the lead, once per round."""
    command = SubmitCoOpinion(proposal_id, _unit(caller), body.text, body.signer, now(request))
    return await _handle(service, request, caller, command)


@router.post("/{proposal_id}/consultations", responses=COMMAND_RESPONSES)
async def record_consultation(
    proposal_id: str, body: ConsultationBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    """A lead unit records its 面商 with the member."""
    command = RecordConsultation(
        proposal_id,
        _unit(caller),
        body.held_on,
        body.place,
        tuple(body.staff),
        body.member_opinion,
        body.contact_phone,
        now(request),
        body.channel,
    )
    return await _handle(service, request, caller, command)


@router.post("/{proposal_id}/override-co-opinions", responses=COMMAND_RESPONSES)
async def override_co_opinions(
    proposal_id: str, body: OverrideBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    """The office lets the leads reply without the co-unit opinions still missing."""
    _office(caller)
    return await _handle(service, request, caller, OverrideCoOpinions(proposal_id, body.reason, now(request)))


@router.post("/{proposal_id}/reply", responses=COMMAND_RESPONSES)
async def issue_reply(
    proposal_id: str, body: ReplyBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    """A lead unit issues its reply (答复函) for the current round."""
    command = IssueReply(
        proposal_id=proposal_id,
        unit=_unit(caller),
        document_no=body.document_no,
        result_class=body.result_class,
        answers=tuple(Answer(a.item, a.text) for a in body.answers),
        signer=body.signer,
        contact_person=body.contact_person,
        contact_phone=body.contact_phone,
        promise=body.promise,
        at=now(request),
    )
    return await _handle(service, request, caller, command)


@router.post("/{proposal_id}/result-class", responses=COMMAND_RESPONSES)
async def change_result_class(
    proposal_id: str, body: ResultClassBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    """The office changes the result class a lead unit chose; the old class is kept."""
    _office(caller)
    command = ChangeResultClass(proposal_id, body.lead_unit, body.new_class, body.reason, now(request))
    return await _handle(service, request, caller, command)


@router.post("/{proposal_id}/publication", responses=COMMAND_RESPONSES)
async def publish_reply(
    proposal_id: str, body: PublicationBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    """The office publishes a reply (摘要 or 全文); the contact details are removed from what is published."""
    _office(caller)
    command = PublishReply(proposal_id, body.lead_unit, body.round, body.form, body.text, now(request))
    return await _handle(service, request, caller, command)


@router.post("/{proposal_id}/non-publication", responses=COMMAND_RESPONSES)
async def decide_not_to_publish(
    proposal_id: str, body: NonPublicationBody, request: Request, caller: Caller, service: Service
) -> CommandResult:
    """The office decides not to publish a reply, with its reason (涉及个人隐私 …)."""
    _office(caller)
    command = DecideNotToPublish(proposal_id, body.lead_unit, body.round, body.reason, now(request))
    return await _handle(service, request, caller, command)


@router.get("/{proposal_id}", responses=COMMAND_RESPONSES)
async def get_reply(proposal_id: str, caller: Caller, service: Service) -> ReplyView:
    """The handling of one proposal, for the office and the units that handle it."""
    state, version = await _visible(service, caller, proposal_id)
    return describe(state, version)


PDF, DOCX = "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **COMMAND_RESPONSES,
    500: problem_doc("The letter rendered now does not match the hash recorded with the reply"),
}


@router.get(
    "/{proposal_id}/rounds/{round_}/letters/{unit}.pdf",
    responses={200: {"content": {PDF: {}}}, **DOCUMENT_RESPONSES},
    response_class=Response,
)
async def letter_pdf(proposal_id: str, round_: int, unit: str, caller: Caller, service: Service) -> Response:
    """The 答复函 of a lead unit's reply, as PDF: the bytes whose sha256 the reply recorded."""
    return await _letter(service, caller, proposal_id, round_, unit, "pdf")


@router.get(
    "/{proposal_id}/rounds/{round_}/letters/{unit}.docx",
    responses={200: {"content": {DOCX: {}}}, **DOCUMENT_RESPONSES},
    response_class=Response,
)
async def letter_docx(proposal_id: str, round_: int, unit: str, caller: Caller, service: Service) -> Response:
    """The 答复函 of a lead unit's reply, as DOCX: the bytes whose sha256 the reply recorded."""
    return await _letter(service, caller, proposal_id, round_, unit, "docx")


@router.get(
    "/{proposal_id}/consultation-records/{unit}.pdf",
    responses={200: {"content": {PDF: {}}}, **COMMAND_RESPONSES},
    response_class=Response,
)
async def consultation_record(proposal_id: str, unit: str, caller: Caller, service: Service) -> Response:
    """The 面商记录表 of a lead unit, prefilled, to print and take to the member; the signed paper is
    entered back with POST …/consultations and channel "paper"."""
    state, _ = await _visible(service, caller, proposal_id)
    if unit not in state.lead_units:
        raise NotFound(f"{unit} does not lead proposal {state.number}")
    name = service.units.get(unit).name if service.units is not None else unit
    document = records.record(state, unit, name, service.settings(state.jurisdiction))
    return _file(render_pdf(document), PDF, f"{proposal_id}-consultation-{unit}.pdf")


async def _letter(
    service: ReplyService, caller: Identity, proposal_id: str, round_: int, unit: str, kind: str
) -> Response:
    await _visible(service, caller, proposal_id)
    _, files = await service.letter(proposal_id, round_, unit)
    name = f"{proposal_id}-{round_}-{unit}.{kind}"
    return _file(files.pdf, PDF, name) if kind == "pdf" else _file(files.docx, DOCX, name)


def _file(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


async def _visible(service: ReplyService, caller: Identity, proposal_id: str) -> tuple[Allocated, int]:
    """The proposal's state and version, for the office and the units that handle it (the rule of
    GET /replies/{id})."""
    state, version = await service.current(proposal_id)
    if isinstance(state, NotAllocated):
        raise NotFound(f"proposal {proposal_id} has not been allocated to any unit")
    if not (caller.is_office or _handles(caller, state)):
        raise Forbidden(f"proposal {state.number} is not handled by the caller's unit")
    return state, version


async def _handle(
    service: ReplyService, request: Request, caller: Identity, command: Command
) -> CommandResult:
    outcome = await service.handle(command, await command_meta(request, caller))
    return result(command.proposal_id, outcome.state, outcome.version)


def _unit(caller: Identity) -> str:
    if caller.unit is None or not caller.acts_for(caller.unit):
        raise Forbidden("only the staff of a handling unit may do this")
    return caller.unit


def _office(caller: Identity) -> None:
    if not caller.is_office:
        raise Forbidden("only the coordinating office may do this")


def _handles(caller: Identity, state: Allocated) -> bool:
    return (
        caller.unit is not None
        and (caller.unit in state.lead_units or state.is_co_unit(caller.unit))
        and caller.acts_for(caller.unit)
    )


def result(proposal_id: str, state: State, version: int) -> CommandResult:
    if isinstance(state, NotAllocated):
        return CommandResult(proposal_id=proposal_id, state=state.name, version=version)
    current = state.current
    return CommandResult(
        proposal_id=proposal_id,
        state=current.state_name,
        round=current.number,
        leads=_lead_states(current),
        version=version,
    )


def describe(state: Allocated, version: int) -> ReplyView:
    return ReplyView(
        proposal_id=state.proposal_id,
        number=state.number,
        title=state.title,
        revision=state.revision,
        lead_units=list(state.lead_units),
        co_units=list(state.co_units),
        reply_due=state.reply_due,
        co_opinion_due=state.co_opinion_due,
        result_classes=list(state.result_classes),
        state=state.current.state_name,
        round=state.current.number,
        registered=state.registration is not None,
        leads=_lead_states(state.current),
        rounds=[_round(r) for r in state.rounds],
        consultations=list(state.consultations),
        version=version,
    )


def _lead_states(round_: Round) -> dict[str, str]:
    return {unit: lead.name for unit, lead in round_.leads.items()}


def _round(round_: Round) -> RoundView:
    return RoundView(
        round=round_.number,
        due=round_.due,
        state=round_.state_name,
        opinions=list(round_.opinions),
        co_opinions_overridden=round_.overridden,
        co_opinions=list(round_.co_opinions),
        leads={unit: _lead(lead) for unit, lead in round_.leads.items()},
    )


def _lead(lead: LeadState) -> Lead:
    if not isinstance(lead, Replied):
        return Lead(state=lead.name)
    return Lead(
        state=lead.name, result_class=lead.result_class, reply=lead.reply, publication=_publication(lead)
    )


def _publication(replied: Replied) -> Unpublished | PublishedView | NotPublishedView:
    match replied.publication:
        case Published(publication=published):
            return PublishedView(state="PUBLISHED", **published.model_dump())
        case NotPublished(decision=decision):
            return NotPublishedView(state="NOT_PUBLISHED", **decision.model_dump())
    return Unpublished(state="UNPUBLISHED")
