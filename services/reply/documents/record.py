"""The 面商记录表 of one lead unit, as 晋城市民政局 keeps it (seed 004): prefilled with what reply knows
(the unit, the number, the member and their phone, the items, the points of the unit's latest reply
and its class, and the last 面商 recorded), with room for the member's opinion and signature.

A record filled in on paper is entered back through POST /replies/{id}/consultations with
channel "paper", and becomes the same ConsultationRecorded as one entered online.
"""

from services.reply.documents.common import ADDRESS, NOUN, lead_proposer, registration
from services.reply.domain.events import ConsultationRecorded, ReplyIssued
from services.reply.domain.state import Allocated, Replied
from shared.documents import Cell, Document, Paragraph, Spacer, Table, chinese_date
from shared.documents.settings import Documents

TEMPLATE = "consultation-record/1"
WIDTHS = (22.0, 34.0, 22.0, 22.0, 22.0, 34.0)
CHECKED, UNCHECKED = "√", "□"


def heading(state: Allocated, documents: Documents | None) -> str:
    if documents is not None and documents.consultation_title:
        return documents.consultation_title
    body = "政协委员提案" if state.kind == "proposal" else "人大代表建议"
    return f"{documents.name if documents else ''}{body}面商记录表"


def latest_reply(state: Allocated, unit: str) -> tuple[ReplyIssued, str] | None:
    """The unit's reply of the latest round it answered, with the class in force."""
    for round_ in reversed(state.rounds):
        lead = round_.leads.get(unit)
        if isinstance(lead, Replied):
            return lead.reply, lead.result_class
    return None


def latest_consultation(state: Allocated, unit: str) -> ConsultationRecorded | None:
    held = [c for c in state.consultations if c.lead_unit == unit]
    return held[-1] if held else None


def record(state: Allocated, unit: str, unit_name: str, documents: Documents | None) -> Document:
    registered = registration(state)
    member = lead_proposer(registered)
    organ = documents.unit(unit).organ if documents is not None else ""
    replied = latest_reply(state, unit)
    met = latest_consultation(state, unit)
    points = "\n".join(f"{a.item}. {a.text}" for a in replied[0].answers) if replied else ""
    chosen = replied[1] if replied else ""
    items = "\n".join(f"{i.number}. {i.text}" for i in registered.items)
    noun, address = NOUN[state.kind], ADDRESS[state.kind]
    classes = tuple(
        Cell(f"{code}类 {CHECKED if code == chosen else UNCHECKED}") for code in state.result_classes
    )
    table = Table(
        WIDTHS,
        (
            (
                Cell(f"{address}姓名"),
                Cell(member.name),
                Cell("工作单位"),
                Cell(member.unit),
                Cell("联系电话"),
                Cell(member.phone),
            ),
            (Cell(f"{noun}主要内容：\n{items}", span=6, height_mm=40),),
            (Cell(f"答复意见要点：\n{points}", span=6, height_mm=40),),
            (Cell("办理情况（划勾）", span=6 - len(classes)), *classes),
            (
                Cell(
                    f"{address}意见和要求：\n{met.member_opinion if met else ''}\n\n\n签字：",
                    span=6,
                    height_mm=45,
                ),
            ),
            (
                Cell("面商时间"),
                Cell(chinese_date(met.held_on) if met else ""),
                Cell("面商地点"),
                Cell(met.place if met else "", span=3),
            ),
            (
                Cell("面商人"),
                Cell("、".join(met.staff) if met else ""),
                Cell("联系电话"),
                Cell(met.contact_phone if met else "", span=3),
            ),
        ),
    )
    blocks = (
        Paragraph(heading(state, documents), "title"),
        Spacer(4),
        Paragraph(f"承办单位：{organ or unit_name}", "line"),
        Paragraph(f"{noun}编号：第 {state.number} 号", "line"),
        Spacer(4),
        table,
    )
    return Document(
        title=f"{heading(state, documents)} 第{state.number}号 {organ or unit_name}",
        blocks=blocks,
        author=organ or unit_name,
        page_numbers=False,
    )
