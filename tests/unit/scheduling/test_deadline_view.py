"""Allocation's deadlines view of 晋城 第254号: folded from its own store, committed with its checkpoint."""

from collections.abc import Iterator
from datetime import date

import pytest

from services.allocation.application.deadline_view import BOOKS, NAME
from services.allocation.application.deadlines import open_deadlines
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel import faults
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.projections import rebuild
from shared.rules.scheduler import OpenDeadline
from tests.unit.scheduling.simulation import (
    CALENDAR,
    PID,
    POLICIES,
    days,
    history,
    record,
    reply_issued,
    view_of,
)


class Killed(Exception):
    """Stands for the process killed at a fault point."""


def kill() -> None:
    raise Killed


@pytest.fixture
def armed() -> Iterator[None]:
    """The projection is killed the first time it has applied a batch and not yet committed it."""
    faults.configure("projection.mid-batch", kill=kill)
    yield
    faults.configure("")


async def store_until(last: date) -> InMemoryEventStore:
    store, timeline = InMemoryEventStore(), history()
    for day in days(date(2025, 1, 20), last):
        await record(store, day, timeline.get(day, []))
    return store


def owed(deadlines: list[OpenDeadline], party: str) -> dict[str, tuple[date, int]]:
    return {d.kind: (d.due, d.round) for d in deadlines if d.party == party}


async def test_a_reply_issued_closes_the_units_reply_deadline_and_opens_its_publication() -> None:
    store = await store_until(date(2025, 7, 14))
    view = view_of(store)
    assert owed(await view.open(), "minzheng") == {"reply": (date(2025, 7, 22), 1)}

    await record(store, date(2025, 7, 15), [reply_issued(date(2025, 7, 15))])

    # 20 working days after 7月15日: 8月12日.
    assert owed(await view.open(), "minzheng") == {"publication": (date(2025, 8, 12), 1)}
    received = [
        e for e in await store.read_all(0, 10_000) if e.stream.startswith(f"allocation-received-{PID}-")
    ]
    assert [r.type for r in received][-1] == "reply.reply-issued.v1"


async def test_the_view_moves_only_with_its_checkpoint_and_a_rebuild_gives_the_same_view(
    armed: None,
) -> None:
    store, views = await store_until(date(2025, 7, 14)), InMemoryReadStore()
    view = view_of(store, views)
    with pytest.raises(Killed):
        await view.open()
    assert await views.checkpoint(NAME) == 0 and await views.hgetall(BOOKS) == {}

    before = await view.open()
    assert await views.checkpoint(NAME) == await store.head()
    await record(store, date(2025, 7, 15), [reply_issued(date(2025, 7, 15))])
    after = await view.open()
    live, position = await views.hgetall(BOOKS), await views.checkpoint(NAME)

    report = await rebuild(view.runner, show_progress=False)

    assert await views.hgetall(BOOKS) == live and await views.checkpoint(NAME) == position
    assert report.events == len(await store.read_all(0, 10_000))
    assert before != after and list(live) == [PID]


def test_two_facts_of_others_recorded_the_other_way_round_leave_the_same_deadlines_open() -> None:
    """Allocation takes several messages at once: any two neighbouring public facts of 第254号's
    year may be recorded in either order, and the same deadlines are left open."""
    timeline = history()
    events = [event for day in sorted(timeline) for event in timeline[day]]
    expected = open_deadlines(events, POLICIES, CALENDAR)
    for i in range(len(events) - 1):
        if not (isinstance(events[i], IntegrationEvent) and isinstance(events[i + 1], IntegrationEvent)):
            continue  # allocation's own events keep the order of its stream
        swapped = [*events[:i], events[i + 1], events[i], *events[i + 2 :]]

        assert open_deadlines(swapped, POLICIES, CALENDAR) == expected, (events[i], events[i + 1])
