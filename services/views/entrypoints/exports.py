"""Downloads of the views as xlsx or CSV, with the access rules and `as_of` of the JSON endpoints."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.views.application import queries
from services.views.application.exports import (
    Format,
    UnitName,
    export,
    overview_tables,
    proposal_tables,
    unit_tables,
)
from services.views.entrypoints.api import (
    QUERY_RESPONSES,
    AsOf,
    Calendar,
    Replayed,
    Units,
    check_may_see_proposals,
    resolve_unit,
    store_and_day,
)
from shared.documents.spreadsheets import Table
from shared.kernel.decider import Forbidden, InvalidField, NotFound
from shared.rules.units import UnitRegistry, UnknownUnit
from shared.web.identity import Caller

router = APIRouter(tags=["views"])

EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The view as a spreadsheet",
        "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            "text/csv": {},
        },
    },
    **QUERY_RESPONSES,
}

FormatQuery = Annotated[Format, Query(description="xlsx: every table as a sheet; csv: one table, UTF-8")]
TableQuery = Annotated[
    str | None, Query(description="For csv: which table (the first when absent); listed in the 422 answer")
]


@router.get("/api/units/{unit}/export", response_class=Response, responses=EXPORT_RESPONSES)
async def unit_export(
    request: Request,
    unit: str,
    caller: Caller,
    units: Units,
    calendar: Calendar,
    replay: Replayed,
    format: FormatQuery = "xlsx",
    table: TableQuery = None,
    as_of: AsOf = None,
) -> Response:
    """A unit's assignments (办理事项) as a spreadsheet: for its own staff and the office."""
    unit_id = resolve_unit(units, unit)
    if not (caller.is_office or caller.acts_for(unit_id)):
        raise Forbidden(f"only the office and the staff of {unit_id} see its work")
    store, today = await store_and_day(request, replay, as_of)
    view = await queries.unit_view(store, unit_id, today, calendar)
    tables = unit_tables(view, namer(units))
    return export(tables, format, chosen(tables, table), f"{namer(units)(unit_id)}-办理事项-{today}")


@router.get("/api/proposals/{proposal_id}/export", response_class=Response, responses=EXPORT_RESPONSES)
async def proposal_export(
    request: Request,
    proposal_id: str,
    caller: Caller,
    units: Units,
    replay: Replayed,
    format: FormatQuery = "xlsx",
    table: TableQuery = None,
    as_of: AsOf = None,
) -> Response:
    """One proposal (概况, 承办单位, 办理经过) as a spreadsheet: for the office and the units sharing it."""
    check_may_see_proposals(caller)
    store, today = await store_and_day(request, replay, as_of)
    found = await queries.proposal_view(store, proposal_id)
    if found is None or not (
        caller.is_office or caller.unit in await queries.units_sharing(store, proposal_id)
    ):
        raise NotFound(f"no proposal {proposal_id}")
    tables = proposal_tables(found, namer(units))
    return export(tables, format, chosen(tables, table), f"第{found['number'] or proposal_id}号-{today}")


@router.get("/api/overview/export", response_class=Response, responses=EXPORT_RESPONSES)
async def overview_export(
    request: Request,
    caller: Caller,
    units: Units,
    calendar: Calendar,
    replay: Replayed,
    format: FormatQuery = "xlsx",
    table: TableQuery = None,
    as_of: AsOf = None,
) -> Response:
    """The office overview (各单位办理情况, 件数统计, 重点提案) as a spreadsheet: for the office only."""
    if not caller.is_office:
        raise Forbidden("only the office sees the overview")
    store, today = await store_and_day(request, replay, as_of)
    view = await queries.office_overview(store, today, calendar)
    tables = overview_tables(view, namer(units))
    return export(tables, format, chosen(tables, table), f"办理情况总览-{today}")


def chosen(tables: dict[str, Table], table: str | None) -> str | None:
    if table is not None and table not in tables:
        raise InvalidField("table", f"one of {', '.join(tables)}")
    return table


def namer(units: UnitRegistry) -> UnitName:
    def name(unit: str) -> str:
        try:
            return units.get(unit).name
        except UnknownUnit:
            return unit

    return name
