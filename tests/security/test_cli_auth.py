"""Under `local` authentication the CLI acts only for a signed-in user, in their tenant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.bootstrap import bootstrap
from core.contracts import Caller, CallerType
from core.seeding import ensure_tenant
from core.settings import Settings
from tests.cli.conftest import prepare, run_cli
from tests.support.databases import database

PASSWORD = "a long enough passphrase"
LOCAL = {"METASAAS_AUTH": "local", "METASAAS_ALLOW_DEV_AUTH": "0"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def local_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with database(str(request.param), tmp_path_factory.mktemp("auth")) as url:
        prepare(url)
        app = bootstrap(Settings(database_url=url))  # type: ignore[arg-type]
        try:
            ensure_tenant(app.engine, "other")
            system = Caller("system", "default", frozenset(), CallerType.SYSTEM)
            payload = {"email": "ann@example.com", "roles": ["admin"], "password": PASSWORD}
            app.bus.dispatch("users.add", payload, system)
        finally:
            app.close()
        yield url


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A keyring of its own per test (a file, so the subprocess sees it)."""
    return {
        **LOCAL,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "PYTHON_KEYRING_BACKEND": "tests.ai.memory_keyring.FileKeyring",
        "METASAAS_TEST_KEYRING_FILE": str(tmp_path / "ring.json"),
    }


def _login(url: str, env: dict[str, str], *extra: str) -> str:
    done = run_cli(
        "login",
        "ann@example.com",
        "--tenant",
        "default",
        "--password-stdin",
        *extra,
        db=url,
        stdin=PASSWORD + "\n",
        env=env,
    )
    assert done.code == 0, done.stderr
    return done.stdout.strip()


def test_record_commands_without_a_session_exit_4(local_db: str, env: dict[str, str]) -> None:
    for args in (
        ("list", "task"),
        ("get", "task", "00000000-0000-0000-0000-000000000000"),
        ("whoami",),
    ):
        done = run_cli(*args, db=local_db, env=env)
        assert done.code == 4, (args, done.stderr)
        assert done.error()["code"] == "unauthenticated"
        assert "metasaas login" in done.error()["message"]


def test_login_keeps_the_token_and_logout_ends_it(local_db: str, env: dict[str, str]) -> None:
    _login(local_db, env)
    who = run_cli("whoami", db=local_db, env=env)
    assert who.code == 0 and who.json()["user"] == "ann@example.com"
    assert run_cli("list", "task", "--limit", "1", db=local_db, env=env).code == 0
    assert run_cli("logout", db=local_db, env=env).code == 0
    assert run_cli("list", "task", db=local_db, env=env).code == 4


def test_a_printed_token_works_as_metasaas_token(local_db: str, env: dict[str, str]) -> None:
    token = _login(local_db, env, "--print-token")
    assert len(token) >= 43
    done = run_cli("whoami", db=local_db, env={**env, "METASAAS_TOKEN": token})
    assert done.json()["tenant"] == "default"


def test_wrong_password_exits_4_without_echoing_it(local_db: str, env: dict[str, str]) -> None:
    done = run_cli(
        "login",
        "ann@example.com",
        "--tenant",
        "default",
        "--password-stdin",
        db=local_db,
        stdin="not-the-password-123\n",
        env=env,
    )
    assert done.code == 4
    assert "not-the-password-123" not in done.stdout + done.stderr


def test_foreign_tenant_is_refused_revealing_nothing(local_db: str, env: dict[str, str]) -> None:
    token = _login(local_db, env, "--print-token")
    with_token = {**env, "METASAAS_TOKEN": token}
    answers = []
    for tenant in ("other", "no-such-tenant"):
        done = run_cli("list", "task", "--tenant", tenant, db=local_db, env=with_token)
        assert done.code == 4
        answers.append(done.error())
    assert answers[0] == answers[1]
    assert "other" not in answers[0]["message"]


def test_admin_commands_need_admin(local_db: str, env: dict[str, str]) -> None:
    token = _login(local_db, env, "--print-token")
    admin = {**env, "METASAAS_TOKEN": token}
    done = run_cli(
        "users",
        "add",
        "vic@example.com",
        "--role",
        "viewer",
        "--password-stdin",
        db=local_db,
        stdin=PASSWORD + "\n",
        env=admin,
    )
    assert done.code == 0, done.stderr
    viewer_token = run_cli(
        "login",
        "vic@example.com",
        "--tenant",
        "default",
        "--password-stdin",
        "--print-token",
        db=local_db,
        stdin=PASSWORD + "\n",
        env=env,
    ).stdout.strip()
    viewer = {**env, "METASAAS_TOKEN": viewer_token}
    for args in (
        ("users", "list"),
        ("users", "disable", "ann@example.com"),
        ("users", "reset", "ann@example.com"),
    ):
        assert run_cli(*args, db=local_db, env=viewer).code == 5, args
    listed = run_cli("users", "list", db=local_db, env=admin).json()["items"]
    assert "password_hash" not in listed[0] and {u["email"] for u in listed} >= {"vic@example.com"}


def test_one_session_in_parallel_processes(local_db: str, env: dict[str, str]) -> None:
    """Scripts run several commands at once with one token: each is served, none deadlocks."""
    from concurrent.futures import ThreadPoolExecutor

    token = _login(local_db, env, "--print-token")
    with_token = {**env, "METASAAS_TOKEN": token}
    with ThreadPoolExecutor(4) as pool:
        codes = list(
            pool.map(lambda _: run_cli("whoami", db=local_db, env=with_token).code, range(4))
        )
    assert codes == [0, 0, 0, 0]


def test_demo_users_get_generated_passwords_printed_once(
    local_db: str, env: dict[str, str]
) -> None:
    first = run_cli("seed", "--demo-users", db=local_db, env=env)
    assert first.code == 0, first.stderr
    users = {u["role"]: u for u in first.json()["demo_users"]}
    assert set(users) == {"admin", "operator", "viewer", "support"}
    passwords = {u["password"] for u in users.values()}
    assert len(passwords) == 4 and all(len(p) >= 16 for p in passwords)
    again = run_cli("seed", "--demo-users", db=local_db, env=env)
    assert again.json()["demo_users"] == []  # shown once: existing users are left alone
    viewer = users["viewer"]
    done = run_cli(
        "login",
        viewer["email"],
        "--tenant",
        "default",
        "--password-stdin",
        "--print-token",
        db=local_db,
        stdin=viewer["password"] + "\n",
        env=env,
    )
    assert done.code == 0, done.stderr


def test_password_reset_through_the_cli(local_db: str, env: dict[str, str]) -> None:
    admin = {**env, "METASAAS_TOKEN": _login(local_db, env, "--print-token")}
    added = run_cli(
        "users",
        "add",
        "rita@example.com",
        "--role",
        "viewer",
        "--no-password",
        db=local_db,
        env=admin,
    )
    assert added.code == 0, added.stderr
    token = run_cli("users", "reset", "rita@example.com", db=local_db, env=admin).json()["token"]
    new = "rita's own new passphrase"
    lines = f"{token}\n{new}\n"
    assert (
        run_cli("password", "reset", "--token-stdin", db=local_db, stdin=lines, env=env).code == 0
    )
    reused = run_cli("password", "reset", "--token-stdin", db=local_db, stdin=lines, env=env)
    assert reused.code == 3 and token not in reused.stderr
    signed = run_cli(
        "login",
        "rita@example.com",
        "--tenant",
        "default",
        "--password-stdin",
        db=local_db,
        stdin=new + "\n",
        env=env,
    )
    assert signed.code == 0, signed.stderr
