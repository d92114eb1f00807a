"""The open deadlines of one proposal, folded from what allocation itself knows.

Pure: a proposal's `Book` and one event in, the book after it out (in place). The events are
allocation's own domain events (交办 opens the 签收, co-opinion and reply deadlines; 申请调整 the
office's decision; an extension moves the reply) and the public events of reply and feedback that
allocation records as it receives them (co-opinions, replies and their publication; the member's
form, re-handling, closing). Nothing of another service's private events is read here.

Invariants: a book holds at most one deadline per party and kind; a deadline met in a round never
opens again for that round, so a fact recorded before the one it answers (allocation takes several
messages at once: a form answered before its request, a reply before its round of re-handling, a
publication decided before the reply) leaves nothing open; a deadline counted
by a policy opens only once the case's jurisdiction and kind are known (its opening or 交办 always
comes first), so an event about a proposal never allocated here opens nothing of that kind.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from services.allocation.domain import events as a
from services.allocation.domain.commands import Route
from services.allocation.domain.state import parts
from services.feedback import contracts as feedback
from services.reply import contracts as reply
from shared.kernel.events import Event
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import local_date
from shared.rules.policy import Policies, Policy
from shared.rules.scheduler import DeadlineKind, OpenDeadline

OFFICE = "office"
Slot = tuple[str, DeadlineKind]
"""(party, kind): what one open deadline of a proposal is kept under."""

MOVES_A_DEADLINE: tuple[type[Event], ...] = (
    a.CaseOpened,
    a.ProposalAllocated,
    a.ProposalReallocated,
    a.AssignmentAcknowledged,
    a.AdjustmentRequested,
    a.AdjustmentRefused,
    a.ExtensionGranted,
    a.CaseClosed,
    reply.CoOpinionSubmittedV1,
    reply.CoOpinionsOverriddenV1,
    reply.ReplyIssuedV1,
    reply.ReplyPublishedV1,
    reply.ReplyNotPublishedV1,
    feedback.FeedbackRequestedV1,
    feedback.FeedbackAnsweredV1,
    feedback.RehandlingRequestedV1,
    feedback.ProposalClosedV1,
)
"""Every event type `apply` acts on; any other event leaves every book as it is."""


@dataclass(frozen=True)
class Terms:
    """What deadlines are counted with: each jurisdiction's policy and the working-day calendar."""

    policies: Policies
    working: WorkingCalendar


@dataclass
class Book:
    """One proposal's deadlines being folded, and what the fold needs to remember about it."""

    proposal_id: str
    rules: tuple[str, str] | None = None
    """The (jurisdiction, kind) whose policy applies, once the case is opened or allocated."""
    open: dict[Slot, OpenDeadline] = field(default_factory=dict)
    met: set[tuple[str, DeadlineKind, int]] = field(default_factory=set)
    """(party, kind, round) of every deadline met in a known round: it does not open again."""

    def add(self, party: str, kind: DeadlineKind, due: date, version: str = "", round_: int = 1) -> None:
        if (party, kind, round_) not in self.met:
            self.open[(party, kind)] = OpenDeadline(self.proposal_id, party, kind, due, round_, version)

    def close(self, party: str, kind: DeadlineKind, round_: int | None = None) -> None:
        """Close the deadline; with `round_`, only when it is that round's, and for good."""
        if round_ is not None:
            self.met.add((party, kind, round_))
        deadline = self.open.get((party, kind))
        if deadline is not None and round_ in (None, deadline.round):
            del self.open[(party, kind)]

    def close_all(self, keep: Iterable[DeadlineKind] = ()) -> None:
        kept = set(keep)
        self.open = {slot: d for slot, d in self.open.items() if d.kind in kept}

    def policy(self, terms: Terms) -> Policy | None:
        return None if self.rules is None else terms.policies[self.rules]


def concerns(event: Event) -> str | None:
    """The proposal whose deadlines the event moves; None when it moves none."""
    return getattr(event, "proposal_id", None) if isinstance(event, MOVES_A_DEADLINE) else None


def open_deadlines(
    events: Iterable[Event], policies: Policies, working: WorkingCalendar
) -> list[OpenDeadline]:
    """The deadlines still owed after `events`, by due date."""
    books: dict[str, Book] = {}
    for event in events:
        proposal_id = concerns(event)
        if proposal_id is not None:
            apply(books.setdefault(proposal_id, Book(proposal_id)), event, Terms(policies, working))
    return by_due(d for book in books.values() for d in book.open.values())


def by_due(deadlines: Iterable[OpenDeadline]) -> list[OpenDeadline]:
    return sorted(deadlines, key=lambda d: (d.due, d.proposal_id, d.party, d.kind))


def apply(book: Book, event: Event, terms: Terms) -> None:
    match event:
        case a.CaseOpened():
            book.rules = (event.jurisdiction, event.kind)
        case a.ProposalAllocated():
            book.rules = (event.jurisdiction, event.kind)
            allocated(book, event, only=None)
        case a.ProposalReallocated():
            for kind in ("acknowledgement", "co_opinion", "reply"):
                book.close(event.replaced_unit, kind)
            book.close(OFFICE, "adjustment_decision")
            allocated(book, event, only=event.replacement)
        case a.AssignmentAcknowledged():
            book.close(event.unit, "acknowledgement")
        case a.AdjustmentRequested():
            book.close(event.unit, "acknowledgement")
            adjustment_decision_due(book, event, terms)
        case a.AdjustmentRefused():
            book.close(OFFICE, "adjustment_decision")
        case a.ExtensionGranted():
            for slot, d in list(book.open.items()):
                if d.kind == "reply":
                    book.open[slot] = replace(d, due=event.reply_due)
        case a.CaseClosed():
            book.close_all()
        case _:
            apply_reply(book, event, terms)


def allocated(book: Book, event: a.ProposalAllocated | a.ProposalReallocated, only: str | None) -> None:
    version = event.calendar_version or ""
    routes = tuple(Route(x.item, x.lead, tuple(x.co_units)) for x in event.routing)
    for unit, role, _items in parts(routes):
        if only is not None and unit != only:
            continue
        book.add(unit, "acknowledgement", event.adjustment_until, version)
        if role == "lead":
            book.add(unit, "reply", event.reply_due)
        else:
            book.add(unit, "co_opinion", event.co_opinion_due)


def adjustment_decision_due(book: Book, event: a.AdjustmentRequested, terms: Terms) -> None:
    policy = book.policy(terms)
    if policy is not None:
        due = local_date(event.requested_at) + timedelta(days=policy.adjustment_decision_days)
        book.add(OFFICE, "adjustment_decision", due)


def apply_reply(book: Book, event: Event, terms: Terms) -> None:
    match event:
        case reply.CoOpinionSubmittedV1():
            book.close(event.co_unit, "co_opinion")
        case reply.CoOpinionsOverriddenV1():
            for unit in event.missing_co_units:
                book.close(unit, "co_opinion")
        case reply.ReplyPublishedV1() | reply.ReplyNotPublishedV1():
            book.close(event.lead_unit, "publication", event.round)
        case reply.ReplyIssuedV1():
            book.close(event.lead_unit, "reply" if event.round == 1 else "rehandling", event.round)
            publication_due(book, event, terms)
        case _:
            apply_feedback(book, event)


def publication_due(book: Book, event: reply.ReplyIssuedV1, terms: Terms) -> None:
    policy = book.policy(terms)
    if policy is not None:
        due = terms.working.add_working_days(local_date(event.issued_at), policy.publication_working_days)
        book.add(event.lead_unit, "publication", due.date, due.calendar_version, event.round)


def apply_feedback(book: Book, event: Event) -> None:
    match event:
        case feedback.FeedbackRequestedV1():
            party = f"proposer:{event.proposer_id}"
            book.add(party, "feedback_return", event.due, event.calendar_version, event.round)
        case feedback.FeedbackAnsweredV1():
            book.close(f"proposer:{event.proposer_id}", "feedback_return", event.round)
        case feedback.RehandlingRequestedV1():
            for unit in event.lead_units:
                book.add(unit, "rehandling", event.due, round_=event.round)
        case feedback.ProposalClosedV1():
            book.close_all(keep=("publication",))
