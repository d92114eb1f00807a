"""A store's own streams on a log that several stores share (one KurrentDB for the whole platform).

Every service names its streams `<service>-…` (`intake-proposal-wuhai-60`). On a shared log a store
is the streams under its own prefix: the service's own (`intake-`), or, for an agency's own instance
of a service, the instance's (`reply_shangwu-`), under which the service's names are kept with their
`reply-` replaced. A stored prefix is lower-case letters, digits and underscores before one hyphen,
so no store's prefix begins another's names: `^reply-` does not match `reply_shangwu-proposal-1`.

The empty prefix is the whole log (every stream that is not the server's own): what a tool or a
test that reads everything uses.
"""

import re
from dataclasses import dataclass

__all__ = ["WHOLE_LOG", "StreamPrefix"]

_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,62}-")


@dataclass(frozen=True)
class StreamPrefix:
    own: str
    """How the service's stream names begin (`reply-`)."""
    stored: str
    """How those streams' names begin on the log (`reply-`, or `reply_shangwu-`)."""

    def __post_init__(self) -> None:
        if (self.own, self.stored) == ("", ""):
            return
        for prefix in (self.own, self.stored):
            if not _PREFIX.fullmatch(prefix):
                raise ValueError(
                    f"a stream prefix is lower-case letters, digits, underscores and a hyphen: {prefix!r}"
                )

    @classmethod
    def of(cls, service: str, store: str | None = None) -> "StreamPrefix":
        """The streams of `service`, kept under the store's name (an agency instance's) if given."""
        return cls(f"{service}-", f"{store or service}-")

    @property
    def whole_log(self) -> bool:
        return self.stored == ""

    def holds(self, stored_name: str) -> bool:
        """Whether a stream of the log belongs to this store."""
        return stored_name.startswith(self.stored) and not stored_name.startswith("$")

    def stored_name(self, stream: str) -> str:
        """The log's name of one of the service's streams; ValueError for a stream not its own."""
        if not stream.startswith(self.own):
            raise ValueError(f"this store holds the streams {self.own}…, not {stream!r}")
        return self.stored + stream[len(self.own) :]

    def our_name(self, stored_name: str) -> str:
        """The service's name of a stream of this store."""
        if not self.holds(stored_name):
            raise ValueError(f"{stored_name!r} is not a stream of the store {self.stored}…")
        return self.own + stored_name[len(self.stored) :]

    @property
    def server_filter(self) -> tuple[str, ...]:
        """The server-side filter on stream names: the store's streams (`^reply_shangwu-.*$`)."""
        return (f"{self.stored}.*",)


WHOLE_LOG = StreamPrefix("", "")
"""Every stream of the log that is not the server's own, under its own name."""
