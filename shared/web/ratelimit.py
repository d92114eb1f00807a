"""Rate limits: token buckets kept in the process, by client address or by a part of the path.

A bucket holds up to `burst` tokens and gets one back every `every` seconds; a request takes one, and
finds the bucket empty when it comes too often. The buckets live in one process: with several
instances of a service behind a balancer, each counts on its own.
"""

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import Scope

CLIENT = "client"
"""The key of a limit per client address (the peer of the connection, or the address a trusted proxy
forwarded: uvicorn's `FORWARDED_ALLOW_IPS`)."""


@dataclass(frozen=True)
class Rate:
    burst: int
    """Requests accepted at once."""
    every: float
    """Seconds until one more is accepted."""


@dataclass(frozen=True)
class RateLimit:
    """Requests of `methods` to a path matching `path` (a route template such as
    `/feedback/forms/{token}`), counted per client address (`by=CLIENT`) or per value of a path
    parameter (`by="token"`). With `counting`, only the answers of those statuses take a token (404:
    the guesses of a link), but every request is refused once the bucket is empty."""

    name: str
    methods: frozenset[str]
    path: str
    by: str
    rate: Rate
    counting: frozenset[int] | None = None
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    prefix: str = field(init=False, repr=False, compare=False)
    """The path up to its first parameter: most requests are told apart by it alone."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "prefix", self.path.split("{", 1)[0])
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        object.__setattr__(self, "pattern", re.compile(regex))
        if self.by != CLIENT and self.by not in self.pattern.groupindex:
            raise ValueError(f"{self.name}: {self.path} has no parameter {self.by!r}")

    def key(self, scope: Scope) -> str | None:
        """What the request is counted under, or None when the limit is not about it."""
        path: str = scope["path"]
        if not path.startswith(self.prefix) or scope["method"] not in self.methods:
            return None
        matched = self.pattern.fullmatch(path)
        if matched is None:
            return None
        if self.by == CLIENT:
            client = scope.get("client")
            return str(client[0]) if client else "unknown"
        return matched[self.by]

    def counts(self, status: int) -> bool:
        return self.counting is None or status in self.counting


class Buckets:
    """The buckets of one limit, by key. At most `keys` are kept: the least recently used is forgotten
    first (a full bucket loses nothing by it), so that a flood of new keys cannot fill the memory."""

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic, keys: int = 50_000) -> None:
        self.rate = rate
        self.clock = clock
        self.keys = keys
        self._tokens: dict[str, tuple[float, float]] = {}
        """key → (tokens, when they were counted)."""

    def wait(self, key: str) -> float:
        """Seconds until the bucket of `key` holds a token; 0 when it holds one now."""
        tokens = self._now(key)
        return 0.0 if tokens >= 1 else (1 - tokens) * self.rate.every

    def take(self, key: str) -> None:
        tokens = self._now(key)
        self._tokens.pop(key, None)  # inserted again at the end: the most recently used
        self._tokens[key] = (tokens - 1, self.clock())
        if len(self._tokens) > self.keys:
            del self._tokens[next(iter(self._tokens))]

    def _now(self, key: str) -> float:
        burst = float(self.rate.burst)
        tokens, since = self._tokens.get(key, (burst, self.clock()))
        return min(burst, tokens + (self.clock() - since) / self.rate.every)


def retry_after(seconds: float) -> int:
    """Whole seconds for a Retry-After header: never 0 while the bucket is empty."""
    return max(1, math.ceil(seconds))


SIGN_IN = Rate(burst=10, every=6.0)
"""Sign-in attempts per client address: 10 at once, then one more every 6 s (10 a minute)."""
LINK_USE = Rate(burst=20, every=3.0)
"""Requests with one link whose token is the credential: 20 at once, then one every 3 s."""
GUESSES = Rate(burst=10, every=6.0)
"""Links that lead nowhere (404), per client address: a token cannot be guessed by trying."""
READ_OR_ANSWER = frozenset({"GET", "POST"})


def sign_in(path: str) -> RateLimit:
    return RateLimit("sign-in", frozenset({"POST"}), path, CLIENT, SIGN_IN)


def token_link(path: str, methods: frozenset[str] = READ_OR_ANSWER) -> tuple[RateLimit, RateLimit]:
    """A link such as a feedback form's, `path` naming its `{token}`: every use counts against the
    token; a use that finds nothing counts against the client's address, so that one address cannot
    try tokens while a busy one (an office behind one address, the pages forwarding for everyone)
    using real links is not held up."""
    return (
        RateLimit(f"link {path}", methods, path, "token", LINK_USE),
        RateLimit(f"guesses {path}", methods, path, CLIENT, GUESSES, counting=frozenset({404})),
    )
