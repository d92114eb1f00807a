"""`make run`: every service starts on the embedded default and answers /health."""

from pathlib import Path

import httpx

from tests.processes import free_port_block, running, wait_healthy

NAMES = ["intake", "allocation", "reply", "feedback", "views"]


def test_the_embedded_run_starts_every_service_with_no_server(tmp_path: Path) -> None:
    base = free_port_block(len(NAMES))
    with running(["-m", "runtime", "--port-base", str(base)], cwd=tmp_path) as process:
        for offset, name in enumerate(NAMES):
            health = wait_healthy(f"http://127.0.0.1:{base + offset}/health", process)
            assert health.json() == {"status": "ok", "service": name}
        ready = httpx.get(f"http://127.0.0.1:{base}/ready").json()
        assert ready["dependencies"] == {"eventstore": "ok", "bus": "ok", "readstore": "ok"}
    for name in NAMES:  # each service on a store of its own
        assert (tmp_path / "var" / f"{name}.sqlite3").exists(), name
    output = (tmp_path / "m-runtime.log").read_text()
    assert f"http://127.0.0.1:{base}" in output
