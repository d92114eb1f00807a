"""A scenario passes only when its fault was injected and nothing was lost, doubled or left behind."""

from dataclasses import replace

from chaos.run import Result, table

CLEAN = Result(
    scenario="kill intake decider.after-append",
    what="kill -9 of intake at decider.after-append",
    injected=True,
    accepted=78,
    unanswered=12,
    lost=0,
    duplicated=0,
    converged=True,
    converge_seconds=0.4,
    completed=6,
    incomplete=0,
    drive_seconds=40.0,
)


def test_a_clean_scenario_passes() -> None:
    assert CLEAN.ok
    assert CLEAN.as_json()["ok"] is True


def test_each_kind_of_failure_fails_the_scenario() -> None:
    failures = [
        replace(CLEAN, lost=1),
        replace(CLEAN, duplicated=1),
        replace(CLEAN, converged=False),
        replace(CLEAN, injected=False),
        replace(CLEAN, poison_sent=1, poison_in_dlq=0),
        replace(CLEAN, unexpected_dead_letters=1),
    ]
    assert [r.ok for r in failures] == [False] * len(failures)


def test_the_table_has_a_row_per_scenario_with_its_verdict() -> None:
    poisoned = replace(CLEAN, scenario="poison", poison_sent=1, poison_in_dlq=1)
    lines = table([CLEAN, replace(CLEAN, scenario="redis wipe", converged=False), poisoned]).splitlines()
    assert lines[0].split()[:3] == ["scenario", "accepted", "no"]
    assert lines[2].startswith("kill intake decider.after-append") and lines[2].endswith("ok")
    assert lines[3].startswith("redis wipe") and "> 60 s" in lines[3] and lines[3].endswith("FAIL")
    assert "1/1" in lines[4]
