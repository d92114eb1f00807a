"""The pages refuse too many sign-in attempts from one address and too many uses of one feedback
link with 429 and Retry-After: a page in Chinese for a browser, problem+json otherwise."""

from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from services.views.bootstrap import create
from services.views.config import ViewsSettings
from services.views.entrypoints import pages
from services.views.entrypoints.limits import RATE_LIMITS
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.ratelimit import LINK_USE, SIGN_IN

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SIGN_IN_FORM = {"role": "unit_staff", "unit": "minzheng", "name": "孙雪斌"}
UNREACHABLE = "http://127.0.0.1:9"
"""Where the pages look for the feedback service: nothing answers (the form page says so, 503)."""


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = ViewsSettings(app_env="test", feedback_url=UNREACHABLE)
    app = create(settings, in_memory_infrastructure())
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        test_client.get("/login")  # the CSRF value the forms carry, as a browser gets it
        SIGN_IN_FORM["csrf"] = str(test_client.cookies["pp_csrf"])
        yield test_client


def test_sign_in_is_refused_with_429_after_ten_attempts_from_one_address(client: TestClient) -> None:
    for _ in range(SIGN_IN.burst):
        assert client.post("/login", data=SIGN_IN_FORM, headers=BROWSER).status_code == 303

    refused = client.post("/login", data=SIGN_IN_FORM, headers=BROWSER)

    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("text/html")
    assert 1 <= int(refused.headers["retry-after"]) <= SIGN_IN.every
    assert "操作过于频繁" in refused.text
    assert f"请在 {refused.headers['retry-after']} 秒后再试" in refused.text
    assert "pp_session" not in refused.headers.get("set-cookie", "")


def test_a_program_is_told_the_same_as_problem_json(client: TestClient) -> None:
    for _ in range(SIGN_IN.burst):
        client.post("/login", data=SIGN_IN_FORM)

    refused = client.post("/login", data=SIGN_IN_FORM)

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["retry_after"] == int(refused.headers["retry-after"])


def test_one_feedback_link_opened_too_often_is_refused_and_another_link_is_not(client: TestClient) -> None:
    for _ in range(LINK_USE.burst):
        assert client.get("/forms/one-members-link", headers=BROWSER).status_code == 503

    assert client.get("/forms/one-members-link", headers=BROWSER).status_code == 429
    assert client.post("/forms/one-members-link", data={"key": "k"}, headers=BROWSER).status_code == 429
    assert client.get("/forms/another-members-link", headers=BROWSER).status_code == 503


def test_the_sign_in_page_itself_is_not_limited(client: TestClient) -> None:
    for _ in range(SIGN_IN.burst + 5):
        assert client.get("/login").status_code == 200


def test_every_limited_path_is_a_route_of_the_pages() -> None:
    routes = {(r.path, m) for r in pages.router.routes if isinstance(r, APIRoute) for m in r.methods or ()}
    for limit in RATE_LIMITS:
        for method in limit.methods:
            assert (limit.path, method) in routes, (limit.name, method)
