"""The reply decider: the rules of co-unit opinions, 面商, replies, their result classes and publication."""

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial

from services.reply.domain.commands import (
    ChangeResultClass,
    Command,
    DecideNotToPublish,
    IssueReply,
    OpenRound,
    OverrideCoOpinions,
    PublishReply,
    RecordConsultation,
    SubmitCoOpinion,
    TakeAllocation,
    TakeRegistration,
)
from services.reply.domain.events import (
    AllocationTaken,
    AnsweredItem,
    ConsultationRecorded,
    CoOpinionsOverridden,
    CoOpinionSubmitted,
    LetterDigest,
    ProposalItem,
    Proposer,
    RegistrationTaken,
    ReplyIssued,
    ReplyNotPublished,
    ReplyPublished,
    ResultClassChanged,
    RoundOpened,
    RoutedItem,
)
from services.reply.domain.publication import FORMS, full_text, redacted
from services.reply.domain.state import (
    Allocated,
    AwaitingCoOpinions,
    NotAllocated,
    NotPublished,
    Publication,
    Published,
    Replied,
    Round,
    State,
    refreshed,
)
from services.reply.domain.texts import texts
from shared.kernel.decider import Decider, Forbidden, InvalidField, NotAllowedInState
from shared.kernel.events import Event
from shared.rules.deadlines import local_date
from shared.rules.policy import Policies


class CoOpinionsMissing(NotAllowedInState):
    """409: the lead still waits for these co-units, and the office has not overridden them."""

    def __init__(self, action: str, missing: Sequence[str]) -> None:
        super().__init__(f"{action} before the opinions of {', '.join(missing)}", AwaitingCoOpinions.name)
        self.extra["missing_co_units"] = list(missing)


Stamp = Callable[[Allocated, ReplyIssued], LetterDigest]
"""Renders the 答复函 of a reply about to be issued and returns its digest, or raises InvalidField
naming what the letter lacks; the decider records the digest in the reply event."""


def decide(
    command: Command, state: State, stamp: Stamp | None = None, policies: Policies | None = None
) -> Sequence[Event]:
    """`policies`: those of the jurisdictions, for the longest text a person may write into a command."""
    if isinstance(command, TakeRegistration):
        return take_registration(command, state)
    if isinstance(command, TakeAllocation):
        return take_allocation(command, state)
    if isinstance(state, NotAllocated):
        raise NotAllowedInState(type(command).__name__, state.name)
    policy = (policies or {}).get((state.jurisdiction, state.kind))
    if policy is not None:
        policy.limits.check(texts(command))
    match command:
        case OpenRound():
            return open_round(command, state)
        case SubmitCoOpinion():
            return submit_co_opinion(command, state)
        case RecordConsultation():
            return record_consultation(command, state)
        case OverrideCoOpinions():
            return override_co_opinions(command, state)
        case IssueReply():
            return issue_reply(command, state, stamp)
        case ChangeResultClass():
            return change_result_class(command, state)
        case PublishReply():
            return publish_reply(command, state)
        case DecideNotToPublish():
            return decide_not_to_publish(command, state)


def take_registration(c: TakeRegistration, state: State) -> Sequence[Event]:
    if state.registration is not None:
        return []
    return [
        RegistrationTaken(
            proposal_id=c.proposal_id,
            jurisdiction=c.jurisdiction,
            kind=c.kind,
            session=c.session,
            number=c.number,
            title=c.title,
            items=tuple(ProposalItem(number=n, text=text) for n, text in c.items),
            proposers=tuple(
                Proposer(id=p.id, name=p.name, unit=p.unit, phone=p.phone, role=p.role) for p in c.proposers
            ),
            taken_at=c.at,
        )
    ]


def take_allocation(c: TakeAllocation, state: State) -> Sequence[Event]:
    if isinstance(state, Allocated) and c.revision <= state.revision:
        return []
    if not c.lead_units:
        raise InvalidField("lead_units", "at least one lead unit")
    routing = tuple(RoutedItem(item=r.item, lead=r.lead, co_units=r.co_units) for r in c.routing)
    return [
        AllocationTaken(
            proposal_id=c.proposal_id,
            revision=c.revision,
            number=c.number,
            title=c.title,
            kind=c.kind,
            jurisdiction=c.jurisdiction,
            lead_units=c.lead_units,
            co_units=c.co_units,
            routing=routing,
            reply_due=c.reply_due,
            co_opinion_due=c.co_opinion_due,
            result_classes=c.result_classes,
            taken_at=c.at,
        )
    ]


def open_round(c: OpenRound, state: Allocated) -> Sequence[Event]:
    current = state.current
    if c.round <= current.number:
        return []
    if c.round != current.number + 1:
        raise InvalidField("round", f"the next round is {current.number + 1}, not {c.round}")
    if current.state_name != Replied.name:
        raise NotAllowedInState("OpenRound", current.state_name)
    leads = c.lead_units or state.lead_units
    for unit in leads:
        if unit not in state.lead_units:
            raise InvalidField("lead_units", f"{unit} is not a lead unit of the proposal")
    return [
        RoundOpened(
            proposal_id=state.proposal_id,
            round=c.round,
            lead_units=leads,
            due=c.due,
            opinions=c.opinions,
            opened_at=c.at,
        )
    ]


def submit_co_opinion(c: SubmitCoOpinion, state: Allocated) -> Sequence[Event]:
    if not state.is_co_unit(c.unit):
        raise Forbidden(f"{c.unit} is not a co-unit of proposal {state.number}")
    if state.current.submitted_by(c.unit):
        raise NotAllowedInState(f"A second co-unit opinion of {c.unit}", "CO_OPINION_SUBMITTED")
    _required("text", c.text)
    _required("signer", c.signer)
    return [
        CoOpinionSubmitted(
            proposal_id=state.proposal_id,
            round=state.current.number,
            co_unit=c.unit,
            text=c.text.strip(),
            signer=c.signer.strip(),
            submitted_at=c.at,
        )
    ]


def record_consultation(c: RecordConsultation, state: Allocated) -> Sequence[Event]:
    if c.unit not in state.lead_units:
        raise Forbidden(f"{c.unit} does not lead proposal {state.number}; only a lead unit meets the member")
    if c.held_on > local_date(c.at):
        raise InvalidField("held_on", f"{c.held_on} is after today ({local_date(c.at)})")
    _required("place", c.place)
    if not c.staff or not all(name.strip() for name in c.staff):
        raise InvalidField("staff", "at least one name of the unit's staff, none empty")
    _required("member_opinion", c.member_opinion)
    _required("contact_phone", c.contact_phone)
    return [
        ConsultationRecorded(
            proposal_id=state.proposal_id,
            round=state.current.number,
            lead_unit=c.unit,
            held_on=c.held_on,
            place=c.place.strip(),
            staff=tuple(name.strip() for name in c.staff),
            member_opinion=c.member_opinion.strip(),
            contact_phone=c.contact_phone.strip(),
            recorded_at=c.at,
            channel=c.channel,
        )
    ]


def override_co_opinions(c: OverrideCoOpinions, state: Allocated) -> Sequence[Event]:
    current = state.current
    waiting = [lead for lead in current.leads.values() if isinstance(lead, AwaitingCoOpinions)]
    if not waiting:
        raise NotAllowedInState("OverrideCoOpinions", current.state_name)
    _required("reason", c.reason)
    missing = tuple(dict.fromkeys(unit for lead in waiting for unit in lead.missing))
    return [
        CoOpinionsOverridden(
            proposal_id=state.proposal_id,
            round=current.number,
            reason=c.reason.strip(),
            missing_co_units=missing,
            overridden_at=c.at,
        )
    ]


def issue_reply(c: IssueReply, state: Allocated, stamp: Stamp | None) -> Sequence[Event]:
    current = state.current
    lead = current.leads.get(c.unit)
    if lead is None:
        raise Forbidden(f"{c.unit} does not answer proposal {state.number} in round {current.number}")
    if isinstance(lead, AwaitingCoOpinions):
        raise CoOpinionsMissing("IssueReply", lead.missing)
    if isinstance(lead, Replied):
        raise NotAllowedInState("IssueReply", lead.name)
    _required("document_no", c.document_no)
    _known_class("result_class", c.result_class, state)
    answers = _answers(c, state)
    _required("signer", c.signer)
    _required("contact_person", c.contact_person)
    _required("contact_phone", c.contact_phone)
    issued = ReplyIssued(
        proposal_id=state.proposal_id,
        round=current.number,
        lead_unit=c.unit,
        lead_units=tuple(current.leads),
        document_no=c.document_no.strip(),
        result_class=c.result_class.strip(),
        answers=answers,
        signer=c.signer.strip(),
        contact_person=c.contact_person.strip(),
        contact_phone=c.contact_phone.strip(),
        promise=c.promise.strip(),
        issued_at=c.at,
    )
    if stamp is None:
        return [issued]
    return [issued.model_copy(update={"letter": stamp(state, issued)})]


def change_result_class(c: ChangeResultClass, state: Allocated) -> Sequence[Event]:
    current = state.current
    unit = c.lead_unit or _only_lead(current)
    lead = current.leads.get(unit)
    if lead is None:
        raise InvalidField(
            "lead_unit", f"{unit} does not answer proposal {state.number} in round {current.number}"
        )
    if not isinstance(lead, Replied):
        raise NotAllowedInState("ChangeResultClass", lead.name)
    _known_class("new_class", c.new_class, state)
    if c.new_class.strip() == lead.result_class:
        raise InvalidField("new_class", f"{lead.result_class} is already the class of the reply")
    _required("reason", c.reason)
    return [
        ResultClassChanged(
            proposal_id=state.proposal_id,
            round=current.number,
            lead_unit=unit,
            old_class=lead.result_class,
            new_class=c.new_class.strip(),
            reason=c.reason.strip(),
            changed_at=c.at,
        )
    ]


def publish_reply(c: PublishReply, state: Allocated) -> Sequence[Event]:
    round_, unit, replied = _unpublished_reply("PublishReply", c.round, c.lead_unit, state)
    form = c.form.strip()
    if form not in FORMS:
        raise InvalidField("form", f"unknown form {c.form!r}, expected one of {', '.join(FORMS)}")
    if form == "摘要":
        _required("text", c.text)
    text = c.text if c.text.strip() else full_text(replied.reply.answers)
    known = (replied.reply.contact_phone, *(r.contact_phone for r in state.consultations))
    published = redacted(text, known)
    if not published:
        raise InvalidField("text", "nothing is left to publish once the contact details are removed")
    return [
        ReplyPublished(
            proposal_id=state.proposal_id,
            round=round_.number,
            lead_unit=unit,
            document_no=replied.reply.document_no,
            form=form,
            text=published,
            published_at=c.at,
        )
    ]


def decide_not_to_publish(c: DecideNotToPublish, state: Allocated) -> Sequence[Event]:
    round_, unit, _ = _unpublished_reply("DecideNotToPublish", c.round, c.lead_unit, state)
    _required("reason", c.reason)
    return [
        ReplyNotPublished(
            proposal_id=state.proposal_id,
            round=round_.number,
            lead_unit=unit,
            reason=c.reason.strip(),
            decided_at=c.at,
        )
    ]


def _unpublished_reply(
    action: str, number: int | None, lead_unit: str, state: Allocated
) -> tuple[Round, str, Replied]:
    """The round, lead unit and reply a publication decision is about: replied, not yet decided."""
    round_ = state.current if number is None else _round(state, number)
    unit = lead_unit or _only_lead(round_)
    lead = round_.leads.get(unit)
    if lead is None:
        raise InvalidField(
            "lead_unit", f"{unit} does not answer proposal {state.number} in round {round_.number}"
        )
    if not isinstance(lead, Replied):
        raise NotAllowedInState(action, lead.name)
    if isinstance(lead.publication, Published | NotPublished):
        raise NotAllowedInState(action, lead.publication.name)
    return round_, unit, lead


def _round(state: Allocated, number: int) -> Round:
    for round_ in state.rounds:
        if round_.number == number:
            return round_
    raise InvalidField("round", f"proposal {state.number} has no round {number}")


def _required(field: str, value: str) -> None:
    if not value.strip():
        raise InvalidField(field, "must not be empty")


def _known_class(field: str, code: str, state: Allocated) -> None:
    if code.strip() not in state.result_classes:
        known = ", ".join(state.result_classes)
        raise InvalidField(field, f"unknown result class {code!r}, expected one of {known}")


def _only_lead(current: Round) -> str:
    if len(current.leads) != 1:
        raise InvalidField("lead_unit", "required when several units answer the proposal")
    return next(iter(current.leads))


def _answers(c: IssueReply, state: Allocated) -> tuple[AnsweredItem, ...]:
    """One answer per item the unit leads, in item order; any answer when nothing is itemised."""
    led = state.items_led_by(c.unit)
    given = [a.item for a in c.answers]
    for answer in c.answers:
        if led and answer.item not in led:
            raise InvalidField("answers", f"item {answer.item} is not led by {c.unit}")
        if given.count(answer.item) > 1:
            raise InvalidField("answers", f"item {answer.item} is answered twice")
        if not answer.text.strip():
            raise InvalidField("answers", f"the answer to item {answer.item} is empty")
    for item in led:
        if item not in given:
            raise InvalidField("answers", f"item {item} has no answer")
    if not c.answers:
        raise InvalidField("answers", "at least one answer")
    ordered = sorted(c.answers, key=lambda a: a.item)
    return tuple(AnsweredItem(item=a.item, text=a.text.strip()) for a in ordered)


def evolve(state: State, event: Event) -> State:
    match state, event:
        case _, RegistrationTaken():
            return replace(state, registration=event)
        case _, AllocationTaken():
            return _allocated(state, event)
        case Allocated(), RoundOpened():
            opened = Round(number=event.round, due=event.due, opinions=event.opinions)
            return replace(state, rounds=(*state.rounds, refreshed(state, opened, event.lead_units)))
        case Allocated(), CoOpinionSubmitted():
            return _in_round(state, lambda r: replace(r, co_opinions=(*r.co_opinions, event)))
        case Allocated(), CoOpinionsOverridden():
            return _in_round(state, lambda r: replace(r, overridden=True))
        case Allocated(), ConsultationRecorded():
            return replace(state, consultations=(*state.consultations, event))
        case Allocated(), ReplyIssued():
            replied = Replied(reply=event, result_class=event.result_class)
            return _in_round(state, lambda r: replace(r, leads={**r.leads, event.lead_unit: replied}))
        case Allocated(), ResultClassChanged():
            return _in_round(state, lambda r: _reclassed(r, event))
        case Allocated(), ReplyPublished():
            return _with_publication(state, event.round, event.lead_unit, Published(event))
        case Allocated(), ReplyNotPublished():
            return _with_publication(state, event.round, event.lead_unit, NotPublished(event))
    return state


def _allocated(state: State, e: AllocationTaken) -> Allocated:
    first = Round(number=1, due=e.reply_due)
    rounds = state.rounds if isinstance(state, Allocated) else (first,)
    if rounds[-1].number == 1:
        rounds = (replace(rounds[-1], due=e.reply_due),)
    consultations = state.consultations if isinstance(state, Allocated) else ()
    allocated = Allocated(
        proposal_id=e.proposal_id,
        revision=e.revision,
        number=e.number,
        title=e.title,
        kind=e.kind,
        jurisdiction=e.jurisdiction,
        lead_units=e.lead_units,
        co_units=e.co_units,
        routing=e.routing,
        reply_due=e.reply_due,
        co_opinion_due=e.co_opinion_due,
        result_classes=e.result_classes,
        rounds=rounds,
        consultations=consultations,
        registration=state.registration,
    )
    return allocated.with_current(refreshed(allocated, allocated.current, e.lead_units))


def _in_round(state: Allocated, change: Callable[[Round], Round]) -> Allocated:
    """`state` with its current round changed, and the state of each lead worked out again."""
    changed = change(state.current)
    return state.with_current(refreshed(state, changed, tuple(changed.leads) or state.lead_units))


def _reclassed(round_: Round, e: ResultClassChanged) -> Round:
    replied = round_.leads.get(e.lead_unit)
    if not isinstance(replied, Replied):
        return round_
    return replace(round_, leads={**round_.leads, e.lead_unit: replace(replied, result_class=e.new_class)})


def _with_publication(state: Allocated, number: int, unit: str, publication: Publication) -> Allocated:
    rounds = tuple(_published(r, unit, publication) if r.number == number else r for r in state.rounds)
    return replace(state, rounds=rounds)


def _published(round_: Round, unit: str, publication: Publication) -> Round:
    replied = round_.leads.get(unit)
    if not isinstance(replied, Replied):
        return round_
    return replace(round_, leads={**round_.leads, unit: replace(replied, publication=publication)})


def stamped(stamp: Stamp, policies: Policies | None = None) -> Decider[Command, State]:
    """The decider that records in each reply the digest of its 答复函, rendered by `stamp`, and keeps
    what people write within the `policies`' limits."""
    return Decider(partial(decide, stamp=stamp, policies=policies), evolve, NotAllocated())


decider: Decider[Command, State] = Decider(decide, evolve, NotAllocated())
"""The rules alone, no letter rendered: replies carry no digest."""
