"""Where the real servers are, and what a test does when one cannot be reached.

URLs come from the environment with the local servers as defaults. A test that needs a server it
cannot reach skips with the reason, except in CI (CI=true), where it fails.
"""

import os
import socket
from urllib.parse import urlsplit

import pytest

POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
KURRENTDB_URL = os.environ.get("KURRENTDB_URL") or os.environ.get("ESDB_URL")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), 2):
            return True
    except OSError:
        return False


def require(name: str, url: str, default_port: int) -> str:
    """The server's URL, or skip (fail in CI) when nothing answers there."""
    if reachable(url, default_port):
        return url
    reason = f"{name} is not reachable at {url}"
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a required server must be running)")
    pytest.skip(reason)


def require_postgres() -> str:
    return require("PostgreSQL", POSTGRES_URL, 5432)


def require_redis() -> str:
    return require("Redis", REDIS_URL, 6379)


def require_rabbitmq() -> str:
    return require("RabbitMQ", RABBITMQ_URL, 5672)


def require_kurrentdb() -> str:
    """KurrentDB cannot be installed everywhere: its leg runs only where a server is named."""
    if not KURRENTDB_URL:
        pytest.skip(
            "KurrentDB leg skipped: set KURRENTDB_URL (or ESDB_URL) to an EventStoreDB/KurrentDB "
            "server, e.g. esdb://127.0.0.1:2113?Tls=false, to run it"
        )
    return KURRENTDB_URL
