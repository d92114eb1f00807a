"""What every command endpoint takes from the request: its id, its time, who sent it."""

import uuid
from datetime import datetime
from typing import Any

from fastapi import Request

from shared.kernel.decider import CommandMeta
from shared.kernel.ids import derived_id
from shared.observability import logging as logs
from shared.web.identity import Identity


def command_meta(request: Request, caller: Identity) -> CommandMeta:
    """The command id comes from the Idempotency-Key header when given, so a resubmission is
    recognised; otherwise every request is a new command."""
    key = request.headers.get("idempotency-key")
    command_id = derived_id("http", caller.subject, key) if key else uuid.uuid4()
    correlation = request.headers.get("x-correlation-id")
    meta = CommandMeta(
        command_id=command_id,
        actor=f"{caller.role}:{caller.subject}",
        correlation_id=correlation,
        causation_id=str(command_id),
    )
    logs.bind(correlation_id=correlation or str(command_id), causation_id=str(command_id))
    return meta


def now(request: Request) -> datetime:
    clock: Any = request.app.state.clock
    result: datetime = clock()
    return result
