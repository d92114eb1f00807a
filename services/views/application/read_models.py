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
- index sets: `proposals:all`, `proposals:lead:<unit>`, `proposals:co:<unit>`,
  `proposals:assigned:<unit>` (ever, including units replaced after an adjustment),
  `proposals:state:<STATE>`, `proposals:session:<session>`, `proposals:category:<category>`,
  `proposals:key` (key items: 重点提案 / 重点督办建议).

Write-mostly: it reads the proposal's current hashes only where a change depends on them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

from services.allocation.domain import events as allocation
from services.feedback.domain import events as feedback
from services.intake.domain import events as intake
from services.reply.domain import events as reply
from shared.adapters.eventstore import RecordedEvent
from shared.kernel.events import Event
from shared.kernel.projections import View
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


class ProposalsProjection:
    name = NAME

    def __init__(self, units: UnitRegistry | None = None) -> None:
        self.units = units

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
        pid = getattr(event, "proposal_id", None)
        if not isinstance(pid, str):
            return
        what = await self.record(event, pid, view)
        if what is not None:
            entry = {
                "at": recorded.recorded_at.isoformat(),
                "service": recorded.stream.split("-", 1)[0],
                "what": what,
                "actor": _actor(event, recorded),
                "type": recorded.type,
            }
            view.changes.rpush(timeline_key(pid), dumps(entry))

    async def record(self, event: Event, pid: str, view: View) -> str | None:
        """Write what `event` changes; return its timeline line in Chinese (None: not shown)."""
        match event:
            case intake.ProposalSubmitted() | intake.ProposalRegistered():
                return await self.intake_opened(event, pid, view)
            case intake.ReviewStarted():
                await self.intake_state(view, pid, "UNDER_REVIEW")
                return "开始审查"
            case intake.ProposalNotRegistered():
                await self.intake_state(view, pid, "NOT_REGISTERED", not_registered_reason=event.reason_label)
                return f"不予立案：{event.reason_label}"
            case intake.ProposalMerged():
                await self.intake_state(view, pid, "MERGED", merged_into=event.into)
                return f"并案至 {event.into}"
            case intake.ProposalMergedIn():
                await self.add_proposers(view, pid, [p.name for p in event.proposers])
                return (
                    f"并入提案 {event.merged_from}，提案人 {'、'.join(p.name for p in event.proposers)} 联名"
                )
            case intake.ProposalReturnedForRevision():
                await self.intake_state(view, pid, "RETURNED", returned_reason=event.reason)
                return f"退回修改：{event.reason}"
            case intake.ProposalResubmitted():
                await self.intake_state(view, pid, "SUBMITTED", title=event.title)
                return "重新提交"
            case intake.ProposalWithdrawn():
                await self.intake_state(view, pid, "WITHDRAWN", withdrawn_reason=event.reason)
                return f"撤案：{event.reason}"
            case allocation.ProposalAllocated() | allocation.ProposalReallocated():
                return await self.allocated(event, pid, view)
            case allocation.AssignmentAcknowledged():
                await self.unit_state(
                    view, pid, event.unit, "acknowledged", acknowledged_at=iso(event.acknowledged_at)
                )
                return f"{self.unit_name(event.unit)} 签收"
            case allocation.AdjustmentRequested():
                view.changes.hincrby(proposal_key(pid), "adjustment_requests")
                await self.unit_state(view, pid, event.unit, "adjustment_requested", adjustment_requested="1")
                return f"{self.unit_name(event.unit)} 申请调整：{event.reason}"
            case allocation.AdjustmentRefused():
                before = await view.hgetall(unit_key(pid, event.unit))
                back = "acknowledged" if before.get("acknowledged_at") else "allocated"
                await self.unit_state(view, pid, event.unit, back)
                return f"调整申请未同意（{self.unit_name(event.unit)}）"
            case allocation.InternallyAllocated():
                sections = sorted({t.section for t in event.tasks})
                await self.unit_state(
                    view,
                    pid,
                    event.unit,
                    "internally_allocated",
                    internally_allocated_at=iso(event.allocated_at),
                )
                return f"{self.unit_name(event.unit)} 内部交办至 {'、'.join(sections)}"
            case allocation.ExtensionRequested():
                view.changes.hset(unit_key(pid, event.unit), {"extension_requested": iso(event.reply_due)})
                return f"{self.unit_name(event.unit)} 申请延期至 {event.reply_due}"
            case allocation.ExtensionGranted():
                view.changes.hset(
                    unit_key(pid, event.unit),
                    {"reply_due": iso(event.reply_due), "extended_due": iso(event.reply_due)},
                )
                return f"同意 {self.unit_name(event.unit)} 延期至 {event.reply_due}"
            case allocation.ExtensionRefused():
                return f"不同意 {self.unit_name(event.unit)} 延期"
            case allocation.KeyItemDesignated():
                return await self.key_item(event, pid, view)
            case allocation.SupervisionRecorded():
                return self.supervised(event, pid, view)
            case allocation.UnitUrged():
                return self.urged(event, pid, view)
            case reply.RoundOpened():
                return await self.round_opened(event, pid, view)
            case reply.CoOpinionSubmitted():
                return await self.co_opinion(event, pid, view)
            case reply.ConsultationRecorded():
                view.changes.hincrby(proposal_key(pid), "consultations")
                view.changes.hincrby(unit_key(pid, event.lead_unit), "consultations")
                return f"{self.unit_name(event.lead_unit)} 面商（{event.held_on}，{event.place}）"
            case reply.CoOpinionsOverridden():
                view.changes.hset(proposal_key(pid), {"co_opinions_overridden_round": str(event.round)})
                return f"未收到 {self.names(event.missing_co_units)} 的协办意见，准予先行答复：{event.reason}"
            case reply.ReplyIssued():
                return await self.replied(event, pid, view)
            case reply.ResultClassChanged():
                view.changes.hset(
                    proposal_key(pid),
                    {
                        "result_class": event.new_class,
                        "office_class": event.new_class,
                        "class_before": event.old_class,
                    },
                )
                view.changes.hset(unit_key(pid, event.lead_unit), {"result_class": event.new_class})
                return f"办理结果由 {event.old_class} 类改为 {event.new_class} 类：{event.reason}"
            case feedback.FeedbackRequested():
                view.changes.hset(proposal_key(pid), {"feedback_round": str(event.round)})
                entry = {
                    "name": event.proposer_name,
                    "round": event.round,
                    "satisfaction": "",
                    "due": iso(event.due),
                }
                view.changes.hset(feedback_key(pid), {event.proposer_id: dumps(entry)})
                return f"向 {event.proposer_name} 征询意见（第{event.round}轮）"
            case feedback.FeedbackAnswered():
                return await self.answered(event, pid, view)
            case feedback.RehandlingRequested():
                await self.proposal_state(view, pid, "REHANDLING")
                units = self.names(event.lead_units)
                return f"不满意，{units} 重新办理（第{event.round}轮，{event.due} 前）"
            case feedback.ProposalClosed():
                state = "TRACKING" if event.outcome == "tracking" else "CLOSED"
                view.changes.hset(
                    proposal_key(pid), {"closed_at": iso(event.closed_at), "outcome": event.outcome}
                )
                await self.proposal_state(view, pid, state)
                return "跟踪办理" if state == "TRACKING" else "办结"
        return None

    # intake

    async def intake_opened(
        self, event: intake.ProposalSubmitted | intake.ProposalRegistered, pid: str, view: View
    ) -> str:
        fields = {
            "id": pid,
            "title": event.title,
            "kind": event.kind,
            "session": event.session,
            "jurisdiction": event.jurisdiction,
            "proposers": dumps([p.name for p in event.proposers]),
            "lead_proposer": next((p.name for p in event.proposers if p.role == "领衔"), ""),
        }
        view.changes.sadd(index_key("all"), pid)
        view.changes.sadd(index_key("session", event.session), pid)
        if isinstance(event, intake.ProposalRegistered):
            fields |= {"number": event.number, "category": event.category, "registered_at": iso(event.at)}
            view.changes.sadd(index_key("category", event.category), pid)
            view.changes.hset(proposal_key(pid), fields)
            await self.intake_state(view, pid, "REGISTERED")
            return f"立案，第{event.number}号（{event.category}）"
        fields["submitted_at"] = iso(event.at)
        view.changes.hset(proposal_key(pid), fields)
        await self.intake_state(view, pid, "SUBMITTED")
        return f"{fields['lead_proposer']} 提交《{event.title}》"

    async def intake_state(self, view: View, pid: str, state: str, **extra: str) -> None:
        view.changes.hset(proposal_key(pid), {"intake_state": state, **extra})
        await self.proposal_state(view, pid, state)

    async def add_proposers(self, view: View, pid: str, names: list[str]) -> None:
        current = await view.hgetall(proposal_key(pid))
        known: list[str] = json.loads(current.get("proposers", "[]"))
        view.changes.hset(
            proposal_key(pid), {"proposers": dumps(known + [n for n in names if n not in known])}
        )

    async def proposal_state(self, view: View, pid: str, state: str) -> None:
        before = (await view.hgetall(proposal_key(pid))).get("state")
        if before and before != state:
            view.changes.srem(index_key("state", before), pid)
        view.changes.sadd(index_key("state", state), pid)
        view.changes.hset(proposal_key(pid), {"state": state})

    # allocation

    async def allocated(
        self, event: allocation.ProposalAllocated | allocation.ProposalReallocated, pid: str, view: View
    ) -> str:
        leads = _unique(r.lead for r in event.routing)
        cos = _unique(c for r in event.routing for c in r.co_units if c not in leads)
        before = await view.hgetall(units_key(pid))
        first = isinstance(event, allocation.ProposalAllocated)
        at = event.allocated_at if isinstance(event, allocation.ProposalAllocated) else event.reallocated_at
        view.changes.hset(
            proposal_key(pid),
            {
                "number": event.number,
                "mode": event.mode,
                "lead_units": dumps(leads),
                "co_units": dumps(cos),
                "reply_due": iso(event.reply_due),
                "co_opinion_due": iso(event.co_opinion_due),
                "adjustment_until": iso(event.adjustment_until),
                ("allocated_at" if first else "reallocated_at"): iso(at),
            },
        )
        for unit, role in before.items():
            if unit not in leads and unit not in cos and role != "former":
                view.changes.srem(index_key("lead" if role == "lead" else "co", unit), pid)
                view.changes.hset(units_key(pid), {unit: "former"})
                view.changes.hset(unit_key(pid, unit), {"role": "former", "state": "replaced"})
        for unit in leads + cos:
            await self.assign(view, pid, unit, "lead" if unit in leads else "co", before.get(unit), event)
        if first:
            await self.proposal_state(view, pid, "ALLOCATED")
            return f"交办（{event.mode}）：主办 {self.names(leads)}" + (
                f"，协办 {self.names(cos)}" if cos else ""
            )
        assert isinstance(event, allocation.ProposalReallocated)
        return f"调整交办：{self.unit_name(event.replaced_unit)} 改为 {self.unit_name(event.replacement)}"

    async def assign(
        self,
        view: View,
        pid: str,
        unit: str,
        role: str,
        before: str | None,
        event: allocation.ProposalAllocated | allocation.ProposalReallocated,
    ) -> None:
        other = "co" if role == "lead" else "lead"
        view.changes.srem(index_key(other, unit), pid)
        view.changes.sadd(index_key(role, unit), pid)
        view.changes.sadd(index_key("assigned", unit), pid)
        view.changes.hset(units_key(pid), {unit: role})
        due = event.reply_due if role == "lead" else event.co_opinion_due
        fields = {"unit": unit, "role": role, "reply_due": iso(due)}
        if before is None or before == "former":
            fields["state"] = "allocated"
        view.changes.hset(unit_key(pid, unit), fields)

    async def unit_state(self, view: View, pid: str, unit: str, state: str, **extra: str) -> None:
        view.changes.hset(unit_key(pid, unit), {"state": state, **extra})

    async def key_item(self, event: allocation.KeyItemDesignated, pid: str, view: View) -> str:
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

    def supervised(self, event: allocation.SupervisionRecorded, pid: str, view: View) -> str:
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

    def urged(self, event: allocation.UnitUrged, pid: str, view: View) -> str:
        record = {"unit": event.unit, "reason": event.reason, "by": event.by, "at": iso(event.urged_at)}
        view.changes.rpush(urges_key(pid), dumps(record))
        view.changes.hincrby(proposal_key(pid), "urges")
        view.changes.hincrby(unit_key(pid, event.unit), "urges")
        return f"催办 {self.unit_name(event.unit)}：{event.reason}"

    # reply

    async def round_opened(self, event: reply.RoundOpened, pid: str, view: View) -> str | None:
        view.changes.hset(proposal_key(pid), {"reply_round": str(event.round), "round_due": iso(event.due)})
        if event.round == 1:
            return None
        for unit in event.lead_units:
            view.changes.hset(unit_key(pid, unit), {"state": "rehandling", "reply_due": iso(event.due)})
        return f"第{event.round}轮办理开始，{self.names(event.lead_units)} {event.due} 前答复"

    async def co_opinion(self, event: reply.CoOpinionSubmitted, pid: str, view: View) -> str:
        opinion = {
            "round": event.round,
            "signer": event.signer,
            "at": iso(event.submitted_at),
            "text": event.text,
        }
        view.changes.hset(co_opinions_key(pid), {event.co_unit: dumps(opinion)})
        view.changes.hset(
            unit_key(pid, event.co_unit),
            {"state": "opinion_submitted", "opinion_at": iso(event.submitted_at)},
        )
        return f"{self.unit_name(event.co_unit)} 提交协办意见"

    async def replied(self, event: reply.ReplyIssued, pid: str, view: View) -> str:
        unit = await view.hgetall(unit_key(pid, event.lead_unit))
        fields = {
            "state": "replied",
            "result_class": event.result_class,
            "document_no": event.document_no,
            "replied_round": str(event.round),
            "last_replied_at": iso(event.issued_at),
        }
        if "replied_at" not in unit:
            fields["replied_at"] = iso(event.issued_at)
        view.changes.hset(unit_key(pid, event.lead_unit), fields)
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

    # feedback

    async def answered(self, event: feedback.FeedbackAnswered, pid: str, view: View) -> str:
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
        name = entry.get("name") or event.proposer_id
        return f"{name} 评价：{event.satisfaction_as_written}（第{event.round}轮）"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _actor(event: Event, recorded: RecordedEvent) -> str:
    for attribute in ("signer", "by"):
        value = getattr(event, attribute, None)
        if isinstance(value, str) and value:
            return value
    return str(recorded.metadata.get("actor", ""))
