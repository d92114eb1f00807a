"""The document kernel: fonts found by their Debian package, numbering and dates as documents write
them, and the same document giving the same bytes in a fresh process."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from shared.documents import Document, MissingFont, Paragraph, chinese_date, chinese_number, render
from shared.documents.fonts import Face, find
from shared.documents.settings import load_all
from shared.rules.units import UnitRegistry


def test_a_missing_font_names_the_debian_package_to_install(tmp_path: Path) -> None:
    with pytest.raises(MissingFont, match="fonts-wqy-zenhei"):
        find(Face.HEI.value, (tmp_path,))


def test_every_face_is_installed() -> None:
    for face in Face:
        assert find(face.value).name == face.value.file


@pytest.mark.parametrize(
    ("n", "written"), [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (99, "九十九")]
)
def test_sections_are_numbered_in_chinese(n: int, written: str) -> None:
    assert chinese_number(n) == written


def test_a_date_is_written_without_leading_zeros() -> None:
    assert chinese_date(date(2025, 6, 11)) == "2025年6月11日"


SCRIPT = """
from shared.documents import Document, Paragraph, render
blocks = (Paragraph("乌海市商务局文件", "organ"), Paragraph("刘建峰委员：", "salutation"))
files = render(Document("t", blocks))
print(files.pdf_sha256, files.docx_sha256)
"""


def test_a_fresh_process_renders_the_same_bytes() -> None:
    here = render(
        Document("t", (Paragraph("乌海市商务局文件", "organ"), Paragraph("刘建峰委员：", "salutation")))
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=root, capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == [here.pdf_sha256, here.docx_sha256]


def test_every_configured_issuer_is_a_registered_unit_with_an_organ_and_a_prefix() -> None:
    root = Path(__file__).resolve().parents[2] / "deploy"
    units = UnitRegistry.load(root / "units.toml")
    settings = load_all(root / "policy")
    assert set(settings) >= {"wuhai", "jincheng", "zhongwei"}
    for jurisdiction in settings.values():
        for unit_id, issuer in jurisdiction.units.items():
            assert units.get(unit_id).id == unit_id
            assert issuer.organ.startswith(jurisdiction.name), f"{issuer.organ} is not of {jurisdiction.name}"
            assert issuer.prefix
