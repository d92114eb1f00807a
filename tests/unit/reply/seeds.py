"""Test data from the seeds: 乌海 第60号 (seed 001) and 晋城 第254号 (seed 004)."""

from dataclasses import replace
from datetime import UTC, date, datetime

from services.reply.domain.commands import Answer, IssueReply
from services.reply.domain.events import (
    AllocationTaken,
    AnsweredItem,
    CoOpinionSubmitted,
    LetterDigest,
    ProposalItem,
    Proposer,
    RegistrationTaken,
    ReplyIssued,
    ReplyNotPublished,
    ReplyPublished,
    RoutedItem,
)

CLASSES = ("A", "B", "C")
ALLOCATED_AT = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 11, 10, 0, tzinfo=UTC)

JIAZHENG = "p-wuhai-60"
"""刘建峰 关于推动家政服务业发展的提案: 市商务局 leads, 市民政局 and 市人社局 help."""

YANGLAO = "p-jincheng-254"
"""茹菊霞 关于加强社区养老服务体系建设的建议: 市民政局 alone, five items."""

YANGLAO_ANSWERS = (
    "持续增加社区养老服务设施供给，提供多层次多元化养老服务。",
    "强化人才支撑，推进养老护理员队伍建设。",
    "不断丰富社区养老服务内容，提升养老服务水平。",
    "不断加大对社区养老服务的资金投入。",
    "健全社区养老服务机构监管机制。",
)


JIAZHENG_ITEMS = ("融入智慧平台，推动家政服务业数智化", "融入党群服务，推动家政服务业便捷化")


def jiazheng_registered(kind: str = "proposal") -> RegistrationTaken:
    """立案 of 乌海 第60号 at 市政协十届四次会议; 刘建峰 (seed 001) leads it."""
    return RegistrationTaken(
        proposal_id=JIAZHENG,
        jurisdiction="wuhai",
        kind="suggestion" if kind == "suggestion" else "proposal",
        session="市政协十届四次会议" if kind == "proposal" else "市十届人大四次会议",
        number="60",
        title="关于推动家政服务业发展的提案",
        items=tuple(ProposalItem(number=n, text=t) for n, t in enumerate(JIAZHENG_ITEMS, start=1)),
        proposers=(Proposer(id="wuhai-liujianfeng", name="刘建峰", phone="15144738888", role="领衔"),),
        taken_at=ALLOCATED_AT,
    )


def yanglao_registered() -> RegistrationTaken:
    """立案 of 晋城 第254号 at 市政协八届四次会议; 茹菊霞 (seed 004) leads it."""
    items = (
        "加大社区养老服务设施建设力度。",
        "加强专业服务人员队伍建设。",
        "丰富社区养老服务内容。",
        "拓宽资金投入渠道。",
        "建立健全社区养老服务监督管理机制。",
    )
    return RegistrationTaken(
        proposal_id=YANGLAO,
        jurisdiction="jincheng",
        kind="proposal",
        session="市政协八届四次会议",
        number="254",
        title="关于加强社区养老服务体系建设的建议",
        items=tuple(ProposalItem(number=n, text=t) for n, t in enumerate(items, start=1)),
        proposers=(Proposer(id="jincheng-rujuxia", name="茹菊霞", phone="15834218688", role="领衔"),),
        taken_at=ALLOCATED_AT,
    )


LETTER = LetterDigest(
    template="reply-letter/1",
    pdf_sha256="6f1ed002ab5595859014ebf0951522d9ef1fd3c8a6f3b9f4a2d6bb3f1a64f1c2",
    docx_sha256="2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
)
"""A digest as a reply records it (the values stand for the sha256 of a PDF and a DOCX)."""


def jiazheng_allocated(
    revision: int = 1, co_units: tuple[str, ...] = ("minzheng", "renshe")
) -> AllocationTaken:
    return AllocationTaken(
        proposal_id=JIAZHENG,
        revision=revision,
        number="60",
        title="关于推动家政服务业发展的提案",
        kind="proposal",
        jurisdiction="wuhai",
        lead_units=("shangwu",),
        co_units=co_units,
        routing=(
            RoutedItem(item=1, lead="shangwu", co_units=co_units),
            RoutedItem(item=2, lead="shangwu", co_units=co_units),
        ),
        reply_due=date(2025, 6, 10),
        co_opinion_due=date(2025, 4, 10),
        result_classes=CLASSES,
        taken_at=ALLOCATED_AT,
    )


def yanglao_allocated() -> AllocationTaken:
    return AllocationTaken(
        proposal_id=YANGLAO,
        revision=1,
        number="254",
        title="关于加强社区养老服务体系建设的建议",
        kind="proposal",
        jurisdiction="jincheng",
        lead_units=("minzheng",),
        co_units=(),
        routing=tuple(RoutedItem(item=i, lead="minzheng") for i in range(1, 6)),
        reply_due=date(2025, 8, 31),
        co_opinion_due=date(2025, 6, 30),
        result_classes=CLASSES,
        taken_at=ALLOCATED_AT,
    )


def co_opinion(unit: str, round_: int = 1) -> CoOpinionSubmitted:
    return CoOpinionSubmitted(
        proposal_id=JIAZHENG,
        round=round_,
        co_unit=unit,
        text="同意主办单位意见，配合做好家政从业人员技能培训。",
        signer="民政局分管领导" if unit == "minzheng" else "人社局分管领导",
        submitted_at=NOW,
    )


def jiazheng_reply(**changes: object) -> IssueReply:
    """市商务局's reply 乌商务发〔2025〕26号, class A, signed by 李俊晶, with `changes`."""
    reply = IssueReply(
        proposal_id=JIAZHENG,
        unit="shangwu",
        document_no="乌商务发〔2025〕26号",
        result_class="A",
        answers=(
            Answer(1, "融入智慧平台，推动家政服务业数智化。"),
            Answer(2, "融入党群服务，推动家政服务业便捷化。"),
        ),
        signer="李俊晶",
        contact_person="慕德刚",
        contact_phone="18904739929",
        promise="",
        at=NOW,
    )
    return replace(reply, **changes)  # type: ignore[arg-type]


def jiazheng_replied(
    round_: int = 1, result_class: str = "A", letter: LetterDigest | None = None
) -> ReplyIssued:
    reply = jiazheng_reply()
    return ReplyIssued(
        proposal_id=JIAZHENG,
        round=round_,
        lead_unit="shangwu",
        lead_units=("shangwu",),
        document_no=reply.document_no,
        result_class=result_class,
        answers=tuple(AnsweredItem(item=a.item, text=a.text) for a in reply.answers),
        signer="李俊晶",
        contact_person="慕德刚",
        contact_phone="18904739929",
        promise="",
        issued_at=NOW,
        letter=letter,
    )


JIAZHENG_FULL_TEXT = "1. 融入智慧平台，推动家政服务业数智化。\n2. 融入党群服务，推动家政服务业便捷化。"
"""The answers of 乌商务发〔2025〕26号 as published in full."""


def jiazheng_published(form: str = "全文", text: str = JIAZHENG_FULL_TEXT, round_: int = 1) -> ReplyPublished:
    return ReplyPublished(
        proposal_id=JIAZHENG,
        round=round_,
        lead_unit="shangwu",
        document_no="乌商务发〔2025〕26号",
        form=form,
        text=text,
        published_at=NOW,
    )


def jiazheng_not_published(reason: str = "涉及个人隐私") -> ReplyNotPublished:
    return ReplyNotPublished(
        proposal_id=JIAZHENG, round=1, lead_unit="shangwu", reason=reason, decided_at=NOW
    )


def yanglao_reply() -> IssueReply:
    """市民政局's reply to 茹菊霞, class A, one answer per item (seed 004)."""
    answers = tuple(Answer(i, text) for i, text in enumerate(YANGLAO_ANSWERS, start=1))
    return jiazheng_reply(
        proposal_id=YANGLAO,
        unit="minzheng",
        document_no="晋民函〔2025〕254号",
        answers=answers,
        signer="分管副局长",
        contact_person="孙雪斌",
        contact_phone="2566249",
    )
