"""The CJK fonts of the documents, found where their Debian packages install them.

No font is bundled: the set-up installs the packages (see the Dockerfile), and a missing one is
reported with the package to install rather than as a blank or boxed PDF.
"""

from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shared.web.problems import Problem

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
"""Where Debian installs fonts (and where a local administrator adds them)."""


class MissingFont(Problem):
    """A font file the documents need is not installed; answered as a 500 problem+json whose detail
    names the Debian package to install."""

    def __init__(self, detail: str) -> None:
        super().__init__(500, "A font of the documents is not installed", detail)


@dataclass(frozen=True)
class FontFile:
    file: str
    subfont: int
    package: str
    office_name: str
    """The font the offices use for this role, named in DOCX; Word substitutes where it is missing."""


class Face(Enum):
    """The roles of GB/T 9704 and the free font that stands in for each in the PDF."""

    TITLE = FontFile("uming.ttc", 0, "fonts-arphic-uming", "方正小标宋简体")
    BODY = FontFile("uming.ttc", 0, "fonts-arphic-uming", "仿宋_GB2312")
    HEI = FontFile("wqy-zenhei.ttc", 0, "fonts-wqy-zenhei", "黑体")
    KAI = FontFile("ukai.ttc", 0, "fonts-arphic-ukai", "楷体_GB2312")

    @property
    def office_name(self) -> str:
        return self.value.office_name


def find(font: FontFile, dirs: tuple[Path, ...] = FONT_DIRS) -> Path:
    """The installed file of `font`, or MissingFont naming the package that provides it."""
    for directory in dirs:
        if directory.is_dir():
            found = sorted(directory.rglob(font.file))
            if found:
                return found[0]
    searched = ", ".join(str(d) for d in dirs)
    raise MissingFont(
        f"font {font.file} not found under {searched}: install the Debian package {font.package}"
    )


@cache
def pdf_font(face: Face) -> str:
    """The reportlab name of `face`, registered on first use (a .ttc is loaded by its subfont index)."""
    name = f"{Path(face.value.file).stem}-{face.value.subfont}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(find(face.value)), subfontIndex=face.value.subfont))
    return name
