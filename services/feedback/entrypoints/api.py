"""HTTP: the feedback form by its link (no login), paper answers by the office, the state by proposal."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from services.feedback.application import documents
from services.feedback.application.service import FeedbackService
from services.feedback.domain.commands import AnswerFeedback, Channel
from services.feedback.domain.decider import (
    AwaitingFeedback,
    AwaitingReply,
    NotRecorded,
    Recorded,
    Rehandling,
    State,
)
from services.feedback.entrypoints.schemas import Accepted, Feedback, Form, FormStatus
from shared.documents import render_docx, render_pdf
from shared.kernel.decider import Forbidden, InvalidField
from shared.rules.units import UnknownUnit
from shared.web.http import command_meta, now
from shared.web.identity import Caller, Identity
from shared.web.problems import COMMAND_RESPONSES, problem_doc
from shared.web.provided import provided
from shared.web.ratelimit import token_link
from shared.web.schemas import MANY, LongText, ShortText

router = APIRouter(tags=["feedback"])

FORM = "/feedback/forms/{token}"
PRINTED_FORM = "/feedback/forms/{token}/form.pdf"
RATE_LIMITS = (*token_link(FORM), *token_link(PRINTED_FORM, frozenset({"GET"})))
"""The link is the credential: its uses are limited per token, and its misses per client address."""
LINK_RESPONSES: dict[int | str, dict[str, Any]] = {
    **COMMAND_RESPONSES,
    429: problem_doc("Too many requests with this link, or too many links that lead nowhere (Retry-After)"),
}

Service = Annotated[FeedbackService, Depends(provided(FeedbackService))]


class AnswerBody(BaseModel):
    """The 征询意见表 as the proposer fills it in."""

    satisfaction: ShortText = Field(min_length=1, examples=["满意"])
    opinion: LongText = Field("", description="您对办理情况的意见")
    suggestions: LongText = Field("", description="您有何进一步的建议和要求")
    recommended_units: list[ShortText] = Field(
        default_factory=list, max_length=MANY, description="推荐先进承办单位", examples=[["市商务局"]]
    )


class PaperAnswerBody(AnswerBody):
    """A form the proposer signed on paper, entered by the office."""

    proposer_id: ShortText = Field(min_length=1)


@router.get(FORM, responses=LINK_RESPONSES)
async def show_form(token: str, service: Service) -> Form:
    """The form behind a link: the token is the credential, no login."""
    link = await service.link(token)
    state = await service.state(link.proposal_id)
    proposal = state.proposal
    proposer = proposal.proposer(link.proposer_id)
    form = state.open_form(link.round, link.proposer_id) if isinstance(state, AwaitingFeedback) else None
    return Form(
        proposal_id=proposal.id,
        number=proposal.number,
        title=proposal.title,
        proposer_name=proposer.name if proposer else "",
        round=link.round,
        due=form.due if form else None,
        satisfaction_labels=list(service.policy(proposal.jurisdiction, proposal.kind).satisfaction.labels),
        open=form is not None,
    )


@router.post(FORM, responses=LINK_RESPONSES)
async def answer_form(token: str, body: AnswerBody, request: Request, service: Service) -> Accepted:
    """Answer the form behind a link; a second answer is refused (409)."""
    link = await service.link(token)
    proposer = Identity(subject=link.proposer_id, role="proposer")
    command = answer(service, link.proposal_id, link.proposer_id, body, "online", request, link.round)
    return await accept(service, command, request, proposer)


@router.post("/feedback/{proposal_id}/paper-answers", responses=COMMAND_RESPONSES)
async def enter_paper_answer(
    proposal_id: str, body: PaperAnswerBody, request: Request, caller: Caller, service: Service
) -> Accepted:
    """The office enters a form the proposer signed on paper: the same answer as online."""
    if not caller.is_office:
        raise Forbidden("only the coordinating office enters paper forms")
    command = answer(service, proposal_id, body.proposer_id, body, "paper", request)
    return await accept(service, command, request, caller)


@router.get("/feedback/{proposal_id}", responses=COMMAND_RESPONSES)
async def show(proposal_id: str, caller: Caller, service: Service) -> Feedback:
    """The feedback of a proposal, for the office and its own proposers."""
    state = await service.state(proposal_id)
    if not (caller.is_office or state.proposal.proposer(caller.subject)):
        raise Forbidden("only the office and the proposal's proposers see its feedback")
    return Feedback(
        proposal_id=proposal_id,
        number=state.proposal.number,
        title=state.proposal.title,
        state=state.name,
        round=state.round,
        forms=forms(state, caller) if isinstance(state, AwaitingFeedback) else [],
    )


def forms(state: AwaitingFeedback, caller: Identity) -> list[FormStatus]:
    statuses = []
    for request_ in state.requests:
        proposer = state.proposal.proposer(request_.proposer_id)
        answered = state.answer_of(request_.proposer_id)
        statuses.append(
            FormStatus(
                proposer_id=request_.proposer_id,
                proposer_name=proposer.name if proposer else "",
                due=request_.due,
                satisfaction=answered.satisfaction if answered else None,
                token=request_.token if caller.is_office else None,
            )
        )
    return statuses


def answer(
    service: FeedbackService,
    proposal_id: str,
    proposer_id: str,
    body: AnswerBody,
    channel: Channel,
    request: Request,
    round_: int | None = None,
) -> AnswerFeedback:
    return AnswerFeedback(
        proposal_id=proposal_id,
        proposer_id=proposer_id,
        satisfaction=body.satisfaction,
        opinion=body.opinion,
        suggestions=body.suggestions,
        recommended_units=tuple(unit_ids(service, body.recommended_units)),
        channel=channel,
        at=now(request),
        round=round_,
    )


def unit_ids(service: FeedbackService, names: list[str]) -> list[str]:
    try:
        return [service.units.resolve(name).id for name in names]
    except UnknownUnit as error:
        raise InvalidField("recommended_units", str(error)) from error


async def accept(
    service: FeedbackService, command: AnswerFeedback, request: Request, who: Identity
) -> Accepted:
    outcome = await service.handle(command, await command_meta(request, who))
    return Accepted(
        proposal_id=command.proposal_id,
        state=outcome.state.name,
        round=round_of(outcome.state),
        version=outcome.version,
    )


def round_of(state: State) -> int | None:
    return None if isinstance(state, NotRecorded) else state.round


PDF, DOCX = "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {PDF: {}}}, **COMMAND_RESPONSES}
PRINTED_FORM_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {PDF: {}}}, **LINK_RESPONSES}
DOCX_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {DOCX: {}}}, **COMMAND_RESPONSES}


@router.get(PRINTED_FORM, responses=PRINTED_FORM_RESPONSES, response_class=Response)
async def print_own_form(token: str, service: Service) -> Response:
    """The member's 征询意见表 behind their link, prefilled, to print, sign and send back on paper."""
    link = await service.link(token)
    state = await service.state(link.proposal_id)
    return _form(service, state, link.proposer_id, link.round, "pdf")


@router.get(
    "/feedback/{proposal_id}/forms/{proposer_id}.pdf", responses=PDF_RESPONSES, response_class=Response
)
async def print_form(
    proposal_id: str, proposer_id: str, caller: Caller, service: Service, round: int | None = None
) -> Response:
    """A proposer's 征询意见表 for the office and the units that replied (the current round unless
    `round` is given); the office enters the signed paper through POST …/paper-answers."""
    return await _form_for(service, caller, proposal_id, proposer_id, round, "pdf")


@router.get(
    "/feedback/{proposal_id}/forms/{proposer_id}.docx", responses=DOCX_RESPONSES, response_class=Response
)
async def form_docx(
    proposal_id: str, proposer_id: str, caller: Caller, service: Service, round: int | None = None
) -> Response:
    """The same 征询意见表 as DOCX, for an office that edits before printing."""
    return await _form_for(service, caller, proposal_id, proposer_id, round, "docx")


async def _form_for(
    service: FeedbackService,
    caller: Identity,
    proposal_id: str,
    proposer_id: str,
    round_: int | None,
    kind: str,
) -> Response:
    state = await service.state(proposal_id)
    if not (caller.is_office or caller.subject == proposer_id or _replied_by(caller, state)):
        raise Forbidden("only the office, the units that replied and the proposer print this form")
    return _form(service, state, proposer_id, state.round if round_ is None else round_, kind)


def _form(service: FeedbackService, state: Recorded, proposer_id: str, round_: int, kind: str) -> Response:
    proposal = state.proposal
    policy = service.policy(proposal.jurisdiction, proposal.kind)
    document = documents.form(
        state, proposer_id, round_, policy, service.documents.get(proposal.jurisdiction)
    )
    name = f"{proposal.id}-{round_}-{proposer_id}-feedback-form.{kind}"
    content, media_type = (render_pdf(document), PDF) if kind == "pdf" else (render_docx(document), DOCX)
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _replied_by(caller: Identity, state: Recorded) -> bool:
    """The caller acts for a unit that replied to the proposal in the round the state knows."""
    if caller.unit is None or not caller.acts_for(caller.unit):
        return False
    if isinstance(state, AwaitingReply | AwaitingFeedback | Rehandling):
        return any(caller.unit in reply.lead_units for reply in state.replies)
    return False
