"""Every view as xlsx and CSV: Chinese headers, the same rows as the JSON view, the same access rules and
"as of" day, and a UTF-8 file name."""

import csv
import io
from datetime import timedelta
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from shared.documents.spreadsheets import read_xlsx
from shared.web.identity import PAGES, Identity, issue_token
from tests.unit.views.lifecycle import PID
from tests.unit.views.test_api import MEMBER, MINZHENG, OFFICE, SECRET, SHANGWU, client, today

__all__ = ["client"]


def download(client: TestClient, path: str, who: Identity) -> tuple[int, bytes, dict[str, str]]:
    answer = client.get(path, headers={"Authorization": f"Bearer {issue_token(who, SECRET)}"})
    return answer.status_code, answer.content, dict(answer.headers)


def rows_of_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_unit_downloads_its_work_as_xlsx_with_the_rows_of_its_view(client: TestClient) -> None:
    status, data, headers = download(client, "/api/units/市民政局/export?format=xlsx", MINZHENG)

    assert status == 200
    assert headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in headers["content-disposition"]
    assert unquote(headers["content-disposition"].split("''")[1]).startswith("市民政局-办理事项-")
    sheet = read_xlsx(data)
    assert sheet.title == "市民政局 办理事项"
    header, *rows = [row.cells for row in sheet.rows]
    assert header[:6] == ("提案号", "标题", "类型", "角色", "本单位状态", "提案状态")
    assert [(r[0], r[3], r[5]) for r in rows] == [("254", "主办", "已办结")]


def test_a_unit_downloads_its_work_as_csv(client: TestClient) -> None:
    status, data, headers = download(client, "/api/units/minzheng/export?format=csv", MINZHENG)

    assert (status, headers["content-type"]) == (200, "text/csv; charset=utf-8")
    header, *rows = rows_of_csv(data)
    assert header[0] == "提案号" and [r[0] for r in rows] == ["254"]


def test_the_proposal_export_has_its_summary_units_and_timeline(client: TestClient) -> None:
    status, data, _ = download(client, f"/api/proposals/{PID}/export", OFFICE)
    _, timeline, _ = download(client, f"/api/proposals/{PID}/export?format=csv&table=timeline", MINZHENG)

    assert status == 200
    summary = {row.cells[0]: row.cell(1) for row in read_xlsx(data).rows}
    assert (summary["提案号"], summary["状态"], summary["主办单位"]) == ("254", "已办结", "市民政局")
    header, *steps = rows_of_csv(timeline)
    assert header == ["时间", "环节", "事项", "操作人"]
    assert len(steps) > 10


def test_the_office_overview_export_counts_as_the_view_does(client: TestClient) -> None:
    status, data, _ = download(client, "/api/overview/export?format=csv&table=counts", OFFICE)

    assert status == 200
    counts = dict((row[0], row[1]) for row in rows_of_csv(data)[1:])
    assert (counts["合计"], counts["已办结"]) == ("1", "1")


@pytest.mark.parametrize(
    ("path", "who", "expected"),
    [
        ("/api/units/minzheng/export", SHANGWU, 403),
        ("/api/overview/export", MINZHENG, 403),
        (f"/api/proposals/{PID}/export", SHANGWU, 404),
        (f"/api/proposals/{PID}/export", MEMBER, 403),
        ("/api/units/市火星局/export", OFFICE, 422),
        ("/api/overview/export?format=pdf", OFFICE, 422),
        ("/api/overview/export?format=csv&table=nothing", OFFICE, 422),
    ],
)
def test_exports_keep_the_access_rules_and_refuse_bad_parameters(
    client: TestClient, path: str, who: Identity, expected: int
) -> None:
    status, _, headers = download(client, path, who)

    assert status == expected
    assert headers["content-type"] == "application/problem+json"


def test_as_of_yesterday_the_unit_had_nothing_to_export(client: TestClient) -> None:
    path = f"/api/units/minzheng/export?format=csv&as_of={today() - timedelta(days=1)}"
    status, data, _ = download(client, path, MINZHENG)

    assert status == 200
    assert len(rows_of_csv(data)) == 1


def test_the_pages_offer_the_downloads_to_the_signed_in_user(client: TestClient) -> None:
    client.cookies.set("pp_session", issue_token(MINZHENG, SECRET, audience=PAGES))
    page = client.get(f"/proposals/{PID}")
    own = client.get("/units/minzheng/export?format=csv")
    other = client.get("/units/shangwu/export?format=csv")

    assert f'href="/proposals/{PID}/export?format=xlsx"' in page.text
    assert own.status_code == 200
    assert [row[0] for row in rows_of_csv(own.content)] == ["提案号", "254"]
    assert other.status_code == 403
