"""What the reply endpoints answer: a command's outcome, and the handling of one proposal."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from services.reply.domain.events import ConsultationRecorded, CoOpinionSubmitted, ReplyIssued
from shared.web.schemas import Schema, Sparse


class CommandResult(Sparse):
    proposal_id: str
    state: str
    round: int | None = None
    """The current round and the state of each of its lead units, once the proposal is allocated."""
    leads: dict[str, str] | None = None
    version: int


class Unpublished(Schema):
    state: Literal["UNPUBLISHED"]


class Published(Schema):
    state: Literal["PUBLISHED"]
    proposal_id: str
    round: int
    lead_unit: str
    document_no: str
    form: str
    text: str
    published_at: datetime


class NotPublished(Schema):
    state: Literal["NOT_PUBLISHED"]
    proposal_id: str
    round: int
    lead_unit: str
    reason: str
    decided_at: datetime


Publication = Annotated[Unpublished | Published | NotPublished, Field(discriminator="state")]


class Lead(Sparse):
    """A lead unit in one round; once it has replied, its reply, its class and its publication."""

    state: str
    result_class: str | None = None
    reply: ReplyIssued | None = None
    publication: Publication | None = None


class RoundView(Schema):
    round: int
    due: date
    state: str
    opinions: list[str]
    co_opinions_overridden: bool
    co_opinions: list[CoOpinionSubmitted]
    leads: dict[str, Lead]


class ReplyView(Schema):
    proposal_id: str
    number: str
    title: str
    revision: int
    lead_units: list[str]
    co_units: list[str]
    reply_due: date
    co_opinion_due: date
    result_classes: list[str]
    state: str
    round: int
    registered: bool = Field(
        description="Whether the 立案 (session, proposers) has reached reply: until then letters wait (409)"
    )
    leads: dict[str, str]
    rounds: list[RoundView]
    consultations: list[ConsultationRecorded]
    version: int
