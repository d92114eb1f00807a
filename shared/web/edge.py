"""What every request meets before a route sees it: a limit on the size of its body, the rate limits
of its path, and the security headers on its answer.

Plain ASGI middleware (Starlette's `BaseHTTPMiddleware` costs a task and a stream per request), put
around the app's whole stack: a body over the limit is refused before anything parses it, and every
answer, a refusal or a 500 included, carries the headers. A refusal is RFC 9457 problem+json, or a
page in Chinese for a browser when the service has pages (`Edge.page`).
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.settings import ServiceSettings
from shared.web.problems import problem_response
from shared.web.ratelimit import Buckets, RateLimit, retry_after

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
"""Everything from the service itself, nothing inline, in no frame; the pages need no more."""
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
"""On every answer. `no-referrer`: the link of a feedback form carries its token in the path, and a
page must not hand it to another site."""
HSTS = ("strict-transport-security", "max-age=31536000; includeSubDomains")
"""Outside development, where the services are reached over HTTPS."""
DOCUMENTATION_POLICY = "frame-ancestors 'none'"
"""/docs and /redoc load their scripts from a CDN and run one inline: no frame, but no other rule."""


@dataclass(frozen=True)
class Refusal:
    """A request refused at the edge. `title` and `detail` are for the problem+json answer; a page
    tells a person the same in Chinese from `status` and `extra`."""

    status: int
    title: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


Page = Callable[[Request, Refusal], Response]
"""How a service with pages answers a refusal to a browser."""


@dataclass(frozen=True)
class Edge:
    """What a service checks at its edge beyond what every service does."""

    body_limits: Mapping[str, int] = field(default_factory=dict)
    """A larger body limit by exact path, for an upload (the plan import)."""
    rate_limits: Sequence[RateLimit] = ()
    page: Page | None = None


def guard(app: FastAPI, settings: ServiceSettings, edge: Edge) -> None:
    """Wrap the app's whole middleware stack, as it is built at its first request."""
    build: Callable[[], ASGIApp] = app.build_middleware_stack
    refuse = Refuse(edge.page)
    headers = dict(SECURITY_HEADERS)
    if settings.app_env != "development":
        headers[HSTS[0]] = HSTS[1]
    pages = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    documentation = {path for path in pages if path}

    def build_guarded() -> ASGIApp:
        inner: ASGIApp = BodyLimit(build(), settings.max_body_bytes, edge.body_limits, refuse)
        if edge.rate_limits and settings.rate_limits:
            inner = RateLimited(inner, edge.rate_limits, refuse)
        return SecurityHeaders(inner, headers, documentation)

    app.build_middleware_stack = build_guarded  # type: ignore[method-assign]


class Refuse:
    """Answers a refusal: problem+json, or the service's page when a browser asks for HTML."""

    def __init__(self, page: Page | None) -> None:
        self.page = page

    async def __call__(self, refusal: Refusal, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if self.page is not None and "text/html" in request.headers.get("accept", ""):
            response = self.page(request, refusal)
        else:
            extra = refusal.extra
            response = problem_response(request, refusal.status, refusal.title, refusal.detail, **extra)
        response.headers.update(refusal.headers)
        await response(scope, receive, send)


Answer = Callable[[Refusal, Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(HTTPException):
    """Raised to the app by `receive` once a body without a length passes the limit. An HTTP error,
    so that the app answers it quietly; the edge then answers 413 in its place."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimit:
    """413 for a body over the limit: by its Content-Length before the app is called, or, for a
    chunked body, as soon as the chunks read add up to more (the app reads no further)."""

    def __init__(self, app: ASGIApp, limit: int, routes: Mapping[str, int], answer: Answer) -> None:
        self.app = app
        self.limit = limit
        self.routes = routes
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.routes.get(scope["path"], self.limit)
        declared = content_length(scope)
        if declared.isdigit():
            if int(declared) > limit:
                await self.answer(
                    too_large(limit, f"{int(declared)} bytes are declared"), scope, receive, send
                )
                return
            await self.app(scope, receive, send)  # the server delivers no more than declared
            return
        await self.counted(scope, receive, send, limit)

    async def counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        exceeded = started = False

        async def receive_counted() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def send_unless_exceeded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to BodyTooLarge: the edge answers instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive_counted, send_unless_exceeded)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await self.answer(too_large(limit, f"more than {limit} bytes were sent"), scope, receive, send)


def content_length(scope: Scope) -> bytes:
    """The Content-Length as sent (ASGI gives header names in lower case), or nothing."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return bytes(value)
    return b""


def too_large(limit: int, what: str) -> Refusal:
    return Refusal(
        413,
        "Request body too large",
        f"{what}; the body of a request here is at most {limit} bytes",
        extra={"rule": f"at most {limit} bytes", "max_bytes": limit},
        headers={"connection": "close"},  # the rest of the body is not read
    )


class RateLimited:
    """429 with Retry-After once a limit's bucket for the request is empty."""

    def __init__(self, app: ASGIApp, limits: Sequence[RateLimit], answer: Answer) -> None:
        self.app = app
        self.limits = [(limit, Buckets(limit.rate)) for limit in limits]
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counted = [(limit, buckets, key) for limit, buckets in self.limits if (key := limit.key(scope))]
        if not counted:
            await self.app(scope, receive, send)
            return
        wait = max(buckets.wait(key) for _, buckets, key in counted)
        if wait > 0:
            await self.answer(too_many(retry_after(wait)), scope, receive, send)
            return
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            for limit, buckets, key in counted:
                if limit.counts(status):
                    buckets.take(key)


def too_many(seconds: int) -> Refusal:
    return Refusal(
        429,
        "Too many requests",
        f"too many requests of this kind; try again in {seconds} s",
        extra={"retry_after": seconds},
        headers={"retry-after": str(seconds)},
    )


class SecurityHeaders:
    """The security headers on every answer that does not set them itself."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str], documentation: set[str]) -> None:
        self.app = app
        self.headers = [(name.encode(), value.encode()) for name, value in headers.items()]
        self.documentation = [
            (name, DOCUMENTATION_POLICY.encode() if name == b"content-security-policy" else value)
            for name, value in self.headers
        ]
        self.documentation_paths = documentation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chosen = self.documentation if scope["path"] in self.documentation_paths else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name for name, _ in headers}  # in lower case, as ASGI has them
                headers.extend(header for header in chosen if header[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
