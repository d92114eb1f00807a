"""Seed 000's allocation plan imported into the PostgreSQL event store: an import cut short after some
proposals is completed by importing the same file again, and nothing is recorded twice."""

from services.allocation.application.imports import Importer, PlanImports
from services.allocation.application.service import stream
from services.allocation.domain.state import Allocated, InProgress
from shared.documents.spreadsheets import read_xlsx
from tests.integration.conftest import Stack
from tests.unit.allocation.examples import allocation_service, deliver
from tests.unit.allocation.plan_sheets import PLAN, plan_xlsx
from tests.unit.allocation.test_plan_import import ALLOCATED_AT, proposal_id, registered

OFFICE = Importer(None, "中卫市政协提案委", "office:zhongwei-office")
MINZHENG = Importer("minzheng", "孔繁银", "unit_staff:kong-fanyin")


async def test_an_interrupted_import_is_completed_and_never_doubled(stack: Stack) -> None:
    service = allocation_service(stack.events)
    for proposal in PLAN["proposals"]:
        await deliver(service, registered(proposal))
    imports = PlanImports(service)
    data = plan_xlsx()
    sheet = read_xlsx(data)

    checked = await imports.check(data, sheet, OFFICE, "zhongwei", ALLOCATED_AT)
    assert not checked.errors
    checked.planned = checked.planned[:7]  # the process stopped after seven proposals
    await imports.apply(checked, OFFICE, "interrupted")
    again = await imports.check(data, sheet, OFFICE, "zhongwei", ALLOCATED_AT)
    done = await imports.apply(again, OFFICE, "completed")
    assert sum(bool(d["appended"]) for d in done) == len(PLAN["proposals"]) - 7

    unit = await imports.check(data, sheet, MINZHENG, "zhongwei", ALLOCATED_AT)
    assert not unit.errors
    await imports.apply(unit, MINZHENG, "unit")
    await imports.apply(
        await imports.check(data, sheet, MINZHENG, "zhongwei", ALLOCATED_AT), MINZHENG, "again"
    )

    for proposal in PLAN["proposals"]:
        recorded = await stack.events.read_stream(stream(proposal_id(proposal["number"])))
        assert [r.type for r in recorded] == [
            "allocation.case-opened.v1",
            "allocation.case-allocated.v1",
            "allocation.assignment-acknowledged.v1",
            "allocation.internally-allocated.v1",
        ], proposal["number"]
        state, _ = await service.get(proposal_id(proposal["number"]))
        assert isinstance(state, Allocated)
        assignment = state.assignment("minzheng")
        assert isinstance(assignment, InProgress)
        assert [t.measure for t in assignment.tasks] == [item["measure"] for item in proposal["items"]]
