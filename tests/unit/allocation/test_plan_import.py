"""Import of seed 000's allocation plan (中卫市民政局, 市政协四届五次会议) from xlsx over HTTP: the office's
交办 and the unit's 内部交办 reproduce the rows; a file with any bad row imports nothing."""

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.allocation.application.imports import Importer, PlanImports
from services.allocation.application.service import AllocationService
from services.allocation.bootstrap import create
from services.allocation.config import AllocationSettings
from services.intake.contracts import ItemV1, ProposalRegisteredV1, ProposerV1
from shared.documents.spreadsheets import XLSX, read_xlsx
from shared.kernel.cloudevents import CloudEvent
from shared.rules.units import UnitRegistry
from shared.settings import DEPLOY
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import Identity, Role, issue_token
from tests.unit.allocation.examples import deliver
from tests.unit.allocation.plan_sheets import (
    FIRST_DATA_ROW,
    PLAN,
    part,
    plan_workbook,
    plan_xlsx,
    with_part,
    xlsx,
)

SETTINGS = AllocationSettings()
ALLOCATED_AT = datetime(2021, 4, 12, 1, 0, tzinfo=UTC)  # a Monday morning in 中卫
SESSION = "市政协四届五次会议"
SHEET = "xl/worksheets/sheet1.xml"
ENTITY = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'


def token(role: Role, unit: str | None = None, name: str = "马丽") -> dict[str, str]:
    identity = Identity(subject=f"{role}-{unit}", role=role, name=name, unit=unit)
    return {"Authorization": f"Bearer {issue_token(identity, SETTINGS.signing_key())}"}


OFFICE = token("office", name="中卫市政协提案委")
MINZHENG = token("unit_staff", "minzheng", "孔繁银")
PROPOSER = token("proposer", name="刘建峰")


def proposal_id(number: str) -> str:
    return f"zhongwei-2021-{number}"


def registered(proposal: dict[str, Any]) -> CloudEvent:
    data = ProposalRegisteredV1(
        proposal_id=proposal_id(proposal["number"]),
        jurisdiction="zhongwei",
        kind="proposal",
        session=SESSION,
        number=proposal["number"],
        title=proposal["title"],
        category="社会建设",
        items=[ItemV1(number=i, text=item["content"]) for i, item in enumerate(proposal["items"], start=1)],
        proposers=[ProposerV1(id=f"member-{proposal['number']}", name="中卫市政协委员")],
        registered_at=datetime(2021, 3, 20, 2, 0, tzinfo=UTC),
    )
    return CloudEvent(
        id=f"registered-{proposal['number']}", source="intake", type=data.type_name,
        time=data.registered_at, data=data.model_dump(mode="json"), correlationid=proposal["number"],
    )  # fmt: skip


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create(SETTINGS, in_memory_infrastructure())
    with TestClient(app) as client:
        app.state.clock = lambda: ALLOCATED_AT
        service = app.state.parts.provided.get(AllocationService)
        assert client.portal is not None
        for proposal in PLAN["proposals"]:
            client.portal.call(deliver, service, registered(proposal))
        yield client


def upload(
    client: TestClient, data: bytes, who: dict[str, str], name: str = "分工方案.xlsx", dry_run: bool = False
) -> Any:
    return client.post(
        "/allocations/imports" + ("?dry_run=true" if dry_run else ""),
        files={"file": (name, data, XLSX)},
        data={"jurisdiction": "zhongwei"},
        headers=who,
    )


def allocation(client: TestClient, number: str) -> dict[str, Any]:
    answer = client.get(f"/allocations/{proposal_id(number)}", headers=OFFICE)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def states(client: TestClient) -> list[str]:
    return [allocation(client, p["number"])["state"] for p in PLAN["proposals"]]


UNITS = UnitRegistry.load(DEPLOY / "units.toml")


def unit_id(name: str) -> str:
    return UNITS.resolve(name).id


def test_the_office_and_the_unit_import_seed_000_and_reproduce_its_rows(client: TestClient) -> None:
    data = plan_xlsx()
    office = upload(client, data, OFFICE)
    assert office.status_code == 200, office.text
    assert [c["step"] for c in office.json()["commands"]] == ["交办"] * len(PLAN["proposals"])
    unit = upload(client, data, MINZHENG)
    assert unit.status_code == 200, unit.text
    assert unit.json()["skipped_rows"] == []
    for proposal in PLAN["proposals"]:
        view = allocation(client, proposal["number"])
        items = proposal["items"]
        assert view["state"] == "ALLOCATED"
        assert view["reply_due"] == "2021-09-30"
        assert view["routing"] == [
            {"item": i, "lead": unit_id(item["lead"]), "co_units": [unit_id(c) for c in item["co_units"]]}
            for i, item in enumerate(items, start=1)
        ]
        minzheng = next(a for a in view["assignments"] if a["unit"] == "minzheng")
        assert minzheng["state"] == "IN_PROGRESS"
        assert minzheng["tasks"] == [
            {
                "item": i,
                "section": "、".join(item["section"]),
                "leader": "、".join(name.replace(" ", "") for name in item["leader"]),
                "person": "、".join(item["person"]),
                "deadline": "2021-09-30",
                "measure": item["measure"],
            }
            for i, item in enumerate(items, start=1)
        ]
    modes = {p["number"]: allocation(client, p["number"])["mode"] for p in PLAN["proposals"]}
    assert (modes["87"], modes["38"], modes["91"]) == ("分办", "主办+协办", "主办+协办")


def test_uploading_the_same_file_again_appends_nothing(client: TestClient) -> None:
    data = plan_xlsx()
    assert upload(client, data, OFFICE).status_code == 200
    versions = [allocation(client, p["number"])["version"] for p in PLAN["proposals"]]
    again = upload(client, data, OFFICE)
    assert again.status_code == 200, again.text
    assert all(c["already_recorded"] and not c["appended"] for c in again.json()["commands"])
    assert [allocation(client, p["number"])["version"] for p in PLAN["proposals"]] == versions


def test_an_interrupted_import_is_completed_by_uploading_the_file_again(client: TestClient) -> None:
    data = plan_xlsx()
    service = client.app.state.parts.provided.get(AllocationService)  # type: ignore[attr-defined]
    imports = PlanImports(service)
    importer = Importer(None, "中卫市政协提案委", "office:office-None")
    assert client.portal is not None
    checked = client.portal.call(imports.check, data, read_xlsx(data), importer, "zhongwei", ALLOCATED_AT)
    assert not checked.errors
    checked.planned = checked.planned[:5]  # the process died after five proposals
    client.portal.call(imports.apply, checked, importer, "crashed-import")
    assert states(client).count("ALLOCATED") == 5
    answer = upload(client, data, OFFICE)
    assert answer.status_code == 200, answer.text
    assert [c["already_recorded"] for c in answer.json()["commands"]] == [True] * 5 + [False] * 12
    assert states(client) == ["ALLOCATED"] * len(PLAN["proposals"])


def test_a_dry_run_shows_the_commands_and_appends_nothing(client: TestClient) -> None:
    answer = upload(client, plan_xlsx(), OFFICE, dry_run=True)
    assert answer.status_code == 200, answer.text
    first = answer.json()["commands"][0]
    assert (first["number"], first["mode"], first["rows"]) == ("26", "主办+协办", [FIRST_DATA_ROW])
    assert first["routing"] == [{"item": 1, "lead": "fupin", "co_units": ["minzheng"]}]
    assert states(client) == ["AWAITING_ALLOCATION"] * len(PLAN["proposals"])


def spoiled(change: Any) -> bytes:
    plan = copy.deepcopy(PLAN)
    change(plan)
    return xlsx(plan_workbook(plan))


def test_one_bad_row_among_good_ones_refuses_the_file_and_lists_every_bad_row(client: TestClient) -> None:
    def spoil(plan: dict[str, Any]) -> None:
        by_number = {p["number"]: p for p in plan["proposals"]}
        by_number["56"]["items"][0]["co_units"][2] = "市妇女儿童工作委员会"
        by_number["69"]["number"] = "999"
        by_number["111"]["items"][0]["due"] = "2021年 13月 30日"
        by_number["123"]["items"][2]["lead"] = ""

    answer = upload(client, spoiled(spoil), OFFICE)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    errors = answer.json()["errors"]
    rows = {p["number"]: FIRST_DATA_ROW + sum(len(q["items"]) for q in PLAN["proposals"][:i])
            for i, p in enumerate(PLAN["proposals"])}  # fmt: skip
    assert {(e["row"], e["field"]) for e in errors} == {
        (rows["56"], "协办单位"),
        (rows["69"], "提案号"),
        (rows["111"], "完成时限"),
        (rows["123"] + 2, "主办单位"),
    }
    assert any("市妇女儿童工作委员会" in e["reason"] for e in errors)
    assert states(client) == ["AWAITING_ALLOCATION"] * len(PLAN["proposals"])


def test_a_proposal_that_cannot_take_the_allocation_is_a_bad_row(client: TestClient) -> None:
    first = {"mode": "独办", "lead": "市民政局", "reply_due": "2021-09-30"}
    assert client.post(f"/allocations/{proposal_id('91')}", json=first, headers=OFFICE).status_code == 200
    answer = upload(client, plan_xlsx(), OFFICE)
    assert answer.status_code == 422
    reasons = {e["row"]: e["reason"] for e in answer.json()["errors"]}
    assert len(reasons) == 4  # the four item rows of 第91号
    assert all("ALLOCATED" in reason for reason in reasons.values())
    assert states(client).count("ALLOCATED") == 1


def test_a_unit_imports_only_after_the_office_allocated_and_only_as_allocated(client: TestClient) -> None:
    early = upload(client, plan_xlsx(), MINZHENG)
    assert early.status_code == 422
    assert "交办 first" in early.json()["errors"][0]["reason"]
    assert upload(client, plan_xlsx(), OFFICE).status_code == 200

    def other_lead(plan: dict[str, Any]) -> None:
        plan["proposals"][0]["items"][0]["lead"] = "市民政局"
        plan["proposals"][0]["items"][0]["co_units"] = []

    answer = upload(client, spoiled(other_lead), MINZHENG)
    assert answer.status_code == 422
    assert {(e["row"], e["field"]) for e in answer.json()["errors"]} == {
        (FIRST_DATA_ROW, "主办单位"),
        (FIRST_DATA_ROW, "协办单位"),
    }
    assert "市扶贫办" in answer.json()["errors"][0]["reason"]


def test_a_proposer_may_not_import(client: TestClient) -> None:
    assert upload(client, plan_xlsx(), PROPOSER).status_code == 403


def test_a_file_over_the_size_limit_is_refused_with_413(client: TestClient) -> None:
    answer = upload(client, b"PK" + b"\0" * (5 * 1024 * 1024), OFFICE)
    assert answer.status_code == 413
    assert answer.json()["field"] == "file"


def test_a_formula_is_refused_naming_its_cell(client: TestClient) -> None:
    workbook = plan_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["K5"] = "=DATE(2021,9,30)"
    answer = upload(client, xlsx(workbook), OFFICE)
    assert answer.status_code == 422
    assert answer.json()["cell"] == "K5"
    assert "formula" in answer.json()["detail"]


def test_a_file_without_the_plan_columns_is_refused_naming_them(client: TestClient) -> None:
    workbook = plan_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.unmerge_cells("B2:B3")
    sheet["B2"] = "编码"
    answer = upload(client, xlsx(workbook), OFFICE)
    assert answer.status_code == 422
    assert "提案号" in answer.json()["detail"]


def test_not_a_multipart_upload_is_a_problem(client: TestClient) -> None:
    answer = client.post("/allocations/imports", json={"file": "x"}, headers=OFFICE)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"


def many_rows() -> bytes:
    workbook = plan_workbook()
    sheet = workbook.active
    assert sheet is not None
    for extra in range(2000):
        sheet.append(["", "26", "", f"{extra}.", "市扶贫办", "市民政局"])
    return xlsx(workbook)


def with_macros() -> bytes:
    return with_part(plan_xlsx(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")


def with_entity() -> bytes:
    return with_part(plan_xlsx(), SHEET, ENTITY + part(plan_xlsx(), SHEET), replace=True)


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("分工方案.xlsm", plan_xlsx, "macro"),
        ("分工方案.xlsx", with_macros, "macros"),
        ("分工方案.xlsx", with_entity, "entities"),
        ("分工方案.xlsx", many_rows, "rows"),
    ],
)
def test_unsafe_or_oversized_workbooks_are_refused_and_nothing_is_imported(
    client: TestClient, name: str, make: Callable[[], bytes], reason: str
) -> None:
    answer = upload(client, make(), OFFICE, name=name)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert reason in answer.json()["detail"]
    assert states(client) == ["AWAITING_ALLOCATION"] * len(PLAN["proposals"])


def test_a_body_declared_larger_than_the_limit_is_refused_before_it_is_parsed(client: TestClient) -> None:
    answer = upload(client, bytes(6 * 1024 * 1024), OFFICE)
    assert answer.status_code == 413
    assert "bytes" in answer.json()["detail"]


def test_a_unit_named_twice_or_an_item_numbered_twice_is_listed_on_its_own_row(client: TestClient) -> None:
    def spoil(plan: dict[str, Any]) -> None:
        by_number = {p["number"]: p for p in plan["proposals"]}
        by_number["69"]["items"][0]["co_units"].append("人社局")  # 市人力资源和社会保障局 again
        by_number["75"]["items"][2]["content"] = "2.提升服务质量。"

    answer = upload(client, spoiled(spoil), OFFICE)
    assert answer.status_code == 422
    rows = {p["number"]: FIRST_DATA_ROW + sum(len(q["items"]) for q in PLAN["proposals"][:i])
            for i, p in enumerate(PLAN["proposals"])}  # fmt: skip
    errors = {(e["row"], e["field"]): e["reason"] for e in answer.json()["errors"]}
    assert set(errors) == {(rows["69"], "协办单位"), (rows["75"] + 2, "提案建议内容")}
    assert errors[(rows["69"], "协办单位")] == "市人社局 is named twice"
    assert "item 2 is routed twice" in errors[(rows["75"] + 2, "提案建议内容")]
