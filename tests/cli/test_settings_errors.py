"""A setting that cannot be used is a usage error (exit 2) that names where it came from
(the option, the variable, the file) and what it accepts; an empty option or variable is
never taken as "use the default" (a script whose variable is empty would act elsewhere)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import dispatch, run_cli


@pytest.mark.parametrize("option", ["--tenant", "--db"])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_global_option_is_a_usage_error(sqlite_db: str, option: str, value: str) -> None:
    args = ["list", "task", "--format", "json", option, value]
    result = run_cli(*args) if option == "--db" else run_cli(*args, db=sqlite_db)
    assert result.code == 2
    assert option in result.error()["message"]


def test_delete_with_an_empty_tenant_deletes_nothing(seeded_db: str) -> None:
    task = dispatch(seeded_db, "task.create", {"title": "keep me"})
    result = run_cli("delete", "task", str(task["id"]), "--yes", "--tenant", "", db=seeded_db)
    assert result.code == 2
    assert dispatch(seeded_db, "task.get", {"id": str(task["id"])})["title"] == "keep me"


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("METASAAS_TENANT", "", "empty"),
        ("METASAAS_DATABASE_URL", " ", "empty"),
        ("METASAAS_SQLITE__SYNCHRONOUS", "OFF", "FULL, NORMAL"),
        ("METASAAS_ROLES", "x", '["admin"]'),
        ("METASAAS_LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("METASAAS_DOMAIN", "no_such_domain", "DOMAIN = Domain"),
        ("METASAAS_TENANT", "Bad Tenant", "[a-z0-9]"),
    ],
)
def test_a_bad_variable_is_named_with_what_it_accepts(
    sqlite_db: str, variable: str, value: str, accepted: str
) -> None:
    result = run_cli("list", "task", "--format", "json", db=sqlite_db, env={variable: value})
    assert result.code == 2, result.stderr
    message = result.error()["message"]
    assert variable in message
    assert accepted in message


def test_a_lower_case_synchronous_is_understood(sqlite_db: str) -> None:
    env = {"METASAAS_SQLITE__SYNCHRONOUS": "normal"}
    assert run_cli("list", "task", "--format", "json", db=sqlite_db, env=env).code == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'tenant = "unterminated\n', "not valid TOML"),
        (b'tenant = "caf\xe9"\n', "not UTF-8"),
        (b'[sqlite]\nsynchronous = "OFF"\n', "FULL, NORMAL"),
        (b'log_level = "chatty"\n', "WARNING"),
    ],
)
def test_a_bad_config_file_is_named(
    sqlite_db: str, tmp_path: Path, content: bytes, reason: str
) -> None:
    config = tmp_path / "metasaas" / "config.toml"
    config.parent.mkdir()
    config.write_bytes(content)
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    result = run_cli("list", "task", "--format", "json", db=sqlite_db, env=env)
    assert result.code == 2, result.stderr
    message = result.error()["message"]
    assert str(config) in message
    assert reason in message
    shown = run_cli("config", "show", "--format", "json", env=env)
    assert shown.code == 2 and str(config) in shown.error()["message"]
