"""Signing in with a local account: one error for every wrong answer, audited, slowed after
five failures, and nothing secret in the trail."""

from __future__ import annotations

import statistics
import time

import pytest

from core.errors import Unauthenticated
from tests.security.auth_support import PASSWORD, Clock, add_user, audit_actions, local_app

TRIES = 20


def test_success_opens_a_session_the_token_resolves(db_url: str) -> None:
    with local_app(db_url) as app:
        add_user(app, "Alice@Example.com", ("admin",))
        signed = app.auth.sign_in("alice@EXAMPLE.com", PASSWORD, "acme")
        who = app.auth.identify(signed.token, None)
        assert (who.caller.user_id, who.caller.tenant_id) == ("alice@example.com", "acme")
        assert who.caller.roles == {"admin"}
        assert app.auth.identify(signed.token, "acme").caller.user_id == "alice@example.com"


def test_unknown_user_and_wrong_password_give_the_same_error(db_url: str) -> None:
    with local_app(db_url) as app:
        add_user(app, "bob@example.com")
        answers = []
        for email, password in (
            ("nobody@example.com", PASSWORD),
            ("bob@example.com", "wrong pass 1"),
        ):
            with pytest.raises(Unauthenticated) as caught:
                app.auth.sign_in(email, password, "acme")
            answers.append((caught.value.code, str(caught.value), caught.value.details))
        assert answers[0] == answers[1]


def test_a_disabled_account_gets_the_same_error(db_url: str) -> None:
    with local_app(db_url) as app:
        add_user(app, "carol@example.com")
        from tests.security.auth_support import SYSTEM

        app.bus.dispatch("users.disable", {"email": "carol@example.com"}, SYSTEM)
        with pytest.raises(Unauthenticated) as caught:
            app.auth.sign_in("carol@example.com", PASSWORD, "acme")
        assert str(caught.value).startswith("the email or the password is wrong")


def _timed(call: object) -> float:
    started = time.perf_counter()
    try:
        call()  # type: ignore[operator]
    except Unauthenticated:
        pass
    return time.perf_counter() - started


def test_unknown_user_and_wrong_password_take_the_same_time(tmp_path: object) -> None:
    """20 tries each, interleaved so load on the machine hits both alike, lower quartiles
    within 20% (the password hash dominates; an unknown email is checked against a dummy
    hash). The lower quartile, not the median: load from other tests only ever adds time,
    while a real difference (skipping the hash) shifts every try."""
    url = f"sqlite:///{tmp_path}/timing.db"
    times: dict[str, list[float]] = {"unknown": [], "wrong": [], "right": []}
    with local_app(url) as app:
        add_user(app, "dave@example.com")
        app.auth.sign_in("dave@example.com", PASSWORD, "acme")  # warm up
        for i in range(TRIES):
            times["unknown"].append(
                _timed(lambda i=i: app.auth.sign_in(f"u{i}@x.com", PASSWORD, "acme"))
            )
            times["wrong"].append(
                _timed(lambda: app.auth.sign_in("dave@example.com", "wrong!!!", "acme"))
            )
            times["right"].append(
                _timed(lambda: app.auth.sign_in("dave@example.com", PASSWORD, "acme"))
            )
    low = {k: statistics.quantiles(v, n=4)[0] for k, v in times.items()}
    for a, b in (("unknown", "wrong"), ("right", "wrong")):
        assert max(low[a], low[b]) / min(low[a], low[b]) < 1.2, low


def test_backoff_after_five_failures_in_fifteen_minutes(db_url: str) -> None:
    clock = Clock()
    with local_app(db_url, clock) as app:
        add_user(app, "erin@example.com")
        for _ in range(5):
            with pytest.raises(Unauthenticated):
                app.auth.sign_in("erin@example.com", "not the one", "acme")
        assert app.sleep == []
        for _ in range(2):
            with pytest.raises(Unauthenticated):
                app.auth.sign_in("erin@example.com", "not the one", "acme")
        assert app.sleep == [1.0, 2.0]
        # slowed, never locked: the right password still works, after the wait
        app.auth.sign_in("erin@example.com", PASSWORD, "acme")
        assert app.sleep == [1.0, 2.0, 4.0]
        clock.advance(minutes=16)
        app.auth.sign_in("erin@example.com", PASSWORD, "acme")
        assert len(app.sleep) == 3


def test_each_failure_is_audited_without_the_password(db_url: str) -> None:
    with local_app(db_url) as app:
        add_user(app, "fay@example.com")
        for password in ("guess number 1", "guess number 2"):
            with pytest.raises(Unauthenticated):
                app.auth.sign_in("fay@example.com", password, "acme")
        signed = app.auth.sign_in("fay@example.com", PASSWORD, "acme")
        entries = [e for e in audit_actions(app) if e["action_id"] == "auth.sign_in"]
        # (PostgreSQL seals entries of one instant in any order)
        assert sorted(e["outcome"] for e in entries) == ["failed", "failed", "success"]
        assert {e["actor_id"] for e in entries} == {"fay@example.com"}
        text = repr(audit_actions(app))
        for secret in ("guess number", PASSWORD, signed.token, "argon2"):
            assert secret not in text
