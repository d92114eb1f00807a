"""Running the scenarios: private servers, the stack behind the proxy, a session per scenario, the
oracle after each, and the results."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from chaos import broker, oracle
from chaos.proxy import ThreadedProxy
from chaos.scenarios import START_WITHIN, Context, Scenario, exited, rebuild_views
from chaos.servers import PrivateServers
from services.views.application.inbound import INBOUND
from services.views.application.projections import projections
from shared.adapters.eventstore.postgres import PostgresEventStore
from shared.adapters.readstore.redis import RedisReadStore
from tools.simulation.driver import DriveReport, drive
from tools.simulation.session import generate
from tools.simulation.stack import Stack, StackConfig

CONVERGE_WITHIN = 60.0
"""Seconds the views have, once the session and the fault are over, to equal a rebuild."""
SELF_RECOVERY = 15.0
"""Seconds the views get to recover by themselves from a wiped read store before ops rebuild."""
DRIVE_LIMIT = 300.0
"""Seconds a scenario's session may take; the driver gives up a command or a wait after that."""
QUICK_DRIVE_LIMIT = 150.0
READY_WITHIN = 180.0
DEAD_LETTERS_WITHIN = 30.0


@dataclass
class Result:
    scenario: str
    what: str
    injected: bool
    accepted: int
    """Distinct commands answered with a 2xx."""
    unanswered: int
    """Attempts without an answer or with a 5xx (retried by the driver with the same key)."""
    lost: int
    duplicated: int
    converged: bool
    converge_seconds: float
    completed: int
    incomplete: int
    drive_seconds: float
    poison_sent: int = 0
    poison_in_dlq: int = 0
    unexpected_dead_letters: int = 0
    notes: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    error: str = ""
    """What broke the scenario itself (a service that would not start again, say)."""

    @property
    def ok(self) -> bool:
        return (
            not self.error
            and self.injected
            and self.lost == 0
            and self.duplicated == 0
            and self.converged
            and self.poison_in_dlq == self.poison_sent
            and self.unexpected_dead_letters == 0
        )

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


class Clock:
    """Progress lines with the time since the run began."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[{int(elapsed // 60):02d}:{elapsed % 60:04.1f}] {text}", flush=True)


@dataclass
class Run:
    servers: PrivateServers
    proxy: ThreadedProxy
    stack: Stack
    clock: Clock
    proposals: int
    drive_limit: float
    seen_duplicates: set[tuple[str, str]] = field(default_factory=set)
    poison: set[str] = field(default_factory=set)
    seen_letters: set[str] = field(default_factory=set)
    """Dead letters an earlier scenario reported: each is counted once, where it appeared."""


async def run(
    scenarios: Sequence[Scenario],
    proposals: int,
    workdir: Path,
    clock: Clock,
    drive_limit: float = DRIVE_LIMIT,
    after_each: Callable[[list[Result]], object] | None = None,
) -> tuple[list[Result], dict[str, float]]:
    """Every scenario in order on one stack; the results and the seconds the servers took to start.
    `after_each` sees the results so far, so a long run leaves them behind even if it is stopped."""
    servers = PrivateServers(workdir / "servers")
    clock.say("starting private PostgreSQL, Redis and RabbitMQ")
    started = await asyncio.to_thread(servers.start)
    clock.say("servers up: " + ", ".join(f"{k} {v:.1f} s" for k, v in started.items()))
    try:
        with ThreadedProxy("127.0.0.1", servers.rabbitmq.port) as proxy:
            config = StackConfig(
                postgres_url=servers.postgres.url,
                redis_url=servers.redis.url,
                rabbitmq_url=f"amqp://guest:guest@127.0.0.1:{proxy.port}/",
                name="chaos",
                workdir=workdir / "stack",
            )
            stack = Stack(config)
            clock.say(f"starting the services ({', '.join(config.services)}); the broker through the proxy")
            await asyncio.to_thread(stack.start, START_WITHIN)
            try:
                state = Run(servers, proxy, stack, clock, proposals, drive_limit)
                results = []
                for index, scenario in enumerate(scenarios, start=1):
                    clock.say(f"scenario {index}/{len(scenarios)}: {scenario.name} — {scenario.what}")
                    try:
                        result = await run_one(state, scenario, index)
                    except Exception as error:  # the run goes on: the table says what broke
                        result = broken(scenario, error)
                    results.append(result)
                    if after_each is not None:
                        after_each(results)
                    clock.say(f"  {'ok' if result.ok else 'FAILED'}: {summary(result)}")
            finally:
                await asyncio.to_thread(stack.stop)
    finally:
        await asyncio.to_thread(servers.stop)
    return results, started


async def run_one(state: Run, scenario: Scenario, index: int) -> Result:
    context = Context(state.servers, state.proxy, state.stack, state.clock.say)
    await _heal(context)  # whatever an earlier scenario left dead
    armed = await scenario.arm(context) if scenario.arm is not None else True
    context.start_head = max(await context.head(), 0)
    session = generate(state.proposals, seed=index)
    deadline = time.time() + state.drive_limit
    urls, key = state.stack.urls, state.stack.config.signing_key
    context.drive = asyncio.create_task(
        drive(
            session,
            urls,
            key,
            processes=2,
            concurrency=state.proposals,
            deadline=deadline,
            run=f"c{index}",
        )
    )
    ticker = asyncio.create_task(_tick(context))
    fault = asyncio.create_task(scenario.inject(context)) if scenario.inject else None
    try:
        report = await context.drive
    finally:
        ticker.cancel()
    injected = await fault if fault is not None else True
    await _heal(context)
    if scenario.wipes_views:
        await _recover_views(context)
    return await judge(state, scenario, context, report, injected and armed)


async def _tick(context: Context) -> None:
    """A progress line every few seconds while the session runs."""
    while True:
        await asyncio.sleep(5)
        head = await context.head()
        shown = "unreachable" if head < 0 else f"{head - context.start_head} events"
        context.say(f"  … driving: {shown}{'; ' + context.notes[-1] if context.notes else ''}")


async def _heal(context: Context) -> None:
    """Start whatever died, as a supervisor would, and wait until every service is ready."""
    for service in exited(context.stack):
        context.notes.append(f"{service} had exited ({context.stack.process(service).returncode})")
        await context.restart(service)
    deadline = time.monotonic() + READY_WITHIN
    async with httpx.AsyncClient(timeout=3) as http:
        for service, url in context.stack.urls.items():
            while True:
                try:
                    if (await http.get(f"{url}/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    context.notes.append(f"{service} not ready after {READY_WITHIN:g} s")
                    break
                await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def stores_of(
    context: Context, services: Sequence[str] | None = None
) -> AsyncIterator[dict[str, PostgresEventStore]]:
    """Each service's own store in the stack (all of them unless named), read as the server's
    administrator."""
    config = context.stack.config
    stores: dict[str, PostgresEventStore] = {}
    try:
        for service in services or config.services:
            stores[service] = await PostgresEventStore.open(
                context.servers.postgres.url, schema=config.schema(service)
            )
        yield stores
    finally:
        for store in stores.values():
            await store.close()


def views_reference(stores: dict[str, PostgresEventStore]) -> oracle.Reference:
    """The views' projections rebuilt from the views' own record, read with their registry."""
    return oracle.Reference(stores["views"], projections(), INBOUND.contract)


def views_read_store(context: Context) -> RedisReadStore:
    """The views service's own keys."""
    return RedisReadStore.from_url(context.servers.redis.url, context.stack.config.key_prefix("views"))


async def _recover_views(context: Context) -> None:
    """Give the views the chance to recover by themselves; if they do not, rebuild as ops would."""
    async with stores_of(context, ["views"]) as stores:
        views = views_read_store(context)
        try:
            alone = await oracle.converge(views_reference(stores), views, within=SELF_RECOVERY)
        finally:
            await views.close()
    if alone.converged:
        context.notes.append("views recovered by themselves")
        return
    took = await asyncio.to_thread(rebuild_views, context.stack)
    context.notes.append(
        f"views did not recover by themselves in {SELF_RECOVERY:g} s: rebuilt ({took:.1f} s)"
    )


async def judge(
    state: Run, scenario: Scenario, context: Context, report: DriveReport, injected: bool
) -> Result:
    """Ask the oracle, from every service's store, the views and the dead-letter queues."""
    async with stores_of(context) as stores:
        views = views_read_store(context)
        try:
            convergence = await oracle.converge(views_reference(stores), views, within=CONVERGE_WITHIN)
            events = await oracle.read_stores(stores)
        finally:
            await views.close()
    missing = oracle.lost(report.records, events)
    duplicates = [d for d in oracle.duplicated(events) if (d.stream, d.cause) not in state.seen_duplicates]
    state.seen_duplicates.update((d.stream, d.cause) for d in duplicates)
    state.poison.update(context.poison)
    letters = await _dead_letters(context)
    in_dlq = sum(1 for p in context.poison if all(p in ids for ids in _poisoned_queues(context, letters)))
    unexpected = sorted(
        (queue, id_, key)
        for queue, ids in letters.items()
        for id_, key in ids.items()
        if id_ not in state.poison | state.seen_letters
    )
    state.seen_letters.update(id_ for _, id_, _ in unexpected)
    details = [f"lost {r.command} {r.idempotency_key}" for r in missing[:5]]
    details += [f"duplicated {d.stream} {d.cause}: {d.why}" for d in duplicates[:5]]
    details += convergence.differences
    details += [f"dead letter {id_} ({key}) in {queue}.dlq" for queue, id_, key in unexpected[:5]]
    details += [f"incomplete {key}: {report.failures.get(key, '')[:200]}" for key in report.incomplete[:3]]
    answered = [r for r in report.records if r.status is None or r.status >= 500]
    return Result(
        scenario=scenario.name,
        what=scenario.what,
        injected=injected,
        accepted=len(oracle.accepted(report.records)),
        unanswered=len(answered),
        lost=len(missing),
        duplicated=len(duplicates),
        converged=convergence.converged,
        converge_seconds=round(convergence.seconds, 2),
        completed=report.completed,
        incomplete=len(report.incomplete),
        drive_seconds=round(report.elapsed, 1),
        poison_sent=len(context.poison),
        poison_in_dlq=in_dlq,
        unexpected_dead_letters=len(unexpected),
        notes=context.notes,
        details=details,
    )


def broken(scenario: Scenario, error: Exception) -> Result:
    """The result of a scenario that could not run to its end."""
    text = f"{type(error).__name__}: {error}"
    return Result(scenario.name, scenario.what, False, 0, 0, 0, 0, False, 0.0, 0, 0, 0.0, error=text[-2000:])


def _poisoned_queues(context: Context, letters: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """The dead letters of the queues bound to the poison's routing key."""
    return [letters.get(queue, {}) for queue in broker.poisoned_queues(context.exchange)]


async def _dead_letters(context: Context) -> dict[str, dict[str, str]]:
    """The dead-letter queues, once every poison of this scenario is in them (or after a deadline)."""
    deadline = time.monotonic() + DEAD_LETTERS_WITHIN
    while True:
        letters = await broker.dead_letters(context.broker_url, context.exchange)
        queues = _poisoned_queues(context, letters)
        if all(p in ids for p in context.poison for ids in queues) or time.monotonic() > deadline:
            return letters
        await asyncio.sleep(0.2)


def summary(result: Result) -> str:
    views = f"converged in {result.converge_seconds:.1f} s" if result.converged else "NOT converged"
    parts = [
        f"{result.accepted} accepted",
        f"{result.lost} lost",
        f"{result.duplicated} duplicated",
        f"views {views}",
        f"{result.completed}/{result.completed + result.incomplete} proposals complete",
    ]
    if result.poison_sent:
        parts.append(f"poison in DLQ {result.poison_in_dlq}/{result.poison_sent}")
    if not result.injected:
        parts.append("FAULT NOT INJECTED")
    return "; ".join(parts + result.notes)


def table(results: Sequence[Result], converge_within: float = CONVERGE_WITHIN) -> str:
    header = ("scenario", "accepted", "no answer", "lost", "dup", "converge", "poison→DLQ", "done", "result")
    rows = [header]
    for r in results:
        converge = f"{r.converge_seconds:.1f} s" if r.converged else f"> {converge_within:g} s"
        poison = f"{r.poison_in_dlq}/{r.poison_sent}" if r.poison_sent else "-"
        verdict = "ok" if r.ok else ("ERROR" if r.error else "not injected" if not r.injected else "FAIL")
        done = f"{r.completed}/{r.completed + r.incomplete}"
        rows.append(
            (
                r.scenario,
                str(r.accepted),
                str(r.unanswered),
                str(r.lost),
                str(r.duplicated),
                converge,
                poison,
                done,
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
