"""The scheduler worker: the open deadlines and the injected clock in, reminder and lateness events out.

Each tick reads the deadlines view (`deadline_view`, brought up to the store's head), asks
`shared.rules.scheduler` what is due, and records each signal through the one command handler in
`allocation-schedule-<proposal_id>`, the signal's deterministic id as the command id: a second run
(or a run after a kill) is answered as a repeat and appends nothing. Only signals this tick recorded
are notified, and only after every one of them is recorded, so no reminder is ever sent twice (a
kill between the append and the mail loses that mail rather than repeating it).
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.allocation.application.deadline_view import Deadlines
from services.allocation.application.deadlines import OFFICE
from services.allocation.domain.schedule import SignalEvent, SignalIds, event_of
from shared.adapters.notify import Notification, Notifier
from shared.kernel.decider import CommandHandler, CommandMeta
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import local_date
from shared.rules.scheduler import Rules, Signal, signals

ACTOR = "system:scheduler"
Clock = Callable[[], datetime]


def schedule_stream(proposal_id: str) -> str:
    return f"allocation-schedule-{proposal_id}"


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
    deadlines: Deadlines
    handler: CommandHandler[Signal, SignalIds]
    """Over the schedule streams, with `domain.schedule.SIGNALS`."""
    working: WorkingCalendar
    notifier: Notifier
    clock: Clock
    rules: Rules = field(default_factory=Rules)
    address_of: Callable[[str], str] = str

    async def tick(self) -> list[SignalEvent]:
        """One pass: the events recorded now (empty when everything due was already recorded)."""
        today = local_date(self.clock())
        due = signals(await self.deadlines.open(), today, self.working, self.rules)
        recorded = [signal for signal in due if await self.record(signal)]
        for signal in recorded:
            await self.notifier.send(notification_of(signal, self.address_of))
        return [event_of(signal) for signal in recorded]

    async def record(self, signal: Signal) -> bool:
        """Record the signal; False when it was recorded before."""
        meta = CommandMeta(command_id=signal.id, actor=ACTOR, extra={"as_of": signal.as_of.isoformat()})
        outcome = await self.handler.handle(schedule_stream(signal.deadline.proposal_id), signal, meta)
        return bool(outcome.events) and not outcome.repeated

    async def run(self, every: float = 3600.0) -> None:
        """Tick for ever, every `every` seconds of real time (the deadlines themselves use the clock)."""
        while True:
            await self.tick()
            await asyncio.sleep(every)
