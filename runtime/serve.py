"""Running services with uvicorn: one per process, or all of them in one (the embedded run)."""

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from shared.observability import tracing
from shared.observability.logging import configure_logging
from shared.settings import ServiceSettings

__all__ = ["Served", "configure_logging", "run_one", "serve", "traced"]


@dataclass(frozen=True)
class Served:
    name: str
    app: FastAPI
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


async def serve(services: list[Served], log_level: str = "info") -> None:
    """Serve the apps; uvicorn's own records go through the process's logging (`configure_logging`)."""
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                s.app, host=s.host, port=s.port, log_level=log_level.lower(), lifespan="on", log_config=None
            )
        )
        for s in services
    ]
    await asyncio.gather(*(server.serve() for server in servers))


@contextlib.contextmanager
def traced(process: str) -> Iterator[None]:
    """Traces exported by OTLP while the block runs, when the environment configures it; the
    broker's instrumentation traces under `process`."""
    processor = tracing.from_environment()
    if processor is None:
        yield
        return
    tracing.start_exporting(processor)
    provider = tracing.provider_for(process)
    assert provider is not None
    tracing.instrument_broker(provider)
    try:
        yield
    finally:
        tracing.uninstrument_broker()
        tracing.stop_exporting(processor)


def run_one(settings: ServiceSettings, create: Callable[[Any], FastAPI]) -> None:
    """Serve one service in this process, configured by the environment."""
    configure_logging(settings.log_level, json=settings.log_json, process=settings.service_name)
    with traced(settings.service_name):
        served = Served(settings.service_name, create(settings), settings.service_host, settings.service_port)
        asyncio.run(serve([served], settings.log_level))
