"""Every stored event type of allocation, as committed JSON: a schema change shows as a diff here.

After an intended change, run with UPDATE_SNAPSHOTS=1 and commit the new file (and an upcaster for
the old JSON when the change is not additive)."""

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

from services.allocation.domain import events as e
from services.allocation.domain.events import registry
from shared.kernel.events import Event
from tests.unit.allocation.examples import acknowledged, wuhai_60_allocated, wuhai_60_opened

SNAPSHOT = Path(__file__).with_name("event_snapshots.json")
AT = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
ID = "wuhai-2025-60"
EXAMPLES: list[Event] = [
    wuhai_60_opened,
    e.CaseClosed(proposal_id=ID, outcome="withdrawn", reason="领衔人撤回", closed_at=AT),
    wuhai_60_allocated,
    acknowledged("minzheng"),
    e.AdjustmentRequested(proposal_id=ID, unit="minzheng", reason="非本单位职责", requested_at=AT),
    e.AdjustmentRefused(proposal_id=ID, unit="minzheng", reason="属民政职责", decided_at=AT),
    e.ProposalReallocated(
        **wuhai_60_allocated.model_dump(
            include={"proposal_id", "number", "title", "kind", "jurisdiction", "mode"}
        ),
        revision=2,
        replaced_unit="minzheng",
        replacement="fulian",
        routing=[e.Routing(item=1, lead="shangwu", co_units=["fulian", "renshe"])],
        reallocated_at=AT,
        reply_due=date(2025, 6, 10),
        co_opinion_due=date(2025, 4, 10),
        adjustment_until=date(2025, 3, 25),
    ),
    e.InternallyAllocated(
        proposal_id=ID,
        unit="minzheng",
        tasks=[
            e.InternalTask(
                item=1,
                section="养老服务与社会救助科",
                leader="孔繁银",
                person="孔繁银",
                deadline=date(2025, 5, 31),
            )
        ],
        allocated_at=AT,
    ),
    e.ExtensionRequested(
        proposal_id=ID, unit="shangwu", reply_due=date(2025, 9, 10), reason="涉及多部门", requested_at=AT
    ),
    e.ExtensionGranted(proposal_id=ID, unit="shangwu", reply_due=date(2025, 9, 10), decided_at=AT),
    e.ExtensionRefused(proposal_id=ID, unit="shangwu", reason="按期办理", decided_at=AT),
    e.KeyItemDesignated(
        proposal_id=ID, leader="王志强", leader_title="市政协副主席", reason="民生重点", designated_at=AT
    ),
    e.SupervisionRecorded(
        proposal_id=ID,
        kind="visit",
        held_on=date(2025, 3, 14),
        notes="到市商务局调研家政服务业提质扩容进展",
        by="王志强",
        recorded_at=AT,
    ),
    e.UnitUrged(proposal_id=ID, unit="minzheng", reason="协办意见尚未提交", by="政协提案委", urged_at=AT),
    e.ReminderDue(
        proposal_id=ID,
        party="minzheng",
        deadline="co_opinion",
        round=1,
        due=date(2025, 4, 10),
        threshold=5,
        working_days_left=5,
        as_of=date(2025, 4, 3),
        calendar_version="2025-1",
    ),
    e.DeadlineMissed(
        proposal_id=ID,
        party="shangwu",
        deadline="reply",
        round=1,
        due=date(2025, 6, 10),
        as_of=date(2025, 6, 11),
        calendar_version="2025-1",
    ),
    e.DeadlineEscalated(
        proposal_id=ID,
        party="shangwu",
        deadline="reply",
        round=1,
        due=date(2025, 6, 10),
        working_days_overdue=3,
        as_of=date(2025, 6, 13),
        calendar_version="2025-1",
    ),
    e.DigestSent(
        unit="minzheng", day=date(2025, 4, 3), open_items=2, due_soon=1, overdue=0, calendar_version="2025-1"
    ),
]


def encoded() -> dict[str, object]:
    return dict(registry.encode(event) for event in EXAMPLES)


def test_every_event_type_has_an_example() -> None:
    assert sorted(encoded()) == registry.type_names


def test_the_stored_json_of_every_event_type_is_unchanged() -> None:
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(encoded(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == encoded()


def test_the_stored_json_reads_back_as_the_same_events() -> None:
    stored = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert [registry.decode(event.type_name, stored[event.type_name]) for event in EXAMPLES] == EXAMPLES


def test_a_deadline_counted_on_the_calendar_stores_its_version_and_older_json_reads_without_one() -> None:
    counted = wuhai_60_allocated.model_copy(update={"calendar_version": "2025-1"})
    assert registry.encode(counted)[1]["calendar_version"] == "2025-1"
    assert "calendar_version" not in registry.encode(wuhai_60_allocated)[1]
    stored = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["allocation.case-allocated.v1"]
    decoded = registry.decode("allocation.case-allocated.v1", stored)
    assert isinstance(decoded, e.ProposalAllocated) and decoded.calendar_version is None
