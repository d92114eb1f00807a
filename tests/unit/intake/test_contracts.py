"""What intake announces: 立案 as intake.proposal-registered.v1, the ends as intake.proposal-ended.v1."""

from services.intake.contracts import ProposalEndedAtIntakeV1, ProposalRegisteredV1, to_integration
from services.intake.domain.events import (
    ProposalMerged,
    ProposalNotRegistered,
    ProposalRegistered,
    ProposalWithdrawn,
)
from tests.unit.intake.examples import (
    CO_SIGNER,
    ITEMS,
    LATER,
    OFFICE,
    PROPOSAL_ID,
    RU_JUXIA,
    SESSION,
    TARGET_ID,
    TITLE,
    review_started,
    submitted,
)


def test_registration_is_announced_with_its_items_and_proposers_by_role() -> None:
    event = ProposalRegistered(
        proposal_id=PROPOSAL_ID,
        number="254",
        category="社会建设",
        jurisdiction="jincheng",
        kind="proposal",
        session=SESSION,
        title=TITLE,
        items=ITEMS,
        proposers=(RU_JUXIA, CO_SIGNER),
        by=OFFICE,
        at=LATER,
    )
    public = to_integration(event)
    assert isinstance(public, ProposalRegisteredV1)
    assert public.number == "254" and public.registered_at == LATER
    assert [(p.name, p.role) for p in public.proposers] == [("茹菊霞", "领衔"), ("张敏", "联名")]
    assert public.items[0].text == "加大社区养老服务设施建设力度。"


def test_each_end_at_intake_is_announced_with_its_outcome() -> None:
    ends = [
        ProposalNotRegistered(
            proposal_id=PROPOSAL_ID,
            reason="personal",
            reason_label="属于个人或家庭问题",
            converted_to="委员来信",
            by=OFFICE,
            at=LATER,
        ),
        ProposalMerged(
            proposal_id=PROPOSAL_ID, into=TARGET_ID, proposers_kept=(RU_JUXIA,), by=OFFICE, at=LATER
        ),
        ProposalWithdrawn(
            proposal_id=PROPOSAL_ID,
            reason="已通过其他渠道反映",
            signed_by=(RU_JUXIA.id,),
            by=RU_JUXIA.id,
            at=LATER,
        ),
    ]
    assert [to_integration(e) for e in ends] == [
        ProposalEndedAtIntakeV1(proposal_id=PROPOSAL_ID, outcome="not_registered", reason="personal"),
        ProposalEndedAtIntakeV1(proposal_id=PROPOSAL_ID, outcome="merged", merged_into=TARGET_ID),
        ProposalEndedAtIntakeV1(proposal_id=PROPOSAL_ID, outcome="withdrawn", reason="已通过其他渠道反映"),
    ]


def test_review_steps_stay_private() -> None:
    assert to_integration(submitted()) is None
    assert to_integration(review_started()) is None
