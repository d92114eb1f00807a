"""The CloudEvents 1.0 envelope every integration event travels in."""

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.adapters.bus import Message


class CloudEvent(BaseModel):
    """Structured-mode CloudEvent; `correlationid` and `causationid` are extension attributes."""

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

    def to_message(self, routing_key: str) -> Message:
        body = json.dumps(self.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
        return Message(id=self.id, routing_key=routing_key, body=body.encode())

    @classmethod
    def from_message(cls, message: Message) -> "CloudEvent":
        return cls.model_validate_json(message.body)
