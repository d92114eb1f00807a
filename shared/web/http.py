"""What every command endpoint takes from the request: its id, its time, who sent it."""

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from fastapi import Request

from shared.kernel.decider import CommandMeta
from shared.kernel.ids import derived_id
from shared.observability import logging as logs
from shared.web.identity import Identity


async def command_meta(request: Request, caller: Identity) -> CommandMeta:
    """The command id comes from the Idempotency-Key header when given, so a resubmission is
    recognised (with the digest of its request, so that the key sent with another request is
    refused); otherwise every request is a new command."""
    key = request.headers.get("idempotency-key")
    command_id = derived_id("http", caller.subject, key) if key else uuid.uuid4()
    digest = request_digest(request.method, request.url.path, await request.body()) if key else None
    correlation = request.headers.get("x-correlation-id")
    meta = CommandMeta(
        command_id=command_id,
        actor=f"{caller.role}:{caller.subject}",
        correlation_id=correlation,
        causation_id=str(command_id),
        request_digest=digest,
    )
    logs.bind(correlation_id=correlation or str(command_id), causation_id=str(command_id))
    return meta


def request_digest(method: str, path: str, body: bytes) -> str:
    """The SHA-256 of a request as the command sees it: its method, its path and its body, JSON in a
    canonical form (keys sorted, no spaces), so that the same content sent again matches however it
    is spelt; an empty body and `{}` are the same."""
    try:
        parsed: Any = json.loads(body) if body.strip() else None
    except ValueError:
        content = body
    else:
        empty = parsed is None or parsed == {}
        canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        content = b"" if empty else canonical.encode()
    return hashlib.sha256(f"{method} {path}\n".encode() + content).hexdigest()


def now(request: Request) -> datetime:
    clock: Any = request.app.state.clock
    result: datetime = clock()
    return result
