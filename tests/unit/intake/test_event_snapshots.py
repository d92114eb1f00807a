"""The stored JSON of every intake event type, committed: a change of schema shows as a diff here.

After an intended change, regenerate with `UPDATE_SNAPSHOTS=1 uv run pytest tests/unit/intake`
(and add an upcaster for the old JSON if stored events must stay readable).
"""

import json
import os
from pathlib import Path

import pytest

from services.intake.domain.events import (
    ProposalMerged,
    ProposalMergedIn,
    ProposalNotRegistered,
    ProposalRegistered,
    ProposalResubmitted,
    ProposalReturnedForRevision,
    ProposalWithdrawn,
    registry,
)
from shared.kernel.events import Event
from tests.unit.intake.examples import (
    CO_SIGNER,
    ITEMS,
    LATER,
    LIU_JIANFENG,
    OFFICE,
    PROPOSAL_ID,
    RU_JUXIA,
    SESSION,
    TARGET_ID,
    TITLE,
    review_started,
    submitted,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"

EXAMPLES: list[Event] = [
    submitted(proposers=(RU_JUXIA, CO_SIGNER)),
    review_started(),
    ProposalRegistered(
        proposal_id=PROPOSAL_ID,
        number="254",
        category="社会建设",
        jurisdiction="jincheng",
        kind="proposal",
        session=SESSION,
        title=TITLE,
        items=ITEMS[:2],
        proposers=(RU_JUXIA,),
        by=OFFICE,
        at=LATER,
    ),
    ProposalNotRegistered(
        proposal_id=PROPOSAL_ID,
        reason="empty_content",
        reason_label="内容空泛，没有具体建议",
        converted_to="意见建议",
        by=OFFICE,
        at=LATER,
    ),
    ProposalMerged(proposal_id=PROPOSAL_ID, into=TARGET_ID, proposers_kept=(RU_JUXIA,), by=OFFICE, at=LATER),
    ProposalMergedIn(
        proposal_id=TARGET_ID, merged_from=PROPOSAL_ID, proposers=(LIU_JIANFENG,), by=OFFICE, at=LATER
    ),
    ProposalReturnedForRevision(proposal_id=PROPOSAL_ID, reason="建议内容需具体到措施", by=OFFICE, at=LATER),
    ProposalResubmitted(proposal_id=PROPOSAL_ID, title=TITLE, items=ITEMS[:1], by=RU_JUXIA.id, at=LATER),
    ProposalWithdrawn(
        proposal_id=PROPOSAL_ID,
        reason="已通过其他渠道反映",
        signed_by=(RU_JUXIA.id,),
        by=RU_JUXIA.id,
        at=LATER,
    ),
]


def test_every_event_type_has_an_example() -> None:
    assert sorted(e.type_name for e in EXAMPLES) == registry.type_names


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type_name)
def test_the_stored_json_of_each_event_type_is_unchanged(event: Event) -> None:
    type_name, data = registry.encode(event)
    written = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path = SNAPSHOTS / f"{type_name}.json"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(written, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == written
    assert registry.decode(type_name, json.loads(written)) == event
