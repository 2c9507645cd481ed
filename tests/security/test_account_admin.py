"""User and tenant administration: admins only (default deny), within their own tenant,
audited, and never a password, hash or token in an answer or an audit entry."""

from __future__ import annotations

import pytest

from core.contracts import Caller, CallerType
from core.errors import Forbidden, MetaSaasError
from tests.security.auth_support import PASSWORD, add_user, audit_actions, local_app

ADMIN = Caller("ann@example.com", "acme", frozenset({"admin"}), CallerType.HUMAN)
OPERATOR = Caller("op@example.com", "acme", frozenset({"operator"}), CallerType.HUMAN)
AGENT = Caller("ann@example.com", "acme", frozenset({"admin"}), CallerType.AI_AGENT)
OTHER_ADMIN = Caller("zed@example.com", "other", frozenset({"admin"}), CallerType.HUMAN)

ADMIN_ACTIONS = [
    ("users.add", {"email": "new@example.com", "roles": ["viewer"], "password": PASSWORD}),
    ("users.list", {}),
    ("users.disable", {"email": "bob@example.com"}),
    ("users.enable", {"email": "bob@example.com"}),
    ("users.roles", {"email": "bob@example.com", "roles": ["viewer"]}),
    ("users.reset", {"email": "bob@example.com"}),
    ("tenants.add", {"id": "newco"}),
    ("tenants.list", {}),
]


@pytest.mark.parametrize(("action", "payload"), ADMIN_ACTIONS, ids=[a for a, _ in ADMIN_ACTIONS])
def test_non_admins_are_denied_and_the_denial_audited(
    db_url: str, action: str, payload: dict[str, object]
) -> None:
    with local_app(db_url) as app:
        add_user(app, "bob@example.com")
        for caller in (OPERATOR, AGENT):
            with pytest.raises(Forbidden):
                app.bus.dispatch(action, payload, caller)
        tried = [e for e in audit_actions(app) if e["action_id"] == action]
        denied = [(e["caller_type"], e["outcome"]) for e in tried if e["actor_id"] != "system"]
        assert sorted(denied) == [("ai_agent", "denied"), ("human", "denied")]


def test_sign_in_and_reset_redeeming_are_for_the_platform_only(db_url: str) -> None:
    with local_app(db_url) as app:
        for action, payload in (
            ("auth.sign_in", {"email": "x@y.z", "password": PASSWORD}),
            ("password.reset", {"token": "t", "password": PASSWORD}),
        ):
            with pytest.raises(Forbidden):
                app.bus.dispatch(action, payload, ADMIN)


def test_an_admin_sees_and_changes_only_their_tenant(db_url: str) -> None:
    with local_app(db_url) as app:
        add_user(app, "bob@example.com")
        assert app.bus.dispatch("users.list", {}, OTHER_ADMIN)["items"] == []
        with pytest.raises(MetaSaasError) as caught:
            app.bus.dispatch("users.disable", {"email": "bob@example.com"}, OTHER_ADMIN)
        assert caught.value.code == "not_found"
        tenants = app.bus.dispatch("tenants.list", {}, OTHER_ADMIN)["items"]
        assert [t["id"] for t in tenants] == ["other"]
        with pytest.raises(Forbidden):  # a tenant's admin is not everyone's admin
            app.bus.dispatch("tenants.add", {"id": "newco"}, OTHER_ADMIN)


def test_admin_operations_are_audited_without_secrets(db_url: str) -> None:
    with local_app(db_url) as app:
        add_user(app, "ann@example.com", ("admin",))
        added = app.bus.dispatch(
            "users.add",
            {"email": "Bob@Example.com", "roles": ["operator"], "password": PASSWORD},
            ADMIN,
        )
        assert added["email"] == "bob@example.com" and "password_hash" not in added
        app.bus.dispatch("users.roles", {"email": "bob@example.com", "roles": ["viewer"]}, ADMIN)
        app.bus.dispatch("users.disable", {"email": "bob@example.com"}, ADMIN)
        app.bus.dispatch("users.enable", {"email": "bob@example.com"}, ADMIN)
        token = app.bus.dispatch("users.reset", {"email": "bob@example.com"}, ADMIN)["token"]
        listed = app.bus.dispatch("users.list", {}, ADMIN)["items"]
        assert all("password_hash" not in u for u in listed)
        entries = audit_actions(app)
        done = [e["action_id"] for e in entries if e["actor_id"] == ADMIN.user_id]
        expected = ["users.add", "users.roles", "users.disable", "users.enable", "users.reset"]
        assert sorted(done) == sorted(expected)
        text = repr(entries)
        for secret in (PASSWORD, token, "$argon2"):
            assert secret not in text


def test_email_is_unique_per_tenant_case_folded(db_url: str) -> None:
    with local_app(db_url) as app:
        add_user(app, "Dup@Example.com")
        with pytest.raises(MetaSaasError) as caught:
            add_user(app, "dup@EXAMPLE.com")
        assert caught.value.code == "conflict"
        add_user(app, "dup@example.com", tenant="other")  # another tenant may have it


def test_background_work_acts_with_the_users_roles_now(db_url: str) -> None:
    """What AI capabilities running after a change act with under local authentication."""
    from core.auth.accounts import roles_now

    with local_app(db_url) as app:
        add_user(app, "bob@example.com")
        assert roles_now(app.engine, "acme", "Bob@example.com") == {"operator"}
        assert roles_now(app.engine, "other", "bob@example.com") == frozenset()
        app.bus.dispatch("users.disable", {"email": "bob@example.com"}, ADMIN)
        assert roles_now(app.engine, "acme", "bob@example.com") == frozenset()
