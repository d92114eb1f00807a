"""Fault points: off by default, and a kill exactly at the planned pass of the planned point."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.kernel import faults


@pytest.fixture(autouse=True)
def disarmed() -> Iterator[None]:
    yield
    faults.configure("")


def test_a_point_does_nothing_when_no_fault_is_planned() -> None:
    kills: list[str] = []
    faults.configure("", kill=lambda: kills.append("killed"))
    for _ in range(5):
        faults.point("gateway.after-publish-before-checkpoint")
    assert kills == []


def test_the_kill_happens_on_the_planned_pass_of_that_point_only() -> None:
    passes: list[int] = []
    kills: list[int] = []
    faults.configure("consumer.before-ack:3", kill=lambda: kills.append(len(passes)))
    for _ in range(5):
        faults.point("projection.mid-batch")
        passes.append(1)
        faults.point("consumer.before-ack")
    assert kills == [3]


def test_several_points_each_with_its_count() -> None:
    kills: list[str] = []
    faults.configure("decider.after-append, projection.mid-batch:2", kill=lambda: kills.append("kill"))
    faults.point("projection.mid-batch")
    assert kills == []
    faults.point("decider.after-append")
    faults.point("projection.mid-batch")
    assert kills == ["kill", "kill"]


@pytest.mark.parametrize("spec", ["gateway:0", "gateway:x", ":2", "gateway:-1"])
def test_a_plan_that_is_not_point_and_count_is_refused_naming_the_entry(spec: str) -> None:
    with pytest.raises(ValueError, match="FAULT_KILL_AT") as refused:
        faults.parse(spec)
    assert repr(spec.strip()) in str(refused.value)


def test_parse_reads_counts_and_defaults_to_the_first_pass() -> None:
    assert faults.parse("a:3,b") == {"a": 3, "b": 1}
    assert faults.parse("") == {}


def test_the_environment_arms_a_real_sigkill_of_the_process() -> None:
    code = "\n".join(
        [
            "from shared.kernel import faults",
            "faults.point('eventstore.mid-append')",
            "print('survived', flush=True)",
            "",
        ]
    )
    environment = {**os.environ, faults.ENVIRONMENT: "eventstore.mid-append:2"}
    killed = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, timeout=30)
    assert killed.returncode == 0 and killed.stdout == b"survived\n"
    twice = code + "faults.point('eventstore.mid-append')\nprint('still here', flush=True)\n"
    killed = subprocess.run([sys.executable, "-c", twice], env=environment, capture_output=True, timeout=30)
    assert killed.returncode == -9
    assert killed.stdout == b"survived\n"


def test_every_kernel_point_is_named_in_the_kernel() -> None:
    shared = Path(faults.__file__).parents[1]
    source = "".join(p.read_text() for p in shared.rglob("*.py") if p.name != "faults.py")
    for name in faults.POINTS:
        assert f'faults.point("{name}")' in source, name
