"""Workbooks for the import tests: seed 000's plan laid out as the plan is (a title row, two header rows,
merged cells for a proposal spanning several items), and spoiled copies of it."""

import functools
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

DATA = Path(__file__).resolve().parents[2] / "data" / "zhongwei_allocation_plan.json"
PLAN: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
HEADER = [
    "序号",
    "提案号",
    "提案名称",
    "提案建议内容",
    "责任单位",
    "",
    "办理措施",
    "责任科室",
    "责任\n领导",
    "责任人",
    "完成时限",
]
FIRST_DATA_ROW = 4


def plan_rows(plan: dict[str, Any] = PLAN) -> list[list[list[str]]]:
    """Per proposal, its item rows as the cells of the eleven columns."""
    return [
        [
            [
                str(seq),
                proposal["number"],
                proposal["title"],
                item["content"],
                item["lead"],
                "\n".join(item["co_units"]),
                item["measure"],
                "\n".join(item["section"]),
                "\n".join(item["leader"]),
                "\n".join(item["person"]),
                item["due"],
            ]
            for item in proposal["items"]
        ]
        for seq, proposal in enumerate(plan["proposals"], start=1)
    ]


def plan_workbook(plan: dict[str, Any] = PLAN, merge: bool = True) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "分工方案"
    sheet.append([plan["title"]])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    sheet.append(["", "", "", "", "主办单位", "协办单位"])
    sheet.merge_cells("E2:F2")
    for column in (1, 2, 3, 4, 7, 8, 9, 10, 11):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    row = FIRST_DATA_ROW
    for proposal in plan_rows(plan):
        for cells in proposal:
            for column, value in enumerate(cells, start=1):
                sheet.cell(row, column, value)
            row += 1
        if merge:
            merge_runs(sheet, row - len(proposal), proposal)
    return workbook


def merge_runs(sheet: Any, first: int, rows: list[list[str]]) -> None:
    """Merge, within one proposal, each run of equal cells in a column, as the plan's tables do; the
    cells under the top one are emptied as Excel does."""
    for column in range(len(HEADER)):
        if column == 3:
            continue
        start = 0
        for end in range(1, len(rows) + 1):
            if end < len(rows) and rows[end][column] == rows[start][column] and rows[start][column]:
                continue
            if end - start > 1:
                sheet.merge_cells(
                    start_row=first + start,
                    start_column=column + 1,
                    end_row=first + end - 1,
                    end_column=column + 1,
                )
            start = end


def xlsx(workbook: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@functools.cache
def plan_xlsx() -> bytes:
    """Seed 000's plan as an xlsx file (built once: files are immutable bytes)."""
    return xlsx(plan_workbook())


def with_part(data: bytes, name: str, content: bytes, replace: bool = False) -> bytes:
    """The workbook with one zip part added (or replaced)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if not (replace and entry.filename == name):
                target.writestr(entry, source.read(entry))
        target.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)
