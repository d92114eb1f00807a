"""Official documents: CJK fonts from Debian packages, one small document model, and deterministic PDF
and DOCX renderings of it in the layout of GB/T 9704, each with its sha256."""

from shared.documents.fonts import MissingFont
from shared.documents.model import (
    Block,
    Cell,
    Document,
    Keep,
    Paragraph,
    Rule,
    Spacer,
    Style,
    Table,
    chinese_date,
    chinese_number,
)
from shared.documents.pdf import render_pdf
from shared.documents.render import Rendered, render
from shared.documents.word import render_docx

__all__ = [
    "Block",
    "Cell",
    "Document",
    "Keep",
    "MissingFont",
    "Paragraph",
    "Rendered",
    "Rule",
    "Spacer",
    "Style",
    "Table",
    "chinese_date",
    "chinese_number",
    "render",
    "render_docx",
    "render_pdf",
]
