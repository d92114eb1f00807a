"""The pages of single sign-on: the login page offers each provider configured, in production too;
in production both cookies are Secure; the attempt cookie is the views' own; a failure is a page in
Chinese. The provider here is faked (tests/unit/test_oidc.py); the real one is in
tests/integration/test_oidc_sign_in.py."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from services.views.application.sign_in import SignInProviders
from services.views.bootstrap import create
from services.views.config import ViewsSettings
from services.views.entrypoints.oidc import ATTEMPT_COOKIE, ATTEMPT_PATH, local, seal
from services.views.entrypoints.session import COOKIE
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import PAGES, Identity, issue_token
from shared.web.keys import SigningKey
from shared.web.oidc import Attempt
from tests.unit.test_oidc import FakeProvider
from tests.unit.views.test_oidc_settings import WUHAI, production


@pytest.fixture
def production_views(tmp_path: Path) -> Iterator[TestClient]:
    unreachable = WUHAI | {"issuer": "https://127.0.0.1:9/realms/zwfw"}
    settings = production(tmp_path, oidc_providers={"wuhai": unreachable})
    app = create(settings, in_memory_infrastructure())
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def test_in_production_the_login_page_offers_the_providers_and_no_password_less_form(
    production_views: TestClient,
) -> None:
    page = production_views.get("/login")

    assert page.status_code == 200
    assert "使用统一身份认证登录（乌海市统一身份认证）" in page.text
    assert 'href="/login/oidc/wuhai"' in page.text
    assert 'name="development-login"' not in page.text and "无需密码" not in page.text


def test_in_development_the_login_page_offers_both() -> None:
    settings = ViewsSettings(app_env="development", oidc_providers={"wuhai": WUHAI})
    with TestClient(create(settings, in_memory_infrastructure())) as views:
        page = views.get("/login")

    assert "使用统一身份认证登录（乌海市统一身份认证）" in page.text
    assert 'action="/login"' in page.text


def test_a_provider_that_cannot_be_reached_is_a_page_that_says_so(production_views: TestClient) -> None:
    answer = production_views.get("/login/oidc/wuhai")

    assert answer.status_code == 502
    assert "登录失败" in answer.text and "暂时无法连接统一身份认证平台" in answer.text
    assert ATTEMPT_COOKIE not in answer.cookies


@pytest.mark.parametrize("path", ["/", "/units/minzheng", "/proposals/jincheng-254?tab=replies"])
def test_a_page_of_the_site_is_a_place_to_go_after_signing_in(path: str) -> None:
    assert local(path)


@pytest.mark.parametrize(
    "path",
    ["", "units", "//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)"],
)
def test_a_page_elsewhere_is_not(path: str) -> None:
    assert not local(path)


def test_a_callback_with_an_attempt_cookie_not_made_by_the_views_is_refused(tmp_path: Path) -> None:
    settings = ViewsSettings(oidc_providers={"wuhai": WUHAI})
    attempt = Attempt.start()
    forged = seal(attempt, "wuhai", "/", SigningKey.generate())
    session = issue_token(Identity("office-wang", "office", "王敏"), SigningKey.development(), audience=PAGES)
    with TestClient(create(settings, in_memory_infrastructure()), base_url="https://testserver") as views:
        for cookie in (forged, session):
            views.cookies.set(ATTEMPT_COOKIE, cookie, path=ATTEMPT_PATH)
            answer = views.get("/login/oidc/wuhai/callback", params={"state": attempt.state, "code": "c"})

            assert answer.status_code == 400
            assert "登录已超时" in answer.text


def test_in_production_the_sign_in_keeps_its_attempt_and_then_the_session_in_secure_cookies(
    tmp_path: Path,
) -> None:
    provider = FakeProvider()
    settings = production(tmp_path, oidc_providers={"wuhai": WUHAI})
    with TestClient(create(settings, in_memory_infrastructure()), base_url="https://testserver") as views:
        providers = views.app.state.parts.provided.get(SignInProviders)  # type: ignore[attr-defined]
        providers.get("wuhai").party.transport = httpx.MockTransport(provider.handle)

        started = views.get("/login/oidc/wuhai", follow_redirects=False)
        asked = dict(parse_qsl(urlsplit(started.headers["location"]).query))
        provider.answer = (200, {"id_token": provider.sign(nonce=asked["nonce"], role="office", name="王敏")})
        back = {"state": asked["state"], "code": "a-code"}
        signed_in = views.get("/login/oidc/wuhai/callback", params=back, follow_redirects=False)

    attempt = started.headers["set-cookie"]
    assert attempt.startswith(f"{ATTEMPT_COOKIE}=") and "Path=/login/oidc" in attempt
    assert "Secure" in attempt and "HttpOnly" in attempt and "SameSite=lax" in attempt
    assert signed_in.status_code == 303
    session = next(h for h in signed_in.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}="))
    assert "Secure" in session and "HttpOnly" in session and "SameSite=lax" in session
