"""Spreadsheets in and out: a reader for uploaded xlsx files that refuses what it should not open, and
writers of a table as xlsx or CSV.

An upload comes from outside, so the reader checks the file before openpyxl parses it: its size, the
zip container (number of entries, total uncompressed size, compression ratio: zip bombs), macros
(vbaProject.bin, macro-enabled content types), links to external workbooks, and document type
declarations in any XML part (billion laughs, external entities). openpyxl itself parses through
defusedxml when it is installed, which it is here, so a DTD that slipped past would still be refused.
Cells holding formulas are refused too: an import takes values, and a formula's cached value is
whatever the last program that saved the file computed. Every refusal names the cell or part and why.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote

MAX_BYTES = 5 * 1024 * 1024
"""The largest upload read at all."""
MAX_ROWS = 2000
"""Rows with content in the sheet, headers included."""
MAX_COLUMNS = 64
MAX_ENTRIES = 500
"""Parts in the zip container; a plain workbook has a dozen or two."""
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 200
"""Uncompressed to compressed size of one part; XML compresses well, but not a thousandfold."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetRefused(Exception):
    """An upload the reader will not take: `status` is the HTTP answer, `cell` the place when known."""

    status = 422

    def __init__(self, reason: str, cell: str | None = None) -> None:
        super().__init__(f"{cell}: {reason}" if cell else reason)
        self.reason = reason
        self.cell = cell


class SpreadsheetTooLarge(SpreadsheetRefused):
    status = 413


@dataclass(frozen=True)
class Row:
    """One row with content: its number in the sheet (from 1) and its cells as text, merged ranges
    filled with the value of their top-left cell."""

    number: int
    cells: tuple[str, ...]

    def cell(self, column: int) -> str:
        return self.cells[column] if column < len(self.cells) else ""


@dataclass(frozen=True)
class Sheet:
    title: str
    rows: tuple[Row, ...]


def read_xlsx(data: bytes, filename: str = "", max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Sheet:
    """The first worksheet of an uploaded workbook, as text; raises `SpreadsheetRefused`."""
    if len(data) > max_bytes:
        raise SpreadsheetTooLarge(f"the file has {len(data)} bytes; at most {max_bytes} are accepted")
    if filename.lower().endswith(_MACRO_SUFFIXES):
        raise SpreadsheetRefused(f"{filename}: macro-enabled or binary workbooks are not accepted")
    check_container(data)
    worksheet = open_first_sheet(data)
    check_dimensions(worksheet, max_rows)
    return Sheet(str(worksheet.title), tuple(sheet_rows(worksheet, max_rows)))


def check_container(data: bytes) -> None:
    """Refuse before parsing: not a zip, too many or too large parts, macros, external links, DTDs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SpreadsheetRefused("not an xlsx file (no zip container)") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise SpreadsheetRefused(f"the workbook has {len(entries)} parts; at most {MAX_ENTRIES}")
        total = sum(entry.file_size for entry in entries)
        if total > MAX_UNCOMPRESSED:
            raise SpreadsheetRefused(f"the workbook unpacks to {total} bytes; at most {MAX_UNCOMPRESSED}")
        for entry in entries:
            check_part(archive, entry)


def check_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    lowered = name.lower()
    if entry.file_size > MAX_RATIO * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
        raise SpreadsheetRefused("compressed far more than a workbook can be (zip bomb)", cell=name)
    if "vbaproject" in lowered or "activex" in lowered:
        raise SpreadsheetRefused("the workbook contains macros or controls", cell=name)
    if "externallink" in lowered:
        raise SpreadsheetRefused("the workbook links to other workbooks", cell=name)
    if not lowered.endswith((".xml", ".rels", ".vml")):
        return
    try:
        text = archive.read(entry)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as error:
        raise SpreadsheetRefused(f"the part cannot be read ({error})", cell=name) from None
    if _DOCTYPE.search(text):
        raise SpreadsheetRefused("XML with a document type declaration (entities) is not accepted", cell=name)
    if name == "[Content_Types].xml" and b"macroenabled" in text.lower():
        raise SpreadsheetRefused("the workbook is macro-enabled", cell=name)


def open_first_sheet(data: bytes) -> Any:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception as error:
        raise SpreadsheetRefused(f"the workbook cannot be read ({type(error).__name__})") from None
    if not workbook.worksheets:
        raise SpreadsheetRefused("the workbook has no worksheet")
    return workbook.worksheets[0]


def check_dimensions(worksheet: Any, max_rows: int) -> None:
    """Refuse sheets that reach further than an import can hold, before touching their cells."""
    if worksheet.max_column > MAX_COLUMNS:
        raise SpreadsheetRefused(f"the sheet has {worksheet.max_column} columns; at most {MAX_COLUMNS}")
    if worksheet.max_row > max_rows * 2:
        raise SpreadsheetRefused(f"the sheet reaches row {worksheet.max_row}; at most {max_rows} rows")


def sheet_rows(worksheet: Any, max_rows: int) -> list[Row]:
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    merged = merged_values(worksheet)
    rows: list[Row] = []
    for cells in worksheet.iter_rows():
        texts: list[str] = []
        for cell in cells:
            if cell.data_type == "f" or isinstance(cell.value, ArrayFormula | DataTableFormula):
                raise SpreadsheetRefused("formulas are not accepted; paste the values", cell=cell.coordinate)
            texts.append(merged.get((cell.row, cell.column), text_of(cell.value)))
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            rows.append(Row(cells[0].row, tuple(texts)))
        if len(rows) > max_rows:
            raise SpreadsheetRefused(f"more than {max_rows} rows; split the file", cell=f"row {cells[0].row}")
    return rows


def merged_values(worksheet: Any) -> dict[tuple[int, int], str]:
    """Every cell inside a merged range mapped to the text of the range's top-left cell."""
    values: dict[tuple[int, int], str] = {}
    for bounds in worksheet.merged_cells.ranges:
        top = text_of(worksheet.cell(bounds.min_row, bounds.min_col).value)
        for row in range(bounds.min_row, bounds.max_row + 1):
            for column in range(bounds.min_col, bounds.max_col + 1):
                values[(row, column)] = top
    return values


def text_of(value: object) -> str:
    """A cell's value as the text a person reads: whole numbers without ".0", dates as ISO days."""
    match value:
        case None:
            return ""
        case bool():
            return "是" if value else "否"
        case float() if value.is_integer():
            return str(int(value))
        case datetime() if value.time() == time(0):
            return value.date().isoformat()
        case datetime() | date():
            return value.isoformat()
        case _:
            return str(value).strip()


@dataclass(frozen=True)
class Table:
    """What a writer writes: a titled table with its column headers and rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


def write_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table: a bold header row, then the rows; text that starts like a formula stays
    text."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for table in tables or [Table("Sheet", (), ())]:
        sheet = workbook.create_sheet(safe_title(table.title))
        sheet.append(list(table.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in table.rows:
            sheet.append([cell_value(v) for v in values])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(table: Table) -> bytes:
    """UTF-8 with a byte order mark, so that Excel opens Chinese text correctly; text that starts like
    a formula gets a leading apostrophe (CSV injection)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for values in table.rows:
        writer.writerow([defused_text(cell_value(v)) for v in values])
    return out.getvalue().encode("utf-8-sig")


def cell_value(value: object) -> object:
    """What a writer puts in a cell: numbers and dates as they are, lists joined, the rest as text."""
    match value:
        case None:
            return ""
        case bool():
            return "是" if value else "否"
        case int() | float() | date():
            return value
        case list() | tuple():
            return "、".join(str(v) for v in value)
        case _:
            return str(value)


def defused_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_title(title: str) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", title).strip() or "Sheet"
    return cleaned[:31]


def content_disposition(filename: str) -> str:
    """An attachment header with an ascii fallback and the UTF-8 name (RFC 6266, RFC 5987)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "export"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
