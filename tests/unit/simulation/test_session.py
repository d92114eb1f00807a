"""The generated session: realistic mix within tolerance, the same for the same seed, valid names."""

import re
from collections import Counter

import pytest

from shared.rules.policy import load_policy
from shared.rules.units import UnknownUnit
from tools.simulation.session import (
    DEPLOY,
    JURISDICTIONS,
    UNITS,
    ProposalScript,
    Session,
    generate,
    repliers,
)

SIZE = 3000


@pytest.fixture(scope="module")
def session() -> Session:
    return generate(SIZE, seed=7)


def share(count: int, total: int) -> float:
    return count / total


def test_the_same_seed_gives_the_same_session_and_another_seed_another() -> None:
    assert generate(200, seed=3) == generate(200, seed=3)
    assert generate(200, seed=3).scripts != generate(200, seed=4).scripts


def test_keys_are_unique_and_numbers_count_up_per_jurisdiction_and_kind(session: Session) -> None:
    assert len({s.key for s in session.scripts}) == SIZE
    by_series: dict[tuple[str, str], list[int]] = {}
    for script in session.scripts:
        by_series.setdefault((script.jurisdiction, script.kind), []).append(int(script.number))
    for numbers in by_series.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_mostly_proposals_with_some_suggestions_titled_accordingly(session: Session) -> None:
    kinds = Counter(s.kind for s in session.scripts)
    assert 0.75 <= share(kinds["proposal"], SIZE) <= 0.85
    for script in session.scripts:
        noun = "提案" if script.kind == "proposal" else "建议"
        assert re.fullmatch(rf"关于[\u4e00-\u9fff，]+的{noun}", script.title), script.title
        assert script.items and all(item.strip() for item in script.items)
        assert len(set(script.items)) == len(script.items)


def test_every_unit_named_exists_and_every_lead_can_sign_a_reply(session: Session) -> None:
    for script in session.scripts:
        for unit in (*script.leads, *script.co_units):
            try:
                UNITS.get(unit)
            except UnknownUnit:
                pytest.fail(f"{script.key} names the unknown unit {unit}")
        assert set(script.leads) <= set(repliers(script.jurisdiction))
        assert not set(script.leads) & set(script.co_units)


def test_routing_fits_the_mode(session: Session) -> None:
    for script in session.scripts:
        assert [r.item for r in script.routing] == list(range(1, len(script.items) + 1))
        if script.mode == "独办":
            assert len(script.leads) == 1 and not script.co_units
        elif script.mode == "主办+协办":
            assert len(script.leads) == 1 and 1 <= len(script.co_units) <= 2
        else:
            assert len(script.leads) == 2
    assert Counter(s.mode for s in session.scripts)["分办"] > 0


def test_one_lead_and_up_to_four_joint_proposers_who_differ(session: Session) -> None:
    sizes = Counter(len(s.proposers) for s in session.scripts)
    assert set(sizes) == {1, 2, 3, 4, 5}
    for script in session.scripts:
        assert len({m.id for m in script.proposers}) == len(script.proposers)
        assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", m.name) for m in script.proposers)
        assert all(m.id.startswith(f"{script.jurisdiction}-") for m in script.proposers)


def test_about_thirty_percent_are_consulted(session: Session) -> None:
    consulted = sum(s.consultation for s in session.scripts)
    assert 0.26 <= share(consulted, SIZE) <= 0.34


def test_replies_are_mostly_a_some_b_few_c(session: Session) -> None:
    classes = Counter(c for s in session.scripts for c in s.rounds[0].classes.values())
    total = sum(classes.values())
    assert 0.66 <= share(classes["A"], total) <= 0.74
    assert 0.21 <= share(classes["B"], total) <= 0.29
    assert 0.03 <= share(classes["C"], total) <= 0.07


def test_about_fifteen_percent_are_unsatisfied_then_accept_the_second_reply(session: Session) -> None:
    second = [s for s in session.scripts if len(s.rounds) == 2]
    assert 0.12 <= share(len(second), SIZE) <= 0.18
    for script in session.scripts:
        *earlier, last = script.rounds
        assert all(r.unsatisfied for r in earlier)
        assert not last.unsatisfied
        assert all(len(r.satisfaction) == len(script.proposers) for r in script.rounds)
        assert all(set(r.classes) == set(script.leads) for r in script.rounds)


@pytest.mark.parametrize("jurisdiction", sorted(JURISDICTIONS))
def test_every_answer_and_class_is_one_the_jurisdiction_accepts(session: Session, jurisdiction: str) -> None:
    scripts: list[ProposalScript] = [s for s in session.scripts if s.jurisdiction == jurisdiction]
    assert scripts
    for kind in ("proposal", "suggestion"):
        policy = load_policy(DEPLOY / "policy", jurisdiction, kind)
        codes = {c.code for c in policy.result_classes}
        for script in (s for s in scripts if s.kind == kind):
            assert script.session == JURISDICTIONS[jurisdiction][kind]
            for round_ in script.rounds:
                assert set(round_.classes.values()) <= codes
                for answer in round_.satisfaction:
                    policy.normalise_satisfaction(answer)
