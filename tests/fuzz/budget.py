"""How hard the fuzzers try: a short run by default, `FUZZ_EXAMPLES=N` for a long one."""

import os

from hypothesis import HealthCheck, settings

SHORT_RUN = 25
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", SHORT_RUN))
"""Examples per operation (schemathesis) and runs per state machine (hypothesis)."""
MACHINE_RUNS = 4 * EXAMPLES
"""Runs per state machine: a decider is pure and fast, so it gets more runs than an HTTP operation."""
STEPS = 30 if EXAMPLES <= SHORT_RUN else 60
"""Commands per run of a state machine."""


def fuzz_settings(examples: int = EXAMPLES) -> settings:
    """No deadline (the first request of an app is slow), no example database (stray files in CI)."""
    return settings(
        max_examples=examples,
        stateful_step_count=STEPS,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
