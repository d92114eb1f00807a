"""`python -m tools.simulation --proposals 200`: a generated session on a platform of its own.

It starts the five services as processes on the PostgreSQL, RabbitMQ and Redis named by
POSTGRES_URL, RABBITMQ_URL and REDIS_URL (the local servers by default), isolated under a fresh
name, drives the session to its end, prints what happened, and removes everything it created.
"""

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from tools.simulation.driver import DriveReport, ceiling, drive
from tools.simulation.session import Session, generate
from tools.simulation.stack import Stack, StackConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--proposals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--processes", type=int, default=2, help="driver processes")
    parser.add_argument("--concurrency", type=int, default=64, help="proposals in flight per process")
    args = parser.parse_args(argv)
    session = generate(args.proposals, args.seed)
    print(f"session of {args.proposals} proposals (seed {args.seed}): {session.mix()}")
    with tempfile.TemporaryDirectory(prefix="simulation-") as workdir:
        config = StackConfig(
            postgres_url=os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
            redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            rabbitmq_url=os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"),
            name=f"sim_{uuid.uuid4().hex[:10]}",
            workdir=Path(workdir),
        )
        with Stack(config) as stack:
            print(f"platform {config.name} started: {stack.urls}")
            report = asyncio.run(_run(stack, session, args.processes, args.concurrency))
    print_report(report)
    return 0 if not report.incomplete else 1


async def _run(stack: Stack, session: Session, processes: int, concurrency: int) -> DriveReport:
    limit = await ceiling(
        f"{stack.urls['intake']}/health", 5000, processes=processes, concurrency=concurrency
    )
    print(f"driver client against intake /health: {limit:.0f} requests/s")
    deadline = time.time() + max(600.0, len(session.scripts) * 1.0)
    return await drive(
        session,
        stack.urls,
        stack.config.signing_key,
        processes=processes,
        concurrency=concurrency,
        deadline=deadline,
    )


def print_report(report: DriveReport) -> None:
    answered = Counter(r.command for r in report.records if r.status is not None and r.status < 300)
    other = Counter((r.command, r.status) for r in report.records if r.status is None or r.status >= 300)
    total = sum(answered.values())
    print(f"completed {report.completed}, incomplete {len(report.incomplete)} in {report.elapsed:.1f} s")
    print(f"{total} commands answered 2xx, {total / report.elapsed:.0f}/s: {dict(answered.most_common())}")
    if other:
        print(f"other answers: {dict(other)}")
    for key, why in list(report.failures.items())[:5]:
        print(f"  {key}: {why}")


if __name__ == "__main__":
    raise SystemExit(main())
