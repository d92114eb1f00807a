"""Inbound messages built from the producing services' contract models."""

from datetime import UTC, date, datetime

from services.allocation.contracts import ItemRoutingV1, ProposalAllocatedV1
from services.feedback.contracts import RehandlingRequestedV1
from services.intake.contracts import ItemV1, ProposalRegisteredV1, ProposerV1
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from tests.unit.reply.seeds import ALLOCATED_AT, JIAZHENG

CO_UNITS = ["minzheng", "renshe"]


JIAZHENG_ITEMS = ["融入智慧平台，推动家政服务业数智化", "融入党群服务，推动家政服务业便捷化"]


def jiazheng_registered(jurisdiction: str = "wuhai") -> ProposalRegisteredV1:
    """立案 of 乌海 第60号 (seed 001): 刘建峰 leads it."""
    return ProposalRegisteredV1(
        proposal_id=JIAZHENG,
        jurisdiction=jurisdiction,
        kind="proposal",
        session="市政协十届四次会议",
        number="60",
        title="关于推动家政服务业发展的提案",
        category="经济建设",
        items=[ItemV1(number=n, text=text) for n, text in enumerate(JIAZHENG_ITEMS, start=1)],
        proposers=[ProposerV1(id="wuhai-liujianfeng", name="刘建峰", phone="15144738888", role="领衔")],
        registered_at=ALLOCATED_AT,
    )


def jiazheng_allocated(revision: int = 1, jurisdiction: str = "wuhai") -> ProposalAllocatedV1:
    return ProposalAllocatedV1(
        proposal_id=JIAZHENG,
        revision=revision,
        number="60",
        title="关于推动家政服务业发展的提案",
        kind="proposal",
        jurisdiction=jurisdiction,
        mode="主办+协办",
        lead_units=["shangwu"],
        co_units=CO_UNITS,
        routing=[ItemRoutingV1(item=i, lead="shangwu", co_units=CO_UNITS) for i in (1, 2)],
        allocated_at=ALLOCATED_AT,
        reply_due=date(2025, 6, 10),
        co_opinion_due=date(2025, 4, 10),
    )


def rehandling_requested() -> RehandlingRequestedV1:
    return RehandlingRequestedV1(
        proposal_id=JIAZHENG,
        round=2,
        lead_units=["shangwu"],
        due=date(2025, 8, 11),
        opinions=["希望出台家政服务员社会保险补贴政策"],
    )


def cloud_event(event: IntegrationEvent, message_id: str, source: str) -> CloudEvent:
    return CloudEvent(
        id=message_id,
        source=f"/proposals/{source}",
        type=event.type_name,
        subject=f"{source}-proposal-{JIAZHENG}",
        time=datetime(2025, 7, 1, 8, 0, tzinfo=UTC),
        data=event.model_dump(mode="json"),
        correlationid="corr-60",
    )
