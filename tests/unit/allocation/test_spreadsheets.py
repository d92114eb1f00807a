"""The spreadsheet reader refuses what an upload must not bring in, naming the cell or part; the writers
keep Chinese text readable in Excel and text that looks like a formula as text."""

import csv
import io
import zipfile

import openpyxl
import pytest

from shared.documents.spreadsheets import (
    SpreadsheetRefused,
    SpreadsheetTooLarge,
    Table,
    content_disposition,
    read_xlsx,
    write_csv,
    write_xlsx,
)
from tests.unit.allocation.plan_sheets import part, plan_workbook, plan_xlsx, with_part, xlsx

SHEET = "xl/worksheets/sheet1.xml"
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'


def refused(data: bytes, filename: str = "分工方案.xlsx") -> SpreadsheetRefused:
    with pytest.raises(SpreadsheetRefused) as caught:
        read_xlsx(data, filename)
    return caught.value


def test_the_plan_is_read_with_merged_cells_filled_in() -> None:
    sheet = read_xlsx(plan_xlsx())
    second_item_of_38 = next(r for r in sheet.rows if r.cell(3).startswith("2、充分整合"))
    assert second_item_of_38.cell(1) == "38"
    assert second_item_of_38.cell(2) == "关于引导社会组织参与社区治理的建议"
    assert second_item_of_38.cell(7) == "社会事务科\n基层政权建设与区划地名科"


@pytest.mark.parametrize(("entity", "use"), [(LAUGHS, b"&lol3;"), (EXTERNAL, b"&xxe;")])
def test_xml_with_entities_is_refused_before_parsing_and_by_the_parser_too(entity: bytes, use: bytes) -> None:
    data = plan_xlsx()
    spoiled = with_part(
        data, SHEET, entity + part(data, SHEET).replace(b"<t>", b"<t>" + use, 1), replace=True
    )
    error = refused(spoiled)
    assert error.cell == SHEET
    assert "entities" in error.reason
    with pytest.raises(ValueError):  # openpyxl alone, through defusedxml, refuses it as well
        openpyxl.load_workbook(io.BytesIO(spoiled))


def test_a_macro_workbook_is_refused_by_its_part_and_by_its_name() -> None:
    data = with_part(plan_xlsx(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    assert refused(data).cell == "xl/vbaProject.bin"
    assert "macro" in refused(plan_xlsx(), "分工方案.xlsm").reason
    types = part(data, "[Content_Types].xml").replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    assert (
        "macro-enabled" in refused(with_part(plan_xlsx(), "[Content_Types].xml", types, replace=True)).reason
    )


def test_links_to_other_workbooks_are_refused() -> None:
    data = with_part(plan_xlsx(), "xl/externalLinks/externalLink1.xml", b"<externalLink/>")
    assert refused(data).cell == "xl/externalLinks/externalLink1.xml"


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (60 * 1024 * 1024))
    assert "unpacks to" in refused(out.getvalue()).reason


def test_not_a_workbook_and_oversize_are_refused() -> None:
    assert (
        "zip" in refused(b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7,\xe6\x8f\x90\xe6\xa1\x88\xe5\x8f\xb7").reason
    )
    with pytest.raises(SpreadsheetTooLarge):
        read_xlsx(b"PK" + bytes(100), max_bytes=64)


def test_formulas_are_refused_naming_the_cell() -> None:
    workbook = plan_workbook()
    assert workbook.active is not None
    workbook.active["F7"] = '=CONCAT("市民政局","")'
    assert refused(xlsx(workbook)).cell == "F7"


def test_too_many_rows_are_refused() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number in range(30):
        sheet.append([str(number), "关于推进我市医养结合发展的建议"])
    with pytest.raises(SpreadsheetRefused, match="more than 20 rows"):
        read_xlsx(xlsx(workbook), max_rows=20)
    sheet["A5000"] = "末行"
    with pytest.raises(SpreadsheetRefused, match="reaches row 5000"):
        read_xlsx(xlsx(workbook))


def test_csv_has_a_bom_and_keeps_formula_like_text_inert() -> None:
    rows = [["60", '=HYPERLINK("http://x")'], ["87", "关于进一步巩固脱贫攻坚成果"]]
    data = write_csv(Table("办理情况", ["提案号", "标题"], rows))
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
        ["提案号", "标题"],
        ["60", '\'=HYPERLINK("http://x")'],
        ["87", "关于进一步巩固脱贫攻坚成果"],
    ]


def test_xlsx_keeps_formula_like_text_as_text_and_reads_back() -> None:
    rows = [["60", "=1+1"], ["87", "关于进一步巩固脱贫攻坚成果"]]
    data = write_xlsx([Table("市民政局 办理情况", ["提案号", "标题"], rows), Table("空", ["提案号"], [])])
    sheet = read_xlsx(data)
    assert sheet.title == "市民政局 办理情况"
    assert [r.cells for r in sheet.rows] == [
        ("提案号", "标题"),
        ("60", "=1+1"),
        ("87", "关于进一步巩固脱贫攻坚成果"),
    ]


def test_content_disposition_carries_the_utf8_name() -> None:
    header = content_disposition("市民政局-办理情况.xlsx")
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80-" in header
