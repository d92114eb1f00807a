"""Running services with uvicorn: one per process, or all of them in one (the embedded run)."""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from shared.settings import ServiceSettings


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
    servers = [
        uvicorn.Server(
            uvicorn.Config(s.app, host=s.host, port=s.port, log_level=log_level.lower(), lifespan="on")
        )
        for s in services
    ]
    await asyncio.gather(*(server.serve() for server in servers))


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_one(settings: ServiceSettings, create: Callable[[Any], FastAPI]) -> None:
    """Serve one service in this process, configured by the environment."""
    configure_logging(settings.log_level)
    served = Served(settings.service_name, create(settings), settings.service_host, settings.service_port)
    asyncio.run(serve([served], settings.log_level))
