"""The open deadlines of every proposal, folded from the events of allocation, reply and feedback.

Pure: the events, the policies and the working-day calendar in; the deadlines still owed out. The
co-unit opinions and the publication decisions come from reply's events and the replies, forms and
rounds from feedback's: in one store (the embedded run and the PostgreSQL/KurrentDB deployments) they
are all readable here.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from services.allocation.domain import events as a
from services.allocation.domain.commands import Route
from services.allocation.domain.state import parts
from services.feedback.domain import events as f
from services.reply.domain import events as r
from shared.kernel.events import Event
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import local_date
from shared.rules.policy import Policies, Policy
from shared.rules.scheduler import DeadlineKind, OpenDeadline

OFFICE = "office"
Key = tuple[str, str, DeadlineKind]


@dataclass
class Book:
    """The deadlines being folded: open ones by (proposal, party, kind), and each proposal's rules."""

    policies: Policies
    working: WorkingCalendar
    open: dict[Key, OpenDeadline] = field(default_factory=dict)
    rules_of: dict[str, tuple[str, str]] = field(default_factory=dict)
    publication_decided: set[tuple[str, str, int]] = field(default_factory=set)
    """(proposal, lead unit, round) of every reply published or kept from the public: feedback may
    record the reply after the office decided, and then no publication deadline opens."""

    def add(
        self, pid: str, party: str, kind: DeadlineKind, due: date, version: str = "", round_: int = 1
    ) -> None:
        self.open[(pid, party, kind)] = OpenDeadline(pid, party, kind, due, round_, version)

    def close(self, pid: str, party: str, kind: DeadlineKind, round_: int | None = None) -> None:
        """Close the deadline; with `round_`, only when it is that round's."""
        deadline = self.open.get((pid, party, kind))
        if deadline is not None and round_ in (None, deadline.round):
            del self.open[(pid, party, kind)]

    def close_all(self, pid: str, keep: Iterable[DeadlineKind] = ()) -> None:
        for key in [k for k in self.open if k[0] == pid and k[2] not in keep]:
            del self.open[key]


def open_deadlines(
    events: Iterable[Event], policies: Policies, working: WorkingCalendar
) -> list[OpenDeadline]:
    book = Book(policies, working)
    for event in events:
        apply(book, event)
    return sorted(book.open.values(), key=lambda d: (d.due, d.proposal_id, d.party, d.kind))


def apply(book: Book, event: Event) -> None:
    match event:
        case a.ProposalAllocated():
            book.rules_of[event.proposal_id] = (event.jurisdiction, event.kind)
            allocated(book, event, event.routing, only=None)
        case a.ProposalReallocated():
            for kind in ("acknowledgement", "co_opinion", "reply"):
                book.close(event.proposal_id, event.replaced_unit, kind)
            book.close(event.proposal_id, OFFICE, "adjustment_decision")
            allocated(book, event, event.routing, only=event.replacement)
        case a.AssignmentAcknowledged():
            book.close(event.proposal_id, event.unit, "acknowledgement")
        case a.AdjustmentRequested():
            book.close(event.proposal_id, event.unit, "acknowledgement")
            days = policy(book, event.proposal_id).adjustment_decision_days
            due = local_date(event.requested_at) + timedelta(days=days)
            book.add(event.proposal_id, OFFICE, "adjustment_decision", due)
        case a.AdjustmentRefused():
            book.close(event.proposal_id, OFFICE, "adjustment_decision")
        case a.ExtensionGranted():
            for key, d in list(book.open.items()):
                if key[0] == event.proposal_id and d.kind == "reply":
                    book.open[key] = replace(d, due=event.reply_due)
        case a.CaseClosed():
            book.close_all(event.proposal_id)
        case _:
            apply_reply_and_feedback(book, event)


def allocated(
    book: Book, event: a.ProposalAllocated | a.ProposalReallocated, routing: list[a.Routing], only: str | None
) -> None:
    pid, version = event.proposal_id, event.calendar_version or ""
    routes = tuple(Route(x.item, x.lead, tuple(x.co_units)) for x in routing)
    for unit, role, _items in parts(routes):
        if only is not None and unit != only:
            continue
        book.add(pid, unit, "acknowledgement", event.adjustment_until, version)
        if role == "lead":
            book.add(pid, unit, "reply", event.reply_due)
        else:
            book.add(pid, unit, "co_opinion", event.co_opinion_due)


def apply_reply_and_feedback(book: Book, event: Event) -> None:
    match event:
        case r.CoOpinionSubmitted():
            book.close(event.proposal_id, event.co_unit, "co_opinion")
        case r.CoOpinionsOverridden():
            for unit in event.missing_co_units:
                book.close(event.proposal_id, unit, "co_opinion")
        case r.ReplyPublished() | r.ReplyNotPublished():
            book.publication_decided.add((event.proposal_id, event.lead_unit, event.round))
            book.close(event.proposal_id, event.lead_unit, "publication", event.round)
        case f.ProposalRecorded():
            book.rules_of.setdefault(event.proposal_id, (event.jurisdiction, event.kind))
        case f.ReplyRecorded():
            book.close(event.proposal_id, event.lead_unit, "reply" if event.round == 1 else "rehandling")
            if (event.proposal_id, event.lead_unit, event.round) not in book.publication_decided:
                publication_due(book, event)
        case f.FeedbackRequested():
            party = f"proposer:{event.proposer_id}"
            book.add(
                event.proposal_id,
                party,
                "feedback_return",
                event.due,
                event.calendar_version or "",
                event.round,
            )
        case f.FeedbackAnswered():
            book.close(event.proposal_id, f"proposer:{event.proposer_id}", "feedback_return")
        case f.RehandlingRequested():
            for unit in event.lead_units:
                book.add(event.proposal_id, unit, "rehandling", event.due, round_=event.round)
        case f.ProposalClosed():
            book.close_all(event.proposal_id, keep=("publication",))


def publication_due(book: Book, event: f.ReplyRecorded) -> None:
    days = policy(book, event.proposal_id).publication_working_days
    due = book.working.add_working_days(local_date(event.issued_at), days)
    book.add(event.proposal_id, event.lead_unit, "publication", due.date, due.calendar_version, event.round)


def policy(book: Book, proposal_id: str) -> Policy:
    return book.policies[book.rules_of[proposal_id]]
