"""One small model of an official document, rendered alike to PDF and to DOCX.

A document is a sequence of blocks: paragraphs in one of the styles of GB/T 9704 (the red organ
header, 文号, title, salutation, body, headings, signature), red rules, vertical space and ruled
tables for the forms. The renderers decide fonts and measures from the style alone.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

Style = Literal[
    "organ",
    "document_no",
    "result_class",
    "title",
    "salutation",
    "line",
    "body",
    "heading",
    "subheading",
    "signature",
    "closing",
    "note",
]

RED = (0xE6, 0x00, 0x12)
"""The red of the organ header and the rule under the 文号."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Style = "body"


@dataclass(frozen=True)
class Rule:
    """A red line across the type area (版头 separator)."""


@dataclass(frozen=True)
class Spacer:
    mm: float


@dataclass(frozen=True)
class Cell:
    text: str
    span: int = 1
    """How many columns the cell covers."""
    align: Literal["left", "center"] = "left"
    height_mm: float = 0
    """The least height of the row the cell is in, its text at the top (space to write in); 0 for
    the height of its text, centred."""


@dataclass(frozen=True)
class Table:
    widths_mm: tuple[float, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Keep:
    """Paragraphs kept on one page: the signature block does not leave its closing behind."""

    blocks: tuple[Paragraph | Spacer, ...]


Block = Paragraph | Rule | Spacer | Table | Keep


@dataclass(frozen=True)
class Document:
    title: str
    """The document's metadata title (also the file's), not a block."""
    blocks: tuple[Block, ...]
    author: str = ""
    page_numbers: bool = True


_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """一, 二, … 十, 十一, … 九十九: the numbering of sections (一、 and （一）)."""
    if not 0 < n < 100:
        raise ValueError(f"{n} is outside 1–99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def chinese_date(day: date) -> str:
    """2025年6月11日: the date of a document, in Arabic numerals as GB/T 9704-2012 writes it."""
    return f"{day.year}年{day.month}月{day.day}日"
