"""The questions the pages and the query API ask of the `proposals` views.

Every function reads a `ReadStore` filled by `ProposalsProjection` (live in Redis, or replayed into
memory for an "as of" date) and returns plain JSON-ready dicts.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from typing import Any

from services.views.application.read_models import (
    STATES,
    co_opinions_key,
    feedback_key,
    index_key,
    proposal_key,
    supervision_key,
    timeline_key,
    unit_key,
    units_key,
    urges_key,
)
from shared.adapters.readstore import ReadStore
from shared.rules.calendar import WEEKENDS_ONLY, WorkingCalendar

FINISHED = {"CLOSED", "TRACKING"}
SATISFIED = {"满意", "基本满意"}


async def unit_view(
    store: ReadStore, unit: str, today: date, calendar: WorkingCalendar | None = None
) -> dict[str, Any]:
    """The unit's assignments as lead and as co-unit, with deadlines counted from `today` in working
    days of `calendar` (Monday to Friday without one)."""
    assignments = []
    for role in ("lead", "co"):
        for pid in sorted(await store.smembers(index_key(role, unit))):
            assignments.append(await _assignment(store, pid, unit, role, today, calendar))
    assignments.sort(key=lambda a: (a["done"], a["deadline"] or "9999", a["number"]))
    return {
        "unit": unit,
        "today": today.isoformat(),
        "assignments": assignments,
        "counts": {
            "lead": sum(a["role"] == "lead" for a in assignments),
            "co": sum(a["role"] == "co" for a in assignments),
            "open": sum(not a["done"] for a in assignments),
            "overdue": sum(a["overdue"] for a in assignments),
        },
    }


async def _assignment(
    store: ReadStore, pid: str, unit: str, role: str, today: date, calendar: WorkingCalendar | None
) -> dict[str, Any]:
    proposal = await store.hgetall(proposal_key(pid))
    mine = await store.hgetall(unit_key(pid, unit))
    state = mine.get("state", "allocated")
    done = proposal.get("state") in FINISHED or state in {"replied", "opinion_submitted"}
    if role == "co" and proposal.get("state") in {"REPLIED", *FINISHED}:
        done = True
    deadline = mine.get("reply_due") or proposal.get("reply_due" if role == "lead" else "co_opinion_due")
    left = working_days_left(today, date.fromisoformat(deadline), calendar) if deadline else None
    feedback = await _feedback(store, pid)
    return {
        "proposal_id": pid,
        "number": proposal.get("number", ""),
        "title": proposal.get("title", ""),
        "kind": proposal.get("kind", ""),
        "role": role,
        "state": state,
        "proposal_state": proposal.get("state", ""),
        "deadline": deadline,
        "working_days_left": left,
        "overdue": bool(not done and deadline and today > date.fromisoformat(deadline)),
        "done": done,
        "result_class": mine.get("result_class", ""),
        "key_item": proposal.get("key_item") == "1",
        "urges": int(mine.get("urges", "0")),
        "co_opinions_awaited": await co_opinions_awaited(store, pid, proposal),
        "feedback_awaited": [f["name"] for f in feedback if not f["satisfaction"]],
        "satisfaction": [f for f in feedback if f["satisfaction"]],
    }


def working_days_left(today: date, due: date, calendar: WorkingCalendar | None = None) -> int:
    """Working days from `today` to `due` on `calendar` (holidays and 补班 days; Monday to Friday
    without one): 0 on the day itself, negative once it has passed."""
    return (calendar or WEEKENDS_ONLY).working_days_between(today, due)


async def co_opinions_awaited(store: ReadStore, pid: str, proposal: dict[str, str]) -> list[str]:
    if proposal.get("state") not in {"ALLOCATED", "REHANDLING"}:
        return []
    if proposal.get("co_opinions_overridden_round", "") == proposal.get("reply_round", "1"):
        return []
    current = proposal.get("reply_round", "1")
    received = {
        u
        for u, text in (await store.hgetall(co_opinions_key(pid))).items()
        if str(json.loads(text)["round"]) == current
    }
    co_units: list[str] = json.loads(proposal.get("co_units", "[]"))
    return [u for u in co_units if u not in received]


async def _feedback(store: ReadStore, pid: str) -> list[dict[str, Any]]:
    entries = await store.hgetall(feedback_key(pid))
    answers = [{"proposer_id": k, **json.loads(v)} for k, v in sorted(entries.items())]
    return [
        {
            "proposer_id": a["proposer_id"],
            "name": a.get("name", a["proposer_id"]),
            "round": a.get("round", 1),
            "satisfaction": a.get("satisfaction", ""),
            "as_written": a.get("as_written", ""),
        }
        for a in answers
    ]


async def proposal_view(store: ReadStore, proposal_id: str) -> dict[str, Any] | None:
    """One proposal across all its units, with its timeline; None when it is unknown."""
    proposal = await store.hgetall(proposal_key(proposal_id))
    if not proposal:
        return None
    roles = await store.hgetall(units_key(proposal_id))
    opinions = await store.hgetall(co_opinions_key(proposal_id))
    units = []
    for unit, role in sorted(roles.items(), key=lambda item: (_ROLE_ORDER.get(item[1], 9), item[0])):
        detail = await store.hgetall(unit_key(proposal_id, unit))
        opinion = json.loads(opinions[unit]) if unit in opinions else None
        units.append({**detail, "unit": unit, "role": role, "co_opinion": opinion})
    timeline = sorted(
        (json.loads(line) for line in await store.lrange(timeline_key(proposal_id))),
        key=lambda entry: datetime.fromisoformat(entry["at"]),
    )  # in the order the facts happened, whichever the views recorded first (ties as recorded)
    return {
        "proposal_id": proposal_id,
        "number": proposal.get("number", ""),
        "title": proposal.get("title", ""),
        "kind": proposal.get("kind", ""),
        "session": proposal.get("session", ""),
        "category": proposal.get("category", ""),
        "jurisdiction": proposal.get("jurisdiction", ""),
        "proposers": json.loads(proposal.get("proposers", "[]")),
        "state": proposal.get("state", ""),
        "intake_state": proposal.get("intake_state", ""),
        "mode": proposal.get("mode", ""),
        "lead_units": json.loads(proposal.get("lead_units", "[]")),
        "co_units": json.loads(proposal.get("co_units", "[]")),
        "reply_due": proposal.get("reply_due", ""),
        "co_opinion_due": proposal.get("co_opinion_due", ""),
        "co_opinions_awaited": await co_opinions_awaited(store, proposal_id, proposal),
        "consultations": int(proposal.get("consultations", "0")),
        "reply_round": int(proposal.get("reply_round", "0")),
        "result_class": proposal.get("result_class", ""),
        "office_class": proposal.get("office_class", ""),
        "feedback_round": int(proposal.get("feedback_round", "0")),
        "feedback": await _feedback(store, proposal_id),
        "dates": {k: v for k, v in sorted(proposal.items()) if k.endswith("_at")},
        "units": units,
        "key_item": _key_item(proposal),
        "supervision": [json.loads(line) for line in await store.lrange(supervision_key(proposal_id))],
        "urges": [json.loads(line) for line in await store.lrange(urges_key(proposal_id))],
        "timeline": timeline,
    }


def _key_item(proposal: dict[str, str]) -> dict[str, str] | None:
    if proposal.get("key_item") != "1":
        return None
    return {
        "label": "重点督办建议" if proposal.get("kind") == "suggestion" else "重点提案",
        "leader": proposal.get("key_leader", ""),
        "leader_title": proposal.get("key_leader_title", ""),
        "reason": proposal.get("key_reason", ""),
        "designated_at": proposal.get("key_designated_at", ""),
    }


_ROLE_ORDER = {"lead": 0, "co": 1, "former": 2}


async def units_sharing(store: ReadStore, proposal_id: str) -> set[str]:
    """The units that lead or help with the proposal (now or before an adjustment)."""
    return set(await store.hgetall(units_key(proposal_id)))


async def office_overview(
    store: ReadStore, today: date, calendar: WorkingCalendar | None = None
) -> dict[str, Any]:
    """Counts by state, per unit rates, per session and category counts, key items with their state."""
    proposals = {
        pid: await store.hgetall(proposal_key(pid)) for pid in await store.smembers(index_key("all"))
    }
    by_state = Counter(p.get("state", "") for p in proposals.values())
    units = sorted(k.rsplit(":", 1)[1] for k in await store.keys(index_key("assigned", "*")))
    return {
        "today": today.isoformat(),
        "total": len(proposals),
        "by_state": {state: by_state.get(state, 0) for state in STATES},
        "units": [await _unit_figures(store, unit, proposals, today) for unit in units],
        "by_session": _counted(p.get("session", "") for p in proposals.values()),
        "by_category": _counted(p.get("category", "") for p in proposals.values() if p.get("category")),
        "key_items": [
            await _key_item_state(store, pid, proposals.get(pid, {}), today, calendar)
            for pid in sorted(await store.smembers(index_key("key")))
        ],
    }


async def _key_item_state(
    store: ReadStore, pid: str, proposal: dict[str, str], today: date, calendar: WorkingCalendar | None
) -> dict[str, Any]:
    """One key item: its leader, its state, its reply deadline and how it has been supervised."""
    due = proposal.get("reply_due", "")
    done = proposal.get("state") in FINISHED | {"REPLIED"}
    left = working_days_left(today, date.fromisoformat(due), calendar) if due else None
    return {
        "proposal_id": pid,
        "number": proposal.get("number", ""),
        "title": proposal.get("title", ""),
        "kind": proposal.get("kind", ""),
        "state": proposal.get("state", ""),
        **(_key_item(proposal) or {}),
        "lead_units": json.loads(proposal.get("lead_units", "[]")),
        "reply_due": due,
        "working_days_left": None if done else left,
        "overdue": bool(not done and left is not None and left < 0),
        "supervisions": int(proposal.get("supervisions", "0")),
        "last_supervised_on": proposal.get("last_supervised_on", ""),
        "urges": int(proposal.get("urges", "0")),
    }


async def _unit_figures(
    store: ReadStore, unit: str, proposals: dict[str, dict[str, str]], today: date
) -> dict[str, Any]:
    led = sorted(await store.smembers(index_key("lead", unit)))
    assigned = await store.smembers(index_key("assigned", unit))
    closed = replied = on_time = consulted = answered = satisfied = overdue = 0
    classes: Counter[str] = Counter()
    for pid in led:
        proposal = proposals.get(pid, {})
        mine = await store.hgetall(unit_key(pid, unit))
        closed += proposal.get("state") in FINISHED
        if "replied_at" in mine:
            replied += 1
            due = proposal.get("reply_due", mine.get("reply_due", ""))
            on_time += bool(due) and mine["replied_at"][:10] <= _extended(mine, due)
            consulted += int(mine.get("consultations", "0")) > 0
            classes[mine.get("result_class", "")] += 1
        elif mine.get("reply_due") and today > date.fromisoformat(mine["reply_due"]):
            overdue += 1
        for answer in await _feedback(store, pid):
            if answer["satisfaction"]:
                answered += 1
                satisfied += answer["satisfaction"] in SATISFIED
    adjustments = 0
    for pid in assigned:
        adjustments += (await store.hgetall(unit_key(pid, unit))).get("adjustment_requested") == "1"
    return {
        "unit": unit,
        "lead": len(led),
        "co": len(await store.smembers(index_key("co", unit))),
        "closed": closed,
        "closed_rate": _rate(closed, len(led)),
        "replied": replied,
        "on_time": on_time,
        "on_time_rate": _rate(on_time, replied),
        "consulted": consulted,
        "consultation_rate": _rate(consulted, replied),
        "answered": answered,
        "satisfied": satisfied,
        "satisfaction_rate": _rate(satisfied, answered),
        "classes": dict(sorted(classes.items())),
        "adjustment_requests": adjustments,
        "adjustment_rate": _rate(adjustments, len(assigned)),
        "overdue": overdue,
    }


def _extended(unit: dict[str, str], due: str) -> str:
    """The first-round deadline, moved by a granted extension (ISO dates compare as text)."""
    return unit.get("extended_due", due)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _counted(values: Any) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))
