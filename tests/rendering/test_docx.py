"""The DOCX of the 答复函: GB/T 9704 page, the offices' font names for East Asian text, the red
header, and bytes that depend on the content only."""

import zipfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.shared import Length, Pt
from docx.text.run import Run

from services.reply.documents import letter as letters
from shared.documents.settings import load_all
from shared.documents.word import FIXED_TIME
from tests.rendering.test_reply_letter import issued

WUHAI = load_all(Path(__file__).resolve().parents[2] / "deploy" / "policy")["wuhai"]


def letter_docx() -> bytes:
    state, reply = issued()
    return letters.rendered(state, reply, WUHAI).docx


def _mm(*lengths: Length | None) -> tuple[float, ...]:
    return tuple(round(length.mm, 1) if length is not None else 0.0 for length in lengths)


def test_the_page_has_the_margins_of_gbt_9704_and_the_text_in_order() -> None:
    document = open_docx(BytesIO(letter_docx()))
    section = document.sections[0]
    assert _mm(section.page_width, section.page_height) == (210, 297)
    assert _mm(section.top_margin, section.left_margin) == (37, 28)
    assert _mm(section.right_margin) == (210 - 28 - 156,)
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[:5] == [
        "乌海市商务局文件",
        "乌商务发〔2025〕26号",
        "〔办理结果：A〕",
        "关于市政协十届四次会议第60号提案办理情况的答复函",
        "刘建峰委员：",
    ]
    assert texts[-4:] == [
        "分管领导：李俊晶",
        "联系人：慕德刚",
        "联系方式：18904739929",
        "乌海市商务局\n2025年6月11日",
    ]


def _east_asian(run: Run) -> str | None:
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    found: str | None = fonts.get(qn("w:eastAsia"))
    return found


def test_east_asian_text_names_the_offices_fonts_and_the_header_is_red() -> None:
    document = open_docx(BytesIO(letter_docx()))
    by_text = {p.text: p.runs[0] for p in document.paragraphs if p.runs}
    east_asian = {text: _east_asian(run) for text, run in by_text.items()}
    assert east_asian["乌海市商务局文件"] == "方正小标宋简体"
    assert east_asian["关于市政协十届四次会议第60号提案办理情况的答复函"] == "方正小标宋简体"
    assert east_asian["〔办理结果：A〕"] == "黑体"
    assert east_asian["刘建峰委员："] == "仿宋_GB2312"
    assert east_asian["一、融入智慧平台，推动家政服务业数智化"] == "黑体"
    header = by_text["乌海市商务局文件"].font
    assert str(header.color.rgb) == "E60012"
    sizes = {text: run.font.size for text, run in by_text.items()}
    assert sizes["关于市政协十届四次会议第60号提案办理情况的答复函"] == Pt(22)
    assert sizes["刘建峰委员："] == Pt(16)


def test_the_archive_carries_no_time_of_its_making() -> None:
    data = letter_docx()
    assert data == letter_docx()
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = open_docx(BytesIO(data)).core_properties
    assert core.created == core.modified == FIXED_TIME.replace(tzinfo=None) or core.created == FIXED_TIME
    assert core.author == "乌海市商务局"
    assert datetime.now(UTC).year > FIXED_TIME.year
