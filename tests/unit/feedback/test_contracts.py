"""What feedback announces: the forms sent and answered, re-handling and closing; never a form's link."""

from datetime import UTC, date, datetime

from services.feedback.application.outbound import to_integration
from services.feedback.contracts import FeedbackRequestedV1, ProposalClosedV1, RehandlingRequestedV1
from services.feedback.domain.events import FeedbackRequested, ProposalClosed, RehandlingRequested

AT = datetime(2025, 6, 11, 3, 0, tzinfo=UTC)


def test_rehandling_is_announced_with_the_new_round_and_the_opinions() -> None:
    event = RehandlingRequested(
        proposal_id="wuhai-60",
        round=2,
        lead_units=("shangwu",),
        due=date(2025, 7, 11),
        opinions=("月嫂培训补贴没有落实",),
        requested_at=AT,
    )
    assert to_integration(event) == RehandlingRequestedV1(
        proposal_id="wuhai-60",
        round=2,
        lead_units=["shangwu"],
        due=date(2025, 7, 11),
        opinions=["月嫂培训补贴没有落实"],
    )


def test_closing_is_announced_with_its_outcome() -> None:
    event = ProposalClosed(proposal_id="wuhai-60", round=1, outcome="tracking", closed_at=AT)
    assert to_integration(event) == ProposalClosedV1(proposal_id="wuhai-60", outcome="tracking", closed_at=AT)


def test_a_form_sent_is_announced_without_its_link() -> None:
    event = FeedbackRequested(
        proposal_id="wuhai-60",
        round=1,
        proposer_id="liu-jianfeng",
        proposer_name="刘建峰",
        token="0" * 64,
        due=date(2025, 6, 10),
        requested_at=AT,
    )
    public = to_integration(event)
    assert isinstance(public, FeedbackRequestedV1)
    assert (public.proposer_name, public.due) == ("刘建峰", date(2025, 6, 10))
    assert "0" * 64 not in public.model_dump_json()
