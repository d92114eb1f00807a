"""A year of 晋城 第254号 in simulated days: reminders, missed deadlines and escalations on the calendar."""

import contextlib
from datetime import date

from services.allocation.application.deadlines import open_deadlines
from services.allocation.application.scheduler import schedule_stream
from services.allocation.domain import events as a
from services.allocation.domain.events import registry
from services.reply import contracts as reply
from shared.adapters.eventstore import NewEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.eventstore.sqlite import SqliteEventStore
from shared.kernel.events import Event
from shared.rules.scheduler import OpenDeadline, signal_id
from tests.unit.scheduling.simulation import (
    CALENDAR,
    PID,
    POLICIES,
    RecordingNotifier,
    SimulatedClock,
    allocated_on,
    at,
    days,
    history,
    record,
    reply_issued,
    scheduler,
)

YEAR = days(date(2025, 1, 20), date(2025, 12, 31))


async def simulate(
    store, notifier, twice: bool = False, timeline=None
) -> list[tuple[date, str, str, str, object]]:
    """Every day of the year: that day's events at 9:00, then the scheduler at 18:00 (twice if asked).
    `timeline` is the year's history, 第254号's own unless another is given."""
    clock = SimulatedClock(at(YEAR[0], 10))
    run = scheduler(store, notifier, clock)
    timeline = timeline or history()
    produced = []
    for day in YEAR:
        await record(store, day, timeline.get(day, []))
        clock.now = at(day, 10)
        for _ in range(2 if twice else 1):
            for event in await run.tick():
                produced.append(summary(event))
    return produced


def summary(event) -> tuple[date, str, str, str, object]:
    match event:
        case a.ReminderDue():
            return (event.as_of, "reminder", event.party, event.deadline, event.threshold)
        case a.DeadlineMissed():
            return (event.as_of, "missed", event.party, event.deadline, event.due)
        case a.DeadlineEscalated():
            return (event.as_of, "escalation", event.party, event.deadline, event.working_days_overdue)
    raise AssertionError(event)


def test_the_adjustment_window_is_counted_in_working_days_across_the_spring_festival() -> None:
    allocated = allocated_on(date(2025, 1, 22))
    assert allocated.adjustment_until == date(2025, 2, 7)  # 1月23、24、26(补班)、27日, 2月5、6、7日
    assert allocated.calendar_version == "2025-1"
    assert CALENDAR.add_working_days(date(2025, 1, 22), 7).provisional is False


async def test_a_year_of_handling_reminds_and_escalates_every_deadline_kind_on_working_days() -> None:
    notifier = RecordingNotifier()
    produced = await simulate(InMemoryEventStore(), notifier)

    expected = [
        # 签收: 7 working days from 1月22日 end on 2月7日; reminders skip the Spring Festival.
        (date(2025, 1, 24), "reminder", "minzheng", "acknowledgement", 5),
        (date(2025, 2, 6), "reminder", "minzheng", "acknowledgement", 1),
        # the office answers 市商务局's adjustment request of 1月23日 within 7 days: by 1月30日, in the
        # holiday; 3 working days are left at once, and the last one before it is Sunday 1月26日 (补班).
        (date(2025, 1, 23), "reminder", "office", "adjustment_decision", 5),
        (date(2025, 1, 26), "reminder", "office", "adjustment_decision", 1),
        (date(2025, 1, 31), "missed", "office", "adjustment_decision", date(2025, 1, 30)),
        # 协办意见 by 2月22日 (a Saturday).
        (date(2025, 2, 14), "reminder", "shangwu", "co_opinion", 5),
        (date(2025, 2, 20), "reminder", "shangwu", "co_opinion", 1),
        # the reply by 4月22日, extended on 4月16日 to 7月22日: one 5-day reminder, ever.
        (date(2025, 4, 15), "reminder", "minzheng", "reply", 5),
        # the member returns the form 20 working days after 7月15日, i.e. by 8月12日, and is late.
        (date(2025, 8, 5), "reminder", "proposer:ru-juxia", "feedback_return", 5),
        (date(2025, 8, 11), "reminder", "proposer:ru-juxia", "feedback_return", 1),
        (date(2025, 8, 13), "missed", "proposer:ru-juxia", "feedback_return", date(2025, 8, 12)),
        (date(2025, 8, 15), "escalation", "proposer:ru-juxia", "feedback_return", 3),
        # publication 20 working days after the reply of 7月15日, never published.
        (date(2025, 8, 5), "reminder", "minzheng", "publication", 5),
        (date(2025, 8, 11), "reminder", "minzheng", "publication", 1),
        (date(2025, 8, 13), "missed", "minzheng", "publication", date(2025, 8, 12)),
        (date(2025, 8, 15), "escalation", "minzheng", "publication", 3),
        # re-handling after 不满意 on 9月10日, due 10月10日: National Day and 补班 on 9月28日 and 10月11日.
        (date(2025, 9, 26), "reminder", "minzheng", "rehandling", 5),
        (date(2025, 10, 9), "reminder", "minzheng", "rehandling", 1),
        (date(2025, 10, 11), "missed", "minzheng", "rehandling", date(2025, 10, 10)),
        (date(2025, 10, 14), "escalation", "minzheng", "rehandling", 3),
        # the second round's reply of 10月20日 is to be published within 20 working days too.
        (date(2025, 11, 10), "reminder", "minzheng", "publication", 5),
        (date(2025, 11, 14), "reminder", "minzheng", "publication", 1),
        (date(2025, 11, 18), "missed", "minzheng", "publication", date(2025, 11, 17)),
        (date(2025, 11, 20), "escalation", "minzheng", "publication", 3),
    ]
    assert sorted(produced, key=str) == sorted(expected, key=str)
    assert len(notifier.sent) == len(expected)
    escalations = [n for n in notifier.sent if n.subject.startswith("督办")]
    assert len(escalations) == 4 and {n.to for n in escalations} == {"office@jincheng.example"}


def published(day: date, round_: int = 1) -> reply.ReplyPublishedV1:
    return reply.ReplyPublishedV1(
        proposal_id=PID,
        round=round_,
        lead_unit="minzheng",
        document_no="晋民函〔2025〕254号",
        form="全文",
        text="1. 持续增加社区养老服务设施供给，提供多层次多元化养老服务。",
        published_at=at(day),
    )


def not_published(day: date, round_: int = 1) -> reply.ReplyNotPublishedV1:
    return reply.ReplyNotPublishedV1(
        proposal_id=PID, round=round_, lead_unit="minzheng", reason="涉及个人隐私", decided_at=at(day)
    )


def reply_recorded(day: date, round_: int = 1) -> reply.ReplyIssuedV1:
    """The reply as allocation receives it from reply (once recorded by feedback from the same event)."""
    return reply_issued(day, round_)


async def test_a_reply_published_in_time_gets_no_publication_reminder_and_the_next_round_still_does() -> None:
    never = await simulate(InMemoryEventStore(), RecordingNotifier())
    timeline = history()
    timeline[date(2025, 7, 25)] = [published(date(2025, 7, 25))]
    produced = await simulate(InMemoryEventStore(), RecordingNotifier(), timeline=timeline)

    round_1 = [e for e in never if e[3] == "publication" and e[0] < date(2025, 10, 20)]
    assert len(round_1) == 4
    assert sorted(produced, key=str) == sorted(set(never) - set(round_1), key=str)
    assert [e[0] for e in produced if e[3] == "publication"] == [
        date(2025, 11, 10),
        date(2025, 11, 14),
        date(2025, 11, 18),
        date(2025, 11, 20),
    ]


def test_a_decision_not_to_publish_closes_the_publication_deadline() -> None:
    events = [allocated_on(date(2025, 1, 22)), reply_recorded(date(2025, 7, 15))]
    assert "publication" in kinds(events)
    assert "publication" not in kinds([*events, not_published(date(2025, 7, 16))])


def test_a_reply_published_before_feedback_records_it_opens_no_publication_deadline() -> None:
    events = [
        allocated_on(date(2025, 1, 22)),
        published(date(2025, 7, 15)),
        reply_recorded(date(2025, 7, 15)),
    ]
    assert "publication" not in kinds(events)


def test_publishing_an_earlier_round_leaves_the_publication_of_the_later_round_open() -> None:
    events = [
        allocated_on(date(2025, 1, 22)),
        reply_recorded(date(2025, 7, 15)),
        reply_recorded(date(2025, 10, 20), round_=2),
        published(date(2025, 10, 21), round_=1),
    ]
    (publication,) = [d for d in open_deadlines(events, POLICIES, CALENDAR) if d.kind == "publication"]
    assert publication.round == 2 and publication.due == date(2025, 11, 17)


def kinds(events: list[Event]) -> set[str]:
    return {d.kind for d in open_deadlines(events, POLICIES, CALENDAR)}


async def test_running_the_scheduler_twice_a_day_adds_nothing_and_sends_each_reminder_once() -> None:
    once, twice = RecordingNotifier(), RecordingNotifier()
    assert await simulate(InMemoryEventStore(), twice, twice=True) == await simulate(
        InMemoryEventStore(), once
    )
    assert twice.sent == once.sent
    subjects = [(n.to, n.subject) for n in twice.sent]
    assert len(subjects) == len(set(subjects))


async def test_a_scheduler_started_again_after_a_kill_adds_nothing(tmp_path) -> None:
    path = tmp_path / "events.sqlite3"
    store = await SqliteEventStore.open(path)
    first = RecordingNotifier()
    clock = SimulatedClock(at(date(2025, 1, 24), 10))
    for day in days(date(2025, 1, 20), date(2025, 1, 24)):
        await record(store, day, history().get(day, []))
    first.fail_next = True  # killed after the append, before the first mail left
    with contextlib.suppress(ConnectionError):
        await scheduler(store, first, clock).tick()
    await store.close()

    reopened = await SqliteEventStore.open(path)
    second = RecordingNotifier()
    assert await scheduler(reopened, second, clock).tick() == []
    assert second.sent == [] and first.sent == []  # at most once: the lost mail is not sent again
    streams = {r.stream for r in await reopened.read_all()}
    assert "allocation-schedule-jincheng-2025-254" in streams
    await reopened.close()


async def test_a_reminder_recorded_before_under_its_signal_id_is_neither_recorded_nor_sent_again() -> None:
    store, notifier = InMemoryEventStore(), RecordingNotifier()
    for day in days(date(2025, 1, 20), date(2025, 1, 24)):
        await record(store, day, history().get(day, []))
    clock = SimulatedClock(at(date(2025, 1, 24), 10))
    reminder = a.ReminderDue(
        proposal_id=PID,
        party="minzheng",
        deadline="acknowledgement",
        round=1,
        due=date(2025, 2, 7),
        threshold=5,
        working_days_left=5,
        as_of=date(2025, 1, 24),
        calendar_version="2025-1",
    )
    signal = signal_id("reminder", OpenDeadline(PID, "minzheng", "acknowledgement", date(2025, 2, 7)), 5)
    type_name, data = registry.encode(reminder)
    await store.append(schedule_stream(PID), [NewEvent(signal, type_name, data)], 0)  # as recorded before

    produced = [summary(event) for event in await scheduler(store, notifier, clock).tick()]

    assert produced == [(date(2025, 1, 24), "reminder", "office", "adjustment_decision", 5)]
    assert [n.to for n in notifier.sent] == ["office@jincheng.example"]
    assert len(await store.read_stream(schedule_stream(PID))) == 2
