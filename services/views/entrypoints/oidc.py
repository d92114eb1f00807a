"""Signing in to the pages through a jurisdiction's identity provider (OpenID Connect).

`/login/oidc/{provider}` sends the browser to the provider with a new state, nonce and PKCE verifier,
kept until the callback in a short-lived HttpOnly cookie signed with the issuer's key (SameSite=Lax, so
it comes back with the provider's redirect; Secure in production, as every cookie of the pages).
`/login/oidc/{provider}/callback` checks the state, exchanges the code, checks the ID token
(`shared.web.oidc`), reads who the person is from its claims (`services.views.application.sign_in`)
and starts their session as every sign-in of the pages does (`session`). A failure is a page in
Chinese that says what went wrong in the person's words, and a log line with the machine reason.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

import jwt
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.views.application.sign_in import (
    NotAllowed,
    SignInProviders,
    identity_from_claims,
    jurisdiction_from_claims,
)
from services.views.entrypoints.api import Units
from services.views.entrypoints.pages import Page, Pages, Signer
from services.views.entrypoints.session import guard, secure, start_session
from shared.web.identity import ISSUER
from shared.web.keys import SigningKey
from shared.web.oidc import Attempt, SignInFailed
from shared.web.provided import provided

log = logging.getLogger(__name__)

ATTEMPT_COOKIE = "pp_oidc"
ATTEMPT_PATH = "/login/oidc"
ATTEMPT_LENGTH = timedelta(minutes=10)
ATTEMPT_AUDIENCE = f"{ISSUER}/oidc-attempt"
"""The audience of the attempt cookie: never a session token's, so neither passes for the other."""

FAILURES: dict[str, tuple[int, str]] = {
    "unknown_provider": (404, "没有这个统一身份认证登录入口，请回到登录页面重新选择。"),
    "no_attempt": (400, "登录已超时或已在其他页面完成，请回到登录页面重新登录。"),
    "wrong_state": (400, "这次登录不是从本浏览器发起的，为安全起见已停止，请回到登录页面重新登录。"),
    "denied": (403, "统一身份认证平台没有同意这次登录（可能已取消），如需登录请重新操作。"),
    "unreachable": (502, "暂时无法连接统一身份认证平台，请稍后再试。"),
    "misconfigured": (502, "统一身份认证的设置有误，暂时无法登录，请联系系统管理员。"),
    "refused": (502, "统一身份认证平台没有完成这次登录，请回到登录页面重新登录。"),
    "untrusted_token": (
        401,
        "统一身份认证平台发回的身份凭证未通过校验，请重新登录；如多次出现，请联系系统管理员。",
    ),
    "expired_token": (
        401,
        "统一身份认证平台发回的身份凭证已过期，请重新登录；如多次出现，请联系系统管理员。",
    ),
    "wrong_nonce": (401, "统一身份认证平台发回的身份凭证不属于这次登录，请回到登录页面重新登录。"),
    "no_subject": (403, "统一身份认证平台没有提供您的账号标识，无法登录，请联系系统管理员。"),
    "no_role": (
        403,
        "您的统一身份认证账号没有本系统的角色（提案委（办公室）、承办单位经办人或承办单位领导），"
        "请联系系统管理员开通。",
    ),
    "several_roles": (
        403,
        "您的统一身份认证账号有本系统的多个角色，无法确定以哪个角色登录，请联系系统管理员。",
    ),
    "no_unit": (
        403,
        "您的统一身份认证账号没有注明所在单位，承办单位人员须注明单位才能登录，请联系系统管理员。",
    ),
    "unknown_unit": (
        403,
        "您的统一身份认证账号所在单位“{unit}”不在本系统的单位名录中，请联系系统管理员。",
    ),
}
"""What the person is told, with the answer's status, for each reason a sign-in fails."""

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
Providers = Annotated[SignInProviders, Depends(provided(SignInProviders))]


@router.get("/login/oidc/{name}")
async def start(page: Pages, providers: Providers, signer: Signer, name: str, next: str = "") -> Response:
    provider = providers.get(name)
    if provider is None:
        return failed(page, name, "unknown_provider", "no provider of this name is configured")
    attempt = Attempt.start()
    try:
        url = await provider.party.authorization_url(attempt)
    except SignInFailed as failure:
        return failed(page, name, failure.failure, failure.reason)
    response = RedirectResponse(url, status_code=303)
    sealed = seal(attempt, name, next if local(next) else "", signer)
    response.set_cookie(
        ATTEMPT_COOKIE,
        sealed,
        max_age=int(ATTEMPT_LENGTH.total_seconds()),
        path=ATTEMPT_PATH,
        httponly=True,
        samesite="lax",
        secure=secure(page.request),
    )
    return response


@router.get("/login/oidc/{name}/callback")
async def callback(
    page: Pages,
    providers: Providers,
    signer: Signer,
    units: Units,
    name: str,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    provider = providers.get(name)
    if provider is None:
        return failed(page, name, "unknown_provider", "no provider of this name is configured")
    opened = unseal(page.request.cookies.get(ATTEMPT_COOKIE, ""), name, signer)
    if opened is None:
        return failed(page, name, "no_attempt", "no valid attempt cookie came back with the callback")
    attempt, next_path = opened
    try:
        claims = await provider.party.finish(attempt, state, code, error)
        identity = identity_from_claims(name, claims, provider.claims, units)
    except SignInFailed as failure:
        return failed(page, name, failure.failure, failure.reason)
    except NotAllowed as refusal:
        return failed(page, name, refusal.refusal, refusal.reason, unit=refusal.written)
    log.info(
        "signed in through the identity provider %r: %s as %s of unit %s, jurisdiction %s",
        name,
        identity.subject,
        identity.role,
        identity.unit,
        jurisdiction_from_claims(claims, provider.claims),
    )
    response = RedirectResponse(next_path or "/", status_code=303)
    start_session(page.request, response, identity, signer)
    forget_attempt(response, page.request)
    return response


def failed(page: Page, provider: str, why: str, reason: str, unit: str = "") -> HTMLResponse:
    """The page telling the person why they are not signed in; the machine reason goes to the log."""
    log.warning("sign-in through the identity provider %r failed (%s): %s", provider, why, reason)
    status, message = FAILURES[why]
    response = page.render("message.html", status, title="登录失败", message=message.format(unit=unit))
    forget_attempt(response, page.request)
    return response


def seal(attempt: Attempt, provider: str, next_path: str, signer: SigningKey) -> str:
    """The attempt as the browser keeps it until the callback: signed, so it cannot be altered."""
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": ATTEMPT_AUDIENCE,
        "provider": provider,
        "state": attempt.state,
        "nonce": attempt.nonce,
        "verifier": attempt.verifier,
        "next": next_path,
        "iat": int(now.timestamp()),
        "exp": int((now + ATTEMPT_LENGTH).timestamp()),
    }
    return jwt.encode(claims, signer.private, algorithm="EdDSA", headers={"kid": signer.kid})


def unseal(sealed: str, provider: str, signer: SigningKey) -> tuple[Attempt, str] | None:
    """The attempt and the page to go to afterwards, if the cookie is ours, fresh and for `provider`."""
    try:
        claims = jwt.decode(
            sealed,
            signer.public,
            algorithms=["EdDSA"],
            issuer=ISSUER,
            audience=ATTEMPT_AUDIENCE,
            options={"require": ["exp", "iss", "aud", "state", "nonce", "verifier"]},
        )
    except jwt.PyJWTError:
        return None
    if claims.get("provider") != provider:
        return None
    attempt = Attempt(str(claims["state"]), str(claims["nonce"]), str(claims["verifier"]))
    return attempt, str(claims.get("next") or "")


def forget_attempt(response: Response, request: Request) -> None:
    response.delete_cookie(
        ATTEMPT_COOKIE, path=ATTEMPT_PATH, httponly=True, samesite="lax", secure=secure(request)
    )


def local(path: str) -> bool:
    """Whether `path` is a page of this site (`/units/minzheng`), not one elsewhere (`//evil.example`)."""
    parts = urlsplit(path)
    return (
        path.startswith("/") and not path.startswith(("//", "/\\")) and not parts.scheme and not parts.netloc
    )
