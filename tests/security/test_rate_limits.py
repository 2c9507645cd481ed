"""Rate limits: per caller, per tenant and for AI commands, on both counter stores.

Windows are fixed and the clock is injected, so each test knows exactly which hit is the
first one over. The counter stores are the database (SQLite and PostgreSQL) and Redis at
127.0.0.1:6379; every test uses its own tenant and users so no two share a counter.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from core.bootstrap import App, bootstrap
from core.contracts import Caller, CallerType
from core.db.platform_tables import audit_log
from core.errors import RateLimited
from core.settings import Settings, SettingsError
from tests.cli.conftest import prepare, run_cli
from tests.support.engine_helpers import AppFactory, raises_code, rows, sealed

REDIS = "redis://127.0.0.1:6379/0"
START = dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=dt.UTC)


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest) -> str:
    """Counters in the database run on each database; Redis counters do not depend on it,
    so `tests/security/conftest.py` keeps them beside SQLite only (deselected, not skipped)."""
    if request.param == "redis" and not _redis_up():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is not running (CI must provide it)")
        pytest.skip("Redis at 127.0.0.1:6379 is not running")
    return str(request.param)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def _tenant() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


def _app(app_factory: AppFactory, store: str, clock: Clock, **limits: str) -> App:
    settings: dict[str, Any] = {
        "rate_limit_caller": "none",
        "rate_limit_tenant": "none",
        "rate_limit_ai": "none",
        **limits,
    }
    if store == "redis":
        settings["redis_url"] = REDIS
    return app_factory(clock=clock, **settings)


def _refusals(app: App, tenant: str) -> list[dict[str, Any]]:
    sealed(app)
    found = rows(app, audit_log, audit_log.c.tenant_id == tenant)
    return [r for r in found if r["error_code"] == "rate_limited"]


def _list(app: App, who: Caller) -> Any:
    return app.bus.dispatch("task.list", {"limit": 1}, who)


def test_a_caller_over_the_limit_is_refused_with_retry_after_and_audited_once(
    app_factory: AppFactory, store: str
) -> None:
    clock = Clock()
    app = _app(app_factory, store, clock, rate_limit_caller="3/minute")
    tenant = _tenant()
    alice, bob = (
        Caller("alice", tenant, frozenset({"admin"})),
        Caller("bob", tenant, frozenset({"admin"})),
    )
    for _ in range(3):
        _list(app, alice)
    for _ in range(2):  # every refusal answers; only the first of the window is audited
        with raises_code("rate_limited") as info:
            _list(app, alice)
    assert info.value.details["retry_after"] == 55  # the window began at 10:00:00
    with raises_code("rate_limited"):  # counted before validation: bad input is not looked at
        app.bus.dispatch("task.create", {"no_such_field": 1}, alice)
    assert info.value.details["scope"] == "caller"
    _list(app, bob)  # another caller has their own count
    [entry] = _refusals(app, tenant)
    assert (entry["actor_id"], entry["action_id"], entry["outcome"]) == (
        "alice",
        "task.list",
        "denied",
    )
    clock.advance(55)
    _list(app, alice)  # a new window


def test_the_tenant_limit_binds_every_caller_of_the_tenant(
    app_factory: AppFactory, store: str
) -> None:
    clock = Clock()
    app = _app(
        app_factory, store, clock, rate_limit_caller="10/minute", rate_limit_tenant="4/minute"
    )
    tenant, other = _tenant(), _tenant()
    for user in ("a", "b", "c", "d"):
        _list(app, Caller(user, tenant, frozenset({"viewer"})))
    with raises_code("rate_limited") as info:
        _list(app, Caller("e", tenant, frozenset({"viewer"})))
    assert info.value.details["scope"] == "tenant"
    _list(app, Caller("a", other, frozenset({"viewer"})))  # another tenant is not held back


def test_the_system_caller_and_batches_count_once(app_factory: AppFactory, store: str) -> None:
    clock = Clock()
    app = _app(app_factory, store, clock, rate_limit_caller="3/minute")
    tenant = _tenant()
    system = Caller("system", tenant, frozenset(), CallerType.SYSTEM)
    for _ in range(10):
        _list(app, system)
    alice = Caller("alice", tenant, frozenset({"admin"}))
    with app.bus.atomic(alice) as batch:  # one action, however many lines
        for n in range(10):
            batch.dispatch("project.create", {"name": f"P{n}"})
    with app.bus.counted_once(alice):  # rows in their own transactions, as import does
        for _ in range(10):
            _list(app, alice)
    _list(app, alice)
    with raises_code("rate_limited"):
        _list(app, alice)
    with raises_code("rate_limited"), app.bus.atomic(alice) as batch:  # refused before row 1
        batch.dispatch("project.create", {"name": "never"})
    assert app.bus.dispatch("project.count", {}, system)["count"] == 10


def test_ai_commands_have_their_own_limits_per_minute_and_per_day(
    app_factory: AppFactory, store: str
) -> None:
    clock = Clock()
    app = _app(app_factory, store, clock, rate_limit_ai="2/minute;3/day")
    tenant = _tenant()
    alice = Caller("alice", tenant, frozenset({"admin"}))
    app.limits.check_ai(alice)
    app.limits.check_ai(alice)
    with pytest.raises(RateLimited) as info:  # the third in a minute; it still counts
        app.limits.check_ai(alice)
    assert info.value.details["limit"] == "2 per 1 minute"
    clock.advance(60)  # a new minute, but the day has seen 3 attempts already
    with pytest.raises(RateLimited) as info:
        app.limits.check_ai(alice)
    assert info.value.details["limit"] == "3 per 1 day"
    assert info.value.details["retry_after"] == 86_400 - (10 * 3600 + 65)  # to midnight UTC
    app.limits.check_ai(Caller("bob", tenant, frozenset({"admin"})))
    assert [e["action_id"] for e in _refusals(app, tenant)] == ["ai.command", "ai.command"]


# --- 4 processes x 30 calls against a limit of 60 ---------------------------------------


def _fixed_clock() -> dt.datetime:
    return START


def _worker(args: tuple[str, str | None, str, Any]) -> int:
    url, redis_url, tenant, barrier = args
    settings = Settings(
        database_url=url,
        rate_limit_caller="60/hour",
        rate_limit_tenant="none",
        redis_url=redis_url,
    )
    app = bootstrap(settings, clock=_fixed_clock)
    who = Caller("racer", tenant, frozenset({"viewer"}))
    allowed = 0
    try:
        barrier.wait(timeout=60)
        for _ in range(30):
            try:
                _list(app, who)
                allowed += 1
            except RateLimited:
                pass
    finally:
        app.close()
    return allowed


def test_four_processes_share_the_counter_exactly(
    app_factory: AppFactory, store: str, db_url: str
) -> None:
    app_factory()  # migrates the database the workers use
    tenant = _tenant()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(4)
        redis_url = REDIS if store == "redis" else None
        with ctx.Pool(4) as pool:
            allowed = pool.map(_worker, [(db_url, redis_url, tenant, barrier)] * 4)
    assert sum(allowed) == 60, allowed


# --- settings and the CLI ----------------------------------------------------------------


def test_defaults_and_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for scope in ("CALLER", "TENANT", "AI"):  # the suite turns them off for other tests
        monkeypatch.delenv(f"METASAAS_RATE_LIMIT_{scope}", raising=False)
    signed_in = Settings(auth={"provider": "local"})
    assert signed_in.rates() == ("120/minute", "1200/minute", "10/minute;200/day")
    assert Settings(auth={"provider": "oidc"}).rates() == signed_in.rates()
    # Development authentication (one developer, their own file) leaves unset limits off...
    assert Settings(auth={"provider": "dev"}).rates() == ("none", "none", "none")
    # ...but a limit given explicitly holds there too.
    assert Settings(auth={"provider": "dev"}, rate_limit_ai="5/minute").rates()[2] == "5/minute"
    with pytest.raises((SettingsError, ValueError)):
        Settings(rate_limit_caller="lots")
    with pytest.raises((SettingsError, ValueError)):
        Settings(rate_limit_ai="0/minute")


def test_cli_calls_share_the_count_and_exit_8(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    prepare(url, seeded=False)
    env = {"METASAAS_RATE_LIMIT_CALLER": "2/day"}
    run: Callable[[], Any] = lambda: run_cli("--format", "json", "list", "task", db=url, env=env)  # noqa: E731
    assert run().code == 0
    assert run().code == 0
    refused = run()
    assert refused.code == 8, refused.stderr
    error = refused.error()
    assert error["code"] == "rate_limited" and error["details"]["retry_after"] >= 1
