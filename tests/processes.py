"""Starting the platform's processes for end-to-end tests, and waiting for them with a deadline."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port_block(size: int) -> int:
    """A first port such that `size` consecutive ports are free now."""
    for base in range(18000, 40000, 50):
        if all(_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no free block of ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@contextmanager
def running(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A Python module of the project running as a process; stopped (and its log shown) at the end."""
    log_path = cwd / f"{'-'.join(a.strip('-') for a in args[:2])}.log"
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, *args], cwd=cwd, env=environment, stdout=log, stderr=log)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if process.returncode not in (0, -15):
        print(log_path.read_text(errors="replace")[-4000:])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise AssertionError(f"the process exited with {process.returncode} before {url} answered")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer within {timeout} s")
        time.sleep(0.1)
