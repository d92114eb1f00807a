"""Private PostgreSQL, Redis and RabbitMQ servers for fault injection, in a directory of their own.

The scenarios restart and wipe servers, so they never touch the machine's own: each server here
is a new instance on free loopback ports with its data under one temporary directory, started,
restarted and stopped by this module, and waited for with a deadline (a port that accepts, a
command that answers), never by sleeping a fixed time.

PostgreSQL and RabbitMQ refuse to run as root: when we are root, their commands run as the
`postgres` and `rabbitmq` users (the data directories are handed to them).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Self

POSTGRES_BIN = Path(os.environ.get("CHAOS_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
RABBITMQ_BIN = Path(os.environ.get("CHAOS_RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))
RABBITMQ_HOME = Path(os.environ.get("CHAOS_RABBITMQ_HOME", "/var/lib/rabbitmq"))
"""Where the `rabbitmq` user's Erlang cookie is, which the server and rabbitmqctl must share."""


class ServerError(RuntimeError):
    """A private server did not start or stop in time; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> float:
    """Poll until `condition` holds; the seconds it took, or ServerError naming `what`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise ServerError(f"{what} after {timeout:g} s")
        time.sleep(interval)
    return time.monotonic() - started


def _as_user(user: str, command: Sequence[str]) -> list[str]:
    """`command` run as `user` when we are root (the servers refuse root), else as ourselves."""
    if os.geteuid() == 0:
        return ["runuser", "-u", user, "--", *command]
    return list(command)


def _hand_over(path: Path, user: str) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user, user)
        for child in path.rglob("*"):
            shutil.chown(child, user, user)


def _tail(path: Path, size: int = 2000) -> str:
    with contextlib.suppress(OSError):
        return path.read_text(errors="replace")[-size:]
    return ""


class PrivatePostgres:
    """A PostgreSQL cluster of our own, with fsync on: a restart proves what was committed stays."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = _as_user("postgres", [str(POSTGRES_BIN / args[0]), *args[1:]])
        done = subprocess.run(command, capture_output=True, timeout=timeout, cwd="/", check=False)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")[-2000:]
            raise ServerError(f"PostgreSQL {args[0]} failed ({done.returncode}): {output}\n{_tail(self.log)}")

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        _hand_over(self.directory, "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"
        )

    def start(self, timeout: float = 60) -> float:
        started = time.monotonic()
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=on "
            "-c max_connections=300 -c shared_buffers=64MB"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start", timeout=timeout
        )
        wait_until(lambda: accepts(self.port), timeout, f"PostgreSQL did not listen on {self.port}")
        return time.monotonic() - started

    def stop(self, mode: str = "fast") -> None:
        """`fast` for the end; `immediate` is a crash: no checkpoint, recovery from the WAL at start."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> float:
        """Crash (immediate stop) and start again; the seconds until it accepts connections."""
        started = time.monotonic()
        self.stop("immediate")
        self.start()
        return time.monotonic() - started


class PrivateRedis:
    """A Redis of our own, without persistence: a restart loses everything, as a wipe should."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.log = directory / "redis.log"
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30) -> float:
        started = time.monotonic()
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            "redis-server",
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "no",
            "--logfile", str(self.log),
        ]  # fmt: skip
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, timeout, f"Redis did not answer on {self.port} (log {self.log})")
        return time.monotonic() - started

    def _answers(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise ServerError(f"Redis exited with {self._process.returncode}: {_tail(self.log)}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), 0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def wipe(self) -> float:
        """Kill and start again empty (no persistence): what losing the cache server looks like."""
        started = time.monotonic()
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self.start()
        return time.monotonic() - started


class PrivateRabbitMQ:
    """A second node of the installed RabbitMQ, with its own name, ports, database and logs."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"chaos{os.getpid()}@localhost"
        self.log = directory / "rabbitmq.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _environment(self) -> list[str]:
        d = self.directory
        return [
            f"HOME={RABBITMQ_HOME}",
            f"RABBITMQ_CONF_ENV_FILE={d / 'rabbitmq-env.conf'}",
            f"RABBITMQ_NODENAME={self.node}",
            f"RABBITMQ_NODE_PORT={self.port}",
            f"RABBITMQ_DIST_PORT={self.dist_port}",
            f"RABBITMQ_MNESIA_BASE={d / 'mnesia'}",
            f"RABBITMQ_LOG_BASE={d / 'log'}",
            f"RABBITMQ_PID_FILE={d / 'rabbitmq.pid'}",
            f"RABBITMQ_ENABLED_PLUGINS_FILE={d / 'enabled_plugins'}",
            f"RABBITMQ_CONFIG_FILE={d / 'rabbitmq.conf'}",
            "ERL_EPMD_ADDRESS=127.0.0.1",
        ]

    def init(self) -> None:
        d = self.directory
        for sub in ("mnesia", "log"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        (d / "rabbitmq-env.conf").write_text("")
        (d / "enabled_plugins").write_text("[].\n")
        (d / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\nloopback_users = none\n"
        )
        _hand_over(d, "rabbitmq")

    def start(self, timeout: float = 90) -> float:
        started = time.monotonic()
        command = _as_user("rabbitmq", ["env", *self._environment(), str(RABBITMQ_BIN / "rabbitmq-server")])
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=log, cwd="/")
        wait_until(
            self._listening, timeout, f"RabbitMQ {self.node} did not listen on {self.port} (log {self.log})"
        )
        return time.monotonic() - started

    def _listening(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise ServerError(
                f"RabbitMQ {self.node} exited with {self._process.returncode}: {_tail(self.log)}"
            )
        return accepts(self.port)

    def stop(self, timeout: float = 60) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            command = _as_user(
                "rabbitmq",
                ["env", *self._environment(), str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, "stop"],
            )
            subprocess.run(command, capture_output=True, timeout=timeout, cwd="/", check=False)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        wait_until(lambda: not accepts(self.port), timeout, f"RabbitMQ {self.node} still listening")
        self._process = None

    def restart(self) -> float:
        """Stop the node cleanly and start it again: durable queues and persistent messages stay."""
        started = time.monotonic()
        self.stop()
        self.start()
        return time.monotonic() - started


class PrivateServers:
    """The three servers under one directory; a context manager that stops them, also on failure."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.postgres = PrivatePostgres(directory / "postgres")
        self.redis = PrivateRedis(directory / "redis")
        self.rabbitmq = PrivateRabbitMQ(directory / "rabbitmq")

    def start(self) -> dict[str, float]:
        """Start all three; the seconds each took."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o755)  # the server users must reach their directories below
        took: dict[str, float] = {}
        self.postgres.init()
        took["postgres"] = self.postgres.start()
        took["redis"] = self.redis.start()
        self.rabbitmq.init()
        took["rabbitmq"] = self.rabbitmq.start()
        return took

    def stop(self) -> None:
        for stop in (self.rabbitmq.stop, self.redis.stop, self.postgres.stop):
            try:
                stop()
            except (ServerError, OSError, subprocess.SubprocessError) as error:
                print(f"chaos: could not stop a private server: {error}")

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


@contextlib.contextmanager
def private_servers(directory: Path) -> Iterator[PrivateServers]:
    with PrivateServers(directory) as servers:
        yield servers
