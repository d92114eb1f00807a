"""The proposal at intake, given its events, when a command comes, then these events or a refusal."""

import pytest

from services.intake.domain.commands import (
    Command,
    MergeInto,
    NotRegister,
    Register,
    Resubmit,
    ReturnForRevision,
    StartReview,
    TakeInMerged,
    Target,
    Withdraw,
)
from services.intake.domain.decider import MissingSignatures
from services.intake.domain.events import (
    Item,
    ProposalMerged,
    ProposalMergedIn,
    ProposalNotRegistered,
    ProposalRegistered,
    ProposalResubmitted,
    ProposalReturnedForRevision,
    ProposalWithdrawn,
)
from services.intake.domain.state import (
    Merged,
    NotRegistered,
    Registered,
    ReturnedForRevision,
    State,
    Submitted,
    UnderReview,
    Withdrawn,
)
from shared.kernel.decider import InvalidField, NotAllowedInState, NotFound
from shared.kernel.events import Event
from shared.testing.decider import Scenario
from tests.unit.intake.examples import (
    AT,
    CO_SIGNER,
    DECIDER,
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
    submit,
    submitted,
)

JOINT = (RU_JUXIA, CO_SIGNER)


def scenario() -> Scenario[Command, State]:
    return Scenario(DECIDER)


def registered() -> ProposalRegistered:
    return ProposalRegistered(
        proposal_id=PROPOSAL_ID,
        number="254",
        category="社会建设",
        jurisdiction="jincheng",
        kind="proposal",
        session=SESSION,
        title=TITLE,
        items=ITEMS,
        proposers=(RU_JUXIA,),
        by=OFFICE,
        at=LATER,
    )


def returned() -> ProposalReturnedForRevision:
    return ProposalReturnedForRevision(
        proposal_id=PROPOSAL_ID, reason="建议内容需具体到措施", by=OFFICE, at=LATER
    )


def in_review_target(state: str = "UNDER_REVIEW") -> Target:
    return Target(TARGET_ID, state, "jincheng", "proposal")


# Submitting


def test_a_proposal_is_submitted_with_its_numbered_items_and_proposers() -> None:
    state = scenario().when(submit(title="  " + TITLE + " ")).then(submitted())
    assert isinstance(state, Submitted)
    assert state.proposal.title == TITLE and len(state.proposal.items) == 5


def test_a_joint_proposal_is_submitted_with_one_lead_and_co_signers() -> None:
    state = scenario().when(submit(proposers=JOINT)).then(submitted(proposers=JOINT))
    assert isinstance(state, Submitted) and state.proposal.is_lead(RU_JUXIA.id)


def test_a_proposal_is_not_submitted_twice() -> None:
    scenario().given(submitted()).when(submit()).then_rejected(NotAllowedInState, current_state="SUBMITTED")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"jurisdiction": "taiyuan"}, "jurisdiction"),
        ({"session": ""}, "session"),
        ({"items": ()}, "items"),
        (
            {"items": (Item(number=1, text="加大社区养老服务设施建设力度。"), Item(number=2, text=" "))},
            "items",
        ),
        ({"proposers": ()}, "proposers"),
        ({"proposers": (RU_JUXIA, RU_JUXIA.model_copy(update={"role": "联名"}))}, "proposers"),
        ({"proposers": (RU_JUXIA, CO_SIGNER.model_copy(update={"role": "领衔"}))}, "proposers"),
        ({"proposers": (CO_SIGNER,)}, "proposers"),
        ({"proposers": (RU_JUXIA.model_copy(update={"name": ""}),)}, "proposers"),
        ({"channel": ""}, "channel"),
    ],
)
def test_a_submission_breaking_a_rule_is_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    scenario().when(submit(**changes)).then_rejected(InvalidField, field=field)


# Review


def test_the_office_starts_the_review_of_a_submitted_proposal() -> None:
    state = scenario().given(submitted()).when(StartReview(OFFICE, AT)).then(review_started())
    assert isinstance(state, UnderReview)


def test_registering_gives_the_proposal_its_number_and_category() -> None:
    state = (
        scenario()
        .given(submitted(), review_started())
        .when(Register(" 254 ", "社会建设", OFFICE, LATER))
        .then(registered())
    )
    assert isinstance(state, Registered) and state.number == "254"


def test_not_registering_records_the_policy_reason_and_what_it_became() -> None:
    state = (
        scenario()
        .given(submitted(), review_started())
        .when(NotRegister("empty_content", "意见建议", OFFICE, LATER))
        .then(
            ProposalNotRegistered(
                proposal_id=PROPOSAL_ID,
                reason="empty_content",
                reason_label="内容空泛，没有具体建议",
                converted_to="意见建议",
                by=OFFICE,
                at=LATER,
            )
        )
    )
    assert isinstance(state, NotRegistered)


def test_merging_ends_the_proposal_and_records_the_proposers_kept_on_the_target() -> None:
    state = (
        scenario()
        .given(submitted(proposers=JOINT), review_started())
        .when(MergeInto(in_review_target(), OFFICE, LATER))
        .then(
            ProposalMerged(proposal_id=PROPOSAL_ID, into=TARGET_ID, proposers_kept=JOINT, by=OFFICE, at=LATER)
        )
    )
    assert isinstance(state, Merged) and state.into == TARGET_ID


def test_the_target_of_a_merge_keeps_the_new_proposers_as_co_signers() -> None:
    liu_as_co_signer = LIU_JIANFENG.model_copy(update={"role": "联名"})
    state = (
        scenario()
        .given(submitted(TARGET_ID), review_started(TARGET_ID))
        .when(TakeInMerged(PROPOSAL_ID, (RU_JUXIA, LIU_JIANFENG), OFFICE, LATER))
        .then(
            ProposalMergedIn(
                proposal_id=TARGET_ID,
                merged_from=PROPOSAL_ID,
                proposers=(liu_as_co_signer,),
                by=OFFICE,
                at=LATER,
            )
        )
    )
    assert isinstance(state, UnderReview)
    assert state.proposal.proposers == (RU_JUXIA, liu_as_co_signer)


def test_the_office_returns_a_proposal_for_revision_with_a_reason() -> None:
    state = (
        scenario()
        .given(submitted(), review_started())
        .when(ReturnForRevision("建议内容需具体到措施", OFFICE, LATER))
        .then(returned())
    )
    assert isinstance(state, ReturnedForRevision)


def test_the_lead_resubmits_a_returned_proposal_with_a_new_title_and_items() -> None:
    items = (Item(number=1, text="在老旧小区建设嵌入式社区养老服务设施。"),)
    state = (
        scenario()
        .given(submitted(), review_started(), returned())
        .when(Resubmit("关于加强社区嵌入式养老服务设施建设的建议", items, RU_JUXIA.id, LATER))
        .then(
            ProposalResubmitted(
                proposal_id=PROPOSAL_ID,
                title="关于加强社区嵌入式养老服务设施建设的建议",
                items=items,
                by=RU_JUXIA.id,
                at=LATER,
            )
        )
    )
    assert isinstance(state, UnderReview) and state.proposal.items == items


def test_resubmitting_without_changes_keeps_the_title_and_items() -> None:
    (
        scenario()
        .given(submitted(), review_started(), returned())
        .when(Resubmit(None, None, RU_JUXIA.id, LATER))
        .then(
            ProposalResubmitted(proposal_id=PROPOSAL_ID, title=TITLE, items=ITEMS, by=RU_JUXIA.id, at=LATER)
        )
    )


@pytest.mark.parametrize(
    "history",
    [
        [submitted(proposers=JOINT)],
        [submitted(proposers=JOINT), review_started()],
        [submitted(proposers=JOINT), review_started(), returned()],
    ],
    ids=["submitted", "under review", "returned"],
)
def test_a_joint_proposal_is_withdrawn_when_every_proposer_signs(history: list[Event]) -> None:
    state = (
        scenario()
        .given(*history)
        .when(Withdraw("已通过其他渠道反映", frozenset({RU_JUXIA.id, CO_SIGNER.id}), RU_JUXIA.id, LATER))
        .then(
            ProposalWithdrawn(
                proposal_id=PROPOSAL_ID,
                reason="已通过其他渠道反映",
                signed_by=(RU_JUXIA.id, CO_SIGNER.id),
                by=RU_JUXIA.id,
                at=LATER,
            )
        )
    )
    assert isinstance(state, Withdrawn)


# Refusals


def test_a_joint_proposal_is_not_withdrawn_without_every_signature_and_the_missing_are_named() -> None:
    refusal = (
        scenario()
        .given(submitted(proposers=JOINT))
        .when(Withdraw("", frozenset({RU_JUXIA.id}), RU_JUXIA.id, LATER))
        .then_rejected(MissingSignatures, field="signed_by", missing=[CO_SIGNER.id])
    )
    assert "张敏" in refusal.detail


def test_a_command_on_a_proposal_never_submitted_is_not_found() -> None:
    scenario().when(StartReview(OFFICE, AT)).then_rejected(NotFound)


@pytest.mark.parametrize(
    ("history", "command", "state"),
    [
        ([submitted()], Register("254", "社会建设", OFFICE, LATER), "SUBMITTED"),
        ([submitted(), review_started()], StartReview(OFFICE, LATER), "UNDER_REVIEW"),
        ([submitted()], NotRegister("empty_content", "none", OFFICE, LATER), "SUBMITTED"),
        ([submitted()], MergeInto(in_review_target(), OFFICE, LATER), "SUBMITTED"),
        ([submitted()], ReturnForRevision("不够具体", OFFICE, LATER), "SUBMITTED"),
        ([submitted(), review_started()], Resubmit(None, None, RU_JUXIA.id, LATER), "UNDER_REVIEW"),
        (
            [submitted(), review_started(), registered()],
            Withdraw("", frozenset({RU_JUXIA.id}), RU_JUXIA.id, LATER),
            "REGISTERED",
        ),
        (
            [submitted(), review_started(), registered()],
            TakeInMerged(TARGET_ID, (LIU_JIANFENG,), OFFICE, LATER),
            "REGISTERED",
        ),
        (
            [submitted(), review_started(), registered()],
            Register("255", "社会建设", OFFICE, LATER),
            "REGISTERED",
        ),
    ],
)
def test_a_command_out_of_its_state_is_refused_naming_the_state(
    history: list[Event], command: Command, state: str
) -> None:
    scenario().given(*history).when(command).then_rejected(NotAllowedInState, current_state=state)


def _ended() -> list[tuple[list[Event], str]]:
    base: list[Event] = [submitted(), review_started()]
    return [
        (
            [
                *base,
                ProposalNotRegistered(
                    proposal_id=PROPOSAL_ID,
                    reason="personal",
                    reason_label="属于个人或家庭问题",
                    converted_to="委员来信",
                    by=OFFICE,
                    at=LATER,
                ),
            ],
            "NOT_REGISTERED",
        ),
        (
            [
                *base,
                ProposalMerged(
                    proposal_id=PROPOSAL_ID, into=TARGET_ID, proposers_kept=(RU_JUXIA,), by=OFFICE, at=LATER
                ),
            ],
            "MERGED",
        ),
        (
            [
                *base,
                ProposalWithdrawn(
                    proposal_id=PROPOSAL_ID, reason="", signed_by=(RU_JUXIA.id,), by=RU_JUXIA.id, at=LATER
                ),
            ],
            "WITHDRAWN",
        ),
    ]


@pytest.mark.parametrize(("history", "state"), _ended(), ids=["not registered", "merged", "withdrawn"])
@pytest.mark.parametrize(
    "command",
    [
        StartReview(OFFICE, LATER),
        Register("254", "社会建设", OFFICE, LATER),
        ReturnForRevision("不够具体", OFFICE, LATER),
        Resubmit(None, None, RU_JUXIA.id, LATER),
        Withdraw("", frozenset({RU_JUXIA.id}), RU_JUXIA.id, LATER),
        MergeInto(in_review_target(), OFFICE, LATER),
    ],
    ids=lambda c: type(c).__name__,
)
def test_an_ended_proposal_refuses_every_command(history: list[Event], state: str, command: Command) -> None:
    scenario().given(*history).when(command).then_rejected(NotAllowedInState, current_state=state)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (Register("", "社会建设", OFFICE, LATER), "number"),
        (Register("254", " ", OFFICE, LATER), "category"),
        (NotRegister("boring", "none", OFFICE, LATER), "reason"),
        (ReturnForRevision(" ", OFFICE, LATER), "reason"),
        (MergeInto(Target(PROPOSAL_ID, "UNDER_REVIEW", "jincheng", "proposal"), OFFICE, LATER), "into"),
        (MergeInto(Target(TARGET_ID, "NONE"), OFFICE, LATER), "into"),
        (MergeInto(in_review_target("REGISTERED"), OFFICE, LATER), "into"),
        (MergeInto(Target(TARGET_ID, "UNDER_REVIEW", "wuhai", "proposal"), OFFICE, LATER), "into"),
        (MergeInto(Target(TARGET_ID, "UNDER_REVIEW", "jincheng", "suggestion"), OFFICE, LATER), "into"),
    ],
    ids=[
        "no number",
        "no category",
        "unknown reason",
        "return without reason",
        "into itself",
        "into nothing",
        "into registered",
        "other jurisdiction",
        "other kind",
    ],
)
def test_a_review_decision_breaking_a_rule_is_refused_naming_the_field(command: Command, field: str) -> None:
    scenario().given(submitted(), review_started()).when(command).then_rejected(InvalidField, field=field)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (Resubmit(" ", None, RU_JUXIA.id, LATER), "title"),
        (Resubmit(None, (), RU_JUXIA.id, LATER), "items"),
    ],
)
def test_a_resubmission_breaking_a_rule_is_refused_naming_the_field(command: Command, field: str) -> None:
    scenario().given(submitted(), review_started(), returned()).when(command).then_rejected(
        InvalidField, field=field
    )
