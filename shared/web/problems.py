"""RFC 9457 problem+json answers for every error a service returns."""

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.kernel.decider import Rejected
from shared.kernel.errors import UnknownEventType, WrongExpectedVersion

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


class ProblemBody(BaseModel):
    """RFC 9457 problem details, with the fields our errors add."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    current_state: str | None = None
    field: str | None = None
    rule: str | None = None
    errors: list[dict[str, str]] | None = None
    request_id: str | None = None


def problem_doc(description: str) -> dict[str, Any]:
    return {"description": description, "model": ProblemBody, "content": {PROBLEM: {}}}


RESPONSES: dict[int | str, dict[str, Any]] = {
    401: problem_doc("No valid bearer token"),
    413: problem_doc("The request body is larger than the service reads (MAX_BODY_BYTES, in max_bytes)"),
    500: problem_doc("Unexpected error, logged with the request id"),
}
COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: problem_doc("The caller may not act on this item"),
    404: problem_doc("No such item"),
    409: problem_doc("Not allowed in the item's current state (named in current_state)"),
    422: problem_doc("A field breaks a rule (named in field and rule)"),
}


class Problem(Exception):
    """An error the caller can act on: raised anywhere, answered as problem+json."""

    def __init__(self, status: int, title: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


def problem_response(
    request: Request, status: int, title: str, detail: str = "", **extra: Any
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": str(request.url.path),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def request_id(request: Request) -> str:
    return getattr(request.state, "request_id", None) or str(uuid.uuid4())


def install(app: FastAPI) -> None:
    """The answers to errors; the request id comes from `shared.observability.middleware`."""

    @app.exception_handler(Problem)
    async def on_problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(request, error.status, error.title, error.detail, **error.extra)

    @app.exception_handler(Rejected)
    async def on_rejected(request: Request, error: Rejected) -> JSONResponse:
        return problem_response(request, error.status, error.title, error.detail, **error.extra)

    @app.exception_handler(WrongExpectedVersion)
    async def on_conflict(request: Request, error: WrongExpectedVersion) -> JSONResponse:
        return problem_response(
            request,
            409,
            "Conflict",
            "the item was changed by someone else; reload and retry",
            current_version=error.actual,
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "rule": e["type"],
                "message": e["msg"],
            }
            for e in error.errors()
        ]
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(request, 422, "Invalid request", f"invalid field(s): {fields}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem_response(request, error.status_code, str(error.detail), str(error.detail))

    @app.exception_handler(UnknownEventType)
    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        rid = request_id(request)
        log.error("request %s failed", rid, exc_info=error)
        return problem_response(request, 500, "Internal error", "the error was logged", request_id=rid)
