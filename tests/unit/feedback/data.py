"""Test data from the seeds: 乌海 第60号 刘建峰 (市商务局, class A, 满意); 晋城 第254号 茹菊霞 (市民政局)."""

from datetime import UTC, datetime

from services.feedback.application.tokens import form_token
from services.feedback.domain.commands import AnswerFeedback, Proposer, RecordProposal, RecordReply
from services.feedback.domain.decider import feedback_decider
from services.feedback.domain.events import ProposalRecorded, ProposerRecord
from shared.rules.calendar import WorkingCalendar
from shared.rules.policy import load_policies
from shared.settings import DEPLOY

POLICIES = load_policies(DEPLOY / "policy")
CALENDAR = WorkingCalendar.load(DEPLOY / "calendar")
DECIDER = feedback_decider(POLICIES, CALENDAR)
SECRET = "test-secret-for-feedback-links-0000000000"

REGISTERED_AT = datetime(2025, 2, 20, 9, 0, tzinfo=UTC)
ISSUED_AT = datetime(2025, 5, 20, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in 乌海
ANSWERED_AT = datetime(2025, 6, 11, 3, 0, tzinfo=UTC)  # the date on the seed's form

LIU = Proposer("liu-jianfeng", "刘建峰", "15144738888")
RU = Proposer("ru-juxia", "茹菊霞", "15834218688")
HOUSEKEEPING = "关于推动家政服务业发展的提案"
ELDERLY_CARE = "关于加强社区养老服务体系建设的建议"


def token(proposal_id: str, round_: int, proposer: Proposer) -> str:
    return form_token(SECRET, proposal_id, round_, proposer.id)


def record_housekeeping() -> RecordProposal:
    return RecordProposal("wuhai-60", "60", HOUSEKEEPING, "wuhai", "proposal", (LIU,), REGISTERED_AT)


def housekeeping_recorded() -> ProposalRecorded:
    return ProposalRecorded(
        proposal_id="wuhai-60",
        number="60",
        title=HOUSEKEEPING,
        jurisdiction="wuhai",
        kind="proposal",
        proposers=(ProposerRecord(id=LIU.id, name=LIU.name, phone=LIU.phone),),
        recorded_at=REGISTERED_AT,
    )


def elderly_care_recorded() -> ProposalRecorded:
    """A joint proposal in 晋城, handled by 市民政局 and 市卫生健康委 each for its part (分办)."""
    return ProposalRecorded(
        proposal_id="jincheng-254",
        number="254",
        title=ELDERLY_CARE,
        jurisdiction="jincheng",
        kind="proposal",
        proposers=(
            ProposerRecord(id=RU.id, name=RU.name, phone=RU.phone),
            ProposerRecord(id=LIU.id, name=LIU.name, phone=LIU.phone),
        ),
        recorded_at=REGISTERED_AT,
    )


def shangwu_replies(result_class: str = "A", promise: str = "", round_: int = 1) -> RecordReply:
    return RecordReply(
        proposal_id="wuhai-60",
        round=round_,
        lead_unit="shangwu",
        lead_units=("shangwu",),
        result_class=result_class,
        promise=promise,
        issued_at=ISSUED_AT,
        tokens={LIU.id: token("wuhai-60", round_, LIU)},
    )


def elderly_care_reply(unit: str, result_class: str = "A", promise: str = "") -> RecordReply:
    return RecordReply(
        proposal_id="jincheng-254",
        round=1,
        lead_unit=unit,
        lead_units=("minzheng", "weijian"),
        result_class=result_class,
        promise=promise,
        issued_at=ISSUED_AT,
        tokens={p.id: token("jincheng-254", 1, p) for p in (RU, LIU)},
    )


def answer(
    proposal_id: str,
    proposer: Proposer,
    satisfaction: str = "满意",
    opinion: str = "",
    round_: int | None = 1,
    channel: str = "online",
) -> AnswerFeedback:
    return AnswerFeedback(
        proposal_id=proposal_id,
        proposer_id=proposer.id,
        satisfaction=satisfaction,
        opinion=opinion,
        suggestions="",
        recommended_units=("shangwu",),
        channel="paper" if channel == "paper" else "online",
        at=ANSWERED_AT,
        round=round_,
    )
