"""The PDF of a document: reportlab in invariant mode with fixed metadata, so equal input gives
equal bytes."""

from io import BytesIO
from typing import Any, Literal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, SimpleDocTemplate, TableStyle
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Spacer as PdfSpacer
from reportlab.platypus import Table as PdfTable

from shared.documents.fonts import Face, pdf_font
from shared.documents.layout import (
    BOTTOM_MM,
    CELL_PT,
    LEFT_MM,
    LOOKS,
    RIGHT_MM,
    TOP_MM,
    Look,
)
from shared.documents.model import RED, Block, Document, Keep, Paragraph, Rule, Spacer, Table

_ALIGN: dict[str, Literal[0, 1, 2, 4]] = {"left": 0, "center": 1, "right": 2, "justify": 4}
"""reportlab's TA_LEFT, TA_CENTER, TA_RIGHT and TA_JUSTIFY (it draws by these numbers, not names)."""
_RED = colors.Color(*(c / 255 for c in RED))
PRODUCER = "proposals platform"


def render_pdf(document: Document) -> bytes:
    buffer = BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=TOP_MM * mm,
        leftMargin=LEFT_MM * mm,
        rightMargin=RIGHT_MM * mm,
        bottomMargin=BOTTOM_MM * mm,
        title=document.title,
        author=document.author,
        subject=document.title,
        creator=PRODUCER,
        producer=PRODUCER,
        invariant=1,
    )
    story: list[Flowable] = [_flowable(block, template.width) for block in document.blocks]
    on_page = _page_number if document.page_numbers else _nothing
    template.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _flowable(block: Block, width: float) -> Flowable:
    match block:
        case Keep():
            return KeepTogether([_flowable(b, width) for b in block.blocks])
        case Paragraph():
            return PdfParagraph(_escaped(block.text), _style(LOOKS[block.style], block.style))
        case Rule():
            return HRFlowable(width="100%", thickness=1.2, color=_RED, spaceBefore=4, spaceAfter=8)
        case Spacer():
            return PdfSpacer(width, block.mm * mm)
        case Table():
            return _table(block)


def _style(look: Look, name: str) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=pdf_font(look.face),
        fontSize=look.size,
        leading=look.leading,
        alignment=_ALIGN[look.align],
        firstLineIndent=look.indent_chars * look.size,
        rightIndent=look.right_chars * look.size,
        spaceBefore=look.space_before,
        textColor=_RED if look.red else colors.black,
        keepWithNext=int(look.keep_with_next),
        wordWrap="CJK",
    )


def _escaped(text: str) -> str:
    """Text as reportlab's paragraph markup reads it, line breaks kept."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br/>")


_CELL = ParagraphStyle("cell", fontSize=CELL_PT, leading=CELL_PT * 1.5, wordWrap="CJK")
_PADDING = 6.0
"""reportlab's default cell padding, on each side."""


def _table(table: Table) -> PdfTable:
    style = ParagraphStyle("cell", parent=_CELL, fontName=pdf_font(Face.BODY))
    centred = ParagraphStyle("cell-centre", parent=style, alignment=_ALIGN["center"])
    data: list[list[object]] = []
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    heights: list[float | None] = []
    for r, row in enumerate(table.rows):
        cells: list[object] = []
        needed = 0.0
        for cell in row:
            column = len(cells)
            text = PdfParagraph(_escaped(cell.text), centred if cell.align == "center" else style)
            width = sum(table.widths_mm[column : column + cell.span]) * mm - 2 * _PADDING
            needed = max(needed, text.wrap(width, 1e6)[1] + 2 * _PADDING)
            cells.append(text)
            cells.extend([""] * (cell.span - 1))
            if cell.span > 1:
                commands.append(("SPAN", (column, r), (column + cell.span - 1, r)))
            if cell.height_mm:
                commands.append(("VALIGN", (column, r), (column, r), "TOP"))
        data.append(cells)
        least = max((c.height_mm for c in row), default=0) * mm
        heights.append(max(least, needed) if least else None)
    return PdfTable(
        data,
        colWidths=[w * mm for w in table.widths_mm],
        rowHeights=heights,
        style=TableStyle(commands),
    )


def _page_number(canvas: Canvas, template: SimpleDocTemplate) -> None:
    """— 1 —: the page number under the type area, 4号 (14 pt)."""
    canvas.saveState()
    canvas.setFont(pdf_font(Face.BODY), 14)
    canvas.drawCentredString(template.pagesize[0] / 2, (BOTTOM_MM - 10) * mm, f"— {canvas.getPageNumber()} —")
    canvas.restoreState()


def _nothing(canvas: Canvas, template: SimpleDocTemplate) -> None:
    """No page number: a one-page form."""
