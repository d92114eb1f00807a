"""The broker's definitions generated from the topology, without a broker: users, rights, queues."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from runtime.broker import (
    DefinitionsRefused,
    Deployment,
    Instance,
    definitions,
    instances_from_environment,
    main,
    password_hash,
    password_matches,
    password_variable,
)
from runtime.topology import SERVICES, publish_pattern, routing_keys
from shared.adapters.bus.rabbitmq import queue_arguments
from shared.rules.units import UnitRegistry
from shared.settings import DEPLOY

UNITS = UnitRegistry.load(DEPLOY / "units.toml")
EVERY_SERVICE = [Instance(service, password=f"{service}-5b0f3e") for service in SERVICES]
SHANGWU = Instance("reply", "shangwu", password="shangwu-8c1d2a")


@pytest.fixture(scope="module")
def wuhai() -> dict[str, list[dict[str, Any]]]:
    return definitions(Deployment(["wuhai"], [*EVERY_SERVICE, SHANGWU]))


def by_user(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["user"]: entry for entry in entries}


def matches(pattern: str, name: str) -> bool:
    return re.search(pattern, name) is not None  # as RabbitMQ applies a permission's pattern


def test_one_user_per_service_and_agency_instance_named_as_its_store(wuhai: dict[str, Any]) -> None:
    users = {user["name"]: user for user in wuhai["users"]}
    assert sorted(users) == sorted([*SERVICES, "reply_shangwu"])
    assert password_matches(users["reply_shangwu"]["password_hash"], "shangwu-8c1d2a")
    assert not password_matches(users["reply_shangwu"]["password_hash"], "intake-5b0f3e")
    assert all(
        u["hashing_algorithm"] == "rabbit_password_hashing_sha256" and u["tags"] == [] for u in users.values()
    )
    assert "guest" not in users


def test_the_hash_is_the_one_rabbitmq_computes() -> None:
    # Made by RabbitMQ 3.10: `rabbitmqctl eval 'base64:encode(rabbit_password:hash(
    #     rabbit_password_hashing_sha256, <<"乌海-test"/utf8>>)).'` (its salt is the first 4 bytes)
    made_by_rabbitmq = "GqIdBGv8QBhQbvP+y+UxBNmJUfzJfMLHT/gaIBCmOQXUuj/A"
    assert password_hash("乌海-test", bytes.fromhex("1aa21d04")) == made_by_rabbitmq
    assert password_matches(password_hash("乌海-test"), "乌海-test")


def test_nobody_may_configure_and_each_reads_its_own_queues_alone(wuhai: dict[str, Any]) -> None:
    permissions = by_user(wuhai["permissions"])
    assert {p["configure"] for p in permissions.values()} == {"^$"}
    reply = permissions["reply"]
    assert matches(reply["read"], "proposals.events.reply")
    assert matches(reply["read"], "proposals.events.reply.dlq")
    for other in (
        "proposals.events.allocation",
        "proposals.events.reply_shangwu",
        "proposals.events.reply.dlqx",
    ):
        assert not matches(reply["read"], other), other
    assert matches(permissions["reply_shangwu"]["read"], "proposals.events.reply_shangwu")
    assert not matches(permissions["reply_shangwu"]["read"], "proposals.events.reply")
    assert permissions["intake"]["read"] == "^$"  # intake consumes nothing


def test_a_publisher_writes_to_the_topic_exchange_alone_and_the_views_nowhere(wuhai: dict[str, Any]) -> None:
    permissions = by_user(wuhai["permissions"])
    for publisher in ("intake", "allocation", "reply", "feedback", "reply_shangwu"):
        write = permissions[publisher]["write"]
        assert matches(write, "proposals.events"), publisher
        for other in (
            "proposals.events.dlx",
            "amq.default",
            "proposals.events.allocation",
            "proposals-events",
        ):
            assert not matches(write, other), (publisher, other)
    assert permissions["views"]["write"] == "^$"


def test_the_routing_keys_each_may_publish_are_its_contracts(wuhai: dict[str, Any]) -> None:
    topics = by_user(wuhai["topic_permissions"])
    assert {t["exchange"] for t in topics.values()} == {"proposals.events"}
    assert {t["read"] for t in topics.values()} == {"^$"}
    for service in SERVICES:
        assert topics[service]["write"] == publish_pattern(service)
    assert topics["reply_shangwu"]["write"] == publish_pattern("reply", "shangwu")
    assert matches(topics["intake"]["write"], "intake.proposal-registered.v2")
    assert not matches(topics["reply_shangwu"]["write"], "intake.proposal-registered.v2")


def test_every_consuming_instance_has_its_queues_and_bindings_as_the_bus_declares_them(
    wuhai: dict[str, Any],
) -> None:
    queues = {q["name"]: q for q in wuhai["queues"]}
    bindings = [(b["source"], b["destination"], b["routing_key"]) for b in wuhai["bindings"]]
    consumers = {
        "allocation": None,
        "reply": None,
        "feedback": None,
        "views": None,
        "reply_shangwu": "shangwu",
    }
    assert set(queues) == {f"proposals.events.{c}{dlq}" for c in consumers for dlq in ("", ".dlq")}
    for consumer, unit in consumers.items():
        queue = f"proposals.events.{consumer}"
        assert queues[queue]["arguments"] == queue_arguments(queue, "proposals.events", 5)
        assert queues[f"{queue}.dlq"]["arguments"] == {}
        assert ("proposals.events.dlx", f"{queue}.dlq", queue) in bindings
        service = consumer.partition("_")[0]
        keys = sorted(key for source, destination, key in bindings if destination == queue)
        assert keys == sorted(routing_keys(service, unit)), consumer
    assert all(q["durable"] and not q["auto_delete"] for q in queues.values())


def test_a_virtual_host_per_jurisdiction_with_the_same_rights_in_each() -> None:
    generated = definitions(Deployment(["wuhai", "jincheng"], EVERY_SERVICE))
    assert [v["name"] for v in generated["vhosts"]] == ["wuhai", "jincheng"]
    for vhost in ("wuhai", "jincheng"):
        exchanges = {e["name"]: e["type"] for e in generated["exchanges"] if e["vhost"] == vhost}
        assert exchanges == {"proposals.events": "topic", "proposals.events.dlx": "direct"}
        assert {p["user"] for p in generated["permissions"] if p["vhost"] == vhost} == set(SERVICES)
        assert {q["name"] for q in generated["queues"] if q["vhost"] == vhost} >= {"proposals.events.views"}


def test_everything_named_exists_in_the_same_definitions(wuhai: dict[str, Any]) -> None:
    """A permission for a user or a binding to a queue the file does not hold stops the node at boot."""
    users, vhosts = {u["name"] for u in wuhai["users"]}, {v["name"] for v in wuhai["vhosts"]}
    for entry in [*wuhai["permissions"], *wuhai["topic_permissions"]]:
        assert entry["user"] in users and entry["vhost"] in vhosts
    exchanges = {e["name"] for e in wuhai["exchanges"]}
    queues = {q["name"] for q in wuhai["queues"]}
    assert all(b["source"] in exchanges and b["destination"] in queues for b in wuhai["bindings"])


def test_passwords_come_from_the_environment_and_none_is_empty_outside_development() -> None:
    assert password_variable("reply_shangwu") == "REPLY_SHANGWU_AMQP_PASSWORD"
    production = {
        "APP_ENV": "production",
        "INTAKE_AMQP_PASSWORD": "9f2c4e",
        "REPLY_SHANGWU_AMQP_PASSWORD": "",
    }
    (intake,) = instances_from_environment(["intake"], production, UNITS)
    assert (intake.service, intake.unit, intake.password) == ("intake", None, "9f2c4e")
    with pytest.raises(DefinitionsRefused, match="REPLY_SHANGWU_AMQP_PASSWORD"):
        instances_from_environment(["intake", "reply_shangwu"], production, UNITS)
    (views,) = instances_from_environment(["views"], {"APP_ENV": "development"}, UNITS)
    assert views.password is None
    assert definitions(Deployment(["wuhai"], [views]))["users"][0]["password_hash"] == ""
    assert "9f2c4e" not in repr(intake)


def test_an_agency_instance_is_found_by_its_store_name() -> None:
    development = {"APP_ENV": "development"}
    office, shangwu = instances_from_environment(["reply_cppcc_office", "reply_shangwu"], development, UNITS)
    assert (office.service, office.unit, office.name) == ("reply", "cppcc-office", "reply_cppcc_office")
    assert (shangwu.service, shangwu.unit) == ("reply", "shangwu")
    for unknown in ("reply_nowhere", "archive", "guest", "Reply"):
        with pytest.raises(DefinitionsRefused):
            instances_from_environment([unknown], development, UNITS)


def test_a_jurisdiction_that_is_no_plain_name_is_refused() -> None:
    for bad in ("Wuhai", "wu hai", "", "/"):
        with pytest.raises(DefinitionsRefused, match="jurisdiction"):
            Deployment([bad], EVERY_SERVICE)


def test_the_command_writes_every_services_definitions_for_every_jurisdiction(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    for service in SERVICES:
        monkeypatch.setenv(password_variable(service), f"{service}-5b0f3e")
    output = tmp_path / "definitions.json"
    assert main(["--output", str(output)]) == 0
    written = json.loads(output.read_text(encoding="utf-8"))
    assert [v["name"] for v in written["vhosts"]] == ["jincheng", "wuhai", "zhongwei"]
    assert {u["name"] for u in written["users"]} == set(SERVICES)


def test_the_command_refuses_an_empty_password_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("REPLY_SHANGWU_AMQP_PASSWORD", raising=False)
    assert main(["--jurisdiction", "wuhai", "reply_shangwu"]) == 2
    assert "REPLY_SHANGWU_AMQP_PASSWORD" in capsys.readouterr().err
