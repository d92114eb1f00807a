"""What each service and agency instance may publish and what its queue takes, from the code alone."""

import re

import pytest

from runtime.topology import PUBLISHERS, SERVICES, publish_pattern, queue_name, routing_keys
from runtime.wiring import announced
from services.reply.application.outbound import to_integration
from tests.unit.reply.seeds import co_opinion, jiazheng_published, jiazheng_replied


def may_publish(key: str, service: str, unit: str | None = None) -> bool:
    return re.fullmatch(publish_pattern(service, unit), key) is not None


def test_intake_publishes_every_type_of_its_contract_and_nothing_else() -> None:
    for type_name in PUBLISHERS["intake"].type_names:
        assert may_publish(type_name, "intake"), type_name
    assert may_publish("intake.proposal-registered.v1", "intake")  # the older version sent beside v2
    for key in (
        "intake.proposal-registered.v3",
        "intake.proposal-registered.v2.shangwu",
        "intake.#",
        "reply.reply-issued.v1.shangwu",
        "allocation.proposal-allocated.v1",
    ):
        assert not may_publish(key, "intake"), key


def test_a_key_routed_by_unit_carries_one_unit_word() -> None:
    assert may_publish("reply.reply-issued.v1.shangwu", "reply")
    assert may_publish("reply.co-opinion-submitted.v1.cppcc-office", "reply")
    assert may_publish("reply.round-opened.v1", "reply")
    assert not may_publish("reply.reply-issued.v1", "reply")
    assert not may_publish("reply.reply-issued.v1.shangwu.minzheng", "reply")
    assert not may_publish("reply.round-opened.v1.shangwu", "reply")


def test_an_agency_instance_publishes_only_what_its_unit_did() -> None:
    assert publish_pattern("reply", "shangwu") == (
        r"^(?:reply\.co-opinion-submitted\.v1\.shangwu|reply\.consultation-recorded\.v1\.shangwu"
        r"|reply\.reply-issued\.v1\.shangwu)$"
    )
    assert may_publish("allocation.assignment-acknowledged.v1.minzheng", "allocation", "minzheng")
    for key in (
        "reply.reply-issued.v1.minzheng",
        "reply.round-opened.v1",
        "reply.round-opened.v1.shangwu",
        "intake.proposal-registered.v2",
    ):
        assert not may_publish(key, "reply", "shangwu"), key


def test_the_views_publish_nothing() -> None:
    assert publish_pattern("views") == "^$"
    assert not may_publish("views.anything.v1", "views")


def test_a_unit_id_that_could_widen_the_pattern_is_refused() -> None:
    for bad in ("shang.wu", "shang*", ".*", "Shangwu", ""):
        with pytest.raises(ValueError, match="unit id"):
            publish_pattern("reply", bad)


def test_an_agency_instance_binds_the_types_routed_by_unit_for_its_unit_alone() -> None:
    central = routing_keys("allocation")
    minzheng = routing_keys("allocation", "minzheng")
    assert "reply.reply-issued.v1.#" in central
    assert "reply.reply-issued.v1.minzheng" in minzheng and "reply.reply-issued.v1.#" not in minzheng
    assert "reply.co-opinion-submitted.v1.minzheng" in minzheng
    assert "intake.proposal-registered.v2.#" in minzheng  # not routed by unit: every one
    assert len(minzheng) == len(central)
    assert routing_keys("intake") == []


def test_every_instance_has_a_queue_of_its_own() -> None:
    assert queue_name("proposals.events", "reply") == "proposals.events.reply"
    assert queue_name("proposals.events", "reply_shangwu") == "proposals.events.reply_shangwu"
    assert SERVICES == ("intake", "allocation", "reply", "feedback", "views")


def test_an_agency_instance_announces_its_units_facts_and_keeps_the_rest() -> None:
    shangwu = announced(to_integration, publish_pattern("reply", "shangwu"))
    issued = shangwu(jiazheng_replied())
    assert issued is not None and issued.routing_key() == "reply.reply-issued.v1.shangwu"
    assert shangwu(co_opinion("minzheng")) is None  # 市民政局's opinion is not 市商务局's to announce
    assert shangwu(jiazheng_published()) is None  # the office's publication
    assert to_integration(jiazheng_published()) is not None
