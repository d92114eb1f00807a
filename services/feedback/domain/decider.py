"""The feedback of one proposal: replies of a round, the forms of every proposer, and the outcome.

`decide` holds the rules; `evolve` only folds. The policy of the proposal's jurisdiction and the
working-day calendar come in as plain data, the time and the form tokens come in with the commands.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import ClassVar

from services.feedback.domain.commands import AnswerFeedback, Command, Proposer, RecordProposal, RecordReply
from services.feedback.domain.events import (
    FeedbackAnswered,
    FeedbackRequested,
    ProposalClosed,
    ProposalRecorded,
    ProposerRecord,
    RehandlingRequested,
    ReplyRecorded,
)
from shared.kernel.decider import Decider, InvalidField, NotAllowedInState
from shared.kernel.events import Event
from shared.rules.deadlines import WorkingCalendar, add_months, local_date, working_deadline
from shared.rules.policy import Policies, Policy, Text, UnknownResultClass, UnknownSatisfaction

UNSATISFIED = "不满意"
PROMISING_CLASSES = {"B", "C"}
MIN_TOKEN_LENGTH = 32


@dataclass(frozen=True)
class Proposal:
    id: str
    number: str
    title: str
    jurisdiction: str
    kind: str
    proposers: tuple[Proposer, ...]

    def proposer(self, proposer_id: str) -> Proposer | None:
        return next((p for p in self.proposers if p.id == proposer_id), None)


@dataclass(frozen=True)
class Reply:
    lead_unit: str
    lead_units: tuple[str, ...]
    result_class: str
    promise: str


@dataclass(frozen=True)
class FormRequest:
    proposer_id: str
    token: str
    due: date


@dataclass(frozen=True)
class Answer:
    proposer_id: str
    satisfaction: str
    opinion: str


@dataclass(frozen=True)
class NotRecorded:
    name: ClassVar[str] = "NOT_RECORDED"


@dataclass(frozen=True)
class AwaitingReply:
    name: ClassVar[str] = "AWAITING_REPLY"
    proposal: Proposal
    round: int = 1
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class AwaitingFeedback:
    name: ClassVar[str] = "AWAITING_FEEDBACK"
    proposal: Proposal
    round: int
    replies: tuple[Reply, ...]
    requests: tuple[FormRequest, ...] = ()
    answers: tuple[Answer, ...] = ()

    def answer_of(self, proposer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.proposer_id == proposer_id), None)

    def open_form(self, round_: int, proposer_id: str) -> FormRequest | None:
        """The form of this round and proposer while it waits for an answer."""
        if round_ != self.round or self.answer_of(proposer_id):
            return None
        return next((r for r in self.requests if r.proposer_id == proposer_id), None)


@dataclass(frozen=True)
class Rehandling:
    name: ClassVar[str] = "REHANDLING"
    proposal: Proposal
    round: int
    due: date
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class Closed:
    name: ClassVar[str] = "CLOSED"
    proposal: Proposal
    round: int


@dataclass(frozen=True)
class Tracking:
    name: ClassVar[str] = "TRACKING"
    proposal: Proposal
    round: int
    promises: tuple[str, ...]


Recorded = AwaitingReply | AwaitingFeedback | Rehandling | Closed | Tracking
State = NotRecorded | Recorded
Replying = AwaitingReply | Rehandling


def feedback_decider(policies: Policies, working: WorkingCalendar) -> Decider[Command, State]:
    def decide_with_policies(command: Command, state: State) -> Sequence[Event]:
        return decide(command, state, policies, working)

    return Decider(decide_with_policies, evolve, NotRecorded())


def decide(command: Command, state: State, policies: Policies, working: WorkingCalendar) -> list[Event]:
    match command, state:
        case RecordProposal(), NotRecorded():
            return record_proposal(command, policies)
        case RecordReply(), AwaitingReply() | Rehandling():
            return record_reply(command, state, policy_of(state.proposal, policies), working)
        case AnswerFeedback(), AwaitingFeedback():
            return answer_feedback(command, state, policy_of(state.proposal, policies))
    raise NotAllowedInState(type(command).__name__, state.name)


def policy_of(proposal: Proposal, policies: Policies) -> Policy:
    return policies[(proposal.jurisdiction, proposal.kind)]


def record_proposal(command: RecordProposal, policies: Policies) -> list[Event]:
    if (command.jurisdiction, command.kind) not in policies:
        raise InvalidField("jurisdiction", f"no policy for {command.jurisdiction} ({command.kind})")
    if not command.title.strip():
        raise InvalidField("title", "must not be empty")
    if not command.proposers:
        raise InvalidField("proposers", "at least one proposer")
    proposers = tuple(ProposerRecord(id=p.id, name=p.name, phone=p.phone) for p in command.proposers)
    return [
        ProposalRecorded(
            proposal_id=command.proposal_id,
            number=command.number,
            title=command.title,
            jurisdiction=command.jurisdiction,
            kind=command.kind,
            proposers=proposers,
            recorded_at=command.at,
        )
    ]


def record_reply(
    command: RecordReply, state: Replying, policy: Policy, working: WorkingCalendar
) -> list[Event]:
    if command.round != state.round:
        raise InvalidField("round", f"the open round is {state.round}, not {command.round}")
    if command.lead_unit not in command.lead_units:
        raise InvalidField("lead_unit", f"{command.lead_unit} is not one of {list(command.lead_units)}")
    if any(r.lead_unit == command.lead_unit for r in state.replies):
        raise NotAllowedInState(f"a second reply from {command.lead_unit} in round {state.round}", state.name)
    try:
        result_class = policy.result_class(command.result_class).code
    except UnknownResultClass as error:
        raise InvalidField("result_class", str(error)) from error
    recorded = ReplyRecorded(
        proposal_id=command.proposal_id,
        round=command.round,
        lead_unit=command.lead_unit,
        lead_units=command.lead_units,
        result_class=result_class,
        promise=command.promise,
        issued_at=command.issued_at,
    )
    replied = {r.lead_unit for r in state.replies} | {command.lead_unit}
    if not set(command.lead_units) <= replied:
        return [recorded]
    return [recorded, *open_forms(command, state.proposal, policy, working)]


def open_forms(
    command: RecordReply, proposal: Proposal, policy: Policy, working: WorkingCalendar
) -> list[Event]:
    """The round is answered by every lead unit: a form for every proposer, each with its token."""
    due = working_deadline(local_date(command.issued_at), policy.feedback_return_working_days, working)
    return [
        FeedbackRequested(
            proposal_id=proposal.id,
            round=command.round,
            proposer_id=proposer.id,
            proposer_name=proposer.name,
            token=token_for(command, proposer),
            due=due.date,
            requested_at=command.issued_at,
            calendar_version=due.calendar_version,
        )
        for proposer in proposal.proposers
    ]


def token_for(command: RecordReply, proposer: Proposer) -> str:
    token = command.tokens.get(proposer.id, "")
    if len(token) < MIN_TOKEN_LENGTH:
        raise InvalidField("tokens", f"no token of {MIN_TOKEN_LENGTH}+ characters for {proposer.name}")
    return token


def answer_feedback(command: AnswerFeedback, state: AwaitingFeedback, policy: Policy) -> list[Event]:
    policy.limits.check(texts(command))
    if command.round is not None and command.round != state.round:
        raise NotAllowedInState(f"answering the form of round {command.round}", state.name)
    proposer = state.proposal.proposer(command.proposer_id)
    if proposer is None:
        raise InvalidField("proposer_id", f"{command.proposer_id} is not a proposer of this proposal")
    if state.answer_of(proposer.id) is not None:
        raise NotAllowedInState(f"a second answer from {proposer.name}", state.name)
    try:
        satisfaction = policy.normalise_satisfaction(command.satisfaction)
    except UnknownSatisfaction as error:
        raise InvalidField("satisfaction", str(error)) from error
    answered = FeedbackAnswered(
        proposal_id=state.proposal.id,
        round=state.round,
        proposer_id=proposer.id,
        satisfaction=satisfaction,
        satisfaction_as_written=command.satisfaction,
        opinion=command.opinion,
        suggestions=command.suggestions,
        recommended_units=command.recommended_units,
        channel=command.channel,
        answered_at=command.at,
    )
    answers = (*state.answers, Answer(proposer.id, satisfaction, command.opinion))
    if len(answers) < len(state.proposal.proposers):
        return [answered]
    return [answered, conclude(state, answers, command.at, policy)]


def texts(command: AnswerFeedback) -> tuple[Text, ...]:
    """What the proposer writes on the form, with the kind of limit the policy sets for it."""
    return Text("opinion", "opinion", command.opinion), Text("suggestions", "opinion", command.suggestions)


def conclude(state: AwaitingFeedback, answers: tuple[Answer, ...], at: datetime, policy: Policy) -> Event:
    """Every proposer answered: handle again after any 不满意, else close (or track a promise)."""
    unsatisfied = [a for a in answers if a.satisfaction == UNSATISFIED]
    if unsatisfied:
        return RehandlingRequested(
            proposal_id=state.proposal.id,
            round=state.round + 1,
            lead_units=state.replies[-1].lead_units,
            due=add_months(local_date(at), policy.rehandling_months),
            opinions=tuple(a.opinion for a in unsatisfied),
            requested_at=at,
        )
    promised = any(r.result_class in PROMISING_CLASSES and r.promise.strip() for r in state.replies)
    return ProposalClosed(
        proposal_id=state.proposal.id,
        round=state.round,
        outcome="tracking" if promised else "closed",
        closed_at=at,
    )


def evolve(state: State, event: Event) -> State:
    match event, state:
        case ProposalRecorded(), _:
            return AwaitingReply(proposal_from(event))
        case ReplyRecorded(), AwaitingReply() | Rehandling():
            return replace(state, replies=(*state.replies, reply_from(event)))
        case FeedbackRequested(), AwaitingReply() | Rehandling():
            return AwaitingFeedback(state.proposal, state.round, state.replies, (request_from(event),))
        case FeedbackRequested(), AwaitingFeedback():
            return replace(state, requests=(*state.requests, request_from(event)))
        case FeedbackAnswered(), AwaitingFeedback():
            answer = Answer(event.proposer_id, event.satisfaction, event.opinion)
            return replace(state, answers=(*state.answers, answer))
        case RehandlingRequested(), AwaitingFeedback():
            return Rehandling(state.proposal, event.round, event.due)
        case ProposalClosed(outcome="tracking"), AwaitingFeedback():
            return Tracking(state.proposal, state.round, tuple(r.promise for r in state.replies if r.promise))
        case ProposalClosed(), AwaitingFeedback():
            return Closed(state.proposal, state.round)
    return state


def proposal_from(event: ProposalRecorded) -> Proposal:
    proposers = tuple(Proposer(p.id, p.name, p.phone) for p in event.proposers)
    return Proposal(event.proposal_id, event.number, event.title, event.jurisdiction, event.kind, proposers)


def reply_from(event: ReplyRecorded) -> Reply:
    return Reply(event.lead_unit, event.lead_units, event.result_class, event.promise)


def request_from(event: FeedbackRequested) -> FormRequest:
    return FormRequest(event.proposer_id, event.token, event.due)
