"""Signing in to the pages through a real OpenID Connect provider: `oidc-provider-mock`, run as a
process of its own, and the views app driven as a browser drives it, following every redirect.

The provider issues an ID token for whichever client asks for it. So a wrong audience is an ID token
it issued to another application of the jurisdiction, handed to the views in place of their own on the
way back from the token endpoint; a wrong nonce is an authorization request whose nonce was altered on
its way to the provider; an expired ID token comes from a second provider process, whose tokens expire
five minutes before they are issued.
"""

import base64
import hashlib
import logging
import socket
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from services.views.application.sign_in import SignInProviders
from services.views.bootstrap import create
from services.views.config import ViewsSettings
from services.views.entrypoints.oidc import ATTEMPT_COOKIE
from services.views.entrypoints.pages import COOKIE
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import PAGES, read_token
from shared.web.keys import KeySet, SigningKey
from tests.processes import running, wait_healthy

SITE = "https://testserver"
CLIENT_ID = "proposals-views"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Providers:
    fresh: str
    """The issuer URL of a provider as any."""
    stale: str
    """The issuer URL of a provider whose ID tokens expired five minutes before they were issued."""


@pytest.fixture(scope="module")
def providers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Providers]:
    """Both provider processes, started together."""
    directory = tmp_path_factory.mktemp("oidc")
    options = {"fresh": [], "stale": ["--token-max-age=-300"]}
    with ExitStack() as stack:
        issuers = {}
        for name, more in options.items():
            (directory / name).mkdir()
            port = free_port()
            args = ["-m", "oidc_provider_mock", "--port", str(port), *more]
            process = stack.enter_context(running(args, cwd=directory / name))
            issuers[name] = (f"http://127.0.0.1:{port}", process)
        for issuer, process in issuers.values():
            wait_healthy(f"{issuer}/.well-known/openid-configuration", process)
        yield Providers(fresh=issuers["fresh"][0], stale=issuers["stale"][0])


@pytest.fixture
def provider(providers: Providers) -> str:
    return providers.fresh


@pytest.fixture
def stale_provider(providers: Providers) -> str:
    return providers.stale


def registration(issuer: str, name: str, display_name: str, **more: Any) -> dict[str, Any]:
    return {
        "display_name": display_name,
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": "views-client-secret",
        "redirect_url": f"{SITE}/login/oidc/{name}/callback",
        **more,
    }


@pytest.fixture
def views(provider: str, stale_provider: str) -> Iterator[TestClient]:
    settings = ViewsSettings(
        app_env="test",
        oidc_providers={
            "wuhai": registration(
                provider, "wuhai", "乌海市统一身份认证", claims={"roles": {"提案委工作人员": "office"}}
            ),
            "stale": registration(stale_provider, "stale", "过期凭证测试平台"),
        },
    )
    app = create(settings, in_memory_infrastructure())
    with TestClient(app, base_url=SITE, follow_redirects=False) as client:
        yield client


def person(issuer: str, subject: str, **claims: object) -> str:
    """Make the provider know `subject` with these claims; the browser picks them by subject."""
    answer = httpx.put(f"{issuer}/users/{subject}", json=claims)
    assert answer.status_code == 204
    return subject


def metadata(issuer: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
    return document


@dataclass
class TokenEndpoint(httpx.AsyncBaseTransport):
    """The views' way to the provider, watching its token endpoint: what the views send there is
    kept, and the provider's ID token may be replaced by another on its way back."""

    replacement: str | None = None
    sent: list[dict[str, str]] = field(default_factory=list)
    headers: list[httpx.Headers] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with httpx.AsyncHTTPTransport() as network:
            answer = await network.handle_async_request(request)
            await answer.aread()
        if not request.url.path.endswith("/token"):
            return answer
        self.sent.append(dict(parse_qsl((await request.aread()).decode())))
        self.headers.append(request.headers)
        tokens = answer.json()
        if self.replacement is not None:
            tokens["id_token"] = self.replacement
        return httpx.Response(answer.status_code, json=tokens)


def watch_token_endpoint(views: TestClient, name: str, replacement: str | None = None) -> TokenEndpoint:
    providers = views.app.state.parts.provided.get(SignInProviders)  # type: ignore[attr-defined]
    watching = TokenEndpoint(replacement)
    providers.get(name).party.transport = watching
    return watching


@dataclass
class Browser:
    """A person at the pages: the views app on one side, the provider's sign-in form on the other."""

    views: TestClient

    def start(self, provider: str, next_page: str = "") -> str:
        """Click 使用统一身份认证登录: the provider's authorization URL the browser is sent to."""
        started = self.views.get(f"/login/oidc/{provider}", params={"next": next_page} if next_page else {})
        assert started.status_code == 303, started.text
        assert ATTEMPT_COOKIE in started.cookies
        location: str = started.headers["location"]
        return location

    def authorize(self, authorization_url: str, subject: str) -> str:
        """Pick `subject` on the provider's form: the callback URL the provider sends the browser to."""
        form = httpx.get(authorization_url)
        assert form.status_code == 200, form.text
        chosen = httpx.post(authorization_url, data={"sub": subject})
        assert chosen.status_code == 302, chosen.text
        return chosen.headers["location"]

    def back(self, callback_url: str) -> httpx.Response:
        assert callback_url.startswith(SITE)
        answer: httpx.Response = self.views.get(callback_url)
        return answer

    def sign_in(self, provider: str, subject: str, next_page: str = "") -> httpx.Response:
        return self.back(self.authorize(self.start(provider, next_page), subject))


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def session_of(response: httpx.Response) -> str | None:
    return next((v for k, v in cookies_set(response) if k == COOKIE and v), None)


def cookies_set(response: httpx.Response) -> list[tuple[str, str]]:
    """The cookies the answer sets, as (name, value); a removed cookie has the value ''."""
    found = []
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0].strip('"')
        found.append((name, "" if "Max-Age=0" in header or "max-age=0" in header.lower() else value))
    return found


DEVELOPMENT_KEYS = KeySet.of(SigningKey.development())


# --- signing in --------------------------------------------------------------------------------------


def test_a_unit_clerk_signs_in_at_the_provider_and_gets_the_session_of_the_pages(
    provider: str, views: TestClient
) -> None:
    li_na = person(provider, "li.na", name="李娜", role="unit_staff", unit="市民政局", jurisdiction="乌海市")
    token_endpoint = watch_token_endpoint(views, "wuhai")
    browser = Browser(views)

    authorization_url = browser.start("wuhai", next_page="/units/minzheng")
    asked = dict(parse_qsl(urlsplit(authorization_url).query))
    signed_in = browser.back(browser.authorize(authorization_url, li_na))

    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/units/minzheng"
    identity = read_token(signed_in.cookies[COOKIE], DEVELOPMENT_KEYS, audience=PAGES)
    assert (identity.subject, identity.role, identity.unit, identity.name) == (
        "wuhai:li.na",
        "unit_staff",
        "minzheng",
        "李娜",
    )
    session = next(h for h in signed_in.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}="))
    assert "HttpOnly" in session and "SameSite=lax" in session
    assert "Max-Age=43200" in session
    assert (ATTEMPT_COOKIE, "") in cookies_set(signed_in), "the attempt is over"
    assert views.get("/units/minzheng").status_code == 200

    # PKCE: the views sent the verifier of the S256 challenge they asked with, and their own client id.
    assert asked["code_challenge_method"] == "S256" and asked["client_id"] == CLIENT_ID
    [sent] = token_endpoint.sent
    verifier = sent["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == asked["code_challenge"]
    assert token_endpoint.headers[0]["authorization"].startswith("Basic ")


def test_the_office_signs_in_with_a_role_the_provider_names_its_own_way(
    provider: str, views: TestClient
) -> None:
    wang = person(provider, "wang.min", name="王敏", role=["全体员工", "提案委工作人员"])

    signed_in = Browser(views).sign_in("wuhai", wang)

    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    identity = read_token(signed_in.cookies[COOKIE], DEVELOPMENT_KEYS, audience=PAGES)
    assert (identity.role, identity.unit, identity.name) == ("office", None, "王敏")
    assert views.get("/").status_code == 200


def test_the_login_page_offers_each_identity_provider(views: TestClient) -> None:
    page = views.get("/login", params={"next": "/units/minzheng"})

    assert page.status_code == 200
    assert "使用统一身份认证登录（乌海市统一身份认证）" in page.text
    assert 'href="/login/oidc/wuhai?next=/units/minzheng"' in page.text


def test_a_next_page_elsewhere_is_not_followed(provider: str, views: TestClient) -> None:
    zhao = person(provider, "zhao.lei", name="赵磊", role="unit_leader", unit="民政局")

    signed_in = Browser(views).sign_in("wuhai", zhao, next_page="//evil.example/units")

    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"


# --- refusals ----------------------------------------------------------------------------------------


def refused(answer: httpx.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text
    assert "登录失败" in answer.text and words in answer.text
    assert session_of(answer) is None, "no session for a refused sign-in"
    assert (ATTEMPT_COOKIE, "") in cookies_set(answer), "the attempt is over"


def id_token_for_another_application(issuer: str, subject: str, nonce: str) -> str:
    """What the provider issues to another application of the jurisdiction for the same person."""
    endpoints = metadata(issuer)
    redirect = "https://another-application.example/callback"
    query = {
        "response_type": "code",
        "client_id": "another-application",
        "redirect_uri": redirect,
        "scope": "openid profile",
        "state": "its-own-state",
        "nonce": nonce,
    }
    chosen = httpx.post(endpoints["authorization_endpoint"], params=query, data={"sub": subject})
    code = parse_qs(urlsplit(chosen.headers["location"]).query)["code"][0]
    tokens = httpx.post(
        endpoints["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
        auth=("another-application", "its-own-secret"),
    )
    id_token: str = tokens.json()["id_token"]
    return id_token


def test_an_id_token_issued_to_another_application_is_refused(
    provider: str, views: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    li_na = person(provider, "li.na", name="李娜", role="unit_staff", unit="市民政局")
    browser = Browser(views)
    authorization_url = browser.start("wuhai")
    nonce = dict(parse_qsl(urlsplit(authorization_url).query))["nonce"]
    callback_url = browser.authorize(authorization_url, li_na)
    watch_token_endpoint(views, "wuhai", id_token_for_another_application(provider, li_na, nonce))

    with caplog.at_level(logging.INFO):
        answer = browser.back(callback_url)

    refused(answer, 401, "身份凭证未通过校验")
    # the views' own lines: the test's client logs every URL it requests, the callback's among them
    logged = "\n".join(
        r.getMessage() for r in caplog.records if r.name != "httpx" or "testserver" not in r.getMessage()
    )
    assert "untrusted_token" in logged and "aud" in logged and "another-application" in logged
    code = parse_qs(urlsplit(callback_url).query)["code"][0]
    assert code not in logged, "a code is never logged"


def test_an_id_token_with_another_nonce_is_refused(provider: str, views: TestClient) -> None:
    li_na = person(provider, "li.na", name="李娜", role="unit_staff", unit="市民政局")
    browser = Browser(views)
    authorization_url = with_query(browser.start("wuhai"), nonce="nonce-of-another-attempt")

    answer = browser.back(browser.authorize(authorization_url, li_na))

    refused(answer, 401, "身份凭证不属于这次登录")


def test_an_expired_id_token_is_refused(stale_provider: str, views: TestClient) -> None:
    li_na = person(stale_provider, "li.na", name="李娜", role="unit_staff", unit="市民政局")

    answer = Browser(views).sign_in("stale", li_na)

    refused(answer, 401, "身份凭证已过期")


def test_a_callback_with_another_state_is_refused(provider: str, views: TestClient) -> None:
    li_na = person(provider, "li.na", name="李娜", role="unit_staff", unit="市民政局")
    browser = Browser(views)
    callback_url = browser.authorize(browser.start("wuhai"), li_na)

    answer = browser.back(with_query(callback_url, state="state-of-another-browser"))

    refused(answer, 400, "不是从本浏览器发起的")


def test_a_callback_in_a_browser_that_started_no_sign_in_is_refused(provider: str, views: TestClient) -> None:
    li_na = person(provider, "li.na", name="李娜", role="unit_staff", unit="市民政局")
    callback_url = Browser(views).authorize(Browser(views).start("wuhai"), li_na)
    views.cookies.clear()

    answer = Browser(views).back(callback_url)

    refused(answer, 400, "登录已超时")


def test_a_person_who_cancels_at_the_provider_is_told_so(provider: str, views: TestClient) -> None:
    browser = Browser(views)
    authorization_url = browser.start("wuhai")
    cancelled = httpx.post(authorization_url, data={"action": "deny"})

    answer = browser.back(cancelled.headers["location"])

    refused(answer, 403, "没有同意这次登录")


def test_a_person_without_a_role_of_the_pages_is_refused(provider: str, views: TestClient) -> None:
    member = person(provider, "zhou.qiang", name="周强", role="proposer")

    answer = Browser(views).sign_in("wuhai", member)

    refused(answer, 403, "没有本系统的角色")


def test_a_clerk_of_a_unit_the_registry_does_not_know_is_refused(provider: str, views: TestClient) -> None:
    clerk = person(provider, "sun.li", name="孙丽", role="unit_staff", unit="市文化和旅游局")

    answer = Browser(views).sign_in("wuhai", clerk)

    refused(answer, 403, "所在单位“市文化和旅游局”不在本系统的单位名录中")


def test_an_unknown_provider_is_not_found(views: TestClient) -> None:
    answer = views.get("/login/oidc/beijing")

    assert answer.status_code == 404 and "没有这个统一身份认证登录入口" in answer.text
