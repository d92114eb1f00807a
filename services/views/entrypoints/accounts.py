"""Pages of the local accounts: the holder changes the password; the administrator (`admin`) lists,
creates, disables, enables and gives roles to the accounts. Each change is a fact of the account's
stream (`services.views.domain.accounts`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.views.application.account_list import ALL, account_key
from services.views.domain.accounts import ACCOUNT_ROLES, UNIT_ROLES, AccountRole
from services.views.entrypoints.api import Units
from services.views.entrypoints.pages import ROLE_NAMES, AccountBook, Page, Pages, to_login
from services.views.entrypoints.session import end_session, guard, signed_in
from shared.kernel.decider import InvalidField, Rejected
from shared.rules.units import UnknownUnit

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])

FIELD_WORDS = {
    "username": "用户名须为3至32位小写字母、数字、“.”、“_”或“-”",
    "name": "请填写账户持有人姓名",
    "unit": "承办单位人员须选择所在单位，其他角色不属于任何单位",
    "role": "请选择角色",
    "password": "密码须为12至128位，不含用户名，且至少包含5个不同字符",
    "current_password": "当前密码不正确",
}
STATE_WORDS = {"EXISTS": "该用户名已被使用", "LOCKED": "账户已暂时锁定"}


def _refusal(page: Page, error: Rejected) -> HTMLResponse:
    field = str(error.extra.get("field", ""))
    state = str(error.extra.get("current_state", ""))
    message = FIELD_WORDS.get(field) or STATE_WORDS.get(state) or "操作未完成，请检查填写的内容。"
    status = error.status
    return page.render("message.html", status, title="操作未完成", message=message)


# --- the holder: change the password ----------------------------------------------------------------


@router.get("/account/password")
async def password_form(request: Request, page: Pages) -> Response:
    who = signed_in(request)
    if who is None or who[0].session is None:
        return to_login(request)
    return page.render("password.html")


@router.post("/account/password")
async def change_password(
    request: Request,
    page: Pages,
    accounts: AccountBook,
    current: Annotated[str, Form(max_length=256)],
    new: Annotated[str, Form(max_length=256)],
    again: Annotated[str, Form(max_length=256)],
) -> Response:
    who = signed_in(request)
    if who is None or who[0].session is None:
        return to_login(request)
    if new != again:
        return page.render("message.html", 422, title="操作未完成", message="两次输入的新密码不一致。")
    try:
        await accounts.change_password(who[0].subject, current, new)
    except Rejected as error:
        return _refusal(page, error)
    response = RedirectResponse("/login?changed=1", status_code=303)
    end_session(response)  # every session of the account, this one too, is over: sign in again
    return response


# --- the administrator ------------------------------------------------------------------------------


def _admin(request: Request) -> str | None:
    who = signed_in(request)
    return who[0].subject if who is not None and who[0].role == "admin" else None


@router.get("/admin/accounts")
async def account_list(request: Request, page: Pages, units: Units, done: str = "") -> Response:
    who = signed_in(request)
    if who is None:
        return to_login(request)
    if who[0].role != "admin":
        return page.render("message.html", 403, title="无权访问", message="只有账户管理员可以管理账户。")
    store = request.app.state.infra.views
    names = sorted(await store.smembers(ALL))
    listed = [await store.hgetall(account_key(name)) for name in names]
    return page.render(
        "accounts.html",
        accounts=listed,
        roles={r: ROLE_NAMES[r] for r in ACCOUNT_ROLES},
        units=sorted(units.all(), key=lambda u: u.id),
        done=done,
    )


def _unit(units: Units, role: str, unit: str) -> str | None:
    if role not in UNIT_ROLES or not unit.strip():
        return None
    try:
        return units.resolve(unit.strip()).id
    except UnknownUnit:
        return unit.strip()


def _account_role(role: str) -> AccountRole:
    for known in ACCOUNT_ROLES:
        if known == role:
            return known
    raise InvalidField("role", f"unknown role {role!r}")


@router.post("/admin/accounts")
async def create_account(
    request: Request,
    page: Pages,
    units: Units,
    accounts: AccountBook,
    username: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=32)],
    password: Annotated[str, Form(max_length=256)],
    unit: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    admin = _admin(request)
    if admin is None:
        return page.render("message.html", 403, title="无权访问", message="只有账户管理员可以管理账户。")
    try:
        await accounts.create(
            username.strip().lower(), name, _account_role(role), _unit(units, role, unit), password, admin
        )
    except Rejected as error:
        return _refusal(page, error)
    return RedirectResponse("/admin/accounts?done=created", status_code=303)


@router.post("/admin/accounts/{username}/disable")
async def disable_account(
    request: Request,
    page: Pages,
    accounts: AccountBook,
    username: str,
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    admin = _admin(request)
    if admin is None:
        return page.render("message.html", 403, title="无权访问", message="只有账户管理员可以管理账户。")
    try:
        await accounts.disable(username, reason, admin)
    except Rejected as error:
        return _refusal(page, error)
    return RedirectResponse("/admin/accounts?done=disabled", status_code=303)


@router.post("/admin/accounts/{username}/enable")
async def enable_account(request: Request, page: Pages, accounts: AccountBook, username: str) -> Response:
    admin = _admin(request)
    if admin is None:
        return page.render("message.html", 403, title="无权访问", message="只有账户管理员可以管理账户。")
    try:
        await accounts.enable(username, admin)
    except Rejected as error:
        return _refusal(page, error)
    return RedirectResponse("/admin/accounts?done=enabled", status_code=303)


@router.post("/admin/accounts/{username}/role")
async def assign_role(
    request: Request,
    page: Pages,
    units: Units,
    accounts: AccountBook,
    username: str,
    role: Annotated[str, Form(max_length=32)],
    unit: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    admin = _admin(request)
    if admin is None:
        return page.render("message.html", 403, title="无权访问", message="只有账户管理员可以管理账户。")
    try:
        await accounts.assign_role(username, _account_role(role), _unit(units, role, unit), admin)
    except Rejected as error:
        return _refusal(page, error)
    return RedirectResponse("/admin/accounts?done=role", status_code=303)
