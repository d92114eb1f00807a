"""The 答复函 of one reply, in the order of GB/T 9704 and of the 乌海 letter (乌商务发〔2025〕26号):
the red organ header, 文号, 〔办理结果〕, title, salutation, one section per answered item, closing,
分管领导, 联系人 and 联系方式, the issuing organ and the date.

Everything printed comes from the reply's events and the jurisdiction's `[documents]` table, so the
same history renders the same bytes: the digest recorded at issue is checked on every download.
"""

from services.reply.documents.common import ADDRESS, NOUN, item_text, lead_proposer, registration
from services.reply.domain.events import LetterDigest, ReplyIssued
from services.reply.domain.state import Allocated
from shared.documents import (
    Block,
    Document,
    Keep,
    Paragraph,
    Rendered,
    Rule,
    Spacer,
    chinese_date,
    chinese_number,
    render,
)
from shared.documents.settings import Documents, UnitDocuments
from shared.kernel.decider import InvalidField
from shared.rules.deadlines import local_date

TEMPLATE = "reply-letter/1"
"""The version of this template: a change of layout or wording is a new version."""

CLOSING = "非常感谢对我们工作的关注和支持，真诚地希望今后对我们的工作多提宝贵意见。"


def title(state: Allocated) -> str:
    """关于市政协十届四次会议第60号提案办理情况的答复函."""
    registered = registration(state)
    return f"关于{registered.session.strip()}第{state.number}号{NOUN[state.kind]}办理情况的答复函"


def issuer(documents: Documents | None, unit: str) -> UnitDocuments:
    """The organ and 文号 prefix of `unit`; InvalidField when the jurisdiction gives it no organ."""
    configured = documents.unit(unit) if documents is not None else UnitDocuments()
    where = "its jurisdiction" if documents is None else documents.name
    if not configured.organ.strip():
        raise InvalidField("organ", f"no issuing organ is configured for {unit} in {where}")
    return configured


def letter(state: Allocated, reply: ReplyIssued, documents: Documents | None) -> Document:
    registered = registration(state)
    proposer = lead_proposer(registered)
    unit = issuer(documents, reply.lead_unit)
    if unit.prefix.strip() and not reply.document_no.startswith(unit.prefix):
        raise InvalidField(
            "document_no", f"{reply.document_no} does not begin with {unit.prefix}, the unit's prefix"
        )
    blocks: list[Block] = [
        Paragraph(f"{unit.organ}文件", "organ"),
        Paragraph(reply.document_no, "document_no"),
        Rule(),
        Paragraph(f"〔办理结果：{reply.result_class}〕", "result_class"),
        Paragraph(title(state), "title"),
        Paragraph(f"{proposer.name}{ADDRESS[state.kind]}：", "salutation"),
        Paragraph(f"您提出的《{state.title}》收悉，现答复如下："),
    ]
    for n, answer in enumerate(reply.answers, start=1):
        blocks += [Paragraph(f"{chinese_number(n)}、{item_text(registered, answer.item)}", "heading")]
        blocks += [Paragraph(part) for part in answer.text.splitlines() if part.strip()]
    if reply.promise:
        blocks += [Paragraph(f"{chinese_number(len(reply.answers) + 1)}、下一步工作安排", "heading")]
        blocks += [Paragraph(reply.promise)]
    signature = (
        Paragraph(CLOSING, "closing"),
        Spacer(8),
        Paragraph(f"分管领导：{reply.signer}"),
        Paragraph(f"联系人：{reply.contact_person}"),
        Paragraph(f"联系方式：{reply.contact_phone}"),
        Spacer(12),
        Paragraph(f"{unit.organ}\n{chinese_date(local_date(reply.issued_at))}", "signature"),
    )
    blocks.append(Keep(signature))
    return Document(title=f"{reply.document_no} {title(state)}", blocks=tuple(blocks), author=unit.organ)


def rendered(state: Allocated, reply: ReplyIssued, documents: Documents | None) -> Rendered:
    return render(letter(state, reply, documents))


def digest(files: Rendered) -> LetterDigest:
    return LetterDigest(template=TEMPLATE, pdf_sha256=files.pdf_sha256, docx_sha256=files.docx_sha256)
