"""`make demo`: two proposals from the seeds through the whole lifecycle, over HTTP, and their
official documents (答复函, 征询意见表, 面商记录表) written under `demo-output/`.

It uses the platform already running on 127.0.0.1:8001–8004 (`make run`), or starts the embedded
platform for the demo when nothing answers there, and stops it afterwards.
"""

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from shared.settings import ServiceSettings
from tools.demo.client import Platform
from tools.demo.documents import OUTPUT
from tools.demo.stories import story_jincheng_254, story_wuhai_60

URLS = {
    name: f"http://127.0.0.1:{8001 + i}"
    for i, name in enumerate(["intake", "allocation", "reply", "feedback"])
}


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def platform_running() -> Iterator[None]:
    if all(answers(url) for url in URLS.values()):
        print("using the platform running on 127.0.0.1:8001–8004")
        yield
        return
    with tempfile.TemporaryDirectory(prefix="proposals-demo-") as workdir:
        print("starting the embedded platform for the demo …")
        process = subprocess.Popen(
            [sys.executable, "-m", "runtime"],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "LOG_LEVEL": "WARNING", "PYTHONPATH": os.getcwd()},
        )
        try:
            deadline = time.monotonic() + 60
            while not all(answers(url) for url in URLS.values()):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the embedded platform did not start")
                time.sleep(0.2)
            yield
        finally:
            process.terminate()
            process.wait(10)


def main() -> None:
    with platform_running():
        platform = Platform(URLS, ServiceSettings().signing_key())
        try:
            print("\n== 乌海 市政协十届四次会议 第60号 关于推动家政服务业发展的提案")
            story_wuhai_60(platform, output=OUTPUT)
            print("\n== 晋城 市政协八届四次会议 第254号 关于加强社区养老服务体系建设的建议")
            story_jincheng_254(platform, output=OUTPUT)
        finally:
            platform.close()
    print(f"\nboth proposals went through the whole lifecycle; their documents are under {OUTPUT}/")


if __name__ == "__main__":
    main()
