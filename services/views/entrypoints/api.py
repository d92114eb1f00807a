"""The query API of the views: a unit's work, one proposal, the office overview.

Each view answers "as of" a past day with `?as_of=YYYY-MM-DD`: the store replayed to that day's end.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.views.application import queries
from services.views.application.asof import Replay
from services.views.application.projections import LiveProjections
from services.views.entrypoints.schemas import Activity, Overview, ProposalView, UnitView
from shared.adapters.readstore import ReadStore
from shared.kernel.decider import Forbidden, InvalidField, NotFound
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import local_date
from shared.rules.units import UnitRegistry, UnknownUnit
from shared.web.http import now
from shared.web.identity import Caller, Identity
from shared.web.problems import problem_doc
from shared.web.provided import provided

router = APIRouter(tags=["views"])

QUERY_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: problem_doc("The caller may not see this view"),
    404: problem_doc("No such proposal, or not one the caller's unit shares"),
    422: problem_doc("A bad parameter (named in field and rule): unknown unit, bad or future date"),
}
AsOf = Annotated[str | None, Query(description="A past day, YYYY-MM-DD: the view as it stood at its end.")]
Units = Annotated[UnitRegistry, Depends(provided(UnitRegistry))]
Calendar = Annotated[WorkingCalendar, Depends(provided(WorkingCalendar))]
Replayed = Annotated[Replay, Depends(provided(Replay))]
Live = Annotated[LiveProjections, Depends(provided(LiveProjections))]


@router.get("/activity")
async def activity(request: Request) -> Activity:
    """How many events of each type, service and day the platform has recorded."""
    views = request.app.state.infra.views
    return Activity(
        by_type=await views.hgetall("activity:by-type"),
        by_service=await views.hgetall("activity:by-service"),
        by_day=await views.hgetall("activity:by-day"),
        last=await views.hgetall("activity:last"),
    )


@router.get("/api/units/{unit}", responses=QUERY_RESPONSES)
async def unit_view(
    request: Request,
    unit: str,
    caller: Caller,
    units: Units,
    calendar: Calendar,
    replay: Replayed,
    as_of: AsOf = None,
) -> UnitView:
    """A unit's assignments as lead and co-unit, with deadlines: for its own staff and the office.

    As a spreadsheet: `GET /api/units/{unit}/export?format=xlsx|csv` (same rules and `as_of`)."""
    unit_id = resolve_unit(units, unit)
    if not (caller.is_office or caller.acts_for(unit_id)):
        raise Forbidden(f"only the office and the staff of {unit_id} see its work")
    store, today = await store_and_day(request, replay, as_of)
    return UnitView.model_validate(await queries.unit_view(store, unit_id, today, calendar))


@router.get("/api/proposals/{proposal_id}", responses=QUERY_RESPONSES)
async def proposal_view(
    request: Request, proposal_id: str, caller: Caller, replay: Replayed, as_of: AsOf = None
) -> ProposalView:
    """One proposal across its units, with its timeline: for the office and the units sharing it.

    As a spreadsheet: `GET /api/proposals/{proposal_id}/export?format=xlsx|csv&table=summary|units|timeline`
    (xlsx holds the three tables as sheets; csv the one named, summary when none)."""
    check_may_see_proposals(caller)
    store, _ = await store_and_day(request, replay, as_of)
    found = await queries.proposal_view(store, proposal_id)
    if found is None or not (
        caller.is_office or caller.unit in await queries.units_sharing(store, proposal_id)
    ):
        raise NotFound(f"no proposal {proposal_id}")
    return ProposalView.model_validate(found)


@router.get("/api/overview", responses=QUERY_RESPONSES)
async def office_overview(
    request: Request, caller: Caller, calendar: Calendar, replay: Replayed, as_of: AsOf = None
) -> Overview:
    """Counts by state, per unit rates (办结率, on time, 面商率, 满意率, classes, adjustments), per session
    and category: for the office only.

    As a spreadsheet: `GET /api/overview/export?format=xlsx|csv&table=units|counts|key_items`."""
    if not caller.is_office:
        raise Forbidden("only the office sees the overview")
    store, today = await store_and_day(request, replay, as_of)
    return Overview.model_validate(await queries.office_overview(store, today, calendar))


def resolve_unit(units: UnitRegistry, written: str) -> str:
    try:
        return units.resolve(written).id
    except UnknownUnit:
        raise InvalidField("unit", f"no unit is named {written!r}") from None


def check_may_see_proposals(caller: Identity) -> None:
    if not (caller.is_office or caller.unit):
        raise Forbidden("only the office and handling units see proposal views")


async def store_and_day(request: Request, replay: Replay, as_of: str | None) -> tuple[ReadStore, date]:
    """The live views and today, or the views replayed to the end of `as_of` and that day."""
    today = local_date(now(request))
    if as_of is None:
        return request.app.state.infra.views, today
    day = parse_day(as_of, today)
    return await replay.until(day), day


def parse_day(text: str, today: date) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidField("as_of", "a date written YYYY-MM-DD") from None
    if len(text) != 10:
        raise InvalidField("as_of", "a date written YYYY-MM-DD")
    if day > today:
        raise InvalidField("as_of", f"not after today ({today.isoformat()})")
    return day
