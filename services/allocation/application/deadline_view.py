"""Allocation's view of the open deadlines: a projection of its own store, checkpointed with its writes.

The store holds allocation's domain events and, in `allocation-received-<proposal>`, the public
events of reply and feedback it records on receipt; nothing else is read. Each proposal's `Book` is
one field of the hash `allocation-deadlines:books` (JSON), written in the same commit as the
checkpoint, so the view never runs ahead of or behind it, and a rebuild from the first event gives
the same view. The scheduler and the digest read it through `Deadlines`, which first brings it up to
the store's head, so a tick sees every event appended before it.
"""

import asyncio
import json
from datetime import date

from services.allocation.application.deadlines import Book, Terms, apply, by_due, concerns
from services.allocation.application.inbound import INBOUND
from services.allocation.domain.events import registry
from shared.adapters.eventstore import EventStore, RecordedEvent
from shared.adapters.readstore import ReadStore
from shared.kernel.events import Event, EventRegistry
from shared.kernel.projections import ProjectionRunner, View
from shared.rules.calendar import WorkingCalendar
from shared.rules.policy import Policies
from shared.rules.scheduler import OpenDeadline

NAME = "allocation-deadlines"
BOOKS = f"{NAME}:books"


def stored_events() -> EventRegistry:
    """What allocation's store holds: its domain events and the public events it records."""
    known = EventRegistry()
    known.include(registry)
    known.include(INBOUND.contract)
    return known


def encode(book: Book) -> str:
    return json.dumps(
        {
            "rules": list(book.rules) if book.rules else None,
            "open": [
                [d.party, d.kind, d.due.isoformat(), d.round, d.calendar_version] for d in book.open.values()
            ],
            "met": sorted([party, kind, round_] for party, kind, round_ in book.met),
        },
        ensure_ascii=False,
    )


def decode(proposal_id: str, text: str | None) -> Book:
    book = Book(proposal_id)
    if text is None:
        return book
    data = json.loads(text)
    book.rules = (data["rules"][0], data["rules"][1]) if data["rules"] else None
    for party, kind, due, round_, version in data["open"]:
        book.add(party, kind, date.fromisoformat(due), version, round_)
    book.met = {(party, kind, round_) for party, kind, round_ in data["met"]}
    return book


class DeadlinesProjection:
    """Folds each event that moves a deadline into its proposal's book."""

    name = NAME

    def __init__(self, terms: Terms) -> None:
        self.terms = terms

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None:
        proposal_id = concerns(event)
        if proposal_id is None:
            return
        book = decode(proposal_id, await view.hget(BOOKS, proposal_id))
        apply(book, event, self.terms)
        view.changes.hset(BOOKS, {proposal_id: encode(book)})


async def read_open(views: ReadStore) -> list[OpenDeadline]:
    """Every open deadline in the view as committed, by due date."""
    books = await views.hgetall(BOOKS)
    return by_due(d for pid, text in books.items() for d in decode(pid, text).open.values())


class Deadlines:
    """The open deadlines as the scheduler and the digest read them: the view, brought up to the
    store's head first. One lock, so the two never apply the same batch at once."""

    def __init__(self, runner: ProjectionRunner) -> None:
        self.runner = runner
        self._lock = asyncio.Lock()

    async def open(self) -> list[OpenDeadline]:
        async with self._lock:
            await self.runner.catch_up()
        return await read_open(self.runner.views)


def deadlines(store: EventStore, views: ReadStore, policies: Policies, working: WorkingCalendar) -> Deadlines:
    projection = DeadlinesProjection(Terms(policies, working))
    return Deadlines(ProjectionRunner(projection, store, views, stored_events()))
