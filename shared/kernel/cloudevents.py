"""The CloudEvents 1.0 envelope every integration event travels in."""

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.adapters.bus import Message


class CloudEvent(BaseModel):
    """Structured-mode CloudEvent; `correlationid` and `causationid` are extension attributes,
    `traceparent` the distributed-tracing extension (the W3C trace context of the event's append),
    and `signaturekid` and `signature` the issuer's key id and Ed25519 signature
    (`shared.kernel.signatures`)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: str = "1.0"
    id: str
    source: str
    type: str
    subject: str | None = None
    time: datetime
    datacontenttype: str = "application/json"
    data: dict[str, Any] = Field(default_factory=dict)
    correlationid: str | None = None
    causationid: str | None = None
    traceparent: str | None = None
    signaturekid: str | None = None
    signature: str | None = None

    @property
    def ids(self) -> dict[str, str | None]:
        """What names it on a log line."""
        return {"event_id": self.id, "correlation_id": self.correlationid, "causation_id": self.causationid}

    def attributes(self) -> dict[str, Any]:
        """The JSON object of the event in structured mode: what is sent, and what is signed."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_message(self, routing_key: str) -> Message:
        body = json.dumps(self.attributes(), ensure_ascii=False)
        headers = {"traceparent": self.traceparent} if self.traceparent else {}
        return Message(id=self.id, routing_key=routing_key, body=body.encode(), headers=headers)
