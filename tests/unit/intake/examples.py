"""Test data from the seeds: 茹菊霞's 第254号 proposal (晋城) and 刘建峰's 第60号 (乌海)."""

from datetime import UTC, datetime

from services.intake.domain.commands import SubmitProposal
from services.intake.domain.decider import Rules, intake_decider
from services.intake.domain.events import Item, ProposalSubmitted, Proposer, ReviewStarted
from shared.rules.policy import load_policies
from shared.settings import DEPLOY

RULES = Rules(load_policies(DEPLOY / "policy"))
DECIDER = intake_decider(RULES)

AT = datetime(2025, 1, 20, 9, 30, tzinfo=UTC)
LATER = datetime(2025, 2, 10, 15, 0, tzinfo=UTC)
PROPOSAL_ID = "0b8f6c1e-4a5d-5e7f-9a2b-3c4d5e6f7a80"
TARGET_ID = "5d1e2f3a-6b7c-5d8e-9f0a-1b2c3d4e5f60"
OFFICE = "office:jincheng-tiwei"

RU_JUXIA = Proposer(id="ru-juxia", name="茹菊霞", unit="晋城市政协", phone="15834218688", role="领衔")
CO_SIGNER = Proposer(id="zhang-min", name="张敏", unit="晋城市政协", phone="", role="联名")
LIU_JIANFENG = Proposer(id="liu-jianfeng", name="刘建峰", unit="乌海市政协", phone="15144738888", role="领衔")

ITEMS = (
    Item(number=1, text="加大社区养老服务设施建设力度。"),
    Item(number=2, text="加强专业服务人员队伍建设。"),
    Item(number=3, text="丰富社区养老服务内容。"),
    Item(number=4, text="拓宽资金投入渠道。"),
    Item(number=5, text="建立健全社区养老服务监督管理机制。"),
)
TITLE = "关于加强社区养老服务体系建设的建议"
SESSION = "市八届政协四次会议"


def submit(**changes: object) -> SubmitProposal:
    fields: dict[str, object] = {
        "proposal_id": PROPOSAL_ID,
        "jurisdiction": "jincheng",
        "kind": "proposal",
        "session": SESSION,
        "title": TITLE,
        "items": ITEMS,
        "proposers": (RU_JUXIA,),
        "channel": "online",
        "submitted_by": RU_JUXIA.id,
        "at": AT,
    }
    fields.update(changes)
    return SubmitProposal(**fields)  # type: ignore[arg-type]


def submitted(
    proposal_id: str = PROPOSAL_ID, proposers: tuple[Proposer, ...] = (RU_JUXIA,)
) -> ProposalSubmitted:
    return ProposalSubmitted(
        proposal_id=proposal_id,
        jurisdiction="jincheng",
        kind="proposal",
        session=SESSION,
        title=TITLE,
        items=ITEMS,
        proposers=proposers,
        channel="online",
        submitted_by=proposers[0].id,
        at=AT,
    )


def review_started(proposal_id: str = PROPOSAL_ID) -> ReviewStarted:
    return ReviewStarted(proposal_id=proposal_id, by=OFFICE, at=AT)
