"""The DOCX of a document: python-docx with the offices' font names, fixed core properties and fixed
zip entry times, so equal input gives equal bytes."""

import zipfile
from datetime import UTC, datetime
from io import BytesIO

from docx import Document as new_docx
from docx.document import Document as Docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from shared.documents.fonts import Face
from shared.documents.layout import (
    BOTTOM_MM,
    CELL_PT,
    LEFT_MM,
    LOOKS,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    RIGHT_MM,
    TOP_MM,
)
from shared.documents.model import RED, Block, Cell, Document, Keep, Paragraph, Rule, Spacer, Table

FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)
"""The creation and modification time written in every DOCX: the bytes depend on the content only."""
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def render_docx(document: Document) -> bytes:
    docx = new_docx()
    _page(docx)
    _properties(docx, document)
    for block in document.blocks:
        _block(docx, block)
    buffer = BytesIO()
    docx.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _block(docx: Docx, block: Block, keep_with_next: bool = False) -> None:
    match block:
        case Paragraph():
            keep = keep_with_next or LOOKS[block.style].keep_with_next
            _paragraph(docx, block).paragraph_format.keep_with_next = keep or None
        case Rule():
            _rule(docx)
        case Spacer():
            spacer = docx.add_paragraph().paragraph_format
            spacer.space_after, spacer.keep_with_next = Mm(block.mm), keep_with_next or None
        case Table():
            _table(docx, block)
        case Keep():
            for i, kept in enumerate(block.blocks):
                _block(docx, kept, keep_with_next=i < len(block.blocks) - 1)


def _page(docx: Docx) -> None:
    section = docx.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)


def _properties(docx: Docx, document: Document) -> None:
    core = docx.core_properties
    core.title = document.title
    core.subject = document.title
    core.author = document.author
    core.last_modified_by = document.author
    core.comments = ""
    core.revision = 1
    core.created = core.modified = core.last_printed = FIXED_TIME


def _paragraph(docx: Docx, block: Paragraph) -> DocxParagraph:
    look = LOOKS[block.style]
    paragraph = docx.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = _ALIGN[look.align]
    fmt.first_line_indent = Pt(look.indent_chars * look.size)
    fmt.right_indent = Pt(look.right_chars * look.size)
    fmt.line_spacing = Pt(look.leading)
    fmt.space_before = Pt(look.space_before)
    fmt.space_after = Pt(0)
    lines = block.text.split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        _font(run, look.face, look.size)
        if look.red:
            run.font.color.rgb = RGBColor(*RED)
        if i < len(lines) - 1:
            run.add_break()
    return paragraph


def _font(run: Run, face: Face, size: float) -> None:
    """The office's font for the run, East Asian text included (w:eastAsia, which Word uses for CJK)."""
    run.font.size = Pt(size)
    run.font.name = face.office_name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), face.office_name)


def _rule(docx: Docx) -> None:
    """A red bottom border on an empty paragraph: the 版头 separator line."""
    paragraph = docx.add_paragraph()
    borders = paragraph._p.get_or_add_pPr().makeelement(qn("w:pBdr"), {})
    bottom = borders.makeelement(
        qn("w:bottom"),
        {qn("w:val"): "single", qn("w:sz"): "12", qn("w:space"): "1", qn("w:color"): _hex(RED)},
    )
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(docx: Docx, table: Table) -> None:
    grid = docx.add_table(rows=len(table.rows), cols=len(table.widths_mm))
    grid.style = "Table Grid"
    for r, row in enumerate(table.rows):
        column = 0
        for cell in row:
            target = grid.cell(r, column)
            if cell.span > 1:
                target = target.merge(grid.cell(r, column + cell.span - 1))
            _cell(target, cell)
            column += cell.span
        tallest = max((c.height_mm for c in row), default=0)
        if tallest:
            grid.rows[r].height = Mm(tallest)
    for c, width in enumerate(table.widths_mm):
        for cell_ in grid.columns[c].cells:
            cell_.width = Mm(width)


def _cell(target: _Cell, cell: Cell) -> None:
    target.vertical_alignment = (
        WD_CELL_VERTICAL_ALIGNMENT.TOP if cell.height_mm else WD_CELL_VERTICAL_ALIGNMENT.CENTER
    )
    paragraph = target.paragraphs[0]
    paragraph.alignment = _ALIGN[cell.align]
    lines = cell.text.split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        _font(run, Face.BODY, CELL_PT)
        if i < len(lines) - 1:
            run.add_break()


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry dated 1980-01-01, so the bytes do not carry the time of day."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def _hex(rgb: tuple[int, int, int]) -> str:
    return "".join(f"{c:02X}" for c in rgb)
