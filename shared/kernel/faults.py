"""Fault points: named places in the kernel where a fault-injection run kills its own process.

`point("gateway.after-publish-before-checkpoint")` does nothing unless the environment variable
FAULT_KILL_AT names that point, e.g. `FAULT_KILL_AT=gateway.after-publish-before-checkpoint:3`
(the process kills itself with SIGKILL the 3rd time it passes there; without `:n`, the 1st time).
Several points are separated by commas. Off, a point costs one truth test of an empty dict, so the
calls stay in production code; a kill -9 at a precise place is what proves that a crash anywhere
loses no accepted command and repeats no effect.
"""

import os
import signal
from collections.abc import Callable, Mapping

ENVIRONMENT = "FAULT_KILL_AT"

POINTS = (
    "decider.after-append",
    "eventstore.mid-append",
    "gateway.after-publish-before-checkpoint",
    "consumer.before-ack",
    "projection.mid-batch",
)
"""Every point the kernel passes, for the runs that choose one and for checking a plan."""


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


_armed: dict[str, int] = {}
"""Point → how many more passes before the kill; empty when no fault is planned."""
_kill: Callable[[], None] = _kill_self


def parse(spec: str) -> dict[str, int]:
    """`"a:3,b"` → `{"a": 3, "b": 1}`; ValueError naming the entry that is not `point[:n]`, n ≥ 1."""
    plan: dict[str, int] = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        name, _, count = entry.partition(":")
        if not name or (count and (not count.isdigit() or int(count) < 1)):
            raise ValueError(f"{ENVIRONMENT}: {entry!r} is not point[:n] with n ≥ 1")
        plan[name] = int(count) if count else 1
    return plan


def configure(spec: str, kill: Callable[[], None] = _kill_self) -> None:
    """Arm the points `spec` names (replacing any earlier plan); `kill` is what a fault does."""
    global _kill
    _armed.clear()
    _armed.update(parse(spec))
    _kill = kill


def configure_from(environment: Mapping[str, str]) -> None:
    configure(environment.get(ENVIRONMENT, ""))


def point(name: str) -> None:
    """Kill this process here if the plan says so for this pass."""
    if not _armed or name not in _armed:
        return
    _armed[name] -= 1
    if _armed[name] == 0:
        del _armed[name]
        _kill()


configure_from(os.environ)
