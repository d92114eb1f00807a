"""A realistic session as data: proposals, their proposers, units, 面商, replies and feedback.

Everything is decided here, from a seed, before any request is sent: the driver only plays the
scripts. The topics, items and units come from the seed documents (中卫's 分工方案, 乌海's 家政服务
reply, 晋城's 社区养老 面商) and the unit registry; the mix follows what the offices report: about
30 % of proposals consulted face to face, replies about A 70 % / B 25 % / C 5 %, and about 15 % of
proposals answered 不满意 at first, handled again, and then accepted.
"""

import random
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from shared.documents.settings import Documents, load_all
from shared.rules.units import UnitRegistry

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = UnitRegistry.load(DEPLOY / "units.toml")
"""The registry the services load: every unit a script names exists there."""


@cache
def documents() -> dict[str, Documents]:
    """Per jurisdiction, the issuing organ and 文号 prefix of each unit, as the reply service loads them:
    a unit whose 答复函 cannot be made (no organ) never leads."""
    return load_all(DEPLOY / "policy", {u.id: u.name for u in UNITS.all()})


Kind = Literal["proposal", "suggestion"]
Mode = Literal["独办", "主办+协办", "分办"]


@dataclass(frozen=True)
class Topic:
    phrases: tuple[str, ...]
    """What a title proposes, e.g. 加强社区养老服务体系建设 (关于…的提案)."""
    category: str
    lead: str
    """The unit that usually leads it."""
    others: tuple[str, ...]
    """Units that help (协办) or take a part of it (分办)."""
    items: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        ("加强社区养老服务体系建设", "推进居家和社区养老服务", "发展普惠型养老服务"),
        "社会事业",
        "minzheng",
        ("renshe", "weijian", "caizheng"),
        (
            "加大社区养老服务设施建设力度",
            "加强专业服务人员队伍建设",
            "丰富社区养老服务内容",
            "拓宽资金投入渠道",
            "建立健全社区养老服务监督管理机制",
        ),
    ),
    Topic(
        ("完善城乡低保动态管理", "规范城乡最低生活保障工作", "健全社会救助体系"),
        "社会事业",
        "minzheng",
        ("fupin", "caizheng", "counties"),
        (
            "落实贫困人口低保倾斜政策，做到脱贫不脱政策",
            "对城乡低保进行精准动态管理",
            "加强入户核查和家庭经济状况核对",
            "给予救助渐退期，确保无返贫风险",
        ),
    ),
    Topic(
        ("引导社会组织参与社区治理", "推进城乡社区治理现代化", "优化居民小区治理"),
        "社会建设",
        "minzheng",
        ("counties", "tuanshiwei", "fulian"),
        (
            "积极为社会组织参与社区治理创造条件",
            "推进青年参与社区建设，打造社区青春议事厅",
            "依托党群服务中心培育社区社会组织",
            "加大政府购买社区服务力度",
        ),
    ),
    Topic(
        ("推动家政服务业发展", "促进家政服务业提质扩容", "规范家政服务市场"),
        "经济建设",
        "shangwu",
        ("renshe", "shichangjianguan", "fulian"),
        (
            "融入智慧平台，推动家政服务业数智化",
            "融入党群服务，推动家政服务进社区",
            "加强技能培训，提升家政从业人员素质",
            "加强行业自律，规范家政服务市场",
        ),
    ),
    Topic(
        ("巩固脱贫攻坚成果，推进脱贫攻坚与乡村振兴有效衔接", "防止规模性返贫", "发展壮大村级集体经济"),
        "农业农村",
        "fupin",
        ("minzheng", "caizheng", "counties"),
        (
            "保证脱贫扶持政策的连续性",
            "健全防止返贫动态监测和帮扶机制",
            "培育壮大特色产业，带动脱贫群众增收",
            "加强易地扶贫搬迁后续扶持",
        ),
    ),
    Topic(
        ("促进高校毕业生就业创业", "稳定和扩大就业", "加强农民工职业技能培训"),
        "社会事业",
        "renshe",
        ("jiaoyu", "tuanshiwei", "caizheng"),
        (
            "拓宽高校毕业生就业渠道",
            "加大创业担保贷款扶持力度",
            "开展订单式职业技能培训",
            "畅通技能人才职业发展通道",
        ),
    ),
    Topic(
        ("推进优质医疗资源下沉基层", "加强基层医疗卫生服务能力建设", "推进医养结合发展"),
        "医疗卫生",
        "weijian",
        ("yibao", "caizheng", "minzheng"),
        (
            "推进紧密型县域医共体建设",
            "加强乡村医生队伍建设",
            "推动医疗机构与养老机构签约合作",
            "完善家庭医生签约服务",
        ),
    ),
    Topic(
        ("完善城乡居民医疗保障", "减轻困难群众就医负担"),
        "医疗卫生",
        "yibao",
        ("weijian", "caizheng", "minzheng"),
        (
            "提高城乡居民医保门诊保障水平",
            "做好医疗救助与基本医保的衔接",
            "推进异地就医直接结算",
        ),
    ),
    Topic(
        ("推进城乡义务教育优质均衡发展", "加强乡村教师队伍建设"),
        "教育科技",
        "jiaoyu",
        ("caizheng", "counties", "renshe"),
        (
            "改善农村学校办学条件",
            "完善乡村教师待遇保障机制",
            "推进城乡学校结对帮扶",
            "加强课后服务",
        ),
    ),
    Topic(
        ("加快城镇老旧小区改造", "推进既有住宅加装电梯"),
        "城乡建设",
        "zhujian",
        ("counties", "caizheng", "minzheng"),
        (
            "加大老旧小区基础设施改造力度",
            "完善小区适老化和无障碍设施",
            "建立长效物业管理机制",
        ),
    ),
    Topic(
        ("加强校园食品安全监管", "守护群众舌尖上的安全"),
        "市场监管",
        "shichangjianguan",
        ("jiaoyu", "weijian"),
        (
            "落实学校食品安全校长负责制",
            "推行明厨亮灶和食材溯源",
            "加强对校外配餐企业的监督检查",
        ),
    ),
    Topic(
        ("优化营商环境，促进民营经济发展", "支持中小微企业纾困发展"),
        "经济建设",
        "fagai",
        ("gongshanglian", "shichangjianguan", "caizheng"),
        (
            "落实减税降费政策",
            "拓宽民营企业融资渠道",
            "构建亲清政商关系",
            "压缩企业开办时间",
        ),
    ),
    Topic(
        ("加强基层公共法律服务体系建设", "推进基层矛盾纠纷多元化解"),
        "法治建设",
        "sifa",
        ("counties", "gongan"),
        (
            "推进村居法律顾问全覆盖",
            "发挥人民调解第一道防线作用",
            "加强法治宣传教育",
        ),
    ),
    Topic(
        ("加强农村留守儿童关爱保护", "保障妇女儿童合法权益"),
        "社会事业",
        "minzheng",
        ("fulian", "jiaoyu", "gongan"),
        (
            "建立留守儿童信息台账",
            "发挥儿童督导员和儿童主任作用",
            "加强家庭教育指导服务",
        ),
    ),
)

JURISDICTIONS: dict[str, dict[Kind, str]] = {
    "wuhai": {"proposal": "市政协十届四次会议", "suggestion": "市十届人大四次会议"},
    "jincheng": {"proposal": "市政协八届四次会议", "suggestion": "市八届人大四次会议"},
    "zhongwei": {"proposal": "市政协四届五次会议", "suggestion": "市五届人大五次会议"},
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤茹"
)
GIVEN = (
    "建国华明丽军英平伟芳秀敏静强磊洋艳勇杰娟涛超霞峰刚桂兰玉萍红燕鹏辉宇浩凯健俊帆"
    "雪斌菊文志晓春海波丹荣新亮成梅琳"
)
SECTIONS = ("综合科", "业务科", "政策法规科", "规划发展科", "办公室")
PLACES = ("机关会议室", "社区党群服务中心", "委员工作室", "农业大厦630", "政协提案委会议室")

CLASS_WEIGHTS = {"A": 70, "B": 25, "C": 5}
UNSATISFIED_GIVEN_CLASS = {"A": 0.10, "B": 0.25, "C": 0.40}
"""P(不满意 | worst class of the round): about 15 % overall with the class mix above."""
CONSULTED = 0.30
SUGGESTIONS = 0.20
MODE_WEIGHTS: dict[Mode, int] = {"独办": 45, "主办+协办": 45, "分办": 10}
MEMBERS = 450
"""Members (委员 or 代表) per jurisdiction at most: a big session has several proposals per member."""
JOINT_WEIGHTS = (50, 20, 15, 10, 5)
"""How many 联名 proposers (0–4)."""


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    phone: str


@dataclass(frozen=True)
class Route:
    item: int
    lead: str
    co_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoundScript:
    classes: dict[str, str]
    """Each lead unit's result class."""
    satisfaction: tuple[str, ...]
    """Each proposer's answer, in the order of the proposers (领衔 first)."""

    @property
    def unsatisfied(self) -> bool:
        return "不满意" in self.satisfaction


@dataclass(frozen=True)
class ProposalScript:
    key: str
    """Unique in the session; the driver builds every idempotency key from it."""
    jurisdiction: str
    kind: Kind
    session: str
    number: str
    title: str
    category: str
    items: tuple[str, ...]
    proposers: tuple[Member, ...]
    """The 领衔 first, then the 联名."""
    mode: Mode
    routing: tuple[Route, ...]
    consultation: bool
    rounds: tuple[RoundScript, ...]
    """One round, or two when the first ends 不满意."""

    @property
    def leads(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(route.lead for route in self.routing))

    @property
    def co_units(self) -> tuple[str, ...]:
        leads = set(self.leads)
        units = (unit for route in self.routing for unit in route.co_units)
        return tuple(dict.fromkeys(u for u in units if u not in leads))

    def items_of(self, lead: str) -> tuple[int, ...]:
        return tuple(route.item for route in self.routing if route.lead == lead)


@dataclass(frozen=True)
class Session:
    seed: int
    scripts: list[ProposalScript]

    def mix(self) -> dict[str, dict[str, int]]:
        """What the session holds: kinds, modes, first-round classes, 面商, second rounds, proposers."""
        first_classes = Counter(c for s in self.scripts for c in s.rounds[0].classes.values())
        return {
            "kind": dict(Counter(s.kind for s in self.scripts)),
            "jurisdiction": dict(Counter(s.jurisdiction for s in self.scripts)),
            "mode": dict(Counter(s.mode for s in self.scripts)),
            "result_class": dict(sorted(first_classes.items())),
            "consultation": dict(Counter("面商" if s.consultation else "none" for s in self.scripts)),
            "rounds": dict(Counter(str(len(s.rounds)) for s in self.scripts)),
            "proposers": dict(sorted(Counter(str(len(s.proposers)) for s in self.scripts).items())),
        }


def repliers(jurisdiction: str) -> tuple[str, ...]:
    """The units that may lead in `jurisdiction`: those with an issuing organ there."""
    settings = documents().get(jurisdiction)
    if settings is None:
        return ()
    return tuple(u for u, d in settings.units.items() if d.organ.strip())


def document_prefix(jurisdiction: str, unit: str) -> str:
    """The 文号 prefix of the unit's letters in `jurisdiction` (乌商务发), or a plain 函 where the
    jurisdiction configures none."""
    return documents()[jurisdiction].unit(unit).prefix or "函"


def topics_of(jurisdiction: str) -> tuple[Topic, ...]:
    """The topics some unit of the jurisdiction can lead."""
    leads = set(repliers(jurisdiction))
    return tuple(t for t in TOPICS if leads & {t.lead, *t.others})


def generate(proposals: int, seed: int = 0) -> Session:
    """A session of `proposals` proposals; the same seed gives the same session."""
    rng = random.Random(seed)
    jurisdictions = [j for j in JURISDICTIONS if topics_of(j)]
    if not jurisdictions:
        raise ValueError("no jurisdiction's policy names a unit that can reply (documents.units)")
    members = {j: _members(rng, j, min(MEMBERS, max(8, proposals // 2))) for j in jurisdictions}
    numbers: Counter[tuple[str, Kind]] = Counter()
    scripts = []
    for index in range(proposals):
        jurisdiction = rng.choice(jurisdictions)
        kind: Kind = "suggestion" if rng.random() < SUGGESTIONS else "proposal"
        numbers[jurisdiction, kind] += 1
        scripts.append(
            _script(rng, f"s{seed}-{index:06d}", jurisdiction, kind, numbers[jurisdiction, kind], members)
        )
    return Session(seed, scripts)


def _script(
    rng: random.Random, key: str, jurisdiction: str, kind: Kind, number: int, members: dict[str, list[Member]]
) -> ProposalScript:
    topic = rng.choice(topics_of(jurisdiction))
    items = tuple(rng.sample(topic.items, rng.randint(1, len(topic.items))))
    able = repliers(jurisdiction)
    lead = topic.lead if topic.lead in able else next(u for u in topic.others if u in able)
    second = [u for u in (topic.lead, *topic.others) if u in able and u != lead]
    mode = _mode(rng, len(items) if second else 1)
    routing = _routing(rng, topic, mode, len(items), lead, second)
    pool = members[jurisdiction]
    joint = rng.choices(range(len(JOINT_WEIGHTS)), JOINT_WEIGHTS)[0]
    proposers = tuple(rng.sample(pool, 1 + joint))
    leads = tuple(dict.fromkeys(route.lead for route in routing))
    first = _round(rng, leads, len(proposers), may_refuse=True)
    rounds = (first,) if not first.unsatisfied else (first, _round(rng, leads, len(proposers), False))
    adverb = rng.choice(("", "", "进一步"))
    return ProposalScript(
        key=key,
        jurisdiction=jurisdiction,
        kind=kind,
        session=JURISDICTIONS[jurisdiction][kind],
        number=str(number),
        title=f"关于{adverb}{rng.choice(topic.phrases)}的{'提案' if kind == 'proposal' else '建议'}",
        category=topic.category,
        items=items,
        proposers=proposers,
        mode=mode,
        routing=routing,
        consultation=rng.random() < CONSULTED,
        rounds=rounds,
    )


def _members(rng: random.Random, jurisdiction: str, count: int) -> list[Member]:
    members = []
    for i in range(count):
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
        members.append(Member(f"{jurisdiction}-m{i:05d}", rng.choice(SURNAMES) + given, phone))
    return members


def _mode(rng: random.Random, splittable: int) -> Mode:
    """独办, 主办+协办 or 分办; 分办 only when `splittable` (items another unit could lead) is 2 or more."""
    mode: Mode = rng.choices(list(MODE_WEIGHTS), list(MODE_WEIGHTS.values()))[0]
    if mode == "分办" and splittable < 2:
        return "主办+协办"
    return mode


def _routing(
    rng: random.Random, topic: Topic, mode: Mode, items: int, lead: str, second: list[str]
) -> tuple[Route, ...]:
    numbers = range(1, items + 1)
    if mode == "独办":
        return tuple(Route(n, lead) for n in numbers)
    if mode == "主办+协办":
        helpers = [u for u in (topic.lead, *topic.others) if u != lead]
        co_units = tuple(rng.sample(helpers, rng.randint(1, min(2, len(helpers)))))
        return tuple(Route(n, lead, co_units) for n in numbers)
    other = rng.choice(second)
    split = rng.randint(1, items - 1)
    return tuple(Route(n, lead if n <= split else other) for n in numbers)


def _round(rng: random.Random, leads: tuple[str, ...], proposers: int, may_refuse: bool) -> RoundScript:
    codes = list(CLASS_WEIGHTS)
    classes = {lead: rng.choices(codes, list(CLASS_WEIGHTS.values()))[0] for lead in leads}
    worst = max(classes.values())
    refused = may_refuse and rng.random() < UNSATISFIED_GIVEN_CLASS[worst]
    satisfaction = tuple(
        "不满意" if refused and i == 0 else rng.choice(("满意", "满意", "满意", "基本满意", "比较满意"))
        for i in range(proposers)
    )
    return RoundScript(classes, satisfaction)
