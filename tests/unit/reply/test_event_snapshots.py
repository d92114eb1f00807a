"""Every stored event type of reply has a committed JSON snapshot; a schema change shows as a diff.

After an intended change, delete the snapshot file and run the test once to write it again.
"""

import json
from datetime import date
from pathlib import Path

import pytest

from services.reply.domain.events import (
    ConsultationRecorded,
    CoOpinionsOverridden,
    ResultClassChanged,
    RoundOpened,
    registry,
)
from shared.kernel.events import Event
from tests.unit.reply.seeds import (
    JIAZHENG,
    LETTER,
    NOW,
    YANGLAO,
    co_opinion,
    jiazheng_allocated,
    jiazheng_not_published,
    jiazheng_published,
    jiazheng_registered,
    jiazheng_replied,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"

EXAMPLES: list[Event] = [
    jiazheng_registered(),
    jiazheng_allocated(),
    RoundOpened(
        proposal_id=JIAZHENG,
        round=2,
        lead_units=("shangwu",),
        due=date(2025, 8, 11),
        opinions=("希望出台家政服务员社会保险补贴政策",),
        opened_at=NOW,
    ),
    co_opinion("minzheng"),
    ConsultationRecorded(
        proposal_id=YANGLAO,
        round=1,
        lead_unit="minzheng",
        held_on=date(2025, 7, 9),
        place="农业大厦630",
        staff=("孙雪斌",),
        member_opinion="满意",
        contact_phone="2516244",
        recorded_at=NOW,
        channel="paper",
    ),
    CoOpinionsOverridden(
        proposal_id=JIAZHENG,
        round=1,
        reason="市人社局逾期未报送协办意见",
        missing_co_units=("renshe",),
        overridden_at=NOW,
    ),
    jiazheng_replied(letter=LETTER),
    ResultClassChanged(
        proposal_id=JIAZHENG,
        round=1,
        lead_unit="shangwu",
        old_class="A",
        new_class="B",
        reason="家政服务员社保补贴政策尚未出台",
        changed_at=NOW,
    ),
    jiazheng_published(),
    jiazheng_not_published(),
]


def test_every_event_type_has_an_example():
    assert sorted(e.type_name for e in EXAMPLES) == registry.type_names


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type_name)
def test_the_stored_json_matches_its_snapshot_and_reads_back(event: Event):
    type_name, data = registry.encode(event)
    path = SNAPSHOTS / f"{type_name}.json"
    if not path.exists():
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        pytest.fail(f"wrote the missing snapshot {path.name}; check it and run again")
    assert data == json.loads(path.read_text(encoding="utf-8"))
    assert registry.decode(type_name, data) == event


@pytest.mark.parametrize(
    ("type_name", "field", "default"),
    [("reply.reply-issued.v1", "letter", None), ("reply.consultation-recorded.v1", "channel", "online")],
)
def test_events_stored_before_a_field_was_added_still_load_with_its_default(
    type_name: str, field: str, default: object
):
    stored = json.loads((SNAPSHOTS / f"{type_name}.json").read_text(encoding="utf-8"))
    del stored[field]
    assert getattr(registry.decode(type_name, stored), field) == default
