"""Chat history through the bus: who sees which session, reviews on record, masking, purge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.bootstrap import App
from core.contracts import CallerType
from core.jsonable import REDACTED
from tests.support.engine_helpers import AppFactory, audit_entries, caller, raises_code

OWNER = caller("olive", roles=("operator",))
OWNER_AI = caller("olive", roles=("operator",), caller_type=CallerType.AI_AGENT)
COLLEAGUE = caller("colin", roles=("operator",))
SUPPORT = caller("sam", roles=("support",))
ADMIN = caller("alice", roles=("admin",))
STRANGER = caller("sam", tenant="other", roles=("support",))
BORN = "1961-04-12"


def _session(app: App, who: Any = OWNER, title: str = "Patients") -> dict[str, Any]:
    return dict(app.bus.dispatch("chat.start", {"title": title}, who))


def _conversation(app: App) -> dict[str, Any]:
    session = _session(app)
    sid = str(session["id"])
    plan = {
        "steps": [
            {
                "action_id": "patient.update",
                "input": {"id": "7d495a2b-a6db-4d13-9c35-ae6d56f484dc", "date_of_birth": BORN},
            }
        ],
        "explanation": "set the date of birth",
        "source": "offline",
    }
    app.bus.dispatch(
        "chat.append",
        {"session_id": sid, "role": "user", "content": f"Ada was born on {BORN}"},
        OWNER,
    )
    app.bus.dispatch(
        "chat.append",
        {
            "session_id": sid,
            "role": "assistant",
            "content": f"I will set her date of birth to {BORN}.",
            "plan": plan,
            "action_id": "patient.update",
            "model": "offline",
        },
        OWNER_AI,  # the AI acting for the owner writes to the owner's session
    )
    app.bus.dispatch(
        "chat.append",
        {"session_id": sid, "role": "tool", "content": "forbidden", "error": True},
        OWNER_AI,
    )
    return session


def test_each_reader_sees_the_sessions_they_may(app_factory: AppFactory) -> None:
    app = app_factory()
    mine = _conversation(app)
    theirs = _session(app, COLLEAGUE, "Projects")
    own_view = app.bus.dispatch("chat.sessions", {}, OWNER)["items"]
    assert [s["id"] for s in own_view] == [mine["id"]]
    for reviewer in (SUPPORT, ADMIN):
        seen = {s["id"] for s in app.bus.dispatch("chat.sessions", {}, reviewer)["items"]}
        assert seen == {mine["id"], theirs["id"]}
    assert app.bus.dispatch("chat.sessions", {}, STRANGER)["items"] == []
    for who in (COLLEAGUE, STRANGER):  # not yours, or not your tenant: as if missing
        with raises_code("not_found"):
            app.bus.dispatch("chat.show", {"session_id": str(mine["id"])}, who)
    with raises_code("not_found"):
        app.bus.dispatch(
            "chat.append",
            {"session_id": str(mine["id"]), "role": "user", "content": "hijack"},
            SUPPORT,
        )


def test_filters_find_sessions_by_user_errors_actions_and_text(app_factory: AppFactory) -> None:
    app = app_factory()
    mine = _conversation(app)
    quiet = _session(app, COLLEAGUE, "Nothing happened")

    def ids(**filters: Any) -> set[Any]:
        return {s["id"] for s in app.bus.dispatch("chat.sessions", filters, ADMIN)["items"]}

    assert ids(user="olive") == {mine["id"]}
    assert ids(errors=True) == {mine["id"]} and ids(errors=False) == {quiet["id"]}
    assert ids(ran_actions=True) == {mine["id"]}
    assert ids(search="born on") == {mine["id"]}
    assert ids(search="nothing HAPPENED") == {quiet["id"]}
    assert ids(model="offline") == {mine["id"]}
    assert ids(since="1h") == {mine["id"], quiet["id"]}
    first = app.bus.dispatch("chat.sessions", {"limit": 1}, ADMIN)
    second = app.bus.dispatch("chat.sessions", {"limit": 1, "cursor": first["next_cursor"]}, ADMIN)
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {mine["id"], quiet["id"]}


def test_a_review_is_audited_and_sensitive_values_are_masked_for_reviewers(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    session = _conversation(app)
    sid = str(session["id"])
    own = app.bus.dispatch("chat.show", {"session_id": sid}, OWNER)
    assert [m["role"] for m in own["messages"]] == ["user", "assistant", "tool"]
    assert BORN in own["messages"][0]["content"]  # the owner reads what they wrote
    reviewed = app.bus.dispatch("chat.show", {"session_id": sid}, SUPPORT)
    text = str(reviewed["messages"])
    assert BORN not in text and REDACTED in reviewed["messages"][0]["content"]
    step = reviewed["messages"][1]["plan"]["steps"][0]
    assert step["input"]["date_of_birth"] == REDACTED
    reviews = [e for e in audit_entries(app) if "_review" in e["changes"]]
    assert [(e["actor_id"], e["changes"]["_review"]["owner"]) for e in reviews] == [
        ("sam", "olive")
    ]  # the owner reading their own session left no review entry


def test_the_audit_log_records_messages_but_not_their_text(app_factory: AppFactory) -> None:
    app = app_factory()
    _conversation(app)
    appends = [e for e in audit_entries(app) if e["action_id"] == "chat.append"]
    assert len(appends) == 3
    assert all(BORN not in str(e["changes"]) for e in appends)
    assert [e["changes"]["role"] for e in appends] == ["user", "assistant", "tool"]
    assert {e["caller_type"] for e in appends} == {"human", "ai_agent"}


def test_purge_removes_old_sessions_for_admins_only(app_factory: AppFactory) -> None:
    now = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    app = app_factory(clock=lambda: now[0])
    old = _conversation(app)
    now[0] = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    fresh = _session(app, COLLEAGUE, "recent")
    for who in (OWNER, SUPPORT, caller("alice", roles=("admin",), caller_type=CallerType.AI_AGENT)):
        with raises_code("forbidden"):
            app.bus.dispatch("chat.purge", {"older_than": "90d"}, who)
    result = app.bus.dispatch("chat.purge", {"older_than": "90d"}, ADMIN)
    assert result["removed"] == 1
    left = [s["id"] for s in app.bus.dispatch("chat.sessions", {}, ADMIN)["items"]]
    assert left == [fresh["id"]]
    with raises_code("not_found"):
        app.bus.dispatch("chat.show", {"session_id": str(old["id"])}, OWNER)
    purges = audit_entries(app)
    (entry,) = [e for e in purges if e["action_id"] == "chat.purge" and e["outcome"] == "success"]
    assert entry["changes"]["removed"] == 1 and entry["actor_id"] == "alice"
