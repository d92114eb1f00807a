"""An allocation plan (分工方案, seed 000) read from a sheet: one line per suggestion item.

The columns are found by their header names, written as in the plan (序号, 提案号, 提案名称, 提案建议内容,
责任单位 over 主办单位 and 协办单位, 办理措施, 责任科室, 责任领导, 责任人, 完成时限), with any spaces or line
breaks inside them; the header may take two rows (责任单位 above 主办单位 and 协办单位). A proposal that
spans several item rows has its number and title in merged cells, which the reader fills in. Nothing
here knows units or proposals: it turns text into fields and says which row lacks what.
"""

import re
from dataclasses import dataclass
from datetime import date

from shared.documents.spreadsheets import Row, Sheet
from shared.rules.units import normalise_name

HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("提案号", "提案编号", "建议号", "建议编号"),
    "title": ("提案名称", "提案标题", "建议名称", "标题"),
    "content": ("提案建议内容", "建议内容", "提案内容"),
    "lead": ("主办单位", "主办"),
    "co_units": ("协办单位", "协办", "会办单位"),
    "measure": ("办理措施",),
    "section": ("责任科室",),
    "leader": ("责任领导", "分管领导"),
    "person": ("责任人", "承办人"),
    "due": ("完成时限", "办结时限"),
}
REQUIRED = ("number", "lead")
LABELS = {field: names[0] for field, names in HEADERS.items()}
HEADER_SEARCH_ROWS = 10

_ITEM_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[、.．,，)）]")
_DATE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")
_SEPARATORS = re.compile(r"[\n\r、，,；;]+")


@dataclass(frozen=True)
class PlanRow:
    """One item of one proposal as the plan writes it; unit names not yet resolved."""

    row: int
    number: str
    title: str
    item: int
    content: str
    lead: tuple[str, ...]
    co_units: tuple[str, ...]
    measure: str
    section: str
    leader: str
    person: str
    due: date | None


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str
    number: str = ""
    """The proposal number of the row, when it could be read."""

    def as_dict(self) -> dict[str, str | int]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


class MissingHeaders(ValueError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"no column headed {', '.join(missing)} in the first {HEADER_SEARCH_ROWS} rows")
        self.missing = missing


def read_plan(sheet: Sheet) -> tuple[list[PlanRow], list[RowError]]:
    """The items of the plan and the rows that could not be read, each with its reason."""
    columns, first_data = find_columns(sheet.rows)
    plan: list[PlanRow] = []
    errors: list[RowError] = []
    items_seen: dict[str, int] = {}
    for row in sheet.rows[first_data:]:
        parsed, row_errors = read_row(row, columns, items_seen)
        errors += row_errors
        if parsed is not None:
            plan.append(parsed)
    return plan, errors


def find_columns(rows: tuple[Row, ...]) -> tuple[dict[str, int], int]:
    """Which column holds which field, and the index of the first data row after the header rows."""
    names = {normalise_name(name): field for field, written in HEADERS.items() for name in written}
    columns: dict[str, int] = {}
    last_header = -1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {
            names[normalise_name(text)]: column
            for column, text in enumerate(row.cells)
            if normalise_name(text) in names
        }
        if not found:
            if columns:
                break
            continue
        for field, column in found.items():
            columns.setdefault(field, column)
        last_header = index
    missing = [LABELS[field] for field in REQUIRED if field not in columns]
    if missing:
        raise MissingHeaders(missing)
    return columns, last_header + 1


def read_row(
    row: Row, columns: dict[str, int], items_seen: dict[str, int]
) -> tuple[PlanRow | None, list[RowError]]:
    def text(field: str) -> str:
        return row.cell(columns[field]).strip() if field in columns else ""

    errors: list[RowError] = []
    number = normalise_number(text("number"))
    if not number:
        errors.append(RowError(row.number, LABELS["number"], "missing"))
    lead = names_in(text("lead"))
    if not lead:
        errors.append(RowError(row.number, LABELS["lead"], "missing"))
    due = None
    if text("due"):
        due = parse_date(text("due"))
        if due is None:
            errors.append(RowError(row.number, LABELS["due"], f"not a date: {text('due')!r}"))
    if errors:
        return None, [RowError(e.row, e.field, e.reason, number) for e in errors]
    content = text("content")
    item = item_number(content, items_seen.get(number, 0) + 1)
    items_seen[number] = item
    return PlanRow(
        row=row.number,
        number=number,
        title=one_line(text("title")),
        item=item,
        content=content,
        lead=lead,
        co_units=names_in(text("co_units")),
        measure=one_line(text("measure")),
        section="、".join(names_in(text("section"))),
        leader="、".join(person_names(text("leader"))),
        person="、".join(person_names(text("person"))),
        due=due,
    ), []


def normalise_number(text: str) -> str:
    """第26号 / 26号 / 26 → "26"."""
    return re.sub(r"^第|号$", "", re.sub(r"\s+", "", text))


def item_number(content: str, next_in_order: int) -> int:
    """The number the item is written with ("2、…", "3.…"), or the next one when it has none."""
    match = _ITEM_NUMBER.match(content)
    return int(match.group(1)) if match else next_in_order


def parse_date(text: str) -> date | None:
    """2021年 9月 30日, 2021-09-30, 2021/9/30, 2021.9.30."""
    match = _DATE.search(text)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def names_in(text: str) -> tuple[str, ...]:
    """The names written in one cell, one a line or separated by 、 or commas."""
    return tuple(part.strip() for part in _SEPARATORS.split(text) if part.strip())


def person_names(text: str) -> tuple[str, ...]:
    """Chinese personal names are written without spaces; plans pad two-character names (王 军)."""
    return tuple(re.sub(r"\s+", "", name) for name in names_in(text))


def one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", "", text).strip()
