"""Inbound messages built from the producing services' contract models."""

from datetime import UTC, date, datetime

from services.allocation.contracts import ItemRoutingV1, ProposalAllocatedV1
from services.feedback.contracts import RehandlingRequestedV1
from shared.cloudevents import CloudEvent
from shared.contracts import IntegrationEvent
from tests.unit.reply.seeds import ALLOCATED_AT, JIAZHENG

CO_UNITS = ["minzheng", "renshe"]


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
