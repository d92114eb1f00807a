"""The daily digest of 晋城 第254号's units: once per unit and day, through the notifier."""

import logging
from datetime import date
from uuid import uuid4

import pytest

from services.allocation.application.digest import DailyDigest, digest_stream
from services.allocation.domain.events import DigestSent, registry
from services.allocation.domain.schedule import DIGESTS
from shared.adapters.eventstore import NewEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.notify import LogNotifier, Notifier
from shared.kernel.decider import CommandHandler
from tests.unit.scheduling.simulation import (
    CALENDAR,
    RecordingNotifier,
    SimulatedClock,
    at,
    days,
    history,
    record,
    view_of,
)


async def store_until(last: date) -> InMemoryEventStore:
    store = InMemoryEventStore()
    timeline = history()
    for day in days(date(2025, 1, 20), last):
        await record(store, day, timeline.get(day, []))
    return store


def digest(store: InMemoryEventStore, notifier: Notifier, clock: SimulatedClock) -> DailyDigest:
    return DailyDigest(
        view_of(store),
        CommandHandler(store, registry, DIGESTS),
        CALENDAR,
        notifier,
        clock,
        address_of=lambda unit: f"{unit}@jincheng.example",
    )


async def test_each_unit_gets_one_digest_a_day_and_a_second_run_sends_nothing() -> None:
    store, notifier = await store_until(date(2025, 2, 7)), RecordingNotifier()
    run = digest(store, notifier, SimulatedClock(at(date(2025, 2, 10))))

    first = await run.tick()
    again = await run.tick()

    assert [(e.unit, e.day) for e in first] == [
        ("minzheng", date(2025, 2, 10)),
        ("shangwu", date(2025, 2, 10)),
    ]
    assert again == []
    assert [n.to for n in notifier.sent] == ["minzheng@jincheng.example", "shangwu@jincheng.example"]
    assert all("每日办理提醒（2025-02-10）" in n.subject for n in notifier.sent)
    assert len(await store.read_stream(digest_stream("minzheng"))) == 1


async def test_the_next_day_brings_the_next_digest() -> None:
    store, notifier = await store_until(date(2025, 2, 7)), RecordingNotifier()
    clock = SimulatedClock(at(date(2025, 2, 10)))
    run = digest(store, notifier, clock)
    await run.tick()

    clock.now = at(date(2025, 2, 11))
    sent = await run.tick()

    assert [(e.unit, e.day) for e in sent] == [
        ("minzheng", date(2025, 2, 11)),
        ("shangwu", date(2025, 2, 11)),
    ]
    assert len(notifier.sent) == 4


async def test_a_digest_counts_the_co_opinion_due_soon_and_then_overdue_in_working_days() -> None:
    store, notifier = await store_until(date(2025, 2, 20)), RecordingNotifier()
    clock = SimulatedClock(at(date(2025, 2, 20)))
    [_, soon] = await digest(store, notifier, clock).tick()

    clock.now = at(date(2025, 2, 25))  # 市商务局's opinion, due 2025-02-22, has still not come
    [_, late] = await digest(store, notifier, clock).tick()

    assert (soon.unit, soon.open_items, soon.due_soon, soon.overdue) == ("shangwu", 1, 1, 0)
    assert (late.unit, late.due_soon, late.overdue) == ("shangwu", 0, 1)
    assert notifier.sent[-1].subject == "每日办理提醒（2025-02-25）：在办 1 件，即将到期 0 项，逾期 1 项"
    assert notifier.sent[-1].body == "提案 jincheng-2025-254：co_opinion，期限 2025-02-22，逾期 2 个工作日"


async def test_a_second_worker_after_a_restart_sends_nothing_the_same_day() -> None:
    store, notifier = await store_until(date(2025, 2, 7)), RecordingNotifier()
    clock = SimulatedClock(at(date(2025, 2, 10)))
    await digest(store, notifier, clock).tick()

    restarted = await digest(store, notifier, clock).tick()

    assert restarted == [] and len(notifier.sent) == 2


async def test_the_log_notifier_writes_the_digest_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    store = await store_until(date(2025, 2, 7))
    caplog.set_level(logging.INFO, logger="shared.adapters.notify")

    await digest(store, LogNotifier(), SimulatedClock(at(date(2025, 2, 10)))).tick()

    assert "notification to minzheng@jincheng.example: 每日办理提醒（2025-02-10）" in caplog.text


async def test_a_digest_of_the_day_recorded_under_another_id_is_not_sent_again() -> None:
    store, notifier = await store_until(date(2025, 2, 7)), RecordingNotifier()
    earlier = DigestSent(
        unit="minzheng", day=date(2025, 2, 10), open_items=1, due_soon=0, overdue=0, calendar_version="2025-1"
    )
    type_name, data = registry.encode(earlier)
    await store.append(digest_stream("minzheng"), [NewEvent(uuid4(), type_name, data)], 0)

    sent = await digest(store, notifier, SimulatedClock(at(date(2025, 2, 10)))).tick()

    assert [(e.unit, e.day) for e in sent] == [("shangwu", date(2025, 2, 10))]
    assert [n.to for n in notifier.sent] == ["shangwu@jincheng.example"]
    assert len(await store.read_stream(digest_stream("minzheng"))) == 1
