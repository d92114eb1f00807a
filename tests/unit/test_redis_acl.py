"""The stores' Redis users, without a server: names, prefixes, passwords, rules and the ACL file."""

import hashlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from runtime.redis_acl import (
    COMMANDS,
    ACLRefused,
    RedisUser,
    acl_file,
    admin_password,
    main,
    password_variable,
    users_from_environment,
)
from services.reply.config import ReplySettings

SERVICES = ["intake", "allocation", "reply", "feedback", "views"]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_user_may_use_its_own_keys_with_the_read_stores_commands_only() -> None:
    rules = RedisUser("reply_shangwu", "pp:reply_shangwu", password="9f2c4e").rules()
    password = f"#{sha256('9f2c4e')}"
    assert rules[:6] == ["reset", "on", password, "~pp:reply_shangwu:*", "resetchannels", "-@all"]
    assert rules[6:] == [f"+{command}" for command in COMMANDS]
    assert {"multi", "exec", "hset", "scan", "unlink", "exists", "ping"} <= set(COMMANDS)
    for refused in ("flushall", "flushdb", "config", "keys", "acl", "eval", "subscribe", "publish", "debug"):
        assert refused not in COMMANDS
    assert not any(rule.startswith(("+@", "&", "allkeys", "allchannels", "allcommands")) for rule in rules)


def test_a_password_is_kept_as_its_hash_and_never_shown() -> None:
    user = RedisUser("intake", "pp:intake", password="9f2c4e-very-secret")
    assert "very-secret" not in repr(user)
    assert not any("very-secret" in rule for rule in user.rules())
    assert "very-secret" not in acl_file([user], "x")
    assert "admin-secret" not in acl_file([user], "admin-secret")


def test_the_file_puts_the_administrator_behind_a_password_and_a_line_per_store() -> None:
    users = [RedisUser("intake", "pp:intake", "a1"), RedisUser("reply_shangwu", "pp:reply_shangwu", "b2")]
    lines = acl_file(users, "adm1n").splitlines()
    assert lines[0] == f"user default reset on #{sha256('adm1n')} ~* &* +@all"
    assert lines[1].startswith(f"user intake reset on #{sha256('a1')} ~pp:intake:* resetchannels -@all +")
    assert lines[2].startswith("user reply_shangwu reset on ")
    assert len(lines) == 3


def test_the_key_prefix_is_the_one_the_service_computes() -> None:
    environment = {"APP_ENV": "development"}
    (shangwu,) = users_from_environment(["reply_shangwu"], environment, SERVICES)
    assert shangwu.prefix == ReplySettings(unit_id="shangwu").readstore_prefix == "pp:reply_shangwu"
    templated = {"APP_ENV": "development", "READSTORE_PREFIX": "pp:{service}:{store}"}
    (weijian,) = users_from_environment(["reply_weijian"], templated, SERVICES)
    assert weijian.prefix == "pp:reply:reply_weijian"
    with pytest.raises(ACLRefused, match="no instance of"):
        users_from_environment(["reply_weijian"], templated)


def test_stores_whose_keys_would_overlap_are_refused() -> None:
    with pytest.raises(ACLRefused, match="prefix of its own"):
        users_from_environment(["reply", "reply_shangwu"], {"READSTORE_PREFIX": "pp:{service}"}, SERVICES)
    with pytest.raises(ACLRefused, match="would include"):
        acl_file([RedisUser("intake", "pp"), RedisUser("views", "pp:views")], None)
    distinct = [RedisUser("reply", "pp:reply"), RedisUser("reply_shangwu", "pp:reply_shangwu")]
    assert len(acl_file(distinct, None).splitlines()) == 3


def test_a_name_or_prefix_that_could_widen_the_rule_is_refused() -> None:
    for bad in ("default", "Intake", "in take", "intake ~*", "", "a" * 64):
        with pytest.raises(ACLRefused):
            RedisUser(bad, "pp:intake")
    for bad in ("", "pp:*", "pp:in?ake", "pp:[a-z]", "pp:intake +@all", "pp\\"):
        with pytest.raises(ACLRefused):
            RedisUser("intake", bad)


def test_passwords_come_from_the_environment_and_none_is_empty_outside_development() -> None:
    assert password_variable("reply_shangwu") == "REPLY_SHANGWU_REDIS_PASSWORD"
    production = {"APP_ENV": "production", "INTAKE_REDIS_PASSWORD": "9f2c4e", "VIEWS_REDIS_PASSWORD": ""}
    (intake,) = users_from_environment(["intake"], production)
    assert (intake.name, intake.prefix, intake.password) == ("intake", "pp:intake", "9f2c4e")
    with pytest.raises(ACLRefused, match="VIEWS_REDIS_PASSWORD"):
        users_from_environment(["intake", "views"], production)
    with pytest.raises(ACLRefused, match="REDIS_ADMIN_PASSWORD"):
        admin_password({"APP_ENV": "test"})
    (views,) = users_from_environment(["views"], {"APP_ENV": "development"})
    assert views.password is None and views.rules()[2] == "nopass"
    assert admin_password({}) is None
    assert acl_file([], None) == "user default reset on nopass ~* &* +@all\n"


def test_the_store_url_logs_in_as_its_user() -> None:
    user = RedisUser("reply_shangwu", "pp:reply_shangwu", password="a/b:c@d")
    assert user.url("redis://default:admin@redis.internal:6379/0") == (
        "redis://reply_shangwu:a%2Fb%3Ac%40d@redis.internal:6379/0"
    )
    assert RedisUser("views", "pp:views").url("redis://127.0.0.1:6379/0") == "redis://views@127.0.0.1:6379/0"


def test_the_command_writes_the_file_for_every_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("REDIS_ADMIN_PASSWORD", "adm1n")
    monkeypatch.delenv("READSTORE_PREFIX", raising=False)
    for service in SERVICES:
        monkeypatch.setenv(password_variable(service), f"{service}-9f2c4e")
    target = tmp_path / "acl" / "users.acl"
    assert main(["--output", str(target)]) == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [line.split()[1] for line in lines] == ["default", *SERVICES]
    assert f"#{sha256('views-9f2c4e')} ~pp:views:* " in lines[-1]
    assert target.stat().st_mode & 0o777 == 0o644
    assert "wrote 5 Redis user(s)" in capsys.readouterr().out


def test_the_command_refuses_an_empty_password_or_a_guessed_server_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("REDIS_ADMIN_PASSWORD", "adm1n")
    monkeypatch.delenv("INTAKE_REDIS_PASSWORD", raising=False)
    assert main(["intake"]) == 2
    assert "INTAKE_REDIS_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("INTAKE_REDIS_PASSWORD", "9f2c4e")
    monkeypatch.delenv("REDIS_ADMIN_PASSWORD")
    assert main(["intake"]) == 2
    assert "REDIS_ADMIN_PASSWORD" in capsys.readouterr().err
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["--apply", "intake"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err


def in_production(readstore_url: str) -> ReplySettings:
    return ReplySettings.model_validate(
        {
            "app_env": "production",
            "unit_id": "shangwu",
            "token_jwks": "http://views:8005/.well-known/jwks.json",
            "eventstore_url": "postgresql://reply_shangwu:9f2c4e@postgres/proposals?schema=reply_shangwu",
            "bus_url": "amqp://reply-shangwu:9f2c4e@rabbitmq:5672/proposals",
            "readstore_url": readstore_url,
        }
    )


def test_a_service_in_production_logs_in_to_redis_as_its_own_user() -> None:
    in_production("redis://reply_shangwu:9f2c4e@redis:6379/0")
    for anonymous in (
        "redis://redis:6379/0",
        "redis://:9f2c4e@redis:6379/0",
        "redis://default:9f2c4e@redis:6379/0",
        "redis://reply_shangwu@redis:6379/0",
    ):
        with pytest.raises(ValidationError, match="own Redis user"):
            in_production(anonymous)
