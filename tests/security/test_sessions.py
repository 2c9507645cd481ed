"""Sessions: only the token's SHA-256 is stored; they end when idle, at their absolute limit,
and for good on sign-out, disabling, a role change and a password change."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from core.bootstrap import App
from core.db.auth_tables import auth_sessions
from core.errors import InvalidInput, Unauthenticated
from tests.security.auth_support import PASSWORD, SYSTEM, Clock, add_user, audit_actions, local_app

EMAIL = "gus@example.com"


def _signed_in(app: App) -> str:
    add_user(app, EMAIL)
    return app.auth.sign_in(EMAIL, PASSWORD, "acme").token


def _refused(app: App, token: str) -> None:
    with pytest.raises(Unauthenticated) as caught:
        app.auth.identify(token, None)
    assert "metasaas login" in str(caught.value)


def test_only_the_token_digest_is_stored(db_url: str) -> None:
    with local_app(db_url) as app:
        token = _signed_in(app)
        with app.engine.connect() as conn:
            stored = conn.execute(sa.select(auth_sessions.c.token_sha256)).scalars().all()
        assert stored == [hashlib.sha256(token.encode()).hexdigest()]
        assert len(token) >= 43


def test_idle_expiry(db_url: str) -> None:
    clock = Clock()
    with local_app(db_url, clock) as app:
        token = _signed_in(app)
        clock.advance(minutes=29)
        app.auth.identify(token, None)  # use keeps it alive
        clock.advance(minutes=29)
        app.auth.identify(token, None)
        clock.advance(minutes=30)
        _refused(app, token)
        clock.advance(seconds=-60)  # ended for good, even if the clock were to go back
        _refused(app, token)


def test_absolute_expiry(db_url: str) -> None:
    clock = Clock()
    with local_app(db_url, clock) as app:
        token = _signed_in(app)
        for _ in range(23):  # busy all day: used every 29 minutes until 11 h 07
            clock.advance(minutes=29)
            app.auth.identify(token, None)
        clock.advance(minutes=29)  # 11 h 36
        app.auth.identify(token, None)
        clock.advance(minutes=25)  # 12 h 01
        _refused(app, token)


def test_settings_set_the_limits(db_url: str) -> None:
    clock = Clock()
    with local_app(db_url, clock, idle_minutes=5) as app:
        token = _signed_in(app)
        clock.advance(minutes=5)
        _refused(app, token)


@pytest.mark.parametrize(
    "revoke",
    [
        pytest.param(lambda app, caller: app.auth.sign_out(caller), id="sign-out"),
        pytest.param(
            lambda app, _: app.bus.dispatch("users.disable", {"email": EMAIL}, SYSTEM), id="disable"
        ),
        pytest.param(
            lambda app, _: app.bus.dispatch(
                "users.roles", {"email": EMAIL, "roles": ["viewer"]}, SYSTEM
            ),
            id="roles",
        ),
        pytest.param(
            lambda app, _: app.bus.dispatch(
                "password.reset",
                {
                    "token": app.bus.dispatch("users.reset", {"email": EMAIL}, SYSTEM)["token"],
                    "password": "a brand new passphrase",
                },
                SYSTEM,
            ),
            id="password",
        ),
    ],
)
def test_revocation_ends_every_session(db_url: str, revoke: object) -> None:
    with local_app(db_url) as app:
        first = _signed_in(app)
        second = app.auth.sign_in(EMAIL, PASSWORD, "acme").token
        who = app.auth.identify(first, None)
        revoke(app, who)  # type: ignore[operator]
        _refused(app, first)
        _refused(app, second)


def test_reset_token_is_single_use_and_sets_the_password(db_url: str) -> None:
    with local_app(db_url) as app:
        add_user(app, EMAIL)
        issued = app.bus.dispatch("users.reset", {"email": EMAIL}, SYSTEM)
        new = "another long passphrase"
        app.bus.dispatch("password.reset", {"token": issued["token"], "password": new}, SYSTEM)
        with pytest.raises(InvalidInput):
            app.bus.dispatch("password.reset", {"token": issued["token"], "password": new}, SYSTEM)
        with pytest.raises(Unauthenticated):
            app.auth.sign_in(EMAIL, PASSWORD, "acme")
        app.auth.sign_in(EMAIL, new, "acme")
        assert issued["token"] not in repr(audit_actions(app))


def test_reset_token_expires_after_30_minutes(db_url: str) -> None:
    clock = Clock()
    with local_app(db_url, clock) as app:
        add_user(app, EMAIL)
        issued = app.bus.dispatch("users.reset", {"email": EMAIL}, SYSTEM)
        clock.advance(minutes=30)
        with pytest.raises(InvalidInput) as caught:
            app.bus.dispatch(
                "password.reset", {"token": issued["token"], "password": "a new passphrase"}, SYSTEM
            )
        assert "not valid" in str(caught.value)
        app.auth.sign_in(EMAIL, PASSWORD, "acme")  # the old password still works


def test_a_session_does_not_reach_another_tenant(db_url: str) -> None:
    with local_app(db_url) as app:
        token = _signed_in(app)
        answers = []
        for tenant in ("other", "no-such-tenant"):
            with pytest.raises(Unauthenticated) as caught:
                app.auth.identify(token, tenant)
            answers.append(str(caught.value))
        assert answers[0] == answers[1]
        assert "other" not in answers[0]


def test_passwords_are_checked_byte_for_byte_and_common_ones_refused(db_url: str) -> None:
    with local_app(db_url) as app:
        for weak in ("password1", "iloveyou", "Qwertyuiop", "short"):
            with pytest.raises(InvalidInput):
                app.bus.dispatch(
                    "users.add", {"email": "h@x.io", "roles": ["viewer"], "password": weak}, SYSTEM
                )
        spaced = "  Mixed Case Passphrase  "
        app.bus.dispatch(
            "users.add", {"email": "h@x.io", "roles": ["viewer"], "password": spaced}, SYSTEM
        )
        for variant in (spaced.strip(), spaced.lower(), spaced.upper()):
            with pytest.raises(Unauthenticated):
                app.auth.sign_in("h@x.io", variant, "acme")
        app.auth.sign_in("h@x.io", spaced, "acme")
