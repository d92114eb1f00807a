"""The `proposals` projection: one proposal across every service, its units and its timeline.

Keys (all under the namespace `proposals`):
- `proposals:p:<id>`: hash of the proposal (number, title, state, deadlines, result class, …);
  lists are JSON (`proposers`, `lead_units`, `co_units`).
- `proposals:p:<id>:units`: hash unit → role (`lead`, `co`, or `former` after an adjustment).
- `proposals:p:<id>:unit:<unit>`: hash of one unit's assignment (state, reply_due, replied_at, …).
- `proposals:p:<id>:co-opinions`: hash co-unit → JSON of its latest opinion, with its round.
- `proposals:p:<id>:feedback`: hash proposer id → JSON {name, round, satisfaction} (`""` while awaited).
- `proposals:p:<id>:timeline`: list of JSON {at, service, what, actor}.
- `proposals:p:<id>:supervision`: list of JSON {kind, held_on, notes, by, at} (督办 of a key item).
- `proposals:p:<id>:urges`: list of JSON {unit, reason, by, at} (催办).
- in `proposals:p:<id>`, `since:<what>`: when the state shown was reached at its source (`since:state`
  for the proposal's, `since:intake`, `since:unit:<unit>` for a unit's).
- index sets: `proposals:all`, `proposals:lead:<unit>`, `proposals:co:<unit>`,
  `proposals:assigned:<unit>` (ever, including units replaced after an adjustment),
  `proposals:state:<STATE>`, `proposals:session:<session>`, `proposals:category:<category>`,
  `proposals:key` (key items: 重点提案 / 重点督办建议).

Built from the public integration events the views service recorded (never from another
service's private events), with one small handler per event type. Write-mostly: it reads the
proposal's current hashes only where a change depends on them.

The views record messages as they come, several at once, so two facts of one proposal that follow
each other closely can be recorded the other way round. A state shown (the proposal's, a unit's)
moves only on a fact that happened, at its source, no earlier than the one that set it; the
timeline is read in the order the facts happened. Everything else a fact writes does not depend on
the order.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from services.allocation import contracts as allocation
from services.feedback import contracts as feedback
from services.intake import contracts as intake
from services.reply import contracts as reply
from shared.adapters.eventstore import RecordedEvent
from shared.kernel.events import Event
from shared.kernel.projections import View
from shared.kernel.records import occurred_at, source_service
from shared.rules.units import UnitRegistry, UnknownUnit

NAME = "proposals"

STATES = (
    "SUBMITTED",
    "UNDER_REVIEW",
    "RETURNED",
    "NOT_REGISTERED",
    "MERGED",
    "WITHDRAWN",
    "REGISTERED",
    "ALLOCATED",
    "REPLIED",
    "REHANDLING",
    "CLOSED",
    "TRACKING",
)


def proposal_key(pid: str) -> str:
    return f"{NAME}:p:{pid}"


def units_key(pid: str) -> str:
    return f"{NAME}:p:{pid}:units"


def unit_key(pid: str, unit: str) -> str:
    return f"{NAME}:p:{pid}:unit:{unit}"


def co_opinions_key(pid: str) -> str:
    return f"{NAME}:p:{pid}:co-opinions"


def feedback_key(pid: str) -> str:
    return f"{NAME}:p:{pid}:feedback"


def timeline_key(pid: str) -> str:
    return f"{NAME}:p:{pid}:timeline"


def supervision_key(pid: str) -> str:
    return f"{NAME}:p:{pid}:supervision"


def urges_key(pid: str) -> str:
    return f"{NAME}:p:{pid}:urges"


SUPERVISION_KINDS = {"meeting": "督办会", "visit": "实地督办", "call": "电话督办"}


def index_key(kind: str, value: str = "") -> str:
    """`index_key("all")`, `index_key("lead", "minzheng")`, `index_key("state", "CLOSED")`, …"""
    return f"{NAME}:{kind}:{value}" if value else f"{NAME}:{kind}"


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def iso(at: datetime | date) -> str:
    return at.isoformat()


Handler = Callable[[Any, View], Awaitable[str | None]]
"""Writes what one event changes; returns its timeline line in Chinese (None: not shown)."""

_happened: ContextVar[datetime | None] = ContextVar("happened", default=None)
"""When the fact being applied happened at its source (per task: replays may run side by side)."""


class ProposalsProjection:
    name = NAME

    def __init__(self, units: UnitRegistry | None = None) -> None:
        self.units = units
        self.handlers: dict[type[Event], Handler] = {
            intake.ProposalSubmittedV1: self.submitted,
            intake.ReviewStartedV1: self.review_started,
            intake.ProposalRegisteredV2: self.registered,
            intake.ProposalEndedAtIntakeV2: self.ended,
            intake.ProposalMergedInV1: self.merged_in,
            intake.ProposalReturnedV1: self.returned,
            intake.ProposalResubmittedV1: self.resubmitted,
            allocation.ProposalAllocatedV1: self.allocated,
            allocation.AssignmentAcknowledgedV1: self.acknowledged,
            allocation.AdjustmentRequestedV1: self.adjustment_requested,
            allocation.AdjustmentRefusedV1: self.adjustment_refused,
            allocation.InternallyAllocatedV1: self.internally_allocated,
            allocation.ExtensionRequestedV1: self.extension_requested,
            allocation.ExtensionGrantedV1: self.extension_granted,
            allocation.ExtensionRefusedV1: self.extension_refused,
            allocation.KeyItemDesignatedV1: self.key_item,
            allocation.SupervisionRecordedV1: self.supervised,
            allocation.UnitUrgedV1: self.urged,
            reply.RoundOpenedV1: self.round_opened,
            reply.CoOpinionSubmittedV1: self.co_opinion,
            reply.ConsultationRecordedV1: self.consultation,
            reply.CoOpinionsOverriddenV1: self.co_opinions_overridden,
            reply.ReplyIssuedV1: self.replied,
            reply.ResultClassChangedV1: self.class_changed,
            feedback.FeedbackRequestedV1: self.feedback_requested,
            feedback.FeedbackAnsweredV1: self.answered,
            feedback.RehandlingRequestedV1: self.rehandling,
            feedback.ProposalClosedV1: self.closed,
        }

    def unit_name(self, unit: str) -> str:
        if self.units is None:
            return unit
        try:
            return self.units.get(unit).name
        except UnknownUnit:
            return unit

    def names(self, units: Iterable[str]) -> str:
        return "、".join(self.unit_name(u) for u in units)

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None:
        handler = self.handlers.get(type(event))
        if handler is None:
            return
        token = _happened.set(occurred_at(recorded))
        try:
            what = await handler(event, view)
        finally:
            _happened.reset(token)
        if what is not None:
            pid: str = getattr(event, "proposal_id")  # noqa: B009  every handled event has one
            entry = {
                "at": occurred_at(recorded).isoformat(),
                "service": source_service(recorded),
                "what": what,
                "actor": _actor(event),
                "type": recorded.type,
            }
            view.changes.rpush(timeline_key(pid), dumps(entry))

    # intake

    async def submitted(self, event: intake.ProposalSubmittedV1, view: View) -> str:
        fields = self.opened(event, view) | {"submitted_at": iso(event.submitted_at)}
        view.changes.hset(proposal_key(event.proposal_id), fields)
        await self.intake_state(view, event.proposal_id, "SUBMITTED")
        return f"{fields['lead_proposer']} 提交《{event.title}》"

    async def registered(self, event: intake.ProposalRegisteredV2, view: View) -> str:
        pid = event.proposal_id
        fields = self.opened(event, view) | {
            "number": event.number,
            "category": event.category,
            "registered_at": iso(event.registered_at),
        }
        view.changes.sadd(index_key("category", event.category), pid)
        view.changes.hset(proposal_key(pid), fields)
        await self.intake_state(view, pid, "REGISTERED")
        return f"立案，第{event.number}号（{event.category}）"

    def opened(
        self, event: intake.ProposalSubmittedV1 | intake.ProposalRegisteredV2, view: View
    ) -> dict[str, str]:
        pid = event.proposal_id
        view.changes.sadd(index_key("all"), pid)
        view.changes.sadd(index_key("session", event.session), pid)
        return {
            "id": pid,
            "title": event.title,
            "kind": event.kind,
            "session": event.session,
            "jurisdiction": event.jurisdiction,
            "proposers": dumps([p.name for p in event.proposers]),
            "lead_proposer": next((p.name for p in event.proposers if p.role == "领衔"), ""),
        }

    async def review_started(self, event: intake.ReviewStartedV1, view: View) -> str:
        await self.intake_state(view, event.proposal_id, "UNDER_REVIEW")
        return "开始审查"

    async def ended(self, event: intake.ProposalEndedAtIntakeV2, view: View) -> str:
        pid = event.proposal_id
        match event.outcome:
            case "not_registered":
                await self.intake_state(view, pid, "NOT_REGISTERED", not_registered_reason=event.reason_label)
                return f"不予立案：{event.reason_label}"
            case "merged":
                into = event.merged_into or ""
                await self.intake_state(view, pid, "MERGED", merged_into=into)
                return f"并案至 {into}"
        await self.intake_state(view, pid, "WITHDRAWN", withdrawn_reason=event.reason)
        return f"撤案：{event.reason}"

    async def merged_in(self, event: intake.ProposalMergedInV1, view: View) -> str:
        names = [p.name for p in event.proposers]
        current = await view.hgetall(proposal_key(event.proposal_id))
        known: list[str] = json.loads(current.get("proposers", "[]"))
        view.changes.hset(
            proposal_key(event.proposal_id),
            {"proposers": dumps(known + [n for n in names if n not in known])},
        )
        return f"并入提案 {event.merged_from}，提案人 {'、'.join(names)} 联名"

    async def returned(self, event: intake.ProposalReturnedV1, view: View) -> str:
        await self.intake_state(view, event.proposal_id, "RETURNED", returned_reason=event.reason)
        return f"退回修改：{event.reason}"

    async def resubmitted(self, event: intake.ProposalResubmittedV1, view: View) -> str:
        await self.intake_state(view, event.proposal_id, "SUBMITTED", title=event.title)
        return "重新提交"

    async def intake_state(self, view: View, pid: str, state: str, **extra: str) -> None:
        if extra:
            view.changes.hset(proposal_key(pid), extra)
        if await newest(view, pid, "intake"):
            view.changes.hset(proposal_key(pid), {"intake_state": state})
        await self.proposal_state(view, pid, state)

    async def proposal_state(self, view: View, pid: str, state: str) -> None:
        if not await newest(view, pid, "state"):
            return
        before = (await view.hgetall(proposal_key(pid))).get("state")
        if before and before != state:
            view.changes.srem(index_key("state", before), pid)
        view.changes.sadd(index_key("state", state), pid)
        view.changes.hset(proposal_key(pid), {"state": state})

    # allocation

    async def allocated(self, event: allocation.ProposalAllocatedV1, view: View) -> str:
        pid = event.proposal_id
        leads = _unique(r.lead for r in event.routing)
        cos = _unique(c for r in event.routing for c in r.co_units if c not in leads)
        before = await view.hgetall(units_key(pid))
        first = event.revision == 1
        view.changes.hset(
            proposal_key(pid),
            {
                "number": event.number,
                "mode": event.mode,
                "lead_units": dumps(leads),
                "co_units": dumps(cos),
                "reply_due": iso(event.reply_due),
                "co_opinion_due": iso(event.co_opinion_due),
                ("allocated_at" if first else "reallocated_at"): iso(event.allocated_at),
            },
        )
        replaced = [u for u, role in before.items() if u not in leads and u not in cos and role != "former"]
        for unit in replaced:
            view.changes.srem(index_key("lead" if before[unit] == "lead" else "co", unit), pid)
            view.changes.hset(units_key(pid), {unit: "former"})
            view.changes.hset(unit_key(pid, unit), {"role": "former"})
            await self.unit_state(view, pid, unit, "replaced")
        for unit in leads + cos:
            role = "lead" if unit in leads else "co"
            await self.assign(view, pid, unit, role, before.get(unit), event)
        if first:
            await self.proposal_state(view, pid, "ALLOCATED")
            return f"交办（{event.mode}）：主办 {self.names(leads)}" + (
                f"，协办 {self.names(cos)}" if cos else ""
            )
        replacements = [u for u in leads + cos if before.get(u) in (None, "former")]
        return f"调整交办：{self.names(replaced)} 改为 {self.names(replacements)}"

    async def assign(
        self,
        view: View,
        pid: str,
        unit: str,
        role: str,
        before: str | None,
        event: allocation.ProposalAllocatedV1,
    ) -> None:
        other = "co" if role == "lead" else "lead"
        view.changes.srem(index_key(other, unit), pid)
        view.changes.sadd(index_key(role, unit), pid)
        view.changes.sadd(index_key("assigned", unit), pid)
        view.changes.hset(units_key(pid), {unit: role})
        due = event.reply_due if role == "lead" else event.co_opinion_due
        view.changes.hset(unit_key(pid, unit), {"unit": unit, "role": role, "reply_due": iso(due)})
        if before is None or before == "former":
            await self.unit_state(view, pid, unit, "allocated")

    async def unit_state(self, view: View, pid: str, unit: str, state: str, **extra: str) -> None:
        """The unit's state (unless a later fact set it already), and what goes with it in any case."""
        if extra:
            view.changes.hset(unit_key(pid, unit), extra)
        if await newest(view, pid, f"unit:{unit}"):
            view.changes.hset(unit_key(pid, unit), {"state": state})

    async def acknowledged(self, event: allocation.AssignmentAcknowledgedV1, view: View) -> str:
        await self.unit_state(
            view, event.proposal_id, event.unit, "acknowledged", acknowledged_at=iso(event.acknowledged_at)
        )
        return f"{self.unit_name(event.unit)} 签收"

    async def adjustment_requested(self, event: allocation.AdjustmentRequestedV1, view: View) -> str:
        view.changes.hincrby(proposal_key(event.proposal_id), "adjustment_requests")
        await self.unit_state(
            view, event.proposal_id, event.unit, "adjustment_requested", adjustment_requested="1"
        )
        return f"{self.unit_name(event.unit)} 申请调整：{event.reason}"

    async def adjustment_refused(self, event: allocation.AdjustmentRefusedV1, view: View) -> str:
        before = await view.hgetall(unit_key(event.proposal_id, event.unit))
        back = "acknowledged" if before.get("acknowledged_at") else "allocated"
        await self.unit_state(view, event.proposal_id, event.unit, back)
        return f"调整申请未同意（{self.unit_name(event.unit)}）"

    async def internally_allocated(self, event: allocation.InternallyAllocatedV1, view: View) -> str:
        await self.unit_state(
            view,
            event.proposal_id,
            event.unit,
            "internally_allocated",
            internally_allocated_at=iso(event.allocated_at),
        )
        return f"{self.unit_name(event.unit)} 内部交办"

    async def extension_requested(self, event: allocation.ExtensionRequestedV1, view: View) -> str:
        view.changes.hset(
            unit_key(event.proposal_id, event.unit), {"extension_requested": iso(event.reply_due)}
        )
        return f"{self.unit_name(event.unit)} 申请延期至 {event.reply_due}"

    async def extension_granted(self, event: allocation.ExtensionGrantedV1, view: View) -> str:
        view.changes.hset(
            unit_key(event.proposal_id, event.unit),
            {"reply_due": iso(event.reply_due), "extended_due": iso(event.reply_due)},
        )
        return f"同意 {self.unit_name(event.unit)} 延期至 {event.reply_due}"

    async def extension_refused(self, event: allocation.ExtensionRefusedV1, view: View) -> str:
        return f"不同意 {self.unit_name(event.unit)} 延期"

    async def key_item(self, event: allocation.KeyItemDesignatedV1, view: View) -> str:
        pid = event.proposal_id
        view.changes.sadd(index_key("key"), pid)
        view.changes.hset(
            proposal_key(pid),
            {
                "key_item": "1",
                "key_leader": event.leader,
                "key_leader_title": event.leader_title,
                "key_reason": event.reason,
                "key_designated_at": iso(event.designated_at),
            },
        )
        kind = (await view.hgetall(proposal_key(pid))).get("kind")
        label = "重点督办建议" if kind == "suggestion" else "重点提案"
        return f"列为{label}，由{event.leader_title} {event.leader} 督办"

    async def supervised(self, event: allocation.SupervisionRecordedV1, view: View) -> str:
        pid = event.proposal_id
        record = {
            "kind": event.kind,
            "label": SUPERVISION_KINDS[event.kind],
            "held_on": iso(event.held_on),
            "notes": event.notes,
            "by": event.by,
            "at": iso(event.recorded_at),
        }
        view.changes.rpush(supervision_key(pid), dumps(record))
        view.changes.hincrby(proposal_key(pid), "supervisions")
        view.changes.hset(proposal_key(pid), {"last_supervised_on": iso(event.held_on)})
        return f"{SUPERVISION_KINDS[event.kind]}（{event.held_on}，{event.by}）：{event.notes}"

    async def urged(self, event: allocation.UnitUrgedV1, view: View) -> str:
        pid = event.proposal_id
        record = {"unit": event.unit, "reason": event.reason, "by": event.by, "at": iso(event.urged_at)}
        view.changes.rpush(urges_key(pid), dumps(record))
        view.changes.hincrby(proposal_key(pid), "urges")
        view.changes.hincrby(unit_key(pid, event.unit), "urges")
        return f"催办 {self.unit_name(event.unit)}：{event.reason}"

    # reply

    async def round_opened(self, event: reply.RoundOpenedV1, view: View) -> str | None:
        pid = event.proposal_id
        view.changes.hset(proposal_key(pid), {"reply_round": str(event.round), "round_due": iso(event.due)})
        if event.round == 1:
            return None
        for unit in event.lead_units:
            await self.unit_state(view, pid, unit, "rehandling", reply_due=iso(event.due))
        return f"第{event.round}轮办理开始，{self.names(event.lead_units)} {event.due} 前答复"

    async def co_opinion(self, event: reply.CoOpinionSubmittedV1, view: View) -> str:
        pid = event.proposal_id
        opinion = {
            "round": event.round,
            "signer": event.signer,
            "at": iso(event.submitted_at),
            "text": event.text,
        }
        view.changes.hset(co_opinions_key(pid), {event.co_unit: dumps(opinion)})
        await self.unit_state(
            view, pid, event.co_unit, "opinion_submitted", opinion_at=iso(event.submitted_at)
        )
        return f"{self.unit_name(event.co_unit)} 提交协办意见"

    async def consultation(self, event: reply.ConsultationRecordedV1, view: View) -> str:
        view.changes.hincrby(proposal_key(event.proposal_id), "consultations")
        view.changes.hincrby(unit_key(event.proposal_id, event.lead_unit), "consultations")
        return f"{self.unit_name(event.lead_unit)} 面商（{event.held_on}，{event.place}）"

    async def co_opinions_overridden(self, event: reply.CoOpinionsOverriddenV1, view: View) -> str:
        view.changes.hset(proposal_key(event.proposal_id), {"co_opinions_overridden_round": str(event.round)})
        return f"未收到 {self.names(event.missing_co_units)} 的协办意见，准予先行答复：{event.reason}"

    async def replied(self, event: reply.ReplyIssuedV1, view: View) -> str:
        pid = event.proposal_id
        unit = await view.hgetall(unit_key(pid, event.lead_unit))
        fields = {
            "result_class": event.result_class,
            "document_no": event.document_no,
            "replied_round": str(event.round),
            "last_replied_at": iso(event.issued_at),
        }
        if "replied_at" not in unit:
            fields["replied_at"] = iso(event.issued_at)
        await self.unit_state(view, pid, event.lead_unit, "replied", **fields)
        view.changes.hset(
            proposal_key(pid),
            {
                "result_class": event.result_class,
                "reply_round": str(event.round),
                "replied_at": iso(event.issued_at),
            },
        )
        waiting = [
            u
            for u in event.lead_units
            if u != event.lead_unit
            and (await view.hgetall(unit_key(pid, u))).get("replied_round") != str(event.round)
        ]
        if not waiting:
            await self.proposal_state(view, pid, "REPLIED")
        return f"{self.unit_name(event.lead_unit)} 答复（{event.document_no}，{event.result_class} 类）"

    async def class_changed(self, event: reply.ResultClassChangedV1, view: View) -> str:
        view.changes.hset(
            proposal_key(event.proposal_id),
            {
                "result_class": event.new_class,
                "office_class": event.new_class,
                "class_before": event.old_class,
            },
        )
        view.changes.hset(unit_key(event.proposal_id, event.lead_unit), {"result_class": event.new_class})
        return f"办理结果由 {event.old_class} 类改为 {event.new_class} 类：{event.reason}"

    # feedback

    async def feedback_requested(self, event: feedback.FeedbackRequestedV1, view: View) -> str:
        pid = event.proposal_id
        entries = await view.hgetall(feedback_key(pid))
        known = json.loads(entries.get(event.proposer_id, "{}"))
        if known.get("round", 0) <= event.round:
            view.changes.hset(proposal_key(pid), {"feedback_round": str(event.round)})
            entry = {
                "name": event.proposer_name,
                "round": event.round,
                "satisfaction": "",
                "due": iso(event.due),
            }
            if known.get("round") == event.round:  # the answer was recorded first
                entry |= {k: v for k, v in known.items() if k not in entry or k == "satisfaction"}
            view.changes.hset(feedback_key(pid), {event.proposer_id: dumps(entry)})
        return f"向 {event.proposer_name} 征询意见（第{event.round}轮）"

    async def answered(self, event: feedback.FeedbackAnsweredV1, view: View) -> str:
        pid = event.proposal_id
        entries = await view.hgetall(feedback_key(pid))
        entry = json.loads(entries.get(event.proposer_id, "{}"))
        entry |= {
            "round": event.round,
            "satisfaction": event.satisfaction,
            "as_written": event.satisfaction_as_written,
            "channel": event.channel,
            "at": iso(event.answered_at),
        }
        view.changes.hset(feedback_key(pid), {event.proposer_id: dumps(entry)})
        name = entry.get("name") or await self.member_word(view, pid)  # the request not recorded yet
        return f"{name} 评价：{event.satisfaction_as_written}（第{event.round}轮）"

    async def member_word(self, view: View, pid: str) -> str:
        kind = (await view.hgetall(proposal_key(pid))).get("kind")
        return "代表" if kind == "suggestion" else "委员"

    async def rehandling(self, event: feedback.RehandlingRequestedV1, view: View) -> str:
        await self.proposal_state(view, event.proposal_id, "REHANDLING")
        return f"不满意，{self.names(event.lead_units)} 重新办理（第{event.round}轮，{event.due} 前）"

    async def closed(self, event: feedback.ProposalClosedV1, view: View) -> str:
        state = "TRACKING" if event.outcome == "tracking" else "CLOSED"
        view.changes.hset(
            proposal_key(event.proposal_id), {"closed_at": iso(event.closed_at), "outcome": event.outcome}
        )
        await self.proposal_state(view, event.proposal_id, state)
        return "跟踪办理" if state == "TRACKING" else "办结"


async def newest(view: View, pid: str, what: str) -> bool:
    """Whether the fact being applied happened no earlier than the one that set `what`'s state;
    when so, it is now the one that did."""
    at = _happened.get()
    if at is None:
        return True
    field_ = f"since:{what}"
    since = await view.hget_written(proposal_key(pid), field_)
    if since is not None and datetime.fromisoformat(since) > at:
        return False
    view.hset_written(proposal_key(pid), field_, at.isoformat())
    return True


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _actor(event: Event) -> str:
    """Who did it, where the public event names someone (a signer, or who gave the command)."""
    for attribute in ("signer", "by"):
        value = getattr(event, attribute, None)
        if isinstance(value, str) and value:
            return value
    return ""
