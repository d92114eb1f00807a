"""What intake announces: 立案 as intake.proposal-registered.v2, the ends as intake.proposal-ended.v2, the
review steps for the views; the older versions are still read (upcast) and sent beside the new."""

from services.intake.application.outbound import to_integration
from services.intake.contracts import (
    ProposalEndedAtIntakeV2,
    ProposalRegisteredV2,
    ProposalSubmittedV1,
    ReviewStartedV1,
    contract,
)
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
    assert isinstance(public, ProposalRegisteredV2)
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
        ProposalEndedAtIntakeV2(
            proposal_id=PROPOSAL_ID,
            outcome="not_registered",
            reason="personal",
            reason_label="属于个人或家庭问题",
            by=OFFICE,
            ended_at=LATER,
        ),
        ProposalEndedAtIntakeV2(
            proposal_id=PROPOSAL_ID, outcome="merged", merged_into=TARGET_ID, by=OFFICE, ended_at=LATER
        ),
        ProposalEndedAtIntakeV2(
            proposal_id=PROPOSAL_ID,
            outcome="withdrawn",
            reason="已通过其他渠道反映",
            by=RU_JUXIA.id,
            ended_at=LATER,
        ),
    ]


def test_review_steps_are_announced_for_the_views_without_the_proposers_phones() -> None:
    submission = to_integration(submitted())
    review = to_integration(review_started())
    assert isinstance(submission, ProposalSubmittedV1) and isinstance(review, ReviewStartedV1)
    assert [p.phone for p in submission.proposers] == [""] * len(submission.proposers)
    assert review.by == OFFICE


def test_a_registration_stored_or_queued_as_v1_is_read_as_v2_with_nobody_named() -> None:
    stored = {
        "proposal_id": PROPOSAL_ID,
        "jurisdiction": "jincheng",
        "kind": "proposal",
        "session": SESSION,
        "number": "254",
        "title": TITLE,
        "category": "社会建设",
        "items": [{"number": 1, "text": "加大社区养老服务设施建设力度。"}],
        "proposers": [{"id": "jincheng-rujuxia", "name": "茹菊霞", "role": "领衔"}],
        "registered_at": "2025-03-05T02:00:00Z",
    }
    event = contract.decode("intake.proposal-registered.v1", stored)
    assert isinstance(event, ProposalRegisteredV2)
    assert (event.number, event.by) == ("254", "")


def test_an_end_of_v1_is_read_with_its_reason_as_the_label_and_v2_is_sent_as_v1_too() -> None:
    event = contract.decode(
        "intake.proposal-ended.v1", {"proposal_id": PROPOSAL_ID, "outcome": "withdrawn", "reason": "撤回"}
    )
    assert isinstance(event, ProposalEndedAtIntakeV2)
    assert (event.reason_label, event.ended_at) == ("撤回", None)
    [(older, downcast)] = contract.downcasts("intake.proposal-ended.v2")
    v2 = ProposalEndedAtIntakeV2(proposal_id=PROPOSAL_ID, outcome="merged", merged_into=TARGET_ID, by=OFFICE)
    assert older == "intake.proposal-ended.v1"
    assert downcast(v2.model_dump(mode="json")) == {
        "proposal_id": PROPOSAL_ID,
        "outcome": "merged",
        "reason": "",
        "merged_into": TARGET_ID,
    }
