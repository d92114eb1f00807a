"""Who is signed in to the pages, and the forms' protection against requests from other sites.

The session is a token (`shared.web.identity`) in the HttpOnly cookie `pp_session`: SameSite=Lax,
Secure outside development, 12 hours at most, for the pages only (audience `PAGES`): the pages send
commands to the services with a token of minutes made for each page. A session of a local account
names itself (`sid`) and is over once the account is disabled, its password changed or the session
signed out, checked at every page. Every form carries the value of the cookie `pp_csrf`
(SameSite=Strict) in a hidden field `csrf`; a form sent without it, or with another value, is
refused (403) before anything is done.
"""

import hmac
import secrets
from datetime import timedelta

from fastapi import Request, Response

from services.views.application.accounts import Accounts
from shared.web.identity import PAGES, Identity, InvalidToken, issue_token, read_token
from shared.web.keys import SigningKey
from shared.web.provided import Provided

COOKIE = "pp_session"
CSRF_COOKIE = "pp_csrf"
SESSION_LENGTH = timedelta(hours=12)
API_TOKEN_LENGTH = timedelta(minutes=5)
"""How long the token lasts that the pages send a command to a service with, made afresh each page."""


class PageRefused(Exception):
    """A request the pages refuse before any route runs: shown as a page in Chinese."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def secure(request: Request) -> bool:
    """Cookies are Secure (sent back over HTTPS only) everywhere but in development."""
    return bool(request.app.state.settings.app_env != "development")


async def guard(request: Request) -> None:
    """Before every page: check a form's CSRF value, then find who is signed in."""
    cookie = request.cookies.get(CSRF_COOKIE)
    request.state.csrf = cookie or secrets.token_urlsafe(32)
    if request.method == "POST":
        sent = (await request.form()).get("csrf")
        if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent, cookie):
            raise PageRefused(403, "表单已失效", "页面已过期或来自其他网站，请返回上一页刷新后重新提交。")
    request.state.session = await _session(request)


async def _session(request: Request) -> tuple[Identity, str] | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        identity = read_token(token, request.app.state.token_keys, audience=PAGES)
    except InvalidToken:
        return None
    objects: Provided = request.app.state.parts.provided
    accounts = objects.get(Accounts)
    if identity.session is not None and not await accounts.session_open(identity.subject, identity.session):
        return None
    return identity, issue_token(identity, objects.get(SigningKey), API_TOKEN_LENGTH)


def signed_in(request: Request) -> tuple[Identity, str] | None:
    """The person signed in to this request and a token of theirs for the services' APIs, valid
    for minutes (the session's own token is for the pages only), or None."""
    found: tuple[Identity, str] | None = getattr(request.state, "session", None)
    return found


def csrf_value(request: Request) -> str:
    value: str = getattr(request.state, "csrf", "")
    return value


def keep_csrf(request: Request, response: Response) -> None:
    """Give the browser the CSRF cookie the page's forms carry, when it has none yet."""
    if request.cookies.get(CSRF_COOKIE) != csrf_value(request) and csrf_value(request):
        response.set_cookie(
            CSRF_COOKIE, csrf_value(request), httponly=True, samesite="strict", secure=secure(request)
        )


def start_session(request: Request, response: Response, identity: Identity, signer: SigningKey) -> None:
    token = issue_token(identity, signer, SESSION_LENGTH, audience=PAGES)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_LENGTH.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE)
