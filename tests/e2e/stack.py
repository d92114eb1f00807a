"""The four services as real processes on PostgreSQL, RabbitMQ and Redis, isolated per test run."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.web.keys import SigningKey
from tools.simulation.stack import Stack, StackConfig

SERVICES = ("intake", "allocation", "reply", "feedback")
SECRET = "end-to-end-secret-of-at-least-32-characters"


@dataclass(frozen=True)
class RunningStack:
    urls: dict[str, str]
    name: str
    key: SigningKey
    postgres_url: str


@contextmanager
def real_stack(
    tmp_path: Path, postgres_url: str, redis_url: str, rabbitmq_url: str
) -> Iterator[RunningStack]:
    config = StackConfig(
        postgres_url=postgres_url,
        redis_url=redis_url,
        rabbitmq_url=rabbitmq_url,
        name=f"e2e_{uuid.uuid4().hex[:10]}",
        workdir=tmp_path,
        secret=SECRET,
        services=SERVICES,
    )
    with Stack(config) as stack:
        yield RunningStack(stack.urls, config.name, config.signing_key, postgres_url)
