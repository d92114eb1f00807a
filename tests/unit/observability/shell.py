"""A service of the app shell with a few routes of its own, and the log records it writes, captured."""

import contextlib
import logging
from collections.abc import Iterator

from fastapi import APIRouter, FastAPI, Request

from shared.adapters.infrastructure import Infrastructure
from shared.observability.logging import formatter
from shared.settings import ServiceSettings
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.app import Parts, create_app
from shared.web.http import command_meta
from shared.web.identity import Identity

log = logging.getLogger("tests.observability")
OFFICE = Identity(subject="tiwei-wang", role="office", name="晋城市政协提案委")

router = APIRouter()


@router.post("/proposals/{proposal_id}/review")
async def review(request: Request, proposal_id: str) -> dict[str, str]:
    meta = await command_meta(request, OFFICE)
    log.info("reviewing %s", proposal_id)
    return {"command_id": str(meta.command_id)}


@router.get("/proposals/{proposal_id}")
async def read(proposal_id: str) -> dict[str, str]:
    log.info("reading %s", proposal_id)
    return {"proposal_id": proposal_id}


@router.get("/broken")
async def broken() -> dict[str, str]:
    raise RuntimeError("the read model is inconsistent")


def shell_app(name: str, infra: Infrastructure | None = None) -> FastAPI:
    def build(_settings: ServiceSettings, _infra: Infrastructure) -> Parts:
        return Parts(routers=[router])

    settings = ServiceSettings(service_name=name, app_env="test")
    return create_app(settings, build, title=name, infrastructure=infra or in_memory_infrastructure())


class Lines(logging.Handler):
    def __init__(self, json: bool) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(formatter(json))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextlib.contextmanager
def captured(json: bool = True) -> Iterator[list[str]]:
    """Every record of the process at INFO and above, as the services' handler renders it."""
    root = logging.getLogger()
    handler, level = Lines(json), root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
