"""Local accounts on the pages: an administrator makes them, people sign in with a password hashed
with argon2id, repeated failures lock the account, disabling it or changing the password ends its
sessions, and every form needs the page's CSRF value."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.views.application.accounts import Accounts
from services.views.bootstrap import create
from services.views.config import ViewsSettings
from services.views.domain.accounts import MAX_FAILURES, AccountCreated, stream_name
from services.views.entrypoints.session import COOKIE
from shared.adapters.infrastructure import Infrastructure
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import PAGES, read_token

ADMIN_PASSWORD = "管理员-密码-2026-wuhai"
CLERK_PASSWORD = "民政局经办人-口令-88"
HTTPS = "https://testserver"
"""Outside development the cookies are Secure: the browser sends them back over HTTPS only."""


@pytest.fixture
def infra() -> Infrastructure:
    return in_memory_infrastructure()


@pytest.fixture
def views(infra: Infrastructure) -> Iterator[TestClient]:
    with TestClient(create(ViewsSettings(), infra), base_url=HTTPS, follow_redirects=False) as client:
        assert client.portal is not None
        accounts = Accounts(infra.events)
        client.portal.call(accounts.create, "wangfang", "王芳", "admin", None, ADMIN_PASSWORD, "setup")
        yield client


def csrf(client: TestClient) -> str:
    client.get("/login")
    return str(client.cookies["pp_csrf"])


def sign_in(client: TestClient, username: str, password: str) -> TestClient:
    answer = client.post(
        "/login/password", data={"username": username, "password": password, "csrf": csrf(client)}
    )
    assert answer.status_code == 303, answer.text
    return client


def new_browser(views: TestClient) -> TestClient:
    """Another browser on the same app: its own cookies."""
    other = TestClient(views.app, base_url=HTTPS, follow_redirects=False)
    other.portal = views.portal
    return other


def create_clerk(admin: TestClient) -> None:
    made = admin.post(
        "/admin/accounts",
        data={
            "username": "sun.xb",
            "name": "孙雪斌",
            "role": "unit_staff",
            "unit": "minzheng",
            "password": CLERK_PASSWORD,
            "csrf": csrf(admin),
        },
    )
    assert made.status_code == 303, made.text


def test_an_administrator_makes_an_account_and_its_holder_signs_in(
    views: TestClient, infra: Infrastructure
) -> None:
    admin = sign_in(views, "wangfang", ADMIN_PASSWORD)
    assert admin.get("/admin/accounts").status_code == 200
    create_clerk(admin)
    listed = admin.get("/admin/accounts").text
    assert "孙雪斌" in listed and "sun.xb" in listed

    clerk = sign_in(new_browser(views), "sun.xb", CLERK_PASSWORD)
    identity = read_token(clerk.cookies[COOKIE], ViewsSettings().token_keys(), audience=PAGES)
    assert (identity.subject, identity.role, identity.unit, identity.name) == (
        "sun.xb",
        "unit_staff",
        "minzheng",
        "孙雪斌",
    )
    assert identity.session
    assert clerk.get("/units/minzheng").status_code == 200

    assert views.portal is not None
    recorded = views.portal.call(infra.events.read_stream, stream_name("sun.xb"))
    created = [r for r in recorded if r.type == "views.account-created.v1"]
    assert created and created[0].data["password_hash"].startswith("$argon2id$")
    assert CLERK_PASSWORD not in str([r.data for r in recorded])
    assert AccountCreated.model_validate(created[0].data).by == "wangfang"


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(views: TestClient) -> None:
    admin = sign_in(views, "wangfang", ADMIN_PASSWORD)
    create_clerk(admin)
    browser = new_browser(views)
    for _ in range(MAX_FAILURES):
        wrong = browser.post(
            "/login/password",
            data={"username": "sun.xb", "password": "猜一猜-123456789", "csrf": csrf(browser)},
        )
        assert wrong.status_code == 401
        assert "用户名或密码不正确" in wrong.text
    locked = browser.post(
        "/login/password", data={"username": "sun.xb", "password": CLERK_PASSWORD, "csrf": csrf(browser)}
    )
    assert locked.status_code == 423
    assert "暂时锁定" in locked.text
    assert COOKIE not in browser.cookies


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(views: TestClient) -> None:
    answer = views.post(
        "/login/password", data={"username": "nobody", "password": "x" * 12, "csrf": csrf(views)}
    )
    assert answer.status_code == 401
    assert "用户名或密码不正确" in answer.text


def test_disabling_an_account_ends_its_sessions(views: TestClient) -> None:
    admin = sign_in(views, "wangfang", ADMIN_PASSWORD)
    create_clerk(admin)
    clerk = sign_in(new_browser(views), "sun.xb", CLERK_PASSWORD)
    assert clerk.get("/units/minzheng").status_code == 200

    disabled = admin.post("/admin/accounts/sun.xb/disable", data={"reason": "调离", "csrf": csrf(admin)})
    assert disabled.status_code == 303
    assert clerk.get("/units/minzheng").headers["location"].startswith("/login")
    again = clerk.post(
        "/login/password", data={"username": "sun.xb", "password": CLERK_PASSWORD, "csrf": csrf(clerk)}
    )
    assert again.status_code == 403
    assert "已停用" in again.text


def test_changing_the_password_ends_every_session_and_the_new_one_works(views: TestClient) -> None:
    admin = sign_in(views, "wangfang", ADMIN_PASSWORD)
    create_clerk(admin)
    first, second = (
        sign_in(new_browser(views), "sun.xb", CLERK_PASSWORD),
        sign_in(new_browser(views), "sun.xb", CLERK_PASSWORD),
    )
    new = "新的口令-民政-2027-春"
    changed = first.post(
        "/account/password", data={"current": CLERK_PASSWORD, "new": new, "again": new, "csrf": csrf(first)}
    )
    assert changed.status_code == 303
    assert second.get("/units/minzheng").headers["location"].startswith("/login")
    sign_in(new_browser(views), "sun.xb", new)
    old = new_browser(views)
    assert (
        old.post(
            "/login/password", data={"username": "sun.xb", "password": CLERK_PASSWORD, "csrf": csrf(old)}
        ).status_code
        == 401
    )


def test_a_weak_password_is_refused_in_words(views: TestClient) -> None:
    admin = sign_in(views, "wangfang", ADMIN_PASSWORD)
    weak = admin.post(
        "/admin/accounts",
        data={"username": "li", "name": "李", "role": "office", "password": "short", "csrf": csrf(admin)},
    )
    assert weak.status_code == 422
    assert "用户名须为" in weak.text or "密码须为" in weak.text


def test_signing_out_ends_the_session_on_the_server(views: TestClient) -> None:
    admin = sign_in(views, "wangfang", ADMIN_PASSWORD)
    token = admin.cookies[COOKIE]
    assert admin.post("/logout", data={"csrf": csrf(admin)}).status_code == 303
    replayed = new_browser(views)
    replayed.cookies.set(COOKIE, token)
    assert replayed.get("/admin/accounts").headers["location"].startswith("/login")


def test_only_the_administrator_manages_accounts(views: TestClient) -> None:
    admin = sign_in(views, "wangfang", ADMIN_PASSWORD)
    create_clerk(admin)
    clerk = sign_in(new_browser(views), "sun.xb", CLERK_PASSWORD)
    assert clerk.get("/admin/accounts").status_code == 403
    attempt = clerk.post("/admin/accounts/wangfang/disable", data={"csrf": csrf(clerk)})
    assert attempt.status_code == 403


def test_a_form_without_the_pages_csrf_value_is_refused(views: TestClient) -> None:
    admin = sign_in(views, "wangfang", ADMIN_PASSWORD)
    forged = admin.post("/admin/accounts/wangfang/disable", data={"reason": "x"})
    assert forged.status_code == 403
    assert "表单已失效" in forged.text
    other = admin.post("/admin/accounts/wangfang/disable", data={"reason": "x", "csrf": "another-value"})
    assert other.status_code == 403
    assert admin.get("/admin/accounts").status_code == 200


@pytest.mark.parametrize("elsewhere", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_after_signing_in_only_a_path_of_this_site_is_followed(views: TestClient, elsewhere: str) -> None:
    answer = views.post(
        "/login/password",
        data={"username": "wangfang", "password": ADMIN_PASSWORD, "next": elsewhere, "csrf": csrf(views)},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/accounts"
