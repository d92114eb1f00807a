"""重点提案, 督办 and 催办 by the office on 乌海 第60号 (市商务局 leads): given/when/then."""

from datetime import UTC, date, datetime

from services.allocation.domain import events as e
from services.allocation.domain.commands import DesignateKeyItem, RecordSupervision, Urge
from services.allocation.domain.state import Allocated, AwaitingAllocation, KeyItem
from shared.kernel.decider import InvalidField, NotAllowedInState, NotFound
from shared.testing.decider import Scenario
from tests.unit.allocation.examples import WUHAI_60, decider, wuhai_60_allocated, wuhai_60_opened

AT = datetime(2025, 4, 15, 10, 0, tzinfo=UTC)
allocated = (wuhai_60_opened, wuhai_60_allocated)
designated = e.KeyItemDesignated(
    proposal_id=WUHAI_60, leader="王志强", leader_title="市政协副主席", reason="民生重点", designated_at=AT
)
visit = e.SupervisionRecorded(
    proposal_id=WUHAI_60,
    kind="visit",
    held_on=date(2025, 4, 15),
    notes="到市商务局调研家政服务业提质扩容进展",
    by="王志强",
    recorded_at=AT,
)


def test_the_office_designates_wuhai_60_a_key_item_supervised_by_a_vice_chairman() -> None:
    state = (
        Scenario(decider)
        .given(*allocated)
        .when(DesignateKeyItem("王志强", "市政协副主席", AT, reason="民生重点"))
        .then(designated)
    )
    assert isinstance(state, Allocated) and state.key_item == KeyItem("王志强", "市政协副主席")


def test_a_key_item_designated_before_allocation_stays_one_once_allocated() -> None:
    before = decider.fold([wuhai_60_opened, designated])
    assert isinstance(before, AwaitingAllocation) and before.key_item is not None
    after = decider.fold([wuhai_60_allocated], before)
    assert isinstance(after, Allocated) and after.key_item == KeyItem("王志强", "市政协副主席")


def test_designating_a_key_item_twice_is_refused_naming_key_item() -> None:
    Scenario(decider).given(*allocated, designated).when(
        DesignateKeyItem("李红", "市人大常委会副主任", AT)
    ).then_rejected(NotAllowedInState, current_state="KEY_ITEM")


def test_a_key_item_without_its_leader_is_refused_naming_the_field() -> None:
    Scenario(decider).given(*allocated).when(DesignateKeyItem(" ", "市政协副主席", AT)).then_rejected(
        InvalidField, field="leader"
    )


def test_an_unknown_proposal_cannot_be_a_key_item() -> None:
    Scenario(decider).when(DesignateKeyItem("王志强", "市政协副主席", AT)).then_rejected(NotFound)


def test_a_visit_to_the_lead_unit_is_recorded_on_the_key_item() -> None:
    state = (
        Scenario(decider)
        .given(*allocated, designated)
        .when(
            RecordSupervision(
                "visit", date(2025, 4, 15), "到市商务局调研家政服务业提质扩容进展", "王志强", AT
            )
        )
        .then(visit)
    )
    assert isinstance(state, Allocated) and state.key_item is not None
    assert state.key_item.supervisions == 1


def test_supervision_of_an_item_that_is_not_a_key_item_is_refused() -> None:
    Scenario(decider).given(*allocated).when(
        RecordSupervision("call", date(2025, 4, 15), "电话了解办理进度", "王志强", AT)
    ).then_rejected(NotAllowedInState, current_state="ALLOCATED (not a key item)")


def test_supervision_before_allocation_is_refused_naming_awaiting_allocation() -> None:
    Scenario(decider).given(wuhai_60_opened, designated).when(
        RecordSupervision("meeting", date(2025, 4, 15), "召开督办会", "王志强", AT)
    ).then_rejected(NotAllowedInState, current_state="AWAITING_ALLOCATION")


def test_supervision_held_after_today_is_refused_naming_held_on() -> None:
    Scenario(decider).given(*allocated, designated).when(
        RecordSupervision("meeting", date(2025, 4, 16), "召开督办会", "王志强", AT)
    ).then_rejected(InvalidField, field="held_on")


def test_the_office_urges_the_co_unit_minzheng_with_its_reason() -> None:
    state = (
        Scenario(decider)
        .given(*allocated)
        .when(Urge("minzheng", "协办意见尚未提交", "政协提案委", AT))
        .then(
            e.UnitUrged(
                proposal_id=WUHAI_60, unit="minzheng", reason="协办意见尚未提交", by="政协提案委", urged_at=AT
            )
        )
    )
    assert isinstance(state, Allocated) and state.urges == 1


def test_urging_a_unit_without_a_part_in_the_proposal_is_not_found() -> None:
    Scenario(decider).given(*allocated).when(Urge("jiaoyu", "尽快答复", "政协提案委", AT)).then_rejected(
        NotFound
    )


def test_urging_without_a_reason_is_refused_naming_the_field() -> None:
    Scenario(decider).given(*allocated).when(Urge("shangwu", "  ", "政协提案委", AT)).then_rejected(
        InvalidField, field="reason"
    )


def test_nobody_is_urged_before_allocation() -> None:
    Scenario(decider).given(wuhai_60_opened).when(
        Urge("shangwu", "尽快答复", "政协提案委", AT)
    ).then_rejected(NotAllowedInState, current_state="AWAITING_ALLOCATION")


def test_today_is_the_date_in_china_a_supervision_after_midnight_there_is_not_in_the_future() -> None:
    late_in_utc = datetime(2025, 4, 15, 17, 30, tzinfo=UTC)
    Scenario(decider).given(*allocated, designated).when(
        RecordSupervision("meeting", date(2025, 4, 16), "召开督办会", "王志强", late_in_utc)
    ).then(
        e.SupervisionRecorded(
            proposal_id=WUHAI_60,
            kind="meeting",
            held_on=date(2025, 4, 16),
            notes="召开督办会",
            by="王志强",
            recorded_at=late_in_utc,
        )
    )
