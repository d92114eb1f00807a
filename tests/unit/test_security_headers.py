"""Every answer of every service carries the security headers; the pages hold nothing the
Content-Security-Policy would block (no inline script or style, no javascript: link)."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime.catalog import CATALOG
from services.views.bootstrap import create as create_views
from services.views.config import ViewsSettings
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.edge import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parents[2] / "services" / "views" / "entrypoints" / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def views(app_env: str = "test") -> TestClient:
    return TestClient(
        create_views(ViewsSettings(app_env=app_env), in_memory_infrastructure()),
        base_url="https://testserver",
    )


def test_the_login_page_carries_the_security_headers() -> None:
    with views() as client:
        page = client.get("/login")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["strict-transport-security"].startswith("max-age=")


def test_the_page_of_a_feedback_link_hands_its_token_to_no_other_site() -> None:
    with views() as client:
        page = client.get("/forms/a-token-that-leads-nowhere")

    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_there_is_no_hsts_in_development() -> None:
    with views("development") as client:
        page = client.get("/login")

    assert "strict-transport-security" not in page.headers
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("name", list(CATALOG))
def test_every_answer_of_every_service_carries_them(name: str) -> None:
    entry = CATALOG[name]
    with TestClient(entry.create(entry.settings(), in_memory_infrastructure())) as client:
        answers = [client.get("/health"), client.get("/no-such-path"), client.post("/proposals/x/review")]

    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff", answer.url
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, answer.url
        assert answer.headers["referrer-policy"] == "no-referrer", answer.url


def test_the_api_documentation_keeps_its_scripts_but_is_framed_nowhere() -> None:
    with views() as client:
        docs = client.get("/docs")

    assert docs.status_code == 200
    assert docs.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert docs.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_template_holds_what_the_policy_blocks(template: Path) -> None:
    assert not INLINE.findall(template.read_text(encoding="utf-8"))


def test_a_message_page_links_back_without_a_script() -> None:
    with views() as client:
        client.get("/login")
        csrf = str(client.cookies["pp_csrf"])
        refused = client.post("/login", data={"role": "nobody", "csrf": csrf})

    assert refused.status_code == 422
    assert '<a href="/login">返回</a>' in refused.text
