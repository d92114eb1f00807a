"""The proposal at intake: review, then 立案, 不予立案, 并案, return for revision or 撤案.

`decide` holds the rules and answers with events or a refusal; `evolve` folds an event into the
state. Both are pure: the jurisdictions' policies come in as plain values (`Rules`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

from services.intake.domain.commands import (
    Command,
    MergeInto,
    NotRegister,
    Register,
    Resubmit,
    ReturnForRevision,
    StartReview,
    SubmitProposal,
    TakeInMerged,
    Withdraw,
)
from services.intake.domain.events import (
    Item,
    ProposalMerged,
    ProposalMergedIn,
    ProposalNotRegistered,
    ProposalRegistered,
    ProposalResubmitted,
    ProposalReturnedForRevision,
    ProposalSubmitted,
    ProposalWithdrawn,
    Proposer,
    ReviewStarted,
)
from services.intake.domain.state import (
    IN_REVIEW,
    Merged,
    NoProposal,
    NotRegistered,
    Proposal,
    Registered,
    ReturnedForRevision,
    State,
    Submitted,
    UnderReview,
    Withdrawn,
)
from services.intake.domain.texts import texts
from shared.kernel.contracts import Kind
from shared.kernel.decider import Decider, InvalidField, NotAllowedInState, NotFound
from shared.kernel.events import Event
from shared.rules.policy import NotRegisteredReason, Policies, UnknownNotRegisteredReason


@dataclass(frozen=True)
class Rules:
    """The policies of the jurisdictions this deployment serves, by jurisdiction and kind."""

    policies: Policies

    @property
    def jurisdictions(self) -> list[str]:
        return sorted({jurisdiction for jurisdiction, _ in self.policies})

    def check_lengths(self, jurisdiction: str, kind: Kind, command: Command) -> None:
        """Every text of the command within the policy's limits (422 naming the first field over)."""
        policy = self.policies.get((jurisdiction, kind))
        if policy is not None:
            policy.limits.check(texts(command))

    def reason(self, proposal: Proposal, code: str) -> NotRegisteredReason:
        policy = self.policies.get((proposal.jurisdiction, proposal.kind))
        if policy is None:
            raise InvalidField("reason", f"no policy for {proposal.jurisdiction} {proposal.kind}")
        try:
            return policy.not_registered_reason(code)
        except UnknownNotRegisteredReason as error:
            raise InvalidField("reason", str(error)) from error


class MissingSignatures(InvalidField):
    """A joint proposal is withdrawn only when every proposer signs; names who has not."""

    def __init__(self, missing: Sequence[Proposer]) -> None:
        names = ", ".join(f"{p.name} ({p.id})" for p in missing)
        super().__init__("signed_by", f"every proposer must sign the withdrawal; missing: {names}")
        self.extra["missing"] = [p.id for p in missing]


def decide(rules: Rules, command: Command, state: State) -> list[Event]:
    if isinstance(command, SubmitProposal):
        return _submit(rules, command, state)
    if isinstance(state, NoProposal):
        raise NotFound("no such proposal")
    proposal = state.proposal
    rules.check_lengths(proposal.jurisdiction, proposal.kind, command)
    match command, state:
        case StartReview() as c, Submitted():
            return [ReviewStarted(proposal_id=proposal.proposal_id, by=c.by, at=c.at)]
        case Register() as c, UnderReview():
            return [_register(c, proposal)]
        case NotRegister() as c, UnderReview():
            return [_not_register(rules, c, proposal)]
        case MergeInto() as c, UnderReview():
            return [_merge(c, proposal)]
        case TakeInMerged() as c, Submitted() | UnderReview() | ReturnedForRevision():
            return [_take_in(c, proposal)]
        case ReturnForRevision() as c, UnderReview():
            return [_return(c, proposal)]
        case Resubmit() as c, ReturnedForRevision():
            return [_resubmit(c, proposal)]
        case Withdraw() as c, Submitted() | UnderReview() | ReturnedForRevision():
            return [_withdraw(c, proposal)]
    raise NotAllowedInState(type(command).__name__, state.name)


def _submit(rules: Rules, c: SubmitProposal, state: State) -> list[Event]:
    if not isinstance(state, NoProposal):
        raise NotAllowedInState("SubmitProposal", state.name)
    if c.jurisdiction not in rules.jurisdictions:
        known = ", ".join(rules.jurisdictions)
        raise InvalidField("jurisdiction", f"unknown jurisdiction {c.jurisdiction!r}; known: {known}")
    rules.check_lengths(c.jurisdiction, c.kind, c)
    _non_empty("session", c.session)
    _non_empty("title", c.title)
    _check_items(c.items)
    _check_proposers(c.proposers)
    _non_empty("channel", c.channel)
    return [
        ProposalSubmitted(
            proposal_id=c.proposal_id,
            jurisdiction=c.jurisdiction,
            kind=c.kind,
            session=c.session.strip(),
            title=c.title.strip(),
            items=c.items,
            proposers=c.proposers,
            channel=c.channel.strip(),
            submitted_by=c.submitted_by,
            at=c.at,
        )
    ]


def _register(c: Register, proposal: Proposal) -> ProposalRegistered:
    _non_empty("number", c.number)
    _non_empty("category", c.category)
    return ProposalRegistered(
        proposal_id=proposal.proposal_id,
        number=c.number.strip(),
        category=c.category.strip(),
        jurisdiction=proposal.jurisdiction,
        kind=proposal.kind,
        session=proposal.session,
        title=proposal.title,
        items=proposal.items,
        proposers=proposal.proposers,
        by=c.by,
        at=c.at,
    )


def _not_register(rules: Rules, c: NotRegister, proposal: Proposal) -> ProposalNotRegistered:
    reason = rules.reason(proposal, c.reason)
    return ProposalNotRegistered(
        proposal_id=proposal.proposal_id,
        reason=reason.code,
        reason_label=reason.label,
        converted_to=c.converted_to,
        by=c.by,
        at=c.at,
    )


def _return(c: ReturnForRevision, proposal: Proposal) -> ProposalReturnedForRevision:
    _non_empty("reason", c.reason)
    return ProposalReturnedForRevision(
        proposal_id=proposal.proposal_id, reason=c.reason.strip(), by=c.by, at=c.at
    )


def _merge(c: MergeInto, proposal: Proposal) -> ProposalMerged:
    target = c.target
    if target.proposal_id == proposal.proposal_id:
        raise InvalidField("into", "a proposal cannot be merged into itself")
    if target.state == NoProposal.name:
        raise InvalidField("into", f"there is no proposal {target.proposal_id}")
    if target.state not in IN_REVIEW:
        raise InvalidField("into", f"proposal {target.proposal_id} is {target.state}, no longer in review")
    if (target.jurisdiction, target.kind) != (proposal.jurisdiction, proposal.kind):
        raise InvalidField("into", f"proposal {target.proposal_id} is of another jurisdiction or kind")
    return ProposalMerged(
        proposal_id=proposal.proposal_id,
        into=target.proposal_id,
        proposers_kept=proposal.proposers,
        by=c.by,
        at=c.at,
    )


def _take_in(c: TakeInMerged, proposal: Proposal) -> ProposalMergedIn:
    joining = tuple(
        p.model_copy(update={"role": "联名"}) for p in c.proposers if not proposal.is_proposer(p.id)
    )
    return ProposalMergedIn(
        proposal_id=proposal.proposal_id, merged_from=c.merged_from, proposers=joining, by=c.by, at=c.at
    )


def _resubmit(c: Resubmit, proposal: Proposal) -> ProposalResubmitted:
    title = proposal.title if c.title is None else c.title
    items = proposal.items if c.items is None else c.items
    _non_empty("title", title)
    _check_items(items)
    return ProposalResubmitted(
        proposal_id=proposal.proposal_id, title=title.strip(), items=items, by=c.by, at=c.at
    )


def _withdraw(c: Withdraw, proposal: Proposal) -> ProposalWithdrawn:
    missing = [p for p in proposal.proposers if p.id not in c.signed_by]
    if missing:
        raise MissingSignatures(missing)
    return ProposalWithdrawn(
        proposal_id=proposal.proposal_id,
        reason=c.reason.strip(),
        signed_by=tuple(p.id for p in proposal.proposers),
        by=c.by,
        at=c.at,
    )


def _non_empty(field: str, value: str) -> None:
    if not value.strip():
        raise InvalidField(field, "must not be empty")


def _check_items(items: Sequence[Item]) -> None:
    if not items:
        raise InvalidField("items", "at least one suggestion item is needed")
    for item in items:
        if not item.text.strip():
            raise InvalidField("items", f"item {item.number} has no text")


def _check_proposers(proposers: Sequence[Proposer]) -> None:
    if not proposers:
        raise InvalidField("proposers", "at least one proposer is needed")
    ids = [p.id.strip() for p in proposers]
    if not all(ids) or not all(p.name.strip() for p in proposers):
        raise InvalidField("proposers", "every proposer needs an id and a name")
    if len(set(ids)) != len(ids):
        raise InvalidField("proposers", "a proposer is named twice")
    leads = [p for p in proposers if p.role == "领衔"]
    if len(leads) != 1:
        raise InvalidField("proposers", f"exactly one proposer leads (领衔); found {len(leads)}")


def evolve(state: State, event: Event) -> State:
    if isinstance(event, ProposalSubmitted):
        return Submitted(_proposal(event))
    if isinstance(state, NoProposal):
        return state
    proposal = state.proposal
    match event:
        case ReviewStarted():
            return UnderReview(proposal)
        case ProposalResubmitted() as e:
            return UnderReview(proposal.revised(e.title, e.items))
        case ProposalReturnedForRevision() as e:
            return ReturnedForRevision(proposal, e.reason)
        case ProposalRegistered() as e:
            return Registered(proposal, e.number, e.category)
        case ProposalNotRegistered() as e:
            return NotRegistered(proposal, e.reason, e.converted_to)
        case ProposalMerged() as e:
            return Merged(proposal, e.into)
        case ProposalWithdrawn() as e:
            return Withdrawn(proposal, e.reason)
        case ProposalMergedIn() as e:
            return replace(state, proposal=proposal.joined_by(e.proposers))
    return state


def _proposal(e: ProposalSubmitted) -> Proposal:
    return Proposal(
        proposal_id=e.proposal_id,
        jurisdiction=e.jurisdiction,
        kind=e.kind,
        session=e.session,
        title=e.title,
        items=e.items,
        proposers=e.proposers,
        channel=e.channel,
        submitted_by=e.submitted_by,
        submitted_at=e.at,
    )


def intake_decider(rules: Rules) -> Decider[Command, State]:
    return Decider(decide=partial(decide, rules), evolve=evolve, initial=NoProposal())
