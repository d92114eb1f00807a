"""The pages name the units of the deployment the views service is configured with (DEPLOY_DIR)."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.views.bootstrap import create
from services.views.config import ViewsSettings
from services.views.entrypoints.pages import COOKIE
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import Identity, issue_token
from shared.web.keys import SigningKey

SECRET = SigningKey.development()
DAQING_MINZHENG = """
[[unit]]
id = "daqing-minzheng"
name = "大庆市民政局"
aliases = ["大庆民政局"]
kind = "bureau"
"""


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A deployment whose unit registry holds one more unit than the checkout's."""
    deploy = tmp_path / "deploy"
    shutil.copytree(ViewsSettings().deploy_dir, deploy)
    with (deploy / "units.toml").open("a", encoding="utf-8") as units:
        units.write(DAQING_MINZHENG)
    settings = ViewsSettings(deploy_dir=deploy)
    with TestClient(create(settings, in_memory_infrastructure()), follow_redirects=False) as test_client:
        yield test_client


def test_the_login_page_offers_the_units_of_the_configured_deployment(client: TestClient) -> None:
    page = client.get("/login")

    assert page.status_code == 200
    assert '<option value="daqing-minzheng">大庆市民政局</option>' in page.text


def test_a_unit_of_the_configured_deployment_has_its_workbench_under_its_name(client: TestClient) -> None:
    staff = Identity("daqing-wangfang", "unit_staff", "王芳", "daqing-minzheng")
    client.cookies.set(COOKIE, issue_token(staff, SECRET))

    page = client.get("/units/大庆民政局")

    assert page.status_code == 200
    assert "大庆市民政局 · 办理工作台" in page.text
