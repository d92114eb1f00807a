"""The views as spreadsheets: each view (a unit's work, one proposal, the office overview) as tables with
Chinese column headers, written as xlsx (one sheet per table) or CSV (one table).

The tables are made from the same dicts the JSON endpoints answer, so an export shows exactly what the
view shows, with the same access rules and "as of" day; states, roles and units are written in the
words of the users (办理中, 主办, 市民政局) rather than as codes.
"""

from collections.abc import Callable
from typing import Any, Literal

from fastapi.responses import Response

from shared.documents.spreadsheets import CSV, XLSX, Table, content_disposition, write_csv, write_xlsx

Format = Literal["xlsx", "csv"]
UnitName = Callable[[str], str]

STATE_NAMES = {
    "SUBMITTED": "已提交",
    "UNDER_REVIEW": "审查中",
    "RETURNED": "退回修改",
    "NOT_REGISTERED": "不予立案",
    "MERGED": "已并案",
    "WITHDRAWN": "已撤案",
    "REGISTERED": "已立案",
    "ALLOCATED": "办理中",
    "REPLIED": "已答复",
    "REHANDLING": "重新办理",
    "CLOSED": "已办结",
    "TRACKING": "跟踪办理",
    "allocated": "待签收",
    "acknowledged": "已签收",
    "adjustment_requested": "申请调整中",
    "internally_allocated": "已内部交办",
    "opinion_submitted": "已送协办意见",
    "replied": "已答复",
    "rehandling": "重新办理",
    "replaced": "已调整",
}
ROLE_NAMES = {"lead": "主办", "co": "协办", "former": "原承办"}
KIND_NAMES = {"proposal": "提案", "suggestion": "建议"}
SERVICE_NAMES = {"intake": "提交立案", "allocation": "交办", "reply": "答复", "feedback": "反馈"}


def state(code: object) -> str:
    return STATE_NAMES.get(str(code), str(code or ""))


def yes(flag: object) -> str:
    return "是" if flag else "否"


def unit_tables(view: dict[str, Any], unit_name: UnitName) -> dict[str, Table]:
    headers = (
        "提案号", "标题", "类型", "角色", "本单位状态", "提案状态", "办理期限", "剩余工作日", "逾期",
        "已完成", "办理结果", "重点提案", "催办次数", "待协办意见", "待反馈", "满意程度",
    )  # fmt: skip
    rows = [
        [
            a["number"],
            a["title"],
            KIND_NAMES.get(a["kind"], a["kind"]),
            ROLE_NAMES.get(a["role"], a["role"]),
            state(a["state"]),
            state(a["proposal_state"]),
            a["deadline"] or "",
            a["working_days_left"],
            yes(a["overdue"]),
            yes(a["done"]),
            a["result_class"],
            yes(a["key_item"]),
            a["urges"],
            [unit_name(u) for u in a["co_opinions_awaited"]],
            a["feedback_awaited"],
            [f"{s['name']}：{s['satisfaction']}" for s in a["satisfaction"]],
        ]
        for a in view["assignments"]
    ]
    return {"assignments": Table(f"{unit_name(view['unit'])} 办理事项", headers, rows)}


def proposal_tables(view: dict[str, Any], unit_name: UnitName) -> dict[str, Table]:
    number = view["number"]
    summary = [
        ("提案号", number),
        ("标题", view["title"]),
        ("类型", KIND_NAMES.get(view["kind"], view["kind"])),
        ("届次", view["session"]),
        ("类别", view["category"]),
        ("提案者", view["proposers"]),
        ("状态", state(view["state"])),
        ("办理方式", view["mode"]),
        ("主办单位", [unit_name(u) for u in view["lead_units"]]),
        ("协办单位", [unit_name(u) for u in view["co_units"]]),
        ("答复期限", view["reply_due"]),
        ("协办意见期限", view["co_opinion_due"]),
        ("待协办意见", [unit_name(u) for u in view["co_opinions_awaited"]]),
        ("面商次数", view["consultations"]),
        ("答复轮次", view["reply_round"]),
        ("办理结果", view["result_class"]),
        ("办公室认定类别", view["office_class"]),
        ("重点提案", yes(view["key_item"])),
        ("满意程度", [f"{f['name']}：{f['satisfaction'] or '待反馈'}" for f in view["feedback"]]),
    ]
    units = [
        [
            unit_name(u["unit"]),
            ROLE_NAMES.get(u["role"], u["role"]),
            state(u.get("state", "")),
            u.get("reply_due", ""),
            u.get("result_class", ""),
            u.get("document_no", ""),
            (u.get("co_opinion") or {}).get("text", ""),
        ]
        for u in view["units"]
    ]
    timeline = [
        [t.get("at", ""), SERVICE_NAMES.get(t.get("service", ""), t.get("service", "")), t.get("what", ""),
         t.get("actor", "")]
        for t in view["timeline"]
    ]  # fmt: skip
    return {
        "summary": Table(f"第{number}号 概况", ("项目", "内容"), summary),
        "units": Table(
            f"第{number}号 承办单位",
            ("单位", "角色", "状态", "答复期限", "办理结果", "文号", "协办意见"),
            units,
        ),
        "timeline": Table(f"第{number}号 办理经过", ("时间", "环节", "事项", "操作人"), timeline),
    }


def overview_tables(view: dict[str, Any], unit_name: UnitName) -> dict[str, Table]:
    headers = (
        "单位", "主办件数", "协办件数", "已办结", "办结率", "已答复", "按时答复", "按时答复率", "已面商",
        "面商率", "已反馈", "满意", "满意率", "办理结果分类", "申请调整次数", "调整率", "逾期",
    )  # fmt: skip
    units = [
        [
            unit_name(u["unit"]), u["lead"], u["co"], u["closed"], u["closed_rate"], u["replied"],
            u["on_time"], u["on_time_rate"], u["consulted"], u["consultation_rate"], u["answered"],
            u["satisfied"], u["satisfaction_rate"], classes(u["classes"]), u["adjustment_requests"],
            u["adjustment_rate"], u["overdue"],
        ]
        for u in view["units"]
    ]  # fmt: skip
    key_items = [
        [
            k["number"], k["title"], k.get("label", ""), k.get("leader", ""), k.get("leader_title", ""),
            state(k["state"]), [unit_name(u) for u in k["lead_units"]], k["reply_due"],
            k["working_days_left"], yes(k["overdue"]), k["supervisions"], k["last_supervised_on"], k["urges"],
        ]
        for k in view["key_items"]
    ]  # fmt: skip
    key_headers = (
        "提案号", "标题", "类别", "督办领导", "职务", "状态", "主办单位", "答复期限", "剩余工作日", "逾期",
        "督办次数", "最近督办", "催办次数",
    )  # fmt: skip
    counts = [[state(s), n] for s, n in view["by_state"].items()]
    counts += [[f"届次：{s}", n] for s, n in view["by_session"].items()]
    counts += [[f"类别：{c}", n] for c, n in view["by_category"].items()]
    return {
        "units": Table("各单位办理情况", headers, units),
        "counts": Table("件数统计", ("分类", "件数"), [["合计", view["total"]], *counts]),
        "key_items": Table("重点提案", key_headers, key_items),
    }


def classes(counted: dict[str, int]) -> list[str]:
    return [f"{name or '未分类'}：{count}" for name, count in counted.items()]


def export(tables: dict[str, Table], format: Format, table: str | None, filename: str) -> Response:
    """The tables as a download: every table as a sheet of one xlsx, or the one `table` as CSV."""
    if format == "xlsx":
        return Response(
            write_xlsx(list(tables.values())),
            media_type=XLSX,
            headers={"Content-Disposition": content_disposition(f"{filename}.xlsx")},
        )
    chosen = table or next(iter(tables))
    return Response(
        write_csv(tables[chosen]),
        media_type=CSV,
        headers={"Content-Disposition": content_disposition(f"{filename}-{tables[chosen].title}.csv")},
    )
