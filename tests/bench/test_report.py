"""The benchmark's table: each figure against its raw limit and target, missing figures shown as such."""

import json
from pathlib import Path

from bench.report import dig, table, targets, write

RESULTS = {
    "proposals": 500,
    "raw": {
        "http_insert": {"value": 1000.0, "p99_ms": 80.0},
        "confirmed_publish": {"value": 2000.0},
        "redis_pipelined": {"value": 50_000.0},
        "replay": {"value": 40_000.0},
    },
    "intake": {"max": {"ok_rate": 650.0}, "half": {"p99_ms": 31.0}},
    "components": {
        "gateway_publish": {"value": 9000.0, "messages_per_second": 1500.0},
        "projection_apply": {"value": 20_000.0, "writes_per_second": 60_000.0},
        "rebuild": {"value": 19_000.0},
        "store_replay": {"value": 30_000.0},
    },
    "session": {
        "commands_per_second": 300.0,
        "elapsed": 40.0,
        "lag_p50_ms": 12.0,
        "lag_p99_ms": 90.0,
        "commands": {"submit": {"count": 500, "errors": 0, "rate": 80.0, "p50_ms": 9.0, "p99_ms": 30.0}},
    },
    "peer": {
        "append_single": {"ours": 700.0, "peer": 330.0},
        "append_concurrent": {"ours": 480.0, "peer": 600.0},
        "append_batched": {"ours": 11_000.0, "peer": 5_000.0},
        "replay": {"ours": 20_000.0, "peer": 14_000.0},
    },
}


def test_each_target_is_read_against_its_raw_limit() -> None:
    rows = {row.figure: row for row in targets(RESULTS)}

    assert rows["intake command rate"].ratio == 0.65 and rows["intake command rate"].met is True
    assert rows["intake p99 at half that rate"].met is False  # 31 ms > 25 ms
    assert rows["gateway publish"].ratio == 0.75 and rows["gateway publish"].met is True
    assert rows["projection apply"].ratio == 0.4 and rows["projection apply"].met is False
    assert rows["rebuild"].raw == 40_000.0  # the smaller of replay and Redis
    assert rows["rebuild"].met is False  # 19,000 < 50 % of 40,000
    assert rows["session sustained rate"].ratio == 0.3 and rows["session sustained rate"].met is False
    assert rows["projection lag p99"].met is True
    assert rows["append, concurrent vs peer"].met is False
    assert rows["replay vs peer"].met is True


def test_a_missing_figure_is_not_met_and_shows_as_missing() -> None:
    failed = {**RESULTS, "session": {"error": "RuntimeError('stack did not start')"}}
    rows = {row.figure: row for row in targets(failed)}

    assert rows["session sustained rate"].value is None and rows["session sustained rate"].met is None
    assert "n/a" in table(failed)
    assert dig(failed, "session", "elapsed") is None


def test_the_json_carries_every_figure_and_the_target_rows(tmp_path: Path) -> None:
    path = tmp_path / "results" / "latest.json"
    write(RESULTS, path)

    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["raw"] == RESULTS["raw"]
    assert {row["figure"] for row in written["targets"]} >= {"intake command rate", "rebuild"}
    assert "submit" in table(RESULTS)
