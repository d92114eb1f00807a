"""The stored JSON of every feedback event, compared with its committed snapshot: a schema change
shows as a diff. After an intended change: `UPDATE_SNAPSHOTS=1 uv run pytest tests/unit/feedback`."""

import json
import os
from datetime import date
from pathlib import Path

from services.feedback.domain.events import (
    FeedbackAnswered,
    FeedbackRequested,
    MemberNotified,
    ProposalClosed,
    RehandlingRequested,
    ReplyRecorded,
    registry,
)
from shared.kernel.events import Event
from tests.unit.feedback.data import ANSWERED_AT, ISSUED_AT, LIU, housekeeping_recorded, token

SNAPSHOT = Path(__file__).parent / "snapshots" / "events.json"

EXAMPLES: list[Event] = [
    housekeeping_recorded(),
    ReplyRecorded(
        proposal_id="wuhai-60",
        round=1,
        lead_unit="shangwu",
        lead_units=("shangwu",),
        result_class="A",
        promise="",
        issued_at=ISSUED_AT,
    ),
    FeedbackRequested(
        proposal_id="wuhai-60",
        round=1,
        proposer_id=LIU.id,
        proposer_name=LIU.name,
        token=token("wuhai-60", 1, LIU),
        due=date(2025, 6, 10),
        requested_at=ISSUED_AT,
    ),
    FeedbackAnswered(
        proposal_id="wuhai-60",
        round=1,
        proposer_id=LIU.id,
        satisfaction="基本满意",
        satisfaction_as_written="比较满意",
        opinion="",
        suggestions="",
        recommended_units=("shangwu",),
        channel="online",
        answered_at=ANSWERED_AT,
    ),
    RehandlingRequested(
        proposal_id="wuhai-60",
        round=2,
        lead_units=("shangwu",),
        due=date(2025, 7, 11),
        opinions=("月嫂培训补贴没有落实",),
        requested_at=ANSWERED_AT,
    ),
    ProposalClosed(proposal_id="wuhai-60", round=1, outcome="closed", closed_at=ANSWERED_AT),
    MemberNotified(
        proposal_id="wuhai-60",
        round=1,
        proposer_id=LIU.id,
        what="feedback-request",
        subject="请于 2025-06-10 前填写征询意见表",
        link=f"/forms/{token('wuhai-60', 1, LIU)}",
    ),
]


def encoded() -> dict[str, object]:
    return dict(map(registry.encode, EXAMPLES))


def test_every_event_type_has_an_example() -> None:
    assert sorted(encoded()) == registry.type_names


def test_the_stored_json_of_every_event_matches_its_snapshot() -> None:
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(encoded(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == encoded()


def test_the_snapshot_reads_back_as_the_same_events() -> None:
    stored = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert [registry.decode(name, data) for name, data in stored.items()] == EXAMPLES
