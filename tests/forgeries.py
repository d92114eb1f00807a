"""The forgery of the issue on trust boundaries, its variants, and a genuine event beside them.

The forgery: a CloudEvent of type `intake.proposal-registered.v1` (立案) issued by 市商务局's own
reply instance, `reply-shangwu`, and published where allocation, reply and feedback take the 立案.
Each message registers a proposal of its own, so what a consumer recorded shows whose it was.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from services.intake.contracts import ItemV1, ProposalRegisteredV1, ProposalRegisteredV2, ProposerV1
from shared.adapters.bus import DEAD_LETTER_REASON, Message
from shared.adapters.eventstore import EventStore
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.signatures import Issuer, Reason

ROUTING_KEY = "intake.proposal-registered.v2"
"""Where allocation, reply and feedback bind the 立案: the forger publishes there too."""
CONSUMERS = ("allocation", "reply", "feedback")
"""The services that recorded the forgery."""
REGISTERED_AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sent:
    name: str
    message: Message
    refused: Reason | None
    """Why every consumer refuses it; None for the genuine event."""


def registration(number: str) -> ProposalRegisteredV1:
    """立案 of a 乌海 proposal on 家政服务 (seed 001), under its own number."""
    return ProposalRegisteredV1(
        proposal_id=f"wuhai-2025-{number}",
        jurisdiction="wuhai",
        kind="proposal",
        session="市政协十一届四次会议",
        number=number,
        title="关于推动家政服务业发展的提案",
        category="经济建设",
        items=[ItemV1(number=1, text="融入智慧平台，推动家政服务业数智化")],
        proposers=[ProposerV1(id="wuhai-liujianfeng", name="刘建峰", phone="15144738888", role="领衔")],
        registered_at=REGISTERED_AT,
    )


def envelope(event: IntegrationEvent, source: str, message_id: str) -> CloudEvent:
    return CloudEvent(
        id=message_id,
        source=source,
        type=event.type_name,
        subject=f"intake-proposal-{getattr(event, 'proposal_id', '')}",
        time=REGISTERED_AT,
        data=event.model_dump(mode="json"),
        correlationid=message_id,
    )


def messages(intake: Issuer, reply_shangwu: Issuer, stranger: Issuer, run: str) -> list[Sent]:
    """The forgery signed by reply_shangwu with its own trusted key, the same unsigned, signed by a key
    no one trusts, and with the source as the issue wrote it; then the genuine 立案 signed by intake.
    `run` makes the message ids of this run its own."""

    def sent(name: str, event: CloudEvent, refused: Reason | None) -> Sent:
        return Sent(name, event.to_message(ROUTING_KEY), refused)

    def registered(number: str, source: str) -> CloudEvent:
        return envelope(registration(number), source, f"{run}-{number}")

    genuine = ProposalRegisteredV2(**registration("60").model_dump(), by="王丽")
    return [
        sent("forged", reply_shangwu.sign(registered("61", reply_shangwu.source)), "type-not-allowed"),
        sent("unsigned", registered("62", intake.source), "unsigned"),
        sent("stranger", stranger.sign(registered("63", intake.source)), "unknown-key"),
        sent("named", reply_shangwu.sign(registered("64", "reply-shangwu")), "unknown-source"),
        sent("genuine", intake.sign(envelope(genuine, intake.source, f"{run}-60")), None),
    ]


async def causes(store: EventStore) -> set[str]:
    """The message ids the events of a store were caused by."""
    return {str(r.metadata.get("causation_id")) for r in await store.read_all(0, limit=100_000)}


def reasons(letters: Sequence[Message]) -> dict[str, str]:
    """Message id → the reason it was dead-lettered with."""
    return {m.id: m.headers.get(DEAD_LETTER_REASON, "") for m in letters}


def expected_reasons(sent: Sequence[Sent]) -> Mapping[str, Reason]:
    return {s.message.id: s.refused for s in sent if s.refused is not None}
