"""docker-compose.yml checked without a Docker engine.

The file is loaded with PyYAML (anchors and `<<` merges resolved), its `${…}` variables are replaced the
way Compose does it, with sample values, and the result is validated against the Compose Specification's
JSON schema (tests/data/compose-spec.json, see tests/data/README.md). Then the platform's own rules:
every service of ours runs from the one image, waits for healthy infrastructure and its provisioned
store, has a healthcheck on its port and the adapter URLs; each service and agency instance has its own
database role and schema (provisioned by runtime.provision), its own key prefix and a Redis user of its
own limited to it (in the ACL file runtime.redis_acl writes, which Redis loads, with the `default` user
behind a password); KurrentDB starts only in its profile, and its override file points every instance
at it; every secret is required and listed in .env.example. On the broker, each instance logs in as its
own user to the jurisdiction's virtual host, and the definitions the one-shot `broker-definitions`
writes (runtime.broker, run here with the compose file's own command and environment) let each in with
its password and no one else; each instance that publishes signs its
events with a key of its own, and each that consumes reads the one trust file.
"""

import copy
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]  # no stubs in the lock
from jsonschema.protocols import Validator  # type: ignore[import-untyped]
from jsonschema.validators import validator_for  # type: ignore[import-untyped]

from runtime import broker, redis_acl
from runtime.provision import password_variable, stores_from_environment
from runtime.topology import CONSUMERS, PUBLISHERS
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
KURRENTDB_OVERRIDE = ROOT / "deploy" / "compose.kurrentdb.yml"
SCHEMA_FILE = ROOT / "tests" / "data" / "compose-spec.json"
ENV_EXAMPLE = ROOT / ".env.example"
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"

IMAGE = "proposals-platform:latest"
INFRASTRUCTURE = ("postgres", "rabbitmq", "redis")
PROFILED = {"kurrentdb": "kurrentdb"}
"""Infrastructure that starts only in its profile (service → profile)."""
ONE_SHOT = ("provision", "redis-acl", "broker-definitions")
CORE_SERVICES = {"intake": 8001, "allocation": 8002, "reply": 8003, "feedback": 8004, "views": 8005}
AGENCY_INSTANCES = {"allocation-minzheng": "minzheng", "reply-shangwu": "shangwu", "reply-weijian": "weijian"}
ADAPTER_SCHEMES = {"EVENTSTORE_URL": ("postgresql",), "BUS_URL": ("amqp",), "READSTORE_URL": ("redis",)}


# --- Compose variable interpolation ------------------------------------------------------------------

# `$$`, `$NAME`, `${NAME}` and `${NAME<op><argument>}` with op one of - :- ? :? + :+ (as compose-go).
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)"
    r"|\{(?P<braced>[_a-z][_a-z0-9]*)(?:(?P<op>:?[-?+])(?P<argument>[^}]*))?\}|(?P<invalid>))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    name: str
    op: str | None
    argument: str

    @property
    def required(self) -> bool:
        return self.op in ("?", ":?")

    @property
    def has_default(self) -> bool:
        return self.op in ("-", ":-", "+", ":+")


class MissingVariable(Exception):
    pass


def _references_in(text: str) -> Iterator[Reference]:
    for match in _VARIABLE.finditer(text):
        if match.group("escaped"):
            continue
        if match.group("invalid") is not None:
            raise ValueError(f"invalid interpolation at {match.start()} in {text!r}")
        name = match.group("named") or match.group("braced")
        argument = match.group("argument") or ""
        if "$" in argument:
            raise ValueError(f"nested interpolation is not supported by this test: {text!r}")
        yield Reference(name, match.group("op"), argument)


def _substitute(text: str, environment: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        (reference,) = _references_in(match.group(0))
        value = environment.get(reference.name)
        unset = value is None if reference.op in ("-", "?", "+") else not value
        if reference.op in ("-", ":-"):
            return reference.argument if unset else str(value)
        if reference.op in ("+", ":+"):
            return "" if unset else reference.argument
        if unset:
            detail = reference.argument if reference.required else "is not set and has no default"
            raise MissingVariable(f"{reference.name}: {detail}")
        return str(value)

    return _VARIABLE.sub(replace, text)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node


def interpolate(node: Any, environment: Mapping[str, str]) -> Any:
    """Compose interpolates values, not keys, after the YAML is parsed."""
    if isinstance(node, dict):
        return {key: interpolate(value, environment) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, environment) for item in node]
    if isinstance(node, str):
        return _substitute(node, environment)
    return node


def sample_value(name: str) -> str:
    # URL-safe, and long enough for FORM_LINK_SECRET's 32 characters.
    return f"sample-{name.lower().replace('_', '-')}-0123456789abcdef0123456789abcdef"


# --- Fixtures and helpers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict), "docker-compose.yml is not a mapping"
    return document


@pytest.fixture(scope="module")
def references(raw: dict[str, Any]) -> list[Reference]:
    return [reference for text in _strings(raw) for reference in _references_in(text)]


@pytest.fixture(scope="module")
def compose(raw: dict[str, Any], references: list[Reference]) -> dict[str, Any]:
    environment = {reference.name: sample_value(reference.name) for reference in references}
    document: dict[str, Any] = interpolate(raw, environment)
    return document


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Validator:
    # The copy declares "http://json-schema.org/draft/2019-09/schema#"; jsonschema knows the drafts by
    # their canonical https URIs without the empty fragment.
    declared = str(schema.get("$schema", ""))
    canonical = declared.rstrip("#").replace("http://", "https://", 1)
    cls = validator_for({"$schema": canonical}, default=None)
    assert cls is not None, f"the schema declares a draft jsonschema does not know: {declared!r}"
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(validator: Validator, document: Any) -> list[str]:
    errors: list[ValidationError] = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}" for error in errors]


def ours(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    others = {*INFRASTRUCTURE, *PROFILED, *ONE_SHOT}
    return {name: s for name, s in compose["services"].items() if name not in others}


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    declared = service.get("environment") or {}
    if isinstance(declared, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in declared)
    return {key: "" if value is None else str(value) for key, value in declared.items()}


def published_ports(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) of each published port."""
    published = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            published.append((int(port["published"]), int(port["target"])))
        else:
            *_, host, container = str(port).split(":")
            published.append((int(host), int(container.split("/")[0])))
    return published


def volume_sources(service: dict[str, Any]) -> list[str]:
    sources = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            sources.append(str(volume.get("source", "")))
        else:
            sources.append(str(volume).split(":", 1)[0])
    return sources


def env_example_names() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(line.split("=", 1)[0].strip())
    return names


# --- The Compose specification -----------------------------------------------------------------------


def test_compose_file_follows_the_compose_specification(
    compose: dict[str, Any], validator: Validator
) -> None:
    assert schema_errors(validator, compose) == []


def test_the_schema_rejects_what_compose_rejects(compose: dict[str, Any], validator: Validator) -> None:
    """The validation is no formality: a misspelt key or a bad dependency condition are errors."""
    misspelt = copy.deepcopy(compose)
    misspelt["services"]["intake"]["helthcheck"] = misspelt["services"]["intake"].pop("healthcheck")
    assert any("helthcheck" in error for error in schema_errors(validator, misspelt))

    bad_condition = copy.deepcopy(compose)
    bad_condition["services"]["intake"]["depends_on"]["redis"]["condition"] = "service_ready"
    assert schema_errors(validator, bad_condition)

    unknown_top_level = copy.deepcopy(compose)
    unknown_top_level["service"] = unknown_top_level.pop("services")
    assert schema_errors(validator, unknown_top_level)


def test_no_obsolete_version_key(raw: dict[str, Any]) -> None:
    assert "version" not in raw, "the Compose specification has no `version:`; remove it"


# --- Variables -------------------------------------------------------------------------------------


def test_every_variable_is_required_or_has_a_default(references: list[Reference]) -> None:
    bare = sorted({r.name for r in references if not r.required and not r.has_default})
    assert bare == [], f"use ${{VAR:?message}} or ${{VAR:-default}}, not a bare reference: {bare}"


def test_every_required_variable_is_in_env_example(references: list[Reference]) -> None:
    required = {r.name for r in references if r.required}
    assert required, "the compose file requires no secret at all?"
    assert required - env_example_names() == set()


def test_env_example_lists_only_variables_the_compose_file_uses(references: list[Reference]) -> None:
    assert env_example_names() - {r.name for r in references} == set()


def test_a_missing_secret_stops_compose(raw: dict[str, Any], references: list[Reference]) -> None:
    required = sorted({r.name for r in references if r.required})
    environment = {name: sample_value(name) for name in required}
    for name in required:
        without = {key: value for key, value in environment.items() if key != name}
        with pytest.raises(MissingVariable, match=name):
            interpolate(raw, without)
        with pytest.raises(MissingVariable, match=name):
            interpolate(raw, {**without, name: ""})


# --- Our services ------------------------------------------------------------------------------------


def test_every_expected_service_is_there(compose: dict[str, Any]) -> None:
    services = set(compose["services"])
    assert set(INFRASTRUCTURE) <= services
    assert set(CORE_SERVICES) | set(AGENCY_INSTANCES) <= set(ours(compose))


def test_our_services_share_one_image_and_build(compose: dict[str, Any]) -> None:
    for name, service in ours(compose).items():
        assert service.get("image") == IMAGE, name
        assert service.get("build") == ".", name


def test_our_services_run_their_module(compose: dict[str, Any]) -> None:
    for name, service in ours(compose).items():
        expected = name if name in CORE_SERVICES else name.split("-", 1)[0]
        assert service.get("command") == ["python", "-m", f"services.{expected}"], name


def test_our_services_wait_for_healthy_infrastructure(compose: dict[str, Any]) -> None:
    for name, service in ours(compose).items():
        depends_on = service.get("depends_on")
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        for dependency in INFRASTRUCTURE:
            assert depends_on.get(dependency, {}).get("condition") == "service_healthy", (name, dependency)
        assert depends_on.get("provision", {}).get("condition") == "service_completed_successfully", name
        assert service.get("restart") == "unless-stopped", name


def test_our_services_check_their_own_health_endpoint(compose: dict[str, Any]) -> None:
    for name, service in ours(compose).items():
        port = int(environment_of(service)["SERVICE_PORT"])
        if name in CORE_SERVICES:
            assert port == CORE_SERVICES[name], name
        healthcheck = service.get("healthcheck") or {}
        assert not healthcheck.get("disable"), name
        test = healthcheck.get("test")
        assert isinstance(test, list) and test[0] == "CMD" and test[1] == "python", name
        assert f"http://127.0.0.1:{port}/health" in test[-1], name
        assert (port, port) in published_ports(service), f"{name}: publish {port}:{port}"


def test_host_ports_are_distinct(compose: dict[str, Any]) -> None:
    host_ports = [host for s in compose["services"].values() for host, _ in published_ports(s)]
    assert len(host_ports) == len(set(host_ports)), sorted(host_ports)


def test_our_services_run_in_production_on_real_servers(compose: dict[str, Any]) -> None:
    for name, service in ours(compose).items():
        environment = environment_of(service)
        assert environment.get("APP_ENV") == "production", name
        assert environment.get("SERVICE_HOST") == "0.0.0.0", f"{name}: listen beyond the container"
        assert environment.get("TOKEN_JWKS"), f"{name}: tokens are checked against the issuer's keys"
        assert "TOKEN_SECRET" not in environment, name
        for variable, schemes in ADAPTER_SCHEMES.items():
            assert urlsplit(environment.get(variable, "")).scheme in schemes, (name, variable)
        assert environment.get("BUS_TOPOLOGY") == "provisioned", f"{name}: finds what the definitions hold"


def test_only_the_issuer_holds_the_token_signing_key(compose: dict[str, Any]) -> None:
    holders = {n for n, s in ours(compose).items() if "TOKEN_SIGNING_KEY_FILE" in environment_of(s)}
    assert holders == {"views"}
    token_secrets = {name for name in compose["secrets"] if name.startswith("token_")}
    assert token_secrets == {"token_signing_key", "token_jwks"}
    assert compose["services"]["views"]["secrets"] == ["token_signing_key", "token_jwks"]


def test_each_instance_logs_in_as_its_own_broker_user_to_the_jurisdictions_vhost(
    raw: dict[str, Any], compose: dict[str, Any]
) -> None:
    for name, service in ours(compose).items():
        bus = urlsplit(environment_of(service)["BUS_URL"])
        assert bus.username == store_of(name), f"{name}: broker user {bus.username!r}"
        assert bus.path == f"/{sample_value('JURISDICTION')}", name
        raw_url = raw["services"][name]["environment"]["BUS_URL"]
        variable = broker.password_variable(store_of(name))
        assert f"${{{variable}:?" in raw_url, f"{name}: password from required {variable}"
        assert raw_url.endswith("/${JURISDICTION:?set JURISDICTION}"), name


def test_agency_instances_act_for_their_unit(compose: dict[str, Any]) -> None:
    for name, unit in AGENCY_INSTANCES.items():
        assert environment_of(compose["services"][name]).get("UNIT_ID") == unit, name
    for name in CORE_SERVICES:
        assert "UNIT_ID" not in environment_of(compose["services"][name]), name


def test_each_instance_that_publishes_signs_with_its_own_key_and_each_consumer_reads_the_trust_file(
    compose: dict[str, Any],
) -> None:
    keys = {name: secret["file"] for name, secret in compose["secrets"].items() if "event" in name}
    for name, service in ours(compose).items():
        module = service["command"][-1].rsplit(".", 1)[-1]
        environment = environment_of(service)
        secrets = {s["target"]: s["source"] for s in service.get("secrets", []) if isinstance(s, dict)}
        configs = {c["target"]: c["source"] for c in service.get("configs", [])}
        if module in PUBLISHERS:
            assert environment["EVENT_SIGNING_KEY"] == "/run/secrets/event_signing_key", name
            assert keys[secrets["event_signing_key"]] == f"./secrets/events/{store_of(name)}.pem", name
        else:
            assert "EVENT_SIGNING_KEY" not in environment and not secrets, f"{name} publishes no event"
        if module in CONSUMERS:
            assert configs[environment["EVENT_TRUST"]] == "event_trust", name
        else:
            assert "EVENT_TRUST" not in environment and not configs, f"{name} consumes nothing"
    assert len(set(keys.values())) == len(keys), "two instances share a signing key"
    assert compose["configs"]["event_trust"]["file"] == "./secrets/events/trust.toml"


# --- Infrastructure ----------------------------------------------------------------------------------


def test_infrastructure_has_healthchecks_and_named_volumes(compose: dict[str, Any]) -> None:
    named = set(compose.get("volumes") or {})
    for name in (*INFRASTRUCTURE, *PROFILED):
        service = compose["services"][name]
        assert (service.get("healthcheck") or {}).get("test"), f"{name} has no healthcheck"
        assert named & set(volume_sources(service)), f"{name} keeps its data in no named volume"


def mounts_of(service: dict[str, Any]) -> dict[str, str]:
    """Target → source of each volume (`source:target[:mode]`)."""
    return {str(v).split(":")[1]: str(v).split(":")[0] for v in service.get("volumes", [])}


def test_rabbitmq_loads_the_definitions_the_one_shot_writes(compose: dict[str, Any]) -> None:
    rabbitmq, writer = compose["services"]["rabbitmq"], compose["services"]["broker-definitions"]
    assert rabbitmq["depends_on"]["broker-definitions"]["condition"] == "service_completed_successfully"
    assert writer.get("restart") == "no" and writer.get("image") == IMAGE
    assert mounts_of(writer)["/app/var"] == "rabbitmq-definitions"
    assert writer["command"][writer["command"].index("--output") + 1] == "/app/var/definitions.json"
    assert mounts_of(rabbitmq)["/etc/rabbitmq/definitions"] == "rabbitmq-definitions"
    assert "./deploy/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/20-proposals.conf:ro" in rabbitmq["volumes"]
    config = (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8")
    assert "load_definitions = /etc/rabbitmq/definitions/definitions.json" in config.splitlines()
    holders = [name for name, s in compose["services"].items() if "rabbitmq-definitions" in volume_sources(s)]
    assert sorted(holders) == ["broker-definitions", "rabbitmq"], "the password hashes go nowhere else"


def test_the_definitions_let_each_instance_in_with_its_password_and_no_one_else(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    writer = compose["services"]["broker-definitions"]
    command: list[str] = list(writer["command"])
    assert command[:3] == ["python", "-m", "runtime.broker"]
    arguments = command[3:]
    options = {arguments[i]: arguments[i + 1] for i, a in enumerate(arguments) if a.startswith("--")}
    instances = [a for i, a in enumerate(arguments) if not a.startswith("--") and a not in options.values()]
    assert sorted(instances) == sorted(store_of(name) for name in ours(compose))
    environment = environment_of(writer)
    assert environment["APP_ENV"] == "production"  # an empty password is refused
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    output = tmp_path / "definitions.json"
    arguments[arguments.index("--output") + 1] = str(output)
    assert broker.main(arguments) == 0

    definitions = json.loads(output.read_text(encoding="utf-8"))
    assert [v["name"] for v in definitions["vhosts"]] == [options["--jurisdiction"]]
    users = {u["name"]: u["password_hash"] for u in definitions["users"]}
    permitted = {(p["user"], p["vhost"]) for p in definitions["permissions"]}
    assert "guest" not in users
    for name, service in ours(compose).items():
        bus = urlsplit(environment_of(service)["BUS_URL"])
        assert bus.username in users, name
        assert broker.password_matches(users[bus.username], bus.password or ""), f"{name}: its password"
        assert (bus.username, bus.path.lstrip("/")) in permitted, name
    assert len(users) == len(ours(compose))


# --- Own data: a store per service and agency instance -----------------------------------------------


def store_of(name: str) -> str:
    """The store of a compose service: `reply-shangwu` → `reply_shangwu`."""
    return name.replace("-", "_")


def settings_of(name: str, service: dict[str, Any]) -> ServiceSettings:
    """The settings the instance starts with: its module's name and its environment."""
    module = service["command"][-1].rsplit(".", 1)[-1]
    fields = {key.lower(): value for key, value in environment_of(service).items()}
    known = {key: value for key, value in fields.items() if key in ServiceSettings.model_fields}
    return ServiceSettings.model_validate({**known, "service_name": module})


def test_each_instance_logs_in_as_its_own_role_to_its_own_schema(
    raw: dict[str, Any], compose: dict[str, Any]
) -> None:
    for name, service in ours(compose).items():
        url = urlsplit(environment_of(service)["EVENTSTORE_URL"])
        store = store_of(name)
        assert (url.hostname, url.port, url.path) == ("postgres", 5432, "/proposals"), name
        assert url.username == store and url.query == f"schema={store}", (
            f"{name}: {url.username}, {url.query}"
        )
        assert settings_of(name, service).store_name == store, (
            f"{name}: SERVICE_NAME and UNIT_ID name {store}"
        )
        raw_url = raw["services"][name]["environment"]["EVENTSTORE_URL"]
        assert f"${{{password_variable(store)}:?" in raw_url, (
            f"{name}: password from {password_variable(store)}"
        )


def test_each_instance_keeps_its_own_keys(compose: dict[str, Any]) -> None:
    prefixes = {name: settings_of(name, service).readstore_prefix for name, service in ours(compose).items()}
    assert prefixes == {name: f"pp:{store_of(name)}" for name in prefixes}


def test_the_provisioning_makes_every_instances_store_with_its_password(
    raw: dict[str, Any], compose: dict[str, Any]
) -> None:
    provision = compose["services"]["provision"]
    command = provision["command"]
    assert command[:3] == ["python", "-m", "runtime.provision"]
    assert sorted(command[3:]) == sorted(store_of(name) for name in ours(compose))
    assert provision["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert provision.get("restart") == "no" and provision.get("image") == IMAGE
    environment = environment_of(provision)
    assert environment["APP_ENV"] == "production"
    admin = urlsplit(environment["POSTGRES_URL"])
    assert (admin.username, admin.hostname, admin.path) == ("postgres", "postgres", "/proposals")
    stores = stores_from_environment(command[3:], environment)  # refuses an empty password
    raw_environment = raw["services"]["provision"]["environment"]
    for store in stores:
        variable = password_variable(store.schema)
        assert raw_environment[variable] == f"${{{variable}:?set {variable}}}", variable
        url = urlsplit(environment_of(compose["services"][store.schema.replace("_", "-")])["EVENTSTORE_URL"])
        assert url.password == store.password, f"{store.schema}: the same password as its service"


def test_each_instance_logs_in_to_redis_as_its_own_user(raw: dict[str, Any], compose: dict[str, Any]) -> None:
    for name, service in ours(compose).items():
        url = urlsplit(environment_of(service)["READSTORE_URL"])
        store = store_of(name)
        assert (url.hostname, url.port, url.path) == ("redis", 6379, "/0"), name
        assert url.username == store, f"{name}: Redis user {url.username!r}"
        variable = redis_acl.password_variable(store)
        raw_url = raw["services"][name]["environment"]["READSTORE_URL"]
        assert f"${{{variable}:?" in raw_url, f"{name}: password from required {variable}"


def test_redis_loads_the_acl_file_the_one_shot_writes(compose: dict[str, Any]) -> None:
    writer, redis = compose["services"]["redis-acl"], compose["services"]["redis"]
    command = writer["command"]
    assert command[:5] == ["python", "-m", "runtime.redis_acl", "--output", "/app/var/users.acl"]
    assert sorted(command[5:]) == sorted(store_of(name) for name in ours(compose))
    assert writer.get("restart") == "no" and writer.get("image") == IMAGE
    assert "redis-acl:/app/var" in writer["volumes"]
    assert "redis-acl:/etc/redis/acl:ro" in redis["volumes"]
    assert redis["command"][-2:] == ["--aclfile", "/etc/redis/acl/users.acl"]
    assert redis["depends_on"]["redis-acl"]["condition"] == "service_completed_successfully"


def test_the_acl_file_gives_each_user_its_own_keys_and_the_default_user_a_password(
    raw: dict[str, Any], compose: dict[str, Any]
) -> None:
    writer = compose["services"]["redis-acl"]
    environment = environment_of(writer)
    assert environment["APP_ENV"] == "production"
    raw_environment = raw["services"]["redis-acl"]["environment"]
    users = redis_acl.users_from_environment(writer["command"][5:], environment)  # no empty password
    admin = redis_acl.admin_password(environment)
    assert admin is not None
    lines = redis_acl.acl_file(users, admin).splitlines()

    assert lines[0] == f"user default reset on #{sha256(admin)} ~* &* +@all"
    assert environment_of(compose["services"]["redis"])["REDISCLI_AUTH"] == admin, "the healthcheck's login"
    for user, line in zip(users, lines[1:], strict=True):
        variable = redis_acl.password_variable(user.name)
        assert raw_environment[variable] == f"${{{variable}:?set {variable}}}", variable
        name = user.name.replace("_", "-")
        service = compose["services"][name]
        own = urlsplit(environment_of(service)["READSTORE_URL"])
        assert line.startswith(f"user {user.name} reset on #{sha256(own.password or '')} "), name
        assert f" ~{settings_of(name, service).readstore_prefix}:* " in line, f"{name}: its own prefix only"
        assert line.count("~") == 1 and "&" not in line and "+@" not in line, line


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_postgres_holds_one_database_in_a_named_volume(raw: dict[str, Any], compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    environment = environment_of(postgres)
    assert environment["POSTGRES_DB"] == "proposals"
    assert "${POSTGRES_PASSWORD:?" in raw["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert "postgres-data" in volume_sources(postgres)


def test_kurrentdb_starts_only_in_its_profile(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert service.get("profiles", []) == ([PROFILED[name]] if name in PROFILED else []), name
        assert not set(PROFILED) & set(service.get("depends_on") or {}), f"{name} needs a profiled service"


def merged(base: Any, override: Any) -> Any:
    """An override file over the base, as Compose merges mappings (keys of the override win)."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    result = dict(base)
    for key, value in override.items():
        result[key] = merged(base[key], value) if key in base else value
    return result


def test_the_kurrentdb_override_points_every_instance_at_kurrentdb(
    raw: dict[str, Any], references: list[Reference], validator: Validator
) -> None:
    override = yaml.safe_load(KURRENTDB_OVERRIDE.read_text(encoding="utf-8"))
    environment = {reference.name: sample_value(reference.name) for reference in references}
    document = interpolate(merged(raw, override), environment)

    assert schema_errors(validator, document) == []
    assert set(override["services"]) == set(ours(document))
    for name, service in ours(document).items():
        assert urlsplit(environment_of(service)["EVENTSTORE_URL"]).scheme == "esdb", name
        assert service["depends_on"]["kurrentdb"]["condition"] == "service_healthy", name
        assert settings_of(name, service).store_name == store_of(name), name
