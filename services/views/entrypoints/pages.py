"""The web pages, in Chinese and rendered on the server: the office dashboard, a unit's workbench, a
proposal's page and the member's feedback form.

The pages read the views (`services.views.application.queries`); their forms do not change anything
here: each is forwarded over HTTP to the service that owns the command, with the signed-in person's
token and an Idempotency-Key drawn when the form was shown (a form sent twice appends nothing the
second time).
Signing in is for development: pick a role, a unit and a name, and a token is kept in an HttpOnly cookie.
"""

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import httpx
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.views.application import queries
from services.views.application.exports import ROLE_NAMES as ROLES_IN_PROPOSAL
from services.views.application.exports import (
    STATE_NAMES,
    Format,
    export,
    overview_tables,
    proposal_tables,
    unit_tables,
)
from services.views.application.read_models import index_key, proposal_key
from services.views.config import ViewsSettings
from services.views.entrypoints.api import Calendar, Units
from shared.adapters.readstore import ReadStore
from shared.rules.deadlines import local_date
from shared.rules.units import UnitRegistry, UnknownUnit
from shared.web.identity import ROLES, UNIT_ROLES, Identity, InvalidToken, Role, issue_token, read_token
from shared.web.keys import SigningKey
from shared.web.provided import provided

HERE = Path(__file__).parent
COOKIE = "pp_session"
SESSION_LENGTH = timedelta(hours=12)


def service_url(request: Request, service: str) -> str:
    """Where the pages send `service`'s commands: a setting of the views (`INTAKE_URL`, …)."""
    settings = request.app.state.settings
    if isinstance(settings, ViewsSettings):
        return settings.service_url(service)
    return ViewsSettings().service_url(service)


ROLE_NAMES = {"office": "提案委（办公室）", "unit_staff": "承办单位经办人", "unit_leader": "承办单位领导"}
STATUS_NAMES = {
    401: "请重新登录",
    403: "无权进行此操作",
    404: "未找到",
    409: "当前状态下不能进行此操作",
    422: "填写的内容有误",
}
FIELD_NAMES = {
    "reason": "理由",
    "tasks": "内部交办",
    "section": "责任科室",
    "leader": "责任领导",
    "person": "责任人",
    "deadline": "办理时限",
    "text": "意见",
    "signer": "签发人",
    "held_on": "面商日期",
    "place": "地点",
    "staff": "参加人员",
    "member_opinion": "委员意见",
    "contact_phone": "联系电话",
    "document_no": "文号",
    "result_class": "办理结果类别",
    "answers": "逐条答复",
    "contact_person": "联系人",
    "satisfaction": "满意程度",
}

templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
)


def percent(value: object) -> str:
    return f"{float(value) * 100:.0f}%" if isinstance(value, int | float) else "—"


def names(value: object) -> str:
    return "、".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value or "")


templates.env.globals |= {
    "state_name": lambda state: STATE_NAMES.get(state, state),
    "role_name": lambda role: ROLES_IN_PROPOSAL.get(role, role),
    "role_names": ROLE_NAMES,
    "percent": percent,
    "names": names,
}

router = APIRouter(include_in_schema=False)


# --- who is signed in -------------------------------------------------------------------------------


def signed_in(request: Request) -> tuple[Identity, str] | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return read_token(token, request.app.state.token_keys), token
    except InvalidToken:
        return None


def to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def today(request: Request) -> date:
    return local_date(request.app.state.clock())


@dataclass(frozen=True)
class UnitNames:
    """The units as the pages name them: 市民政局 for minzheng, the id itself when it is unknown."""

    units: UnitRegistry

    def one(self, unit: str) -> str:
        try:
            return self.units.get(unit).name
        except UnknownUnit:
            return unit

    def joined(self, units: Iterable[str] | None) -> str:
        return "、".join(self.one(u) for u in units or [])

    def for_templates(self) -> dict[str, Callable[..., str]]:
        return {"unit_name": self.one, "unit_names": self.joined}


@dataclass(frozen=True)
class Page:
    """The pages of one request: who is signed in, and the units named after the app's registry."""

    request: Request
    names: UnitNames

    def render(self, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        who = signed_in(self.request)
        shown = {"me": who[0] if who else None, **self.names.for_templates(), **values}
        return templates.TemplateResponse(self.request, name, shown, status_code=status_code)

    def not_found(self, what: str) -> HTMLResponse:
        return self.render("message.html", 404, title="未找到", message=what)


async def page_of(request: Request, units: Units) -> Page:
    return Page(request, UnitNames(units))


Pages = Annotated[Page, Depends(page_of)]
Signer = Annotated[SigningKey, Depends(provided(SigningKey))]


# --- signing in (development) -----------------------------------------------------------------------


def development_login(request: Request) -> bool:
    settings = request.app.state.settings
    return isinstance(settings, ViewsSettings) and settings.password_less_login


@router.get("/login")
async def login_form(request: Request, page: Pages, units: Units, next: str = "") -> HTMLResponse:
    if not development_login(request):
        return page.render(
            "message.html", 404, title="登录", message="本系统未开放免密码登录，请使用本单位账户登录。"
        )
    listed = sorted(units.all(), key=lambda u: u.id)
    return page.render("login.html", roles=ROLE_NAMES, units=listed, next=next)


@router.post("/login")
async def login(
    request: Request,
    page: Pages,
    units: Units,
    signer: Signer,
    role: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    if not development_login(request):
        return page.render(
            "message.html", 404, title="登录", message="本系统未开放免密码登录，请使用本单位账户登录。"
        )
    if role not in ROLES or role == "proposer":
        return page.render("message.html", 422, title="登录失败", message="请选择角色")
    unit_id = units.resolve(unit).id if role in UNIT_ROLES and unit in _unit_ids(units) else None
    if role in UNIT_ROLES and unit_id is None:
        return page.render("message.html", 422, title="登录失败", message="承办单位人员请选择所在单位")
    person = name.strip() or ROLE_NAMES[role]
    subject = f"{unit_id}-{person}" if unit_id else f"office-{person}"
    identity = Identity(subject=subject, role=_role(role), name=person, unit=unit_id)
    token = issue_token(identity, signer, SESSION_LENGTH)
    home = next if next.startswith("/") and not next.startswith("//") else _home(identity)
    response = RedirectResponse(home, status_code=303)
    response.set_cookie(
        COOKIE, token, max_age=int(SESSION_LENGTH.total_seconds()), httponly=True, samesite="lax"
    )
    return response


@router.get("/logout")
async def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _unit_ids(units: UnitRegistry) -> set[str]:
    return {u.id for u in units.all()}


def _role(role: str) -> Role:
    for known in ROLES:
        if known == role:
            return known  # type: ignore[return-value]
    raise ValueError(role)


def _home(identity: Identity) -> str:
    return f"/units/{identity.unit}" if identity.unit and not identity.is_office else "/"


@router.get("/static/{name}")
async def static(name: str) -> Response:
    path = HERE / "static" / name
    if name != path.name or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path)


# --- the office dashboard ---------------------------------------------------------------------------


@router.get("/")
async def dashboard(request: Request, page: Pages, calendar: Calendar) -> Response:
    who = signed_in(request)
    if who is None:
        return to_login(request)
    identity = who[0]
    if not identity.is_office:
        return RedirectResponse(_home(identity), status_code=303)
    store = request.app.state.infra.views
    overview = await queries.office_overview(store, today(request), calendar)
    return page.render("dashboard.html", overview=overview, latest=await latest(store), today=today(request))


async def latest(store: ReadStore, limit: int = 20) -> list[dict[str, Any]]:
    """The proposals most recently submitted or registered, newest first."""
    found = [await store.hgetall(proposal_key(pid)) for pid in await store.smembers(index_key("all"))]
    found.sort(key=lambda p: p.get("registered_at") or p.get("submitted_at") or "", reverse=True)
    return [
        {
            "proposal_id": p.get("id", ""),
            "number": p.get("number", ""),
            "title": p.get("title", ""),
            "state": p.get("state", ""),
            "lead_units": json.loads(p.get("lead_units", "[]")),
            "reply_due": p.get("reply_due", ""),
        }
        for p in found[:limit]
    ]


# --- a unit's workbench -----------------------------------------------------------------------------


@router.get("/units/{unit}")
async def workbench(
    request: Request, page: Pages, units: Units, calendar: Calendar, unit: str, ok: str = "", error: str = ""
) -> Response:
    who = signed_in(request)
    if who is None:
        return to_login(request)
    identity, token = who
    try:
        unit_id = units.resolve(unit).id
    except UnknownUnit:
        return page.not_found(f"没有名为“{unit}”的单位")
    if not (identity.is_office or identity.acts_for(unit_id)):
        return page.render("message.html", 403, title="无权查看", message="只能查看本单位的工作台")
    view = await queries.unit_view(request.app.state.infra.views, unit_id, today(request), calendar)
    assignments = view.get("assignments", [])
    items = {
        a["proposal_id"]: await _items(a, token, service_url(request, "allocation")) for a in assignments
    }
    return page.render(
        "workbench.html",
        unit=unit_id,
        view=view,
        assignments=assignments,
        items=items,
        ok=ok,
        error=error,
        can_act=identity.acts_for(unit_id),
        key=lambda: uuid.uuid4().hex,
        today=today(request),
    )


async def _items(assignment: Mapping[str, Any], token: str, allocation_url: str) -> list[int]:
    """The item numbers of the proposal: from the view, or else from the allocation service."""
    known = assignment.get("items") or assignment.get("item_numbers")
    if known:
        return [int(i["item"]) if isinstance(i, Mapping) else int(i) for i in known]
    async with httpx.AsyncClient(timeout=10) as http:
        try:
            response = await http.get(
                f"{allocation_url}/allocations/{assignment['proposal_id']}",
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.TransportError:
            return []
    if response.status_code != 200:
        return []
    return [int(i) for i in response.json().get("case", {}).get("items", [])]


Field = Annotated[str, Form()]
Fields = Annotated[list[str], Form()]


@router.post("/units/{unit}/proposals/{proposal_id}/acknowledge")
async def acknowledge(request: Request, unit: str, proposal_id: str, key: Field) -> Response:
    path = f"/allocations/{proposal_id}/units/{unit}/acknowledge"
    return await forward(request, unit, "allocation", path, {}, key, "已签收")


@router.post("/units/{unit}/proposals/{proposal_id}/adjustment-request")
async def request_adjustment(
    request: Request, unit: str, proposal_id: str, key: Field, reason: Field
) -> Response:
    path = f"/allocations/{proposal_id}/units/{unit}/adjustment-request"
    return await forward(request, unit, "allocation", path, {"reason": reason}, key, "已提出调整申请")


@router.post("/units/{unit}/proposals/{proposal_id}/internal-allocation")
async def allocate_internally(
    request: Request,
    unit: str,
    proposal_id: str,
    key: Field,
    item: Fields,
    section: Fields,
    leader: Fields,
    person: Fields,
    deadline: Fields,
) -> Response:
    tasks = [
        {"item": int(n), "section": s, "leader": lead, "person": p, "deadline": d}
        for n, s, lead, p, d in zip(item, section, leader, person, deadline, strict=False)
    ]
    path = f"/allocations/{proposal_id}/units/{unit}/internal-allocation"
    return await forward(request, unit, "allocation", path, {"tasks": tasks}, key, "已内部交办")


@router.post("/units/{unit}/proposals/{proposal_id}/co-opinion")
async def submit_co_opinion(
    request: Request, unit: str, proposal_id: str, key: Field, text: Field, signer: Field
) -> Response:
    body = {"text": text, "signer": signer}
    return await forward(
        request, unit, "reply", f"/replies/{proposal_id}/co-opinions", body, key, "协办意见已送主办单位"
    )


@router.post("/units/{unit}/proposals/{proposal_id}/consultation")
async def record_consultation(
    request: Request,
    unit: str,
    proposal_id: str,
    key: Field,
    held_on: Field,
    place: Field,
    staff: Field,
    member_opinion: Field,
    contact_phone: Field,
) -> Response:
    body = {
        "held_on": held_on,
        "place": place,
        "staff": [s for s in staff.replace("，", ",").replace("、", ",").split(",") if s.strip()],
        "member_opinion": member_opinion,
        "contact_phone": contact_phone,
    }
    return await forward(
        request, unit, "reply", f"/replies/{proposal_id}/consultations", body, key, "面商记录已保存"
    )


@router.post("/units/{unit}/proposals/{proposal_id}/reply")
async def issue_reply(
    request: Request,
    unit: str,
    proposal_id: str,
    key: Field,
    document_no: Field,
    result_class: Field,
    item: Fields,
    answer: Fields,
    signer: Field,
    contact_person: Field,
    contact_phone: Field,
) -> Response:
    body = {
        "document_no": document_no,
        "result_class": result_class,
        "answers": [{"item": int(n), "text": t} for n, t in zip(item, answer, strict=False)],
        "signer": signer,
        "contact_person": contact_person,
        "contact_phone": contact_phone,
    }
    return await forward(request, unit, "reply", f"/replies/{proposal_id}/reply", body, key, "答复已提交")


async def forward(
    request: Request, unit: str, service: str, path: str, body: dict[str, Any], key: str, done: str
) -> Response:
    """Send the command to its service as the signed-in person; back to the workbench with the outcome."""
    who = signed_in(request)
    if who is None:
        return to_login(request)
    headers = {"Authorization": f"Bearer {who[1]}", "Idempotency-Key": key}
    try:
        async with httpx.AsyncClient(timeout=15) as http:
            response = await http.post(service_url(request, service) + path, json=body, headers=headers)
    except httpx.TransportError:
        return _back(unit, error=f"无法连接{service}服务，请稍后再试")
    if response.status_code < 300:
        return _back(unit, ok=done)
    return _back(unit, error=problem_message(response))


def _back(unit: str, **outcome: str) -> RedirectResponse:
    return RedirectResponse(f"/units/{quote(unit)}?{urlencode(outcome)}", status_code=303)


def problem_message(response: httpx.Response) -> str:
    """A problem+json answer told in Chinese: what kind of refusal, the field or state, the detail."""
    try:
        problem: dict[str, Any] = response.json()
    except ValueError:
        problem = {}
    parts = [STATUS_NAMES.get(response.status_code, f"操作失败（{response.status_code}）")]
    if problem.get("current_state"):
        parts.append(f"当前状态：{problem['current_state']}")
    fields = [problem["field"]] if problem.get("field") else [e["field"] for e in problem.get("errors") or []]
    if fields:
        parts.append("字段：" + "、".join(_field_name(f) for f in fields))
    if problem.get("detail"):
        parts.append(str(problem["detail"]))
    return "；".join(parts)


def _field_name(field: str) -> str:
    names = [FIELD_NAMES.get(part, part) for part in field.split(".") if not part.isdigit()]
    return "·".join(names) or field


# --- a proposal's page ------------------------------------------------------------------------------


@router.get("/proposals/{proposal_id}")
async def proposal_page(request: Request, page: Pages, proposal_id: str) -> Response:
    who = signed_in(request)
    if who is None:
        return to_login(request)
    identity = who[0]
    store = request.app.state.infra.views
    hidden = not identity.is_office and identity.unit not in await queries.units_sharing(store, proposal_id)
    view = None if hidden else await queries.proposal_view(store, proposal_id)
    if view is None:
        return page.not_found("没有这件提案，或您无权查看")
    return page.render("proposal.html", p=view)


# --- downloads of the pages' views (the query API has the same with a bearer token and as_of) --------


@router.get("/export")
async def overview_download(
    request: Request, page: Pages, calendar: Calendar, format: Format = "xlsx"
) -> Response:
    who = signed_in(request)
    if who is None:
        return to_login(request)
    if not who[0].is_office:
        return page.render("message.html", 403, title="无权查看", message="只有提案委（办公室）可以导出总览")
    view = await queries.office_overview(request.app.state.infra.views, today(request), calendar)
    tables = overview_tables(view, page.names.one)
    return export(tables, format, None, f"办理情况总览-{today(request)}")


@router.get("/units/{unit}/export")
async def workbench_download(
    request: Request, page: Pages, units: Units, calendar: Calendar, unit: str, format: Format = "xlsx"
) -> Response:
    who = signed_in(request)
    if who is None:
        return to_login(request)
    try:
        unit_id = units.resolve(unit).id
    except UnknownUnit:
        return page.not_found(f"没有名为“{unit}”的单位")
    if not (who[0].is_office or who[0].acts_for(unit_id)):
        return page.render("message.html", 403, title="无权查看", message="只能导出本单位的办理事项")
    store = request.app.state.infra.views
    view = await queries.unit_view(store, unit_id, today(request), calendar)
    name = page.names.one
    return export(unit_tables(view, name), format, None, f"{name(unit_id)}-办理事项-{today(request)}")


@router.get("/proposals/{proposal_id}/export")
async def proposal_download(
    request: Request, page: Pages, proposal_id: str, format: Format = "xlsx"
) -> Response:
    who = signed_in(request)
    if who is None:
        return to_login(request)
    identity = who[0]
    store = request.app.state.infra.views
    hidden = not identity.is_office and identity.unit not in await queries.units_sharing(store, proposal_id)
    view = None if hidden else await queries.proposal_view(store, proposal_id)
    if view is None:
        return page.not_found("没有这件提案，或您无权查看")
    tables = proposal_tables(view, page.names.one)
    return export(tables, format, None, f"第{view['number'] or proposal_id}号-{today(request)}")


# --- the member's feedback form (the link is the credential) ----------------------------------------


@router.get("/forms/{token}")
async def feedback_form(request: Request, page: Pages, token: str) -> Response:
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{service_url(request, 'feedback')}/feedback/forms/{quote(token)}")
    except httpx.TransportError:
        return page.render("message.html", 503, title="暂时无法打开", message="请稍后再试")
    if response.status_code != 200:
        return page.not_found("这个征询意见链接无效")
    return page.render("form.html", form=response.json(), token=token, key=uuid.uuid4().hex)


@router.post("/forms/{token}")
async def answer_feedback_form(
    request: Request,
    page: Pages,
    token: str,
    key: Field,
    satisfaction: Annotated[str, Form()] = "",
    opinion: Annotated[str, Form()] = "",
    suggestions: Annotated[str, Form()] = "",
) -> Response:
    body = {"satisfaction": satisfaction, "opinion": opinion, "suggestions": suggestions}
    try:
        async with httpx.AsyncClient(timeout=15) as http:
            response = await http.post(
                f"{service_url(request, 'feedback')}/feedback/forms/{quote(token)}",
                json=body,
                headers={"Idempotency-Key": key},
            )
    except httpx.TransportError:
        return page.render("message.html", 503, title="暂时无法提交", message="请稍后再试")
    if response.status_code >= 300:
        return page.render("message.html", 400, title="提交未成功", message=problem_message(response))
    return page.render("thanks.html", satisfaction=satisfaction)
