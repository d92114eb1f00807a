"""The four services as processes on PostgreSQL, RabbitMQ and Redis, driven over HTTP to the end."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.web.keys import SigningKey
from tests.e2e.stack import RunningStack, real_stack
from tests.processes import free_port_block, running, wait_healthy
from tests.servers import require_postgres, require_rabbitmq, require_redis
from tools.demo.client import Platform
from tools.demo.stories import story_jincheng_254, story_wuhai_60


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    urls = require_postgres(), require_redis(), require_rabbitmq()
    with real_stack(tmp_path_factory.mktemp("e2e"), *urls) as running:
        yield running


def test_a_proposal_with_a_lead_and_two_co_units_goes_through_a_dissatisfied_round_to_closed(
    stack: RunningStack,
) -> None:
    steps: list[str] = []
    platform = Platform(stack.urls, stack.key)
    try:
        outcome = story_jincheng_254(platform, steps.append, co_units=("renshe", "weijian"))
    finally:
        platform.close()
    assert outcome == "CLOSED"
    assert any("协办 renshe" in s for s in steps) and any("协办 weijian" in s for s in steps)
    assert any("round 1 不满意 → REHANDLING" in s for s in steps)
    assert any("round 2 REPLIED" in s for s in steps)


def test_a_proposal_handled_by_one_unit_is_closed_after_a_satisfied_member(stack: RunningStack) -> None:
    platform = Platform(stack.urls, stack.key)
    try:
        assert story_wuhai_60(platform, lambda _: None) == "CLOSED"
    finally:
        platform.close()


def test_the_demo_stories_also_run_on_the_embedded_platform(tmp_path: Path) -> None:
    base = free_port_block(5)
    with running(["-m", "runtime", "--port-base", str(base)], cwd=tmp_path) as process:
        urls = {
            name: f"http://127.0.0.1:{base + i}"
            for i, name in enumerate(["intake", "allocation", "reply", "feedback"])
        }
        for url in urls.values():
            wait_healthy(f"{url}/ready", process)
        platform = Platform(urls, SigningKey.development())
        try:
            assert story_wuhai_60(platform, lambda _: None) == "CLOSED"
            assert story_jincheng_254(platform, lambda _: None) == "CLOSED"
        finally:
            platform.close()
