"""The platform as real processes on PostgreSQL, RabbitMQ and Redis, isolated by a name.

One name gives each service its own store as a deployment has it: a PostgreSQL schema
(`<name>_<service>`) owned by a role of the same name that can use nothing else (provisioned by
`runtime.provision`, without touching what the shared database grants to everyone), and a Redis key
prefix (`<name>:<service>`); and the stack the exchange `<name>.events` (with its queues), so several
stacks share the same servers without seeing each other, and `clean` removes exactly what one stack
created.
Each service is its own process, as in production, so a test can kill one with SIGKILL and start it
again on the same port.
"""

import asyncio
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from runtime.provision import Store, deprovision, provision
from runtime.topology import all_queues
from shared.web.identity import Identity, Role, issue_token
from shared.web.keys import KeySet, SigningKey

ROOT = Path(__file__).resolve().parents[2]
SERVICES: tuple[str, ...] = ("intake", "allocation", "reply", "feedback", "views")
T = TypeVar("T")


@dataclass(frozen=True)
class StackConfig:
    postgres_url: str
    redis_url: str
    rabbitmq_url: str
    name: str
    """Isolation: PG schema, Redis prefix, exchange `<name>.events`; letters, digits, underscores."""
    workdir: Path
    """Where each service runs and writes its log, `<service>.log`."""
    secret: str = "simulation-secret-of-at-least-32-characters!"
    """The stack's own secrets derive from it: the store passwords and the feedback links' key."""
    signing_key: SigningKey = field(default_factory=SigningKey.generate)
    """The key the views service (where people sign in) signs tokens with; the others fetch its JWKS."""
    services: tuple[str, ...] = SERVICES
    env: Mapping[str, str] = field(default_factory=dict)
    """Extra environment for every service (e.g. fault points)."""
    start_timeout: float = 120.0
    """Seconds a service may take to answer /ready when no timeout is given (imports on a busy machine)."""

    @property
    def exchange(self) -> str:
        return f"{self.name}.events"

    def schema(self, service: str) -> str:
        """The event store schema of one service of the stack."""
        return f"{self.name}_{service}"

    def store(self, service: str) -> Store:
        """One service's store: its schema, and its role of the same name with a password of its own."""
        key = hashlib.blake2b(self.secret.encode(), digest_size=32).digest()
        password = hashlib.blake2b(service.encode(), key=key, digest_size=16).hexdigest()
        return Store(self.schema(service), password=password)

    @property
    def stores(self) -> list[Store]:
        return [self.store(service) for service in self.services]

    def eventstore_url(self, service: str) -> str:
        """What the service is started with: its own role, in its own schema."""
        return self.store(service).url(self.postgres_url)

    def key_prefix(self, service: str) -> str:
        return f"{self.name}:{service}"


class Stack:
    """The services of `config` as processes; a context manager that starts them and cleans up after."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        base = free_port_block(len(config.services))
        self.ports = {service: base + i for i, service in enumerate(config.services)}
        self.urls: dict[str, str] = {s: f"http://127.0.0.1:{port}" for s, port in self.ports.items()}
        self._processes: dict[str, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            self.clean()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
        self.clean()

    def environment(self, service: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """What one service process is started with: the servers, the isolation name and its port."""
        config = self.config
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "APP_ENV": "test",
            "EVENTSTORE_URL": config.eventstore_url(service),
            "BUS_URL": config.rabbitmq_url,
            "BUS_EXCHANGE": config.exchange,
            "READSTORE_URL": config.redis_url,
            "READSTORE_PREFIX": config.key_prefix(service),
            "FORM_LINK_SECRET": config.secret,
            **self.token_settings(service),
            "LOG_LEVEL": "WARNING",
            "SERVICE_PORT": str(self.ports[service]),
            **config.env,
            **(extra or {}),
        }

    def token_settings(self, service: str) -> dict[str, str]:
        """The issuer (views) signs with the stack's key; every other service reads the issuer's JWKS,
        or the JWKS file when the stack runs without views."""
        workdir = self.config.workdir
        if service == "views":
            return {"TOKEN_SIGNING_KEY_FILE": str(workdir / "token-key.pem")}
        if "views" in self.config.services:
            return {"TOKEN_JWKS": self.urls["views"] + "/.well-known/jwks.json"}
        return {"TOKEN_JWKS": str(workdir / "jwks.json")}

    def write_keys(self) -> None:
        key, workdir = self.config.signing_key, self.config.workdir
        private = workdir / "token-key.pem"
        private.touch(mode=0o600)
        private.write_bytes(key.pem())
        (workdir / "jwks.json").write_text(json.dumps(KeySet.of(key).jwks()), encoding="utf-8")

    def log_path(self, service: str) -> Path:
        return self.config.workdir / f"{service}.log"

    def start(self, timeout: float | None = None) -> None:
        """Start every service and wait until each answers /ready (`config.start_timeout` by default)."""
        self.config.workdir.mkdir(parents=True, exist_ok=True)
        self.write_keys()
        _run(provision(self.config.postgres_url, self.config.stores, lock_database=False))
        for service in self.config.services:
            self._spawn(service)
        deadline = time.monotonic() + (timeout or self.config.start_timeout)
        for service in self.config.services:
            self._wait_ready(service, deadline)

    def stop(self) -> None:
        """SIGTERM every service, then wait for each (SIGKILL after 10 s)."""
        for process in self._processes.values():
            if process.poll() is None:
                process.terminate()
        for service in list(self._processes):
            self._reap(service)

    def kill(self, service: str) -> None:
        """SIGKILL one service, as `kill -9` would, and wait for it to be gone."""
        process = self._processes[service]
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()

    def restart(
        self, service: str, env: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> None:
        """Start `service` again on its port (stopping it first if it still runs), and wait for /ready."""
        if service in self._processes and self._processes[service].poll() is None:
            self._processes[service].terminate()
            self._reap(service)
        self._spawn(service, env)
        self._wait_ready(service, time.monotonic() + (timeout or self.config.start_timeout))

    def process(self, service: str) -> subprocess.Popen[bytes]:
        return self._processes[service]

    def clean(self) -> None:
        """Drop the services' schemas and roles, delete the queues and exchanges, delete the Redis keys."""
        _run(self.aclean())

    async def aclean(self) -> None:
        """`clean` for callers already inside an event loop."""
        from shared.adapters.bus.rabbitmq import RabbitMQBus
        from shared.adapters.readstore.redis import RedisReadStore

        config = self.config
        await deprovision(config.postgres_url, config.stores)
        bus = await RabbitMQBus.connect(config.rabbitmq_url, exchange=config.exchange)
        for queue in all_queues(config.exchange):
            await bus.delete_queue(queue)
        await bus.delete_exchanges()
        await bus.close()
        views = RedisReadStore.from_url(config.redis_url, config.name)
        keys = [k async for k in views.redis.scan_iter(match=f"{config.name}:*", count=1000)]
        for start in range(0, len(keys), 1000):
            await views.redis.delete(*keys[start : start + 1000])
        await views.close()

    def token(self, role: str, unit: str | None = None, subject: str | None = None) -> str:
        """A token the services accept: the office, a unit's staff (with `unit`) or a member."""
        identity = Identity(
            subject=subject or (f"{unit}-{role}" if unit else role),
            role=_role(role),
            name=subject or "",
            unit=unit,
        )
        return issue_token(identity, self.config.signing_key)

    def _spawn(self, service: str, extra: Mapping[str, str] | None = None) -> None:
        with self.log_path(service).open("ab") as log:
            self._processes[service] = subprocess.Popen(
                [sys.executable, "-m", f"services.{service}"],
                cwd=self.config.workdir,
                env=self.environment(service, extra),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _reap(self, service: str) -> None:
        process = self._processes[service]
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _wait_ready(self, service: str, deadline: float) -> None:
        process, url = self._processes[service], f"{self.urls[service]}/ready"
        while True:
            if process.poll() is not None:
                tail = self.log_path(service).read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{service} exited with {process.returncode} before /ready:\n{tail}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{service} did not answer {url} in time")
            time.sleep(0.1)


def _role(role: str) -> Role:
    roles: dict[str, Role] = {
        "office": "office",
        "unit_staff": "unit_staff",
        "unit_leader": "unit_leader",
        "proposer": "proposer",
    }
    if role not in roles:
        raise ValueError(f"no role {role!r}; one of {', '.join(roles)}")
    return roles[role]


def free_port_block(size: int) -> int:
    """A first port such that `size` consecutive ports are free now.

    The search starts at a random block, so stacks started at the same moment rarely pick the same.
    """
    blocks = list(range(20000, 40000, 50))
    first = random.randrange(len(blocks))
    for base in blocks[first:] + blocks[:first]:
        if all(_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no free block of ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from synchronous code, even when this thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(asyncio.run(coroutine))
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]
