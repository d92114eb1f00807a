"""Signing in: the development login is for development only; the views service publishes its JWKS
and signs the session with its own key, which another service verifies through that JWKS."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from runtime import event_keys
from runtime.keys import main as keys_command
from services.views.bootstrap import create
from services.views.config import ViewsSettings
from services.views.entrypoints.pages import COOKIE
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import PAGES, InvalidToken, issue_token, read_token, verify
from shared.web.keys import SigningKey, TokenKeys

SERVERS = {
    "eventstore_url": "postgresql://db/p",
    "bus_url": "amqp://svc:pw@mq/",
    "readstore_url": "redis://svc:pw@c/0",
}


def production(**settings: Any) -> ViewsSettings:
    return ViewsSettings.model_validate(SERVERS | {"app_env": "production"} | settings)


def test_the_development_login_is_refused_to_start_in_production(tmp_path: Path) -> None:
    keys_command(["new", str(tmp_path)])
    with pytest.raises(ValidationError, match="DEVELOPMENT_LOGIN"):
        production(development_login=True, token_signing_key_file=tmp_path / "token-signing-key.pem")


@pytest.fixture
def production_views(tmp_path: Path) -> Iterator[TestClient]:
    keys_command(["new", str(tmp_path)])
    event_keys.new("intake", tmp_path / "events")
    settings = production(
        token_signing_key_file=tmp_path / "token-signing-key.pem",
        token_jwks=str(tmp_path / "jwks.json"),
        event_trust=tmp_path / "events" / "trust.toml",
    )
    app = create(settings, in_memory_infrastructure())
    # production cookies are Secure: the browser sends them back over HTTPS only
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def csrf(client: TestClient) -> str:
    """The CSRF value the pages' forms carry, as a browser gets it from the sign-in page."""
    client.get("/login")
    return str(client.cookies["pp_csrf"])


def test_in_production_no_one_signs_in_without_a_password(production_views: TestClient) -> None:
    form = production_views.get("/login")
    assert form.status_code == 200
    assert 'name="password-login"' in form.text
    assert 'name="development-login"' not in form.text

    attempt = production_views.post(
        "/login", data={"role": "office", "name": "王主任", "csrf": csrf(production_views)}
    )
    assert attempt.status_code == 404
    assert "未开放免密码登录" in attempt.text
    assert COOKIE not in attempt.cookies


def test_in_development_the_session_is_signed_with_the_issuers_key_and_checked_by_its_jwks(
    tmp_path: Path,
) -> None:
    keys_command(["new", str(tmp_path)])
    key = SigningKey.from_file(tmp_path / "token-signing-key.pem")
    settings = ViewsSettings(token_signing_key_file=tmp_path / "token-signing-key.pem")
    with TestClient(
        create(settings, in_memory_infrastructure()), base_url="https://testserver", follow_redirects=False
    ) as views:
        signed_in = views.post("/login", data={"role": "office", "name": "王主任", "csrf": csrf(views)})
        assert signed_in.status_code == 303
        session = signed_in.cookies[COOKIE]
        jwks = views.get("/.well-known/jwks.json")
    assert jwks.status_code == 200
    assert [k["kid"] for k in jwks.json()["keys"]] == [key.kid]
    assert "d" not in jwks.json()["keys"][0], "a private part must never be published"
    assert read_token(session, TokenKeys(tmp_path / "jwks.json"), audience=PAGES).name == "王主任"


async def test_another_service_fetches_the_issuers_jwks_and_refuses_a_pages_session(tmp_path: Path) -> None:
    """The cookie's token is for the pages: copied out of a browser, no service's API accepts it; the
    token the pages send a command with (minutes long) is accepted."""
    keys_command(["new", str(tmp_path)])
    settings = ViewsSettings(token_signing_key_file=tmp_path / "token-signing-key.pem")
    with TestClient(
        create(settings, in_memory_infrastructure()), base_url="https://testserver", follow_redirects=False
    ) as views:
        answer = views.post("/login", data={"role": "office", "name": "王主任", "csrf": csrf(views)})
        session = answer.cookies[COOKIE]
        published = views.get("/.well-known/jwks.json").json()
    elsewhere = TokenKeys("http://views/.well-known/jwks.json")
    elsewhere.transport = httpx.MockTransport(lambda _: httpx.Response(200, json=published))
    with pytest.raises(InvalidToken, match=r"(?i)audience"):
        await verify(session, elsewhere)
    identity = read_token(session, elsewhere, audience=PAGES)
    for_the_api = issue_token(identity, SigningKey.from_file(tmp_path / "token-signing-key.pem"))
    assert (await verify(for_the_api, elsewhere)).name == "王主任"
