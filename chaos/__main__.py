"""`python -m chaos [--quick]`: fault injection during simulated sessions, checked by the oracle.

Starts private PostgreSQL, Redis and RabbitMQ servers (never the machine's own), the services as
processes with the broker behind a TCP proxy, and runs each scenario during a session of its own.
Prints a table and writes it as JSON to chaos/results/latest.json; exits 1 when a command was lost
or duplicated, the views did not converge, a poison message is not in its dead-letter queue, or a
fault could not be injected.
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from chaos.run import CONVERGE_WITHIN, DRIVE_LIMIT, QUICK_DRIVE_LIMIT, Clock, Result, run, table
from chaos.scenarios import full_scenarios, quick_scenarios

RESULTS = Path(__file__).resolve().parent / "results"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one fault point per service, small sessions")
    parser.add_argument("--proposals", type=int, help="proposals per scenario (quick 6, full 12)")
    parser.add_argument(
        "--only", action="append", default=[], help="run the scenarios whose name contains this"
    )
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs) at the end")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    scenarios = quick_scenarios() if args.quick else full_scenarios()
    if args.only:
        scenarios = [s for s in scenarios if any(part in s.name for part in args.only)]
    proposals = args.proposals or (6 if args.quick else 12)
    limit = QUICK_DRIVE_LIMIT if args.quick else DRIVE_LIMIT
    workdir = Path(tempfile.mkdtemp(prefix="chaos-"))
    workdir.chmod(0o755)  # the private servers run as their own users, below this directory
    clock = Clock()
    clock.say(f"{len(scenarios)} scenarios, {proposals} proposals each; work directory {workdir}")
    began = time.monotonic()
    servers: dict[str, float] = {}

    def write(results: list[Result], finished: bool = False) -> dict[str, object]:
        report = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "quick": args.quick,
            "finished": finished,
            "proposals_per_scenario": proposals,
            "converge_within_seconds": CONVERGE_WITHIN,
            "drive_limit_seconds": limit,
            "seconds": round(time.monotonic() - began, 1),
            "server_start_seconds": {k: round(v, 2) for k, v in servers.items()},
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "system": platform.platform(),
            },
            "ok": finished and all(r.ok for r in results),
            "scenarios": [r.as_json() for r in results],
            "table": table(results).splitlines(),
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return report

    try:
        results, started = asyncio.run(run(scenarios, proposals, workdir, clock, limit, write))
        servers.update(started)
    finally:
        if args.keep:
            clock.say(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report = write(results, finished=True)
    print()
    print(table(results))
    failed = [r.scenario for r in results if not r.ok]
    for result in results:
        if result.error:
            print(f"  {result.scenario}: could not run: {result.error[-600:]}")
        for line in result.details:
            print(f"  {result.scenario}: {line}")
    passed = len(results) - len(failed)
    print(f"\n{passed}/{len(results)} scenarios ok in {report['seconds']} s; written to {args.output}")
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
