"""A service's FastAPI app: lifespan-owned clients, supervised workers, health and readiness."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST

from shared.adapters.infrastructure import Infrastructure, open_infrastructure
from shared.observability import tracing
from shared.observability.metrics import Figures, ServiceMetrics, StoreHead, exposition
from shared.observability.middleware import observe_requests
from shared.observability.telemetry import Telemetry
from shared.settings import ServiceSettings
from shared.web import problems
from shared.web.provided import Provided
from shared.web.schemas import Health, Readiness

log = logging.getLogger(__name__)


@dataclass
class Worker:
    """A background loop of the service (gateway, consumer, projection), restarted if it fails."""

    name: str
    run: Callable[[], Awaitable[None]]
    state: str = "starting"
    restarts: int = 0


@dataclass
class Parts:
    """What a service is made of, once its infrastructure is open."""

    routers: list[APIRouter] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    startup: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Run once, in order, before the workers start (e.g. declaring the broker's queues)."""
    provided: Provided = field(default_factory=Provided)
    """What the endpoints depend on (a command service, the units, …): see `shared.web.provided`."""
    queue: str | None = None
    """The queue the service consumes from, if any: readiness counts its dead letters."""
    metrics: list[Figures] = field(default_factory=list)
    """Figures of the service's own at /metrics, beside those every service has."""


Build = Callable[[ServiceSettings, Infrastructure], Parts]


async def supervise(worker: Worker, max_backoff: float = 30.0) -> None:
    backoff = 0.5
    while True:
        worker.state = "running"
        try:
            await worker.run()
            worker.state = "finished"
            return
        except asyncio.CancelledError:
            worker.state = "stopped"
            raise
        except Exception as error:
            worker.state = f"failing: {type(error).__name__}: {error}"
            worker.restarts += 1
            log.exception("worker %s failed; restarting in %.1fs", worker.name, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)


def create_app(
    settings: ServiceSettings,
    build: Build,
    *,
    title: str,
    infrastructure: Infrastructure | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FastAPI:
    """The app; it opens its own infrastructure unless one is shared with it (embedded run)."""
    provider = tracing.provider_for(settings.service_name)
    telemetry = Telemetry(settings.service_name, ServiceMetrics(), tracing.tracer(provider))

    @contextlib.asynccontextmanager
    async def running(app: FastAPI) -> AsyncIterator[None]:
        infra = infrastructure or await open_infrastructure(settings)
        parts = build(settings, infra)
        for router in parts.routers:
            app.include_router(router)
        app.state.infra = infra
        app.state.parts = parts
        app.state.settings = settings
        app.state.clock = clock
        app.state.figures = [StoreHead(infra.events.head), *parts.metrics]
        for figures in app.state.figures:
            telemetry.metrics.registry.register(figures)
        for step in parts.startup:
            await step()
        tasks = [asyncio.create_task(supervise(w), name=w.name) for w in parts.workers]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for figures in app.state.figures:
                telemetry.metrics.registry.unregister(figures)
            if infrastructure is None:
                await infra.close()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with telemetry.bound():  # every worker started inside inherits it
            async with running(app):
                yield
            if provider is not None:
                provider.force_flush()

    app = FastAPI(title=title, lifespan=lifespan, responses=problems.RESPONSES)
    app.state.telemetry = telemetry
    app.state.token_keys = settings.token_keys()
    problems.install(app)
    if provider is not None:
        tracing.instrument_app(app, provider)
    observe_requests(app, telemetry)

    app.include_router(operations(settings.service_name, telemetry))
    return app


def operations(service: str, telemetry: Telemetry) -> APIRouter:
    """`/health`, `/ready` and `/metrics`, for operators and their probes."""
    routes = APIRouter(tags=["operations"])

    @routes.get("/health")
    async def health() -> Health:
        """Liveness: the process answers."""
        return Health(status="ok", service=service)

    @routes.get("/ready", responses={503: {"model": Readiness, "description": "Not ready"}})
    async def ready(request: Request, response: Response) -> Readiness:
        """Readiness: every dependency answers, with the state of each background worker."""
        infra: Infrastructure = request.app.state.infra
        parts: Parts = request.app.state.parts
        dependencies = await infra.readiness()
        workers = {w.name: w.state for w in parts.workers}
        ok = all(v == "ok" for v in dependencies.values()) and all(
            v in {"running", "finished"} for v in workers.values()
        )
        response.status_code = 200 if ok else 503
        answer = Readiness(
            status="ready" if ok else "not ready", service=service, dependencies=dependencies, workers=workers
        )
        if parts.queue and dependencies.get("bus") == "ok":
            answer.dead_letters = {parts.queue: len(await infra.bus.dead_letters(parts.queue))}
        return answer

    @routes.get("/metrics", response_class=PlainTextResponse)
    async def metrics(request: Request) -> PlainTextResponse:
        """Prometheus text: requests, commands, appends, publishes, consumer and projection lag."""
        figures: list[Figures] = request.app.state.figures
        text = await exposition(telemetry.metrics.registry, figures)
        return PlainTextResponse(text, media_type=CONTENT_TYPE_LATEST)

    return routes
