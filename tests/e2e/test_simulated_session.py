"""A generated session of twenty proposals driven to the end against the platform as processes.

Every proposal must reach CLOSED in the feedback service and in the views, the 不满意 ones after a
second round, with the mode, 面商 and result classes of its script recorded by the views.
"""

import time
import uuid
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from shared.testing.waiting import eventually
from tests.servers import require_postgres, require_rabbitmq, require_redis
from tools.simulation.driver import DriveReport, drive
from tools.simulation.session import Session, generate
from tools.simulation.stack import Stack, StackConfig

PROPOSALS = 20


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    postgres_url, redis_url, rabbitmq_url = require_postgres(), require_redis(), require_rabbitmq()
    config = StackConfig(
        postgres_url=postgres_url,
        redis_url=redis_url,
        rabbitmq_url=rabbitmq_url,
        name=f"sim_{uuid.uuid4().hex[:10]}",
        workdir=tmp_path_factory.mktemp("simulated-session"),
    )
    with Stack(config) as running:
        yield running


def chosen_session() -> Session:
    """A seed whose twenty proposals include 面商, 协办, a second round and a class other than A."""
    session = generate(PROPOSALS, seed=11)
    mix = session.mix()
    assert mix["rounds"].get("2") and mix["consultation"].get("面商") and mix["mode"].get("主办+协办")
    assert set(mix["result_class"]) - {"A"}
    return session


@pytest.mark.timeout(240)
async def test_a_session_of_twenty_proposals_is_driven_to_closed_everywhere(stack: Stack) -> None:
    session = chosen_session()
    report = await drive(
        session, stack.urls, stack.config.signing_key, processes=2, concurrency=16, deadline=time.time() + 150
    )

    assert report.failures == {}
    assert report.completed == PROPOSALS
    assert_every_command_answered_once(report)
    office = {"Authorization": f"Bearer {stack.token('office')}"}
    async with httpx.AsyncClient(base_url=stack.urls["views"], headers=office) as views:

        async def all_closed_in_the_views() -> bool:
            answers = [await views.get(f"/api/proposals/{p}") for p in report.proposal_ids.values()]
            return all(a.status_code == 200 and a.json()["state"] == "CLOSED" for a in answers)

        await eventually(all_closed_in_the_views, timeout=60, interval=0.2)
        seen = {
            key: (await views.get(f"/api/proposals/{proposal}")).json()
            for key, proposal in report.proposal_ids.items()
        }
    for script in session.scripts:
        view = seen[script.key]
        assert view["title"] == script.title
        assert view["mode"] == script.mode
        assert view["feedback_round"] == len(script.rounds), script.key
        assert (view["consultations"] > 0) == script.consultation, script.key
        assert view["result_class"] in set(script.rounds[-1].classes.values()), script.key
    classes = Counter(view["result_class"] for view in seen.values())
    assert sum(classes.values()) == PROPOSALS


def assert_every_command_answered_once(report: DriveReport) -> None:
    """Each idempotency key got exactly one 2xx (no retries were needed on a healthy platform)."""
    answered: Counter[str] = Counter(r.idempotency_key for r in report.records if r.status and r.status < 300)
    assert answered and set(answered.values()) == {1}
    statuses: Counter[int | None] = Counter(r.status for r in report.records)
    assert set(statuses) <= {200, 201}, statuses
