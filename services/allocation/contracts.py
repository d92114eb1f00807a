"""The public integration events of allocation: who handles a proposal, and each unit's steps.

What a unit does inside (责任科室, 责任领导, 责任人, 办理措施) stays in allocation: the public
events say that a unit allocated its items internally, never to whom.
"""

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from shared.kernel.contracts import IntegrationEvent, Kind, Part, UnitEvent
from shared.kernel.events import EventRegistry

contract = EventRegistry()

Mode = Literal["独办", "主办+协办", "分办"]


class ItemRoutingV1(Part):
    item: int
    lead: str
    co_units: list[str] = Field(default_factory=list)


@contract.register("allocation.proposal-allocated.v1")
class ProposalAllocatedV1(IntegrationEvent):
    """交办, and every later change of who handles it: always the whole current routing."""

    proposal_id: str
    revision: int
    """1 for the first allocation, then one more for each reallocation."""
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    mode: Mode
    lead_units: list[str]
    co_units: list[str]
    routing: list[ItemRoutingV1]
    allocated_at: datetime
    reply_due: date
    co_opinion_due: date


@contract.register("allocation.assignment-acknowledged.v1")
class AssignmentAcknowledgedV1(UnitEvent):
    """签收: a unit acknowledges its part."""

    proposal_id: str
    by: str
    acknowledged_at: datetime


@contract.register("allocation.adjustment-requested.v1")
class AdjustmentRequestedV1(UnitEvent):
    """申请调整: a unit asks the office to give its part to another unit, with its reason."""

    proposal_id: str
    reason: str
    requested_at: datetime


@contract.register("allocation.adjustment-refused.v1")
class AdjustmentRefusedV1(UnitEvent):
    """The office refuses a unit's adjustment request: the unit keeps its part."""

    proposal_id: str
    reason: str = ""
    decided_at: datetime


@contract.register("allocation.internally-allocated.v1")
class InternallyAllocatedV1(UnitEvent):
    """内部交办: the unit allocated these items inside (to whom stays with the unit)."""

    proposal_id: str
    items: list[int]
    allocated_at: datetime


@contract.register("allocation.extension-requested.v1")
class ExtensionRequestedV1(UnitEvent):
    """A lead unit asks for a later reply date, with its reason."""

    proposal_id: str
    reply_due: date
    reason: str
    requested_at: datetime


@contract.register("allocation.extension-granted.v1")
class ExtensionGrantedV1(UnitEvent):
    """The office grants an extension: the unit's reply is due on the new date."""

    proposal_id: str
    reply_due: date
    decided_at: datetime


@contract.register("allocation.extension-refused.v1")
class ExtensionRefusedV1(UnitEvent):
    """The office refuses an extension: the reply date stays."""

    proposal_id: str
    reason: str = ""
    decided_at: datetime


@contract.register("allocation.key-item-designated.v1")
class KeyItemDesignatedV1(IntegrationEvent):
    """重点提案 / 重点督办建议: the office makes the proposal a key item under a supervising leader."""

    proposal_id: str
    leader: str
    leader_title: str
    reason: str = ""
    designated_at: datetime


@contract.register("allocation.supervision-recorded.v1")
class SupervisionRecordedV1(IntegrationEvent):
    """督办 of a key item: a meeting, a visit or a call, with its notes."""

    proposal_id: str
    kind: Literal["meeting", "visit", "call"]
    held_on: date
    notes: str
    by: str
    recorded_at: datetime


@contract.register("allocation.unit-urged.v1")
class UnitUrgedV1(UnitEvent):
    """催办: the office urges a unit, with its reason."""

    proposal_id: str
    reason: str
    by: str
    urged_at: datetime
