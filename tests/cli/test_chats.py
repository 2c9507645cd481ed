"""`metasaas chats`: list, show, export and purge chat history, as each kind of reader.

Sessions are written in-process through the bus (as the chat engine writes them), then
read back through the CLI in a subprocess with the reader's user and roles.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from core.bootstrap import bootstrap
from core.contracts import Caller, CallerType
from core.seeding import ensure_tenant
from core.settings import Settings
from tests.cli.conftest import run_cli

BORN = "1961-04-12"
OWNER = Caller("olive", "default", frozenset({"operator"}))


def who(user: str, *roles: str) -> dict[str, str]:
    return {"METASAAS_USER": user, "METASAAS_ROLES": json.dumps(list(roles))}


OWNER_ENV = who("olive", "operator")
COLLEAGUE_ENV = who("colin", "operator")
SUPPORT_ENV = who("sam", "support")
ADMIN_ENV = who("alice", "admin")
STAFF_ENV = who("sam", "support", "viewer")


def _with_app(url: str, work: Callable[[Any], Any], *, days_ago: int = 0) -> Any:
    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)

    app = bootstrap(Settings(database_url=url), clock=clock)  # type: ignore[arg-type]
    try:
        return work(app)
    finally:
        app.close()


def conversation(url: str, *, title: str = "Patients", days_ago: int = 0) -> str:
    """A session of olive's: a message with a sensitive value, an AI action, an error."""
    agent = Caller("olive", "default", frozenset({"operator"}), CallerType.AI_AGENT)

    def work(app: Any) -> str:
        sid = str(app.bus.dispatch("chat.start", {"title": title}, OWNER)["id"])
        append = lambda **m: app.bus.dispatch("chat.append", {"session_id": sid, **m}, agent)  # noqa: E731
        app.bus.dispatch(
            "chat.append",
            {"session_id": sid, "role": "user", "content": f"Ada was born on {BORN}"},
            OWNER,
        )
        plan = {
            "steps": [
                {
                    "action_id": "patient.update",
                    "input": {"id": str(uuid.uuid4()), "date_of_birth": BORN},
                }
            ],
            "explanation": "set the date of birth",
            "source": "offline",
        }
        append(role="assistant", content=f"Setting it to {BORN}.", plan=plan, model="offline")
        provenance = {"ai": True, "source": "chat", "session_id": sid, "step": 1}
        task = app.bus.dispatch(
            "task.create", {"title": "Call Ada back"}, agent, provenance=provenance
        )
        append(
            role="tool",
            content="created",
            action_id="task.create",
            result_summary=f"task {task['id']}",
        )
        append(role="tool", content="forbidden", error=True)
        return sid

    return str(_with_app(url, work, days_ago=days_ago))


@pytest.fixture(scope="module")
def db(seeded_db: str) -> str:
    _with_app(seeded_db, lambda app: ensure_tenant(app.engine, "other"))
    return seeded_db


def ids(result: Any) -> set[str]:
    return {str(s["id"]) for s in result.json()["items"]}


def test_list_follows_visibility_per_role_and_tenant(db: str) -> None:
    sid = conversation(db, title="Visibility")
    mine = run_cli("chats", "list", "--format", "json", db=db, env=OWNER_ENV)
    assert mine.code == 0 and set(mine.json()) == {"items", "next_cursor"}
    assert sid in ids(mine)
    assert sid not in ids(run_cli("chats", "list", "--format", "json", db=db, env=COLLEAGUE_ENV))
    for reviewer in (SUPPORT_ENV, ADMIN_ENV):
        assert sid in ids(run_cli("chats", "list", "--format", "json", db=db, env=reviewer))
    elsewhere = run_cli(
        "chats", "list", "--format", "json", "--tenant", "other", db=db, env=ADMIN_ENV
    )
    assert elsewhere.code == 0 and sid not in ids(elsewhere)


def test_list_filters(db: str) -> None:
    sid = conversation(db, title="Filters zebra")
    quiet = _with_app(
        db, lambda app: str(app.bus.dispatch("chat.start", {"title": "Quiet"}, OWNER)["id"])
    )

    def listed(*options: str) -> set[str]:
        result = run_cli("chats", "list", "--format", "json", *options, db=db, env=SUPPORT_ENV)
        assert result.code == 0, result.stderr
        return ids(result)

    assert sid in listed("--user", "olive") and not listed("--user", "nobody")
    assert sid in listed("--errors") and quiet not in listed("--errors")
    assert sid in listed("--actions") and quiet not in listed("--actions")
    assert listed("--search", "zebra") == {sid}
    assert listed("--search", "Ada was born") >= {sid}
    assert sid in listed("--since", "1d")
    bad = run_cli("chats", "list", "--since", "soon", "--format", "json", db=db, env=SUPPORT_ENV)
    assert bad.code == 3 and bad.error()["code"] == "invalid_input"


def test_list_on_a_terminal_format_is_a_table(db: str) -> None:
    conversation(db, title="Table view")
    wide = {**OWNER_ENV, "COLUMNS": "200"}
    result = run_cli("chats", "list", "--format", "table", db=db, env=wide)
    assert result.code == 0 and "Table view" in result.stdout and "owner" in result.stdout


def test_show_masks_for_reviewers_and_audits_their_access(db: str) -> None:
    sid = conversation(db, title="Masking")
    own = run_cli("chats", "show", sid, "--format", "json", db=db, env=OWNER_ENV)
    assert own.code == 0 and BORN in own.stdout
    review = run_cli("chats", "show", sid, "--format", "json", db=db, env=SUPPORT_ENV)
    assert review.code == 0 and BORN not in review.stdout
    assert [m["role"] for m in review.json()["messages"]] == ["user", "assistant", "tool", "tool"]
    (seen,) = review.json()["actions"]  # support reads every entity, so the action's entry
    assert seen["action_id"] == "task.create" and BORN not in json.dumps(seen)
    staff = run_cli("chats", "show", sid, "--format", "json", db=db, env=STAFF_ENV).json()
    (action,) = staff["actions"]  # support who may read tasks sees the action's entry
    assert action["action_id"] == "task.create" and action["record_id"]
    assert BORN not in json.dumps(staff)
    audit = run_cli(
        "audit", "list", "--limit", "1000", "--format", "json", db=db, env=ADMIN_ENV
    ).json()["items"]
    reviews = [e for e in audit if e["record_id"] == sid and "_review" in (e.get("changes") or {})]
    assert [e["actor_id"] for e in reviews] == ["sam", "sam"]  # the owner's own reads are not


@pytest.mark.parametrize(
    "env,tenant",
    [(COLLEAGUE_ENV, None), (ADMIN_ENV, "other")],
    ids=["another_user", "another_tenant"],
)
def test_show_of_a_session_you_may_not_see_is_not_found(
    db: str, env: dict[str, str], tenant: str | None
) -> None:
    sid = conversation(db, title="Hidden")
    extra = ("--tenant", tenant) if tenant else ()
    result = run_cli("chats", "show", sid, "--format", "json", *extra, db=db, env=env)
    nowhere = str(uuid.uuid4())
    missing = run_cli("chats", "show", nowhere, "--format", "json", *extra, db=db, env=env)
    assert (result.code, result.error()["code"]) == (6, "not_found")
    assert json.dumps(result.error()).replace(sid, "X") == json.dumps(missing.error()).replace(
        nowhere, "X"
    )  # indistinguishable from a session that does not exist
    for fmt in ("md", "json"):
        exported = run_cli("chats", "export", sid, "--format", fmt, *extra, db=db, env=env)
        assert exported.code == 6 and BORN not in exported.stdout + exported.stderr


def test_export_markdown_and_json(db: str, tmp_path: Any) -> None:
    sid = conversation(db, title="Export me")
    md = run_cli("chats", "export", sid, "--format", "md", db=db, env=STAFF_ENV)
    assert md.code == 0
    assert md.stdout.startswith("# Chat: Export me\n")
    assert "- Owner: olive" in md.stdout and "## 1. user" in md.stdout
    assert "- Action: `task.create`" in md.stdout and "Audit entry #" in md.stdout
    assert BORN not in md.stdout  # masked for the reviewer
    target = tmp_path / "t.json"
    done = run_cli(
        "chats", "export", sid, "--format", "json", "-o", str(target), db=db, env=OWNER_ENV
    )
    assert done.code == 0
    data = json.loads(target.read_text())
    assert set(data) == {"session", "messages", "actions"}
    assert data["session"]["id"] == sid and data["session"]["owner_id"] == "olive"
    assert [m["seq"] for m in data["messages"]] == [1, 2, 3, 4]
    assert BORN in data["messages"][0]["content"]  # the owner sees their own words
    assert data["actions"][0]["action_id"] == "task.create"


def test_purge_is_admin_only_audited_and_counts(db: str) -> None:
    old = [conversation(db, title=f"Old {i}", days_ago=120) for i in range(2)]
    recent = conversation(db, title="Recent")
    for env in (OWNER_ENV, SUPPORT_ENV):
        refused = run_cli(
            "chats", "purge", "--older-than", "90d", "--format", "json", db=db, env=env
        )
        assert (refused.code, refused.error()["code"]) == (5, "forbidden")
    done = run_cli(
        "chats", "purge", "--older-than", "90d", "--format", "json", db=db, env=ADMIN_ENV
    )
    assert done.code == 0 and done.json()["removed"] == 2
    left = ids(run_cli("chats", "list", "--format", "json", "--limit", "200", db=db, env=ADMIN_ENV))
    assert recent in left and not set(old) & left
    again = run_cli(
        "chats", "purge", "--older-than", "90d", "--format", "table", db=db, env=ADMIN_ENV
    )
    assert again.code == 0 and "removed 0" in again.stdout
    audit = run_cli(
        "audit", "list", "--limit", "1000", "--format", "json", db=db, env=ADMIN_ENV
    ).json()["items"]
    purges = [e for e in audit if e["action_id"] == "chat.purge" and e["outcome"] == "success"]
    assert purges and purges[-1]["changes"]["removed"] == 2
