"""The PDFs as a reader sees them: text laid out by pdftotext, pages drawn by pdftoppm (poppler-utils)."""

import subprocess
import tempfile
from pathlib import Path

from PIL import Image


def text_of(pdf: bytes) -> str:
    """The text of every page, in reading order, with its layout (pdftotext -layout)."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode("utf-8")


def flat(text: str) -> str:
    """The text without any whitespace: a title wrapped over two lines reads as one."""
    return "".join(text.split())


def pages_of(pdf: bytes, dpi: int = 40) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "document.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), str(source), f"{directory}/page"], check=True, timeout=30
        )
        return [Image.open(path).convert("RGB") for path in sorted(Path(directory).glob("page*.png"))]


def positions_in_order(text: str, expected: list[str]) -> list[int]:
    """Where each of `expected` is found in `text`, each searched after the one before; fails naming
    the first one missing or out of order."""
    found: list[int] = []
    start = 0
    for needle in expected:
        at = text.find(needle, start)
        assert at >= 0, f"{needle!r} is missing after {expected[len(found) - 1] if found else 'the start'!r}"
        found.append(at)
        start = at + len(needle)
    return found


def _pixels(page: Image.Image) -> list[tuple[int, int, int]]:
    data = page.convert("RGB").tobytes()
    return list(zip(data[0::3], data[1::3], data[2::3], strict=True))


def ink(page: Image.Image) -> float:
    """The share of pixels that are not white."""
    pixels = _pixels(page)
    return sum(1 for r, g, b in pixels if min(r, g, b) < 200) / len(pixels)


def red_share(page: Image.Image, top: float = 1.0) -> float:
    """The share of red pixels in the upper `top` part of the page."""
    width, height = page.size
    area = page.crop((0, 0, width, int(height * top)))
    pixels = _pixels(area)
    return sum(1 for r, g, b in pixels if r > 180 and g < 120 and b < 120) / len(pixels)
