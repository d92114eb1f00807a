"""HTTP: the feedback form by its link (no login), paper answers by the office, the state by proposal."""

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.feedback.application.service import FeedbackService
from services.feedback.domain.commands import AnswerFeedback, Channel
from services.feedback.domain.decider import AwaitingFeedback, NotRecorded, State
from shared.decider import Forbidden, InvalidField
from shared.http import command_meta, context, now
from shared.identity import Caller, Identity
from shared.problems import COMMAND_RESPONSES
from shared.units import UnknownUnit

router = APIRouter(tags=["feedback"])


class AnswerBody(BaseModel):
    """The 征询意见表 as the proposer fills it in."""

    satisfaction: str = Field(min_length=1, examples=["满意"])
    opinion: str = Field("", description="您对办理情况的意见")
    suggestions: str = Field("", description="您有何进一步的建议和要求")
    recommended_units: list[str] = Field(
        default_factory=list, description="推荐先进承办单位", examples=[["市商务局"]]
    )


class PaperAnswerBody(AnswerBody):
    """A form the proposer signed on paper, entered by the office."""

    proposer_id: str = Field(min_length=1)


class Accepted(BaseModel):
    proposal_id: str
    state: str
    round: int | None
    version: int


class Form(BaseModel):
    proposal_id: str
    number: str
    title: str
    proposer_name: str
    round: int
    due: date | None
    satisfaction_labels: list[str]
    open: bool
    """False once answered, or when the round is over."""


class FormStatus(BaseModel):
    proposer_id: str
    proposer_name: str
    due: date | None
    satisfaction: str | None
    token: str | None = None
    """The link's token, shown to the office only (to send the link or print it)."""


class Feedback(BaseModel):
    proposal_id: str
    number: str
    title: str
    state: str
    round: int | None
    forms: list[FormStatus]


def service_of(request: Request) -> FeedbackService:
    service: FeedbackService = context(request, "service")
    return service


@router.get("/feedback/forms/{token}", responses=COMMAND_RESPONSES)
async def show_form(token: str, request: Request) -> Form:
    """The form behind a link: the token is the credential, no login."""
    service = service_of(request)
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


@router.post("/feedback/forms/{token}", responses=COMMAND_RESPONSES)
async def answer_form(token: str, body: AnswerBody, request: Request) -> Accepted:
    """Answer the form behind a link; a second answer is refused (409)."""
    service = service_of(request)
    link = await service.link(token)
    proposer = Identity(subject=link.proposer_id, role="proposer")
    command = answer(service, link.proposal_id, link.proposer_id, body, "online", request, link.round)
    return await accept(service, command, request, proposer)


@router.post("/feedback/{proposal_id}/paper-answers", responses=COMMAND_RESPONSES)
async def enter_paper_answer(
    proposal_id: str, body: PaperAnswerBody, request: Request, caller: Caller
) -> Accepted:
    """The office enters a form the proposer signed on paper: the same answer as online."""
    if not caller.is_office:
        raise Forbidden("only the coordinating office enters paper forms")
    service = service_of(request)
    command = answer(service, proposal_id, body.proposer_id, body, "paper", request)
    return await accept(service, command, request, caller)


@router.get("/feedback/{proposal_id}", responses=COMMAND_RESPONSES)
async def show(proposal_id: str, request: Request, caller: Caller) -> Feedback:
    """The feedback of a proposal, for the office and its own proposers."""
    state = await service_of(request).state(proposal_id)
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
    outcome = await service.handle(command, command_meta(request, who))
    return Accepted(
        proposal_id=command.proposal_id,
        state=outcome.state.name,
        round=round_of(outcome.state),
        version=outcome.version,
    )


def round_of(state: State) -> int | None:
    return None if isinstance(state, NotRecorded) else state.round
