"""The benchmark's report: each figure beside its raw limit and its target, as a table and as JSON.

The targets are those of the issue, at N = 10,000 proposals. A figure that could not be measured
(its phase failed) shows as n/a and does not meet its target; nothing is rounded up or left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

Results = dict[str, Any]


@dataclass(frozen=True)
class Row:
    figure: str
    value: float | None
    unit: str
    raw: float | None
    """The raw limit the figure is read against, when it has one."""
    raw_unit: str
    target: str
    met: bool | None
    """None when the figure is missing."""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.raw:
            return None
        return self.value / self.raw


def dig(results: Results, *path: str) -> Any:
    """The value at `path`, or None when any part of it is missing."""
    found: Any = results
    for key in path:
        if not isinstance(found, dict) or key not in found:
            return None
        found = found[key]
    return found


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _at_least_share(share: float) -> Callable[[float | None, float | None], bool | None]:
    def check(value: float | None, raw: float | None) -> bool | None:
        if value is None or raw is None:
            return None
        return value >= share * raw

    return check


def _share_row(
    figure: str, value: Any, unit: str, raw: Any, raw_unit: str, share: float, what: str = "of raw"
) -> Row:
    value, raw = _number(value), _number(raw)
    return Row(
        figure, value, unit, raw, raw_unit, f"≥ {share:.0%} {what}", _at_least_share(share)(value, raw)
    )


def _at_most_row(figure: str, value: Any, unit: str, limit: float) -> Row:
    number = _number(value)
    return Row(
        figure, number, unit, None, "", f"≤ {limit:g} {unit}", None if number is None else number <= limit
    )


def targets(results: Results) -> list[Row]:
    """The rows of the issue's targets, from whatever the run measured."""
    http = dig(results, "raw", "http_insert", "value")
    publish = dig(results, "raw", "confirmed_publish", "value")
    redis = dig(results, "raw", "redis_pipelined", "value")
    replay = dig(results, "raw", "replay", "value")
    smaller = min(replay, redis) if replay is not None and redis is not None else None
    rows = [
        _share_row(
            "intake command rate", dig(results, "intake", "max", "ok_rate"), "req/s", http, "req/s", 0.60
        ),
        _at_most_row("intake p99 at half that rate", dig(results, "intake", "half", "p99_ms"), "ms", 25),
        _share_row(
            "gateway publish",
            dig(results, "components", "gateway_publish", "messages_per_second"),
            "msg/s",
            publish,
            "msg/s",
            0.70,
        ),
        _share_row(
            "projection apply",
            dig(results, "components", "projection_apply", "value"),
            "ev/s",
            redis,
            "writes/s",
            0.60,
        ),
        _share_row(
            "rebuild",
            dig(results, "components", "rebuild", "value"),
            "ev/s",
            smaller,
            "ev/s",
            0.50,
            "of min(replay, Redis)",
        ),
        _share_row(
            "session sustained rate",
            dig(results, "session", "commands_per_second"),
            "cmd/s",
            http,
            "req/s",
            0.35,
        ),
        _at_most_row("projection lag p99", dig(results, "session", "lag_p99_ms"), "ms", 250),
    ]
    for key, label in (
        ("append_single", "append, one per call"),
        ("append_concurrent", "append, concurrent"),
        ("append_batched", "append, batches"),
        ("replay", "replay"),
    ):
        rows.append(
            _share_row(
                f"{label} vs peer",
                dig(results, "peer", key, "ours"),
                "ev/s",
                dig(results, "peer", key, "peer"),
                "ev/s",
                1.0,
                "of the peer",
            )
        )
    return rows


def informational(results: Results) -> list[Row]:
    """Figures without a target of their own, shown with their raw limit for context."""
    return [
        Row(
            "store replay (read_all)",
            _number(dig(results, "components", "store_replay", "value")),
            "ev/s",
            _number(dig(results, "raw", "replay", "value")),
            "ev/s",
            "",
            None,
        ),
        Row(
            "gateway, events checkpoint→head",
            _number(dig(results, "components", "gateway_publish", "value")),
            "ev/s",
            None,
            "",
            "",
            None,
        ),
        Row(
            "projection apply, writes",
            _number(dig(results, "components", "projection_apply", "writes_per_second")),
            "writes/s",
            _number(dig(results, "raw", "redis_pipelined", "value")),
            "writes/s",
            "",
            None,
        ),
        Row(
            "load generator ceiling",
            _number(dig(results, "load_ceiling", "rate")),
            "req/s",
            None,
            "",
            "",
            None,
        ),
        Row(
            "raw HTTP+insert p99",
            _number(dig(results, "raw", "http_insert", "p99_ms")),
            "ms",
            None,
            "",
            "",
            None,
        ),
        Row("whole session", _number(dig(results, "session", "elapsed")), "s", None, "", "", None),
        Row(
            "proposals driven to their end",
            _number(dig(results, "session", "completed")),
            f"of {dig(results, 'session', 'proposals') or '?'}",
            None,
            "",
            "",
            None,
        ),
        Row(
            "services' CPU per submit",
            _cpu_per(results, "intake", _submits(results)),
            "ms",
            None,
            "",
            "",
            None,
        ),
        Row(
            "services' CPU per session command",
            _cpu_per(results, "session", _number(dig(results, "session", "commands_total"))),
            "ms",
            None,
            "",
            "",
            None,
        ),
        Row("projection lag p50", _number(dig(results, "session", "lag_p50_ms")), "ms", None, "", "", None),
    ]


def _submits(results: Results) -> float | None:
    counts = [_number(dig(results, "intake", part, "requests")) for part in ("max", "half")]
    return sum(c for c in counts if c is not None) or None


def _cpu_per(results: Results, phase: str, commands: float | None) -> float | None:
    """The CPU time all service processes used in `phase`, per command, in milliseconds."""
    used = dig(results, "service_cpu_seconds", phase)
    if not isinstance(used, dict) or not used or not commands:
        return None
    return sum(used.values()) / commands * 1000


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}".strip()
    return f"{value:,.1f} {unit}".strip()


def render(rows: list[Row], title: str) -> str:
    header = ("figure", "value", "raw limit", "ratio", "target", "met?")
    lines = [
        (
            row.figure,
            _format(row.value, row.unit),
            _format(row.raw, row.raw_unit) if row.raw is not None else "",
            f"{row.ratio:.0%}" if row.ratio is not None else "",
            row.target,
            {True: "yes", False: "NO", None: "n/a" if row.target else ""}[row.met],
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)) for cells in lines]
    head = "  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True))
    return "\n".join([title, rule, head, rule, *body, rule])


def render_commands(results: Results) -> str:
    """Commands/s and p50/p99 per command type during the session."""
    commands = dig(results, "session", "commands") or {}
    header = ("command", "count", "errors", "cmd/s", "p50 ms", "p99 ms")
    lines = [
        (
            name,
            str(figures.get("count", "")),
            str(figures.get("errors", "")),
            _format(_number(figures.get("rate")), ""),
            _format(_number(figures.get("p50_ms")), ""),
            _format(_number(figures.get("p99_ms")), ""),
        )
        for name, figures in commands.items()
    ]
    if not lines:
        return "per command: n/a"
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    head = "  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True))
    body = ["  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)) for cells in lines]
    return "\n".join(["Commands during the session", rule, head, rule, *body, rule])


def table(results: Results) -> str:
    """Everything printed at the end of a run."""
    proposals = results.get("proposals", "?")
    return "\n\n".join(
        [
            render(targets(results), f"Targets (N = {proposals} proposals)"),
            render(informational(results), "Other figures"),
            render_commands(results),
        ]
    )


def write(results: Results, path: Path) -> None:
    """The results, with the target rows, as JSON."""
    complete = {
        **results,
        "targets": [{**asdict(row), "ratio": row.ratio} for row in targets(results)],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(complete, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    # `python -m bench.report [results.json]`: the table of an earlier run.
    source = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parent / "results" / "latest.json"
    )
    print(table(json.loads(source.read_text(encoding="utf-8"))))
