"""The faults, one scenario each, injected while a simulated session is driven over HTTP.

A scenario arms or injects its fault, and heals it (a killed service is started again, as its
supervisor would; a cut network is restored). The runner drives a fresh session meanwhile, then
asks the oracle. Faults that wait for the session to be under way wait for the event store to
grow, with a deadline, not for a fixed time; the only fixed times are the lengths of outages.
"""

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from redis.asyncio import Redis

from chaos import broker
from chaos.proxy import ThreadedProxy
from chaos.servers import PrivateServers
from shared.kernel import faults
from tools.simulation.driver import DriveReport
from tools.simulation.stack import Stack

OUTAGE = 5.0
"""Seconds a server stays down, a connection stays cut or a process stays stopped."""
STALL = 12.0
"""Seconds the proxy forwards nothing: longer than a publish confirm may take (10 s)."""
START_WITHIN = 180.0
"""Seconds a service may take to answer /ready after a start (generous: a loaded machine is slow)."""
UNDER_WAY = 40
"""Events the session must have appended (since the scenario began, in all the services' stores
together) before a fault is injected."""


@dataclass
class Context:
    servers: PrivateServers
    proxy: ThreadedProxy
    stack: Stack
    say: Callable[[str], None]
    drive: "asyncio.Task[DriveReport] | None" = None
    start_head: int = 0
    notes: list[str] = field(default_factory=list)
    poison: list[str] = field(default_factory=list)
    """Ids of poison messages published by this scenario."""

    @property
    def exchange(self) -> str:
        return self.stack.config.exchange

    @property
    def broker_url(self) -> str:
        """The private broker itself, not the proxy in front of it."""
        return self.servers.rabbitmq.url

    async def head(self) -> int:
        """How far the session is: the sum of the heads of every service's store (each counts its
        own events from 1), or -1 while PostgreSQL does not answer."""
        config = self.stack.config
        heads = " + ".join(
            f'(SELECT coalesce(max(position), 0) FROM "{config.schema(s)}".events)' for s in config.services
        )
        try:
            connection = await asyncpg.connect(self.servers.postgres.url, timeout=2)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return -1
        try:
            position: int = await connection.fetchval(f"SELECT {heads}")
            return position
        except asyncpg.PostgresError:
            return -1
        finally:
            await connection.close()

    def driving(self) -> bool:
        return self.drive is not None and not self.drive.done()

    async def under_way(self, events: int = UNDER_WAY, within: float = 60) -> bool:
        """Wait until the session appended `events` events since the start, or the drive ended."""
        deadline = time.monotonic() + within
        while self.driving() and time.monotonic() < deadline:
            if await self.head() >= self.start_head + events:
                return True
            await asyncio.sleep(0.1)
        return False

    async def restart(self, service: str, env: dict[str, str] | None = None) -> None:
        await asyncio.to_thread(self.stack.restart, service, env, START_WITHIN)


Inject = Callable[[Context], Coroutine[Any, Any, bool]]
"""Does its part of a scenario; False when the fault could not be injected (e.g. never reached)."""


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    inject: Inject | None = None
    """Runs while the session is driven; None for the baseline."""
    arm: Inject | None = None
    """Runs before the session starts (e.g. restarting a service with a fault point armed)."""
    wipes_views: bool = False
    """The views lose their read model: they get a chance to recover alone, then ops rebuild."""


async def _nothing(context: Context) -> bool:
    return True


def together(name: str, what: str, parts: Sequence[Scenario], one_after_another: bool = False) -> Scenario:
    """Several faults in one session (armed together; injected at once, or one after another)."""

    async def arm(context: Context) -> bool:
        done = await asyncio.gather(*((p.arm or _nothing)(context) for p in parts))
        return all(done)

    async def inject(context: Context) -> bool:
        if one_after_another:
            return all([await (p.inject or _nothing)(context) for p in parts])
        return all(await asyncio.gather(*((p.inject or _nothing)(context) for p in parts)))

    return Scenario(name, what, inject, arm, any(p.wipes_views for p in parts))


def kill_at(service: str, point: str, count: int) -> Scenario:
    """kill -9 of `service` by itself at the `count`-th pass of `point`, then started again."""
    if point not in faults.POINTS:
        raise ValueError(f"no fault point {point!r}")

    async def arm(context: Context) -> bool:
        await context.restart(service, {faults.ENVIRONMENT: f"{point}:{count}"})
        return True

    async def inject(context: Context) -> bool:
        process = context.stack.process(service)
        while process.poll() is None and context.driving():  # noqa: ASYNC110 - a child's exit is polled
            await asyncio.sleep(0.05)
        killed = process.poll() == -signal.SIGKILL
        if process.poll() is None:
            context.notes.append(f"{service}: {point} not reached {count} times")
        elif not killed:
            context.notes.append(f"{service} exited with {process.returncode}, not by the fault")
        else:
            context.notes.append(f"{service} killed at {point}:{count}")
        await context.restart(service)  # as its supervisor would, and without the fault armed
        return killed

    name = f"kill {service} {point}:{count}"
    return Scenario(name, f"kill -9 of {service} at the pass {count} of {point}", inject, arm)


async def _rabbitmq_restart(context: Context) -> bool:
    if not await context.under_way():
        return False
    took = await asyncio.to_thread(context.servers.rabbitmq.restart)
    context.notes.append(f"broker back after {took:.1f} s")
    return True


async def _postgres_restart(context: Context) -> bool:
    if not await context.under_way():
        return False
    took = await asyncio.to_thread(context.servers.postgres.restart)
    context.notes.append(f"PostgreSQL crash-restarted, back after {took:.1f} s")
    return True


async def _redis_wipe(context: Context) -> bool:
    if not await context.under_way():
        return False
    await asyncio.to_thread(context.servers.redis.wipe)
    context.notes.append("Redis wiped")
    return True


async def _redis_flush(context: Context) -> bool:
    """FLUSHALL with the server up: the clients see no error, so nothing tells the views."""
    if not await context.under_way():
        return False
    client = Redis.from_url(context.servers.redis.url)
    try:
        await client.flushall()
    finally:
        await client.aclose()
    context.notes.append("Redis flushed (FLUSHALL, server up)")
    return True


async def _broker_cut(context: Context) -> bool:
    if not await context.under_way():
        return False
    await asyncio.to_thread(context.proxy.cut)
    await asyncio.sleep(OUTAGE)  # the length of the outage
    await asyncio.to_thread(context.proxy.restore)
    context.notes.append(f"broker connections cut {OUTAGE:g} s")
    return True


async def _proxy_stall(context: Context) -> bool:
    if not await context.under_way():
        return False
    context.proxy.stall()
    await asyncio.sleep(STALL)  # the length of the stall
    context.proxy.resume()
    context.notes.append(f"broker traffic stalled {STALL:g} s")
    return True


def stop_process(service: str) -> Scenario:
    """SIGSTOP a consuming service (its prefetched messages stay unacked), SIGCONT it later."""

    async def inject(context: Context) -> bool:
        if not await context.under_way():
            return False
        process = context.stack.process(service)
        process.send_signal(signal.SIGSTOP)
        await asyncio.sleep(OUTAGE)  # the length of the stop
        process.send_signal(signal.SIGCONT)
        context.notes.append(f"{service} stopped {OUTAGE:g} s")
        return True

    return Scenario(f"stall {service}", f"SIGSTOP/SIGCONT of {service}", inject)


async def _duplicates(context: Context) -> bool:
    """Copies of what the gateways published, published again with the same ids, during the
    session and once it is over."""
    spy = broker.Spy(context.broker_url, context.exchange)
    await spy.open()
    try:
        published = 0
        if await context.under_way():
            published += await broker.publish(context.broker_url, context.exchange, await spy.take(200), 2)
        if context.drive is not None:
            await asyncio.wait([context.drive])
        published += await broker.publish(context.broker_url, context.exchange, await spy.take(1000), 1)
        context.notes.append(f"{published} copies published")
        return published > 0
    finally:
        await spy.close()


async def _poison(context: Context) -> bool:
    if not await context.under_way():
        return False
    context.poison.append(await broker.publish_poison(context.broker_url, context.exchange))
    context.notes.append(f"poison {context.poison[-1][:8]} published")
    return True


RABBITMQ_RESTART = Scenario("rabbitmq restart", "the broker stopped and started", _rabbitmq_restart)
REDIS_WIPE = Scenario("redis wipe", "Redis killed and started empty", _redis_wipe, wipes_views=True)
REDIS_FLUSH = Scenario(
    "redis flush", "FLUSHALL while every client stays connected", _redis_flush, wipes_views=True
)
POSTGRES_RESTART = Scenario(
    "postgres restart", "PostgreSQL crashed (immediate stop), started", _postgres_restart
)
DUPLICATES = Scenario("duplicates", "published messages published again, same ids", _duplicates)
POISON = Scenario("poison", "a malformed message on a key two services consume", _poison)
BROKER_CUT = Scenario("broker cut", "every broker connection closed, new ones refused", _broker_cut)
BROKER_STALL = Scenario("broker stall", "the proxy forwards nothing, connections stay open", _proxy_stall)

QUICK_KILLS = (
    kill_at("intake", "decider.after-append", 12),
    kill_at("allocation", "consumer.before-ack", 4),
    kill_at("reply", "gateway.after-publish-before-checkpoint", 2),
    kill_at("feedback", "eventstore.mid-append", 6),
    kill_at("views", "projection.mid-batch", 8),
)


def quick_scenarios() -> list[Scenario]:
    """Fewer sessions: the faults of one kind share one session."""
    kills = ", ".join(" at ".join(k.name.split()[1:]) for k in QUICK_KILLS)
    return [
        together("kill -9 each service", f"kill -9 of {kills}", QUICK_KILLS),
        RABBITMQ_RESTART,
        REDIS_WIPE,
        POSTGRES_RESTART,
        together(
            "duplicates + poison", "copies with the same ids, and a poison message", [DUPLICATES, POISON]
        ),
        together(
            "broker cut + stall",
            "broker connections cut, then allocation stopped (SIGSTOP) a while",
            [BROKER_CUT, stop_process("allocation")],
            one_after_another=True,
        ),
    ]


def full_scenarios() -> list[Scenario]:
    return [
        Scenario("baseline", "no fault"),
        kill_at("intake", "decider.after-append", 12),
        kill_at("intake", "eventstore.mid-append", 8),
        kill_at("intake", "gateway.after-publish-before-checkpoint", 3),
        kill_at("allocation", "consumer.before-ack", 4),
        kill_at("allocation", "decider.after-append", 10),
        kill_at("allocation", "gateway.after-publish-before-checkpoint", 3),
        kill_at("reply", "consumer.before-ack", 5),
        kill_at("reply", "gateway.after-publish-before-checkpoint", 2),
        kill_at("reply", "eventstore.mid-append", 8),
        kill_at("feedback", "consumer.before-ack", 6),
        kill_at("feedback", "eventstore.mid-append", 6),
        kill_at("feedback", "decider.after-append", 10),
        kill_at("views", "projection.mid-batch", 8),
        kill_at("views", "projection.mid-batch", 30),
        RABBITMQ_RESTART,
        REDIS_WIPE,
        REDIS_FLUSH,
        POSTGRES_RESTART,
        DUPLICATES,
        POISON,
        BROKER_CUT,
        BROKER_STALL,
        stop_process("allocation"),
        stop_process("reply"),
    ]


def rebuild_views(stack: Stack) -> float:
    """What ops do when the views' read model is gone: stop the views, rebuild, start them again."""
    started = time.monotonic()
    process = stack.process("views")
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    environment = stack.environment("views")
    environment.pop(faults.ENVIRONMENT, None)
    with stack.log_path("rebuild").open("ab") as log:
        subprocess.run(
            [sys.executable, "-m", "runtime.rebuild"],
            cwd=stack.config.workdir,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=300,
        )
    stack.restart("views", None, START_WITHIN)
    return time.monotonic() - started


def exited(stack: Stack) -> list[str]:
    """The services whose process has exited."""
    return [s for s in stack.config.services if stack.process(s).poll() is not None]
