"""What the intake endpoints answer."""

from datetime import datetime

from services.intake.domain.events import ConvertedTo, Item, Proposer
from shared.kernel.contracts import Kind
from shared.web.schemas import Schema, Sparse


class CommandResult(Schema):
    proposal_id: str
    state: str
    version: int


class Details(Sparse):
    """What the state adds: number and category once registered, a reason, merged into …"""

    number: str | None = None
    category: str | None = None
    reason: str | None = None
    converted_to: ConvertedTo | None = None
    into: str | None = None


class ProposalView(Schema):
    proposal_id: str
    state: str
    version: int
    jurisdiction: str
    kind: Kind
    session: str
    title: str
    items: list[Item]
    proposers: list[Proposer]
    channel: str
    submitted_by: str
    submitted_at: datetime
    details: Details
