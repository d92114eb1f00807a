"""Two real proposals from the seeds, driven through the whole lifecycle over HTTP.

乌海 第60号 (家政服务业): 市商务局 handles it alone, replies class A, the member is 满意.
晋城 第254号 (社区养老): 市民政局 leads with co-units, consults the member (面商), replies class A; the
member is first 不满意, the bureau answers again, and the member is 满意.
"""

from collections.abc import Callable
from pathlib import Path

from tools.demo import documents
from tools.demo.client import Json, Platform

Report = Callable[[str], None]


def _state(answer: Json) -> str:
    return str(answer.get("state"))


def story_wuhai_60(platform: Platform, report: Report = print, output: Path | None = None) -> str:
    """The story of 乌海 第60号; with `output`, its documents are written there too."""
    office = platform.as_office()
    member = platform.as_member("wuhai-liujianfeng", "刘建峰")
    shangwu = platform.as_unit("shangwu", "市商务局办公室")

    submitted = member.post(
        "intake",
        "/proposals",
        {
            "jurisdiction": "wuhai",
            "kind": "proposal",
            "session": "市政协十届四次会议",
            "title": "关于推动家政服务业发展的提案",
            "items": [
                "融入智慧平台，推动家政服务业数智化",
                "融入党群服务，推动家政服务进社区",
                "加强技能培训，提升家政从业人员素质",
                "加强行业自律，规范家政服务市场",
            ],
            "proposers": [
                {"id": "wuhai-liujianfeng", "name": "刘建峰", "phone": "15144738888", "role": "领衔"}
            ],
            "channel": "online",
        },
        key="wuhai-60-submit",
    )
    proposal = submitted["proposal_id"]
    report(f"乌海 第60号  intake      {_state(submitted)}")
    office.post("intake", f"/proposals/{proposal}/review", {}, key="wuhai-60-review")
    registered = office.post(
        "intake",
        f"/proposals/{proposal}/register",
        {"number": "60", "category": "经济建设"},
        key="wuhai-60-register",
    )
    report(f"乌海 第60号  intake      {_state(registered)} (立案 第60号)")

    office.wait_for("allocation", f"/allocations/{proposal}", lambda a: a["state"] == "AWAITING_ALLOCATION")
    allocated = office.post(
        "allocation",
        f"/allocations/{proposal}",
        {"mode": "独办", "lead": "市商务局"},
        key="wuhai-60-allocate",
    )
    report(f"乌海 第60号  allocation  {_state(allocated)} → 市商务局 (独办)")
    shangwu.post("allocation", f"/allocations/{proposal}/units/shangwu/acknowledge", {}, key="wuhai-60-ack")
    internal = shangwu.post(
        "allocation",
        f"/allocations/{proposal}/units/shangwu/internal-allocation",
        {
            "tasks": [
                {
                    "item": n,
                    "section": "商贸流通科",
                    "leader": "王副局长",
                    "person": "张伟",
                    "deadline": "2025-06-01",
                }
                for n in range(1, 5)
            ]
        },
        key="wuhai-60-internal",
    )
    report(f"乌海 第60号  allocation  市商务局 签收, 内部交办 商贸流通科 ({_state(internal)})")

    shangwu.wait_for("reply", f"/replies/{proposal}", lambda r: r.get("round") == 1)
    replied = shangwu.post(
        "reply",
        f"/replies/{proposal}/reply",
        {
            "document_no": "乌商务发〔2025〕26号",
            "result_class": "A",
            "answers": [
                {
                    "item": 1,
                    "text": "信用乌海家政综合服务平台已于2022年6月正式启动，统一归集、管理、公开家政信息。",
                },
                {"item": 2, "text": "推动家政服务融入社区党群服务中心，打通家政服务“最后一公里”。"},
                {"item": 3, "text": "依托职业院校开展家政技能培训，持续提升从业人员素质。"},
                {"item": 4, "text": "市家政服务行业协会组织34家大型家政企业入会，加强行业自律。"},
            ],
            "signer": "分管领导",
            "contact_person": "张伟",
            "contact_phone": "0473-3998888",
        },
        key="wuhai-60-reply",
    )
    report(f"乌海 第60号  reply       {_state(replied)} (乌商务发〔2025〕26号, 办理结果：A)")

    feedback = office.wait_for(
        "feedback", f"/feedback/{proposal}", lambda f: f["state"] == "AWAITING_FEEDBACK"
    )
    token = feedback["forms"][0]["token"]
    member.wait_for("feedback", f"/feedback/forms/{token}", lambda f: bool(f["open"]))
    member.post(
        "feedback",
        f"/feedback/forms/{token}",
        {
            "satisfaction": "满意",
            "opinion": "办理认真",
            "suggestions": "",
            "recommended_units": ["市商务局"],
        },
        key="wuhai-60-answer",
    )
    closed = office.wait_for(
        "feedback", f"/feedback/{proposal}", lambda f: f["state"] in {"CLOSED", "TRACKING"}
    )
    report(f"乌海 第60号  feedback    满意 → {_state(closed)}")
    if output is not None:
        story = documents.StoryDocuments("wuhai-60", proposal, "shangwu", "wuhai-liujianfeng", 1, False)
        for path in documents.write(office, shangwu, story, output):
            report(f"乌海 第60号  document    {path}")
    return _state(closed)


JINCHENG_ITEMS = [
    "加大社区养老服务设施建设力度",
    "加强专业服务人员队伍建设",
    "丰富社区养老服务内容",
    "拓宽资金投入渠道",
    "建立健全社区养老服务监督管理机制",
]
JINCHENG_ANSWERS = [
    "持续增加社区养老服务设施供给，提供多层次多元化养老服务。",
    "强化人才支撑，推进养老护理员队伍建设。",
    "不断丰富社区养老服务内容，提升养老服务水平。",
    "不断加大对社区养老服务的资金投入。",
    "健全社区养老服务机构监管机制。",
]


def story_jincheng_254(
    platform: Platform,
    report: Report = print,
    co_units: tuple[str, ...] = ("renshe",),
    output: Path | None = None,
) -> str:
    """The story of 晋城 第254号; with `output`, its documents are written there too."""
    office = platform.as_office()
    member = platform.as_member("jincheng-rujuxia", "茹菊霞")
    minzheng = platform.as_unit("minzheng", "孙雪斌")
    key = f"jincheng-254-{'-'.join(co_units)}"

    submitted = member.post(
        "intake",
        "/proposals",
        {
            "jurisdiction": "jincheng",
            "kind": "proposal",
            "session": "市政协八届四次会议",
            "title": "关于加强社区养老服务体系建设的建议",
            "items": JINCHENG_ITEMS,
            "proposers": [
                {"id": "jincheng-rujuxia", "name": "茹菊霞", "phone": "15834218688", "role": "领衔"}
            ],
            "channel": "online",
        },
        key=f"{key}-submit",
    )
    proposal = submitted["proposal_id"]
    report(f"晋城 第254号 intake      {_state(submitted)}")
    office.post("intake", f"/proposals/{proposal}/review", {}, key=f"{key}-review")
    registered = office.post(
        "intake",
        f"/proposals/{proposal}/register",
        {"number": "254", "category": "社会事业"},
        key=f"{key}-register",
    )
    report(f"晋城 第254号 intake      {_state(registered)} (立案 第254号)")

    office.wait_for("allocation", f"/allocations/{proposal}", lambda a: a["state"] == "AWAITING_ALLOCATION")
    allocated = office.post(
        "allocation",
        f"/allocations/{proposal}",
        {"mode": "主办+协办", "lead": "minzheng", "co_units": list(co_units)},
        key=f"{key}-allocate",
    )
    report(f"晋城 第254号 allocation  {_state(allocated)} → 市民政局 主办, 协办 {', '.join(co_units)}")
    for unit in ("minzheng", *co_units):
        platform.as_unit(unit, f"{unit}-staff").post(
            "allocation", f"/allocations/{proposal}/units/{unit}/acknowledge", {}, key=f"{key}-ack-{unit}"
        )
    minzheng.post(
        "allocation",
        f"/allocations/{proposal}/units/minzheng/internal-allocation",
        {
            "tasks": [
                {
                    "item": n,
                    "section": "养老服务科",
                    "leader": "分管副局长",
                    "person": "孙雪斌",
                    "deadline": "2025-08-31",
                }
                for n in range(1, 6)
            ]
        },
        key=f"{key}-internal",
    )

    minzheng.wait_for("reply", f"/replies/{proposal}", lambda r: r.get("round") == 1)
    for unit in co_units:
        opinion = platform.as_unit(unit, f"{unit}-staff").post(
            "reply",
            f"/replies/{proposal}/co-opinions",
            {
                "text": "依托职业院校开展订单式养老护理培训，畅通养老护理从业人员职业发展通道。",
                "signer": f"{unit} 分管领导",
            },
            key=f"{key}-opinion-{unit}",
        )
        report(f"晋城 第254号 reply       协办 {unit} 意见已送主办 ({_state(opinion)})")
    minzheng.post(
        "reply",
        f"/replies/{proposal}/consultations",
        {
            "held_on": "2025-07-09",
            "place": "农业大厦630",
            "staff": ["孙雪斌"],
            "member_opinion": "同意答复意见要点",
            "contact_phone": "2516244",
        },
        key=f"{key}-consultation",
    )
    report("晋城 第254号 reply       面商 2025-07-09 农业大厦630 (孙雪斌)")

    def reply(round_: int) -> Json:
        return minzheng.post(
            "reply",
            f"/replies/{proposal}/reply",
            {
                "document_no": f"晋民函〔2025〕{253 + round_}号",
                "result_class": "A",
                "answers": [{"item": n, "text": text} for n, text in enumerate(JINCHENG_ANSWERS, start=1)],
                "signer": "分管副局长",
                "contact_person": "孙雪斌",
                "contact_phone": "2516244",
            },
            key=f"{key}-reply-{round_}",
        )

    report(f"晋城 第254号 reply       round 1 {_state(reply(1))} (A类)")

    def answer(round_: int, satisfaction: str, opinion: str) -> Json:
        feedback = office.wait_for(
            "feedback",
            f"/feedback/{proposal}",
            lambda f: f["state"] == "AWAITING_FEEDBACK" and f["round"] == round_,
        )
        token = feedback["forms"][0]["token"]
        member.wait_for(
            "feedback", f"/feedback/forms/{token}", lambda f: bool(f["open"]) and f["round"] == round_
        )
        member.post(
            "feedback",
            f"/feedback/forms/{token}",
            {"satisfaction": satisfaction, "opinion": opinion},
            key=f"{key}-answer-{round_}",
        )
        return office.wait_for(
            "feedback",
            f"/feedback/{proposal}",
            lambda f: f["round"] != round_ or f["state"] not in {"AWAITING_FEEDBACK"},
        )

    after_first = answer(1, "不满意", "资金投入渠道的答复不够具体")
    report(f"晋城 第254号 feedback    round 1 不满意 → {_state(after_first)}")
    minzheng.wait_for("reply", f"/replies/{proposal}", lambda r: r.get("round") == 2)
    report(f"晋城 第254号 reply       round 2 {_state(reply(2))} (A类)")
    closed = answer(2, "比较满意", "")
    closed = office.wait_for(
        "feedback", f"/feedback/{proposal}", lambda f: f["state"] in {"CLOSED", "TRACKING"}
    )
    report(f"晋城 第254号 feedback    round 2 比较满意 (= 基本满意) → {_state(closed)}")
    if output is not None:
        story = documents.StoryDocuments("jincheng-254", proposal, "minzheng", "jincheng-rujuxia", 2, True)
        for path in documents.write(office, minzheng, story, output):
            report(f"晋城 第254号 document    {path}")
    return _state(closed)
