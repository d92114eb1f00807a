"""Structured logs: one line per record, JSON in production, readable on a console otherwise.

Every record, ours (`logging.getLogger` or structlog), uvicorn's and the libraries', goes through the
same structlog renderer and carries the service doing the work (from the bound telemetry), the ids
bound for that work (`request_id` of an HTTP request; `correlation_id` and `causation_id` of a
command, of a CloudEvent being consumed or published; `event_id`), and the trace and span ids when
the work is traced.
"""

import contextlib
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from types import MappingProxyType

import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

from shared.observability.telemetry import current

_ids: ContextVar[Mapping[str, str]] = ContextVar("log_ids", default=MappingProxyType({}))
_process_name = ""
"""The name on lines logged outside any service's work: the service of a one-service process, or
`runtime` for the embedded run."""


@contextlib.contextmanager
def scoped(**ids: str | None) -> Iterator[None]:
    """These ids on every line logged inside the block; what `bind` adds inside ends with it too."""
    token = _ids.set(_merged(ids))
    try:
        yield
    finally:
        _ids.reset(token)


def bind(**ids: str | None) -> None:
    """Add ids to the lines logged from here to the end of the enclosing `scoped` block."""
    _ids.set(_merged(ids))


def _merged(ids: Mapping[str, str | None]) -> Mapping[str, str]:
    return MappingProxyType({**_ids.get(), **{k: v for k, v in ids.items() if v}})


def add_context(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    event.setdefault("service", current().service or _process_name)
    for key, value in _ids.get().items():
        event.setdefault(key, value)
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        event.setdefault("trace_id", format(span.trace_id, "032x"))
        event.setdefault("span_id", format(span.span_id, "016x"))
    return event


def _common() -> list[Processor]:
    return [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_context,
    ]


def formatter(json: bool) -> logging.Formatter:
    """The one formatter of every record: JSON lines, or a console layout."""
    rendering: list[Processor] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if json:
        rendering += [
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ]
    else:
        # Plain tracebacks: the rich ones, with every local variable, take most of a second to
        # render on the event loop.
        console = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
        rendering.append(console)
    return structlog.stdlib.ProcessorFormatter(foreign_pre_chain=_common(), processors=rendering)


_CODE = re.compile(r"([?&]code=)[^&#\s]+")


def without_codes(record: logging.LogRecord) -> bool:
    """The access log names each request's path with its query: the authorization code a sign-in
    through an identity provider brings to its callback is left out of it."""
    if record.name == "uvicorn.access" and isinstance(record.args, tuple):
        record.args = tuple(_CODE.sub(r"\1redacted", a) if isinstance(a, str) else a for a in record.args)
    return True


def configure_logging(level: str, *, json: bool = False, process: str = "") -> None:
    """Send every record of the process, at `level` and above, to standard error through `formatter`."""
    global _process_name
    _process_name = process
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_common(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(json))
    handler.addFilter(without_codes)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
