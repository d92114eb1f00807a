"""The measures of GB/T 9704 and the look of each paragraph style, shared by both renderers."""

from dataclasses import dataclass
from typing import Literal

from shared.documents.fonts import Face
from shared.documents.model import Style

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
TOP_MM = 37.0
LEFT_MM = 28.0
TYPE_WIDTH_MM = 156.0
TYPE_HEIGHT_MM = 225.0
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TYPE_WIDTH_MM
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TYPE_HEIGHT_MM

BODY_PT = 16.0
"""3号: the body. The type area's 156 mm hold 27.6 characters of it, so a line carries 27 of the 28 the
standard counts (Word reaches 28 by squeezing its character grid; reportlab sets the font as it is)."""
TITLE_PT = 22.0
"""2号: the title."""
CELL_PT = 12.0
"""小四: the text of form tables, so that labels like 委员姓名 and an 11-digit phone fit their columns."""
LINES = 22
LINE_PT = TYPE_HEIGHT_MM / LINES * 72 / 25.4
"""22 lines over the type area's height: about 29 pt from one line to the next."""

Align = Literal["left", "center", "right", "justify"]


@dataclass(frozen=True)
class Look:
    face: Face
    size: float
    align: Align = "justify"
    indent_chars: float = 0
    """First-line indent, in characters of the style's size."""
    right_chars: float = 0
    """Right indent, in characters (the signature block stands off the right edge)."""
    leading: float = LINE_PT
    space_before: float = 0
    red: bool = False
    keep_with_next: bool = False
    """A heading does not stay alone at the foot of a page."""


LOOKS: dict[Style, Look] = {
    "organ": Look(Face.TITLE, 30, "center", leading=40, red=True),
    "document_no": Look(Face.BODY, BODY_PT, "center", space_before=LINE_PT),
    "result_class": Look(Face.HEI, BODY_PT, "left", space_before=LINE_PT / 2),
    "title": Look(Face.TITLE, TITLE_PT, "center", leading=TITLE_PT * 1.5, space_before=LINE_PT),
    "salutation": Look(Face.BODY, BODY_PT, "left", space_before=LINE_PT),
    "line": Look(Face.BODY, BODY_PT, "left"),
    "body": Look(Face.BODY, BODY_PT, indent_chars=2),
    "heading": Look(Face.HEI, BODY_PT, indent_chars=2, keep_with_next=True),
    "subheading": Look(Face.KAI, BODY_PT, indent_chars=2, keep_with_next=True),
    "closing": Look(Face.BODY, BODY_PT, indent_chars=2, space_before=LINE_PT / 2),
    "signature": Look(Face.BODY, BODY_PT, "right", right_chars=2),
    "note": Look(Face.BODY, 12, indent_chars=0, leading=18),
}
