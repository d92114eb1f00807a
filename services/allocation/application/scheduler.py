"""The scheduler worker: the open deadlines and the injected clock in, reminder and lateness events out.

Each tick reads the store, asks `shared.rules.scheduler` what is due and appends what is new to the
stream `allocation-schedule-<proposal_id>`. Event ids are derived from the deadline and threshold,
so a second run (or a run after a kill) finds them there and appends nothing; only events this tick
appended are notified, so no reminder is ever sent twice (a kill between the append and the mail
loses that mail rather than repeating it).
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.allocation.application.deadlines import OFFICE, open_deadlines
from services.allocation.domain import events as a
from shared.adapters.eventstore import EventStore, NewEvent
from shared.adapters.notify import Notification, Notifier
from shared.kernel.errors import WrongExpectedVersion
from shared.kernel.events import Event, EventRegistry
from shared.kernel.once import history
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import local_date
from shared.rules.policy import Policies
from shared.rules.scheduler import Rules, Signal, signals

ACTOR = "system:scheduler"
Clock = Callable[[], datetime]


def schedule_stream(proposal_id: str) -> str:
    return f"allocation-schedule-{proposal_id}"


def event_of(signal: Signal) -> Event:
    d = signal.deadline
    common = {
        "proposal_id": d.proposal_id,
        "party": d.party,
        "deadline": d.kind,
        "round": d.round,
        "due": d.due,
        "as_of": signal.as_of,
        "calendar_version": d.calendar_version,
    }
    match signal.kind:
        case "reminder":
            assert signal.threshold is not None
            return a.ReminderDue(
                **common, threshold=signal.threshold, working_days_left=signal.working_days_left
            )
        case "missed":
            return a.DeadlineMissed(**common)
        case "escalation":
            return a.DeadlineEscalated(**common, working_days_overdue=-signal.working_days_left)


def notification_of(signal: Signal, address_of: Callable[[str], str]) -> Notification:
    d = signal.deadline
    to = address_of(OFFICE if signal.kind == "escalation" else d.party)
    subject = {
        "reminder": f"提醒：{d.kind} 还有 {signal.working_days_left} 个工作日到期（{d.due}）",
        "missed": f"逾期：{d.kind} 已于 {d.due} 到期",
        "escalation": f"督办：{d.party} 的 {d.kind}（{d.due} 到期）逾期 {-signal.working_days_left} 个工作日",
    }[signal.kind]
    body = f"提案 {d.proposal_id}，{d.party}，{d.kind}（第{d.round}轮），期限 {d.due}，截至 {signal.as_of}。"
    return Notification(to, subject, body)


@dataclass
class Scheduler:
    store: EventStore
    registry: EventRegistry
    policies: Policies
    working: WorkingCalendar
    notifier: Notifier
    clock: Clock
    rules: Rules = field(default_factory=Rules)
    address_of: Callable[[str], str] = str

    async def tick(self) -> list[Event]:
        """One pass: the events appended now (empty when everything due was already recorded)."""
        today = local_date(self.clock())
        deadlines = open_deadlines(await self.history(), self.policies, self.working)
        appended: list[Signal] = []
        by_proposal: dict[str, list[Signal]] = {}
        for signal in signals(deadlines, today, self.working, self.rules):
            by_proposal.setdefault(signal.deadline.proposal_id, []).append(signal)
        for proposal_id, due in by_proposal.items():
            appended += await self.append_new(schedule_stream(proposal_id), due)
        for signal in appended:
            await self.notifier.send(notification_of(signal, self.address_of))
        return [event_of(s) for s in appended]

    async def history(self) -> list[Event]:
        return await history(self.store, self.registry)

    async def append_new(self, stream: str, due: list[Signal], attempts: int = 3) -> list[Signal]:
        for attempt in range(1, attempts + 1):
            recorded = await self.store.read_stream(stream)
            known = {r.id for r in recorded}
            new = [s for s in due if s.id not in known]
            if not new:
                return []
            try:
                await self.store.append(
                    stream, [self.new_event(s) for s in new], expected_version=len(recorded)
                )
                return new
            except WrongExpectedVersion:
                if attempt == attempts:
                    raise
        return []

    def new_event(self, signal: Signal) -> NewEvent:
        type_name, data = self.registry.encode(event_of(signal))
        return NewEvent(signal.id, type_name, data, {"actor": ACTOR, "as_of": signal.as_of.isoformat()})

    async def run(self, every: float = 3600.0) -> None:
        """Tick for ever, every `every` seconds of real time (the deadlines themselves use the clock)."""
        while True:
            await self.tick()
            await asyncio.sleep(every)
