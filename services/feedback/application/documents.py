"""The 征询意见表 of one proposer for one round, as 乌海 prints it (seed 001): prefilled with the name,
the number, the title and the phone, empty satisfaction boxes, the three questions, the signature and
date lines, and the notes of where the signed form goes.

It carries a reference (proposal, proposer, round) from which the office enters the paper answer
through POST /feedback/{proposal_id}/paper-answers: the same FeedbackAnswered as online, channel
"paper".
"""

from services.feedback.domain.decider import Recorded
from shared.documents import Cell, Document, Paragraph, Spacer, Table
from shared.documents.settings import Documents
from shared.kernel.decider import NotFound
from shared.rules.policy import Policy

TEMPLATE = "feedback-form/1"
TITLE = "人大代表建议、政协委员提案\n办理情况征询意见表"
WIDTHS = (44.0, 34.0, 26.0, 26.0, 26.0)
QUESTIONS = ("1. 您对办理情况的意见：", "2. 您有何进一步的建议和要求：", "3. 请您推荐先进承办单位：")
SIGNATURE = "代表委员签名：　　　　　　　　　　年　　月　　日"


def reference(proposal_id: str, proposer_id: str, round_: int) -> str:
    """What the office types back: the proposal id of the URL, the proposer_id of the body, the round."""
    return f"{proposal_id} / {proposer_id} / 第{round_}轮"


def labels(policy: Policy, documents: Documents | None) -> tuple[str, ...]:
    printed = documents.feedback_labels if documents is not None else ()
    return printed or policy.satisfaction.labels


def form(
    state: Recorded, proposer_id: str, round_: int, policy: Policy, documents: Documents | None
) -> Document:
    proposal = state.proposal
    proposer = proposal.proposer(proposer_id)
    if proposer is None:
        raise NotFound(f"{proposer_id} is not a proposer of proposal {proposal.number}")
    boxes = labels(policy, documents)
    answers = "\n\n\n".join(QUESTIONS) + f"\n\n\n\n{SIGNATURE}"
    columns = len(WIDTHS)
    table = Table(
        WIDTHS,
        (
            (
                Cell("代表、委员姓名"),
                Cell(proposer.name, align="center"),
                Cell("建议、提案编号", span=2),
                Cell(proposal.number, align="center"),
            ),
            (Cell("建议、提案标题"), Cell(proposal.title, span=columns - 1)),
            (
                Cell("代表、委员联系电话"),
                Cell(proposer.phone, align="center"),
                *(Cell(label, align="center") for label in boxes),
            ),
            (Cell("", span=columns - len(boxes), height_mm=14), *(Cell("") for _ in boxes)),
            (Cell(answers, span=columns, height_mm=100),),
        ),
    )
    quoted = "“" + "”“".join(boxes) + "”"
    notes = [f"注：1. 请代表委员在{quoted}下方空格内选择画“√”号。"]
    if documents is not None and documents.feedback_return:
        notes.append(f"2. {documents.feedback_return}")
    notes.append(f"{len(notes) + 1}. 表单参考号：{reference(proposal.id, proposer_id, round_)}")
    return Document(
        title=f"征询意见表 第{proposal.number}号 {proposer.name} 第{round_}轮",
        blocks=(
            Paragraph(TITLE, "title"),
            Spacer(6),
            table,
            Spacer(3),
            *(Paragraph(note, "note") for note in notes),
        ),
        author=documents.name if documents is not None else "",
        page_numbers=False,
    )
