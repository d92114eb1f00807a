"""The provisioning of the stores' roles and schemas, without a server: names, passwords, statements."""

import pytest

from runtime.provision import (
    ProvisioningRefused,
    Store,
    database_statements,
    main,
    password_variable,
    store_statements,
    stores_from_environment,
)


def test_each_store_has_a_role_of_its_name_that_owns_its_schema() -> None:
    statements = store_statements(Store("reply_shangwu"))
    assert 'CREATE SCHEMA IF NOT EXISTS "reply_shangwu" AUTHORIZATION "reply_shangwu"' in statements
    role = next(s for s in statements if s.startswith('ALTER ROLE "reply_shangwu" WITH'))
    for attribute in ("LOGIN", "NOSUPERUSER", "NOCREATEDB", "NOCREATEROLE", "NOBYPASSRLS"):
        assert attribute in role.split()
    assert not any("GRANT" in s for s in statements)


def test_the_database_gives_everyone_nothing_and_each_store_only_connect() -> None:
    assert database_statements("proposals", [Store("intake"), Store("reply_shangwu")]) == [
        'REVOKE ALL ON DATABASE "proposals" FROM PUBLIC',
        "REVOKE ALL ON SCHEMA public FROM PUBLIC",
        'GRANT CONNECT ON DATABASE "proposals" TO "intake"',
        'GRANT CONNECT ON DATABASE "proposals" TO "reply_shangwu"',
    ]


def test_a_name_that_could_escape_its_quotes_is_refused() -> None:
    for bad in ('intake"; DROP ROLE postgres; --', "Intake", "pg_intake", "", "a" * 64):
        with pytest.raises(ProvisioningRefused):
            Store(bad)
    with pytest.raises(ProvisioningRefused):
        Store("intake", role="in take")


def test_passwords_come_from_the_environment_and_none_is_empty_outside_development() -> None:
    assert password_variable("reply_shangwu") == "REPLY_SHANGWU_DB_PASSWORD"
    production = {"APP_ENV": "production", "INTAKE_DB_PASSWORD": "9f2c4e", "VIEWS_DB_PASSWORD": ""}
    (intake,) = stores_from_environment(["intake"], production)
    assert (intake.role, intake.schema, intake.password) == ("intake", "intake", "9f2c4e")
    with pytest.raises(ProvisioningRefused, match="VIEWS_DB_PASSWORD"):
        stores_from_environment(["intake", "views"], production)
    with pytest.raises(ProvisioningRefused, match="FEEDBACK_DB_PASSWORD"):
        stores_from_environment(["feedback"], {"APP_ENV": "test"})
    (views,) = stores_from_environment(["views"], {"APP_ENV": "development"})
    assert views.password is None


def test_a_password_is_never_shown() -> None:
    store = Store("intake", password="9f2c4e-very-secret")
    assert "very-secret" not in repr(store)
    assert not any("very-secret" in s for s in store_statements(store))


def test_the_store_url_logs_in_as_its_role_in_its_schema() -> None:
    store = Store("reply_shangwu", password="a/b:c@d")
    url = store.url("postgresql://postgres:admin@db.internal:5432/proposals?sslmode=require")
    assert url == (
        "postgresql://reply_shangwu:a%2Fb%3Ac%40d@db.internal:5432/proposals"
        "?sslmode=require&schema=reply_shangwu"
    )
    assert (
        Store("views").url("postgresql://127.0.0.1/test") == "postgresql://views@127.0.0.1/test?schema=views"
    )


def test_the_command_refuses_an_empty_password_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("INTAKE_DB_PASSWORD", raising=False)
    assert main(["intake"]) == 2
    assert "INTAKE_DB_PASSWORD" in capsys.readouterr().err


def test_a_dry_run_prints_every_services_statements(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "development")
    assert main(["--dry-run"]) == 0
    printed = capsys.readouterr().out
    for service in ("intake", "allocation", "reply", "feedback", "views"):
        assert f'CREATE SCHEMA IF NOT EXISTS "{service}" AUTHORIZATION "{service}"' in printed


def test_the_command_refuses_to_guess_the_database_outside_development(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("INTAKE_DB_PASSWORD", "9f2c4e")
    monkeypatch.delenv("POSTGRES_URL", raising=False)
    assert main(["intake"]) == 2
    assert "POSTGRES_URL" in capsys.readouterr().err
