"""Each HTTP request observed: its service and request id bound, counted and timed by route template.

A plain ASGI middleware (Starlette's `BaseHTTPMiddleware` costs a task and a stream per request),
put outside the whole stack, error handling included, so that a 500 is counted, carries its
`X-Request-ID` and is logged with the request's ids like any other answer.
"""

import re
import time
import uuid
from collections.abc import Callable

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.observability import logging as logs
from shared.observability.telemetry import Telemetry

REQUEST_ID = b"x-request-id"
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
"""A caller's request id is kept when it looks like one; otherwise the request gets a new one."""
UNMATCHED = "unmatched"
"""The route label of a request no route matched (a 404), so unknown paths add no series."""


class ObservedRequests:
    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            with self.telemetry.bound():
                await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("x-request-id", request_id)
            await send(message)

        with self.telemetry.bound(), logs.scoped(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = getattr(scope.get("route"), "path", UNMATCHED)
                seconds = time.perf_counter() - started
                self.telemetry.metrics.request_answered(scope["method"], route, status, seconds)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID:
            given = bytes(value).decode("latin-1")
            if ACCEPTED_ID.fullmatch(given):
                return given
            break
    return str(uuid.uuid4())


def observe_requests(app: FastAPI, telemetry: Telemetry) -> None:
    """Wrap the app's whole middleware stack, as it is built at its first request."""
    build: Callable[[], ASGIApp] = app.build_middleware_stack

    def build_observed() -> ASGIApp:
        return ObservedRequests(build(), telemetry)

    app.build_middleware_stack = build_observed  # type: ignore[method-assign]
