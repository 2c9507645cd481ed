"""`metasaas audit list`: the caller's tenant only, newest first, filtered and paged."""

from __future__ import annotations

import uuid

from core.contracts import Caller
from tests.cli.conftest import dispatch, run_cli


def test_entries_are_newest_first_and_filtered(seeded_db: str) -> None:
    actor = f"auditor-{uuid.uuid4().hex[:6]}"
    caller = Caller(actor, "default", frozenset({"admin"}))
    task = dispatch(seeded_db, "task.create", {"title": "audited"}, caller)
    dispatch(seeded_db, "task.update", {"id": str(task["id"]), "priority": "high"}, caller)
    dispatch(seeded_db, "project.create", {"name": f"audited {actor}"}, caller)

    result = run_cli("audit", "list", "--actor", actor, db=seeded_db)
    assert result.code == 0, result.stderr
    entries = result.json()["items"]
    assert [e["action_id"] for e in entries] == ["project.create", "task.update", "task.create"]
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs, reverse=True)
    assert entries[1]["changes"] == {"priority": {"before": "medium", "after": "high"}}

    only_tasks = run_cli(
        "audit", "list", "--actor", actor, "--entity", "tasks", "--since", "1h", db=seeded_db
    ).json()["items"]
    assert {e["entity"] for e in only_tasks} == {"Task"} and len(only_tasks) == 2
    later = run_cli("audit", "list", "--actor", actor, "--since", "2999-01-01", db=seeded_db).json()
    assert later["items"] == []

    page = run_cli("audit", "list", "--actor", actor, "--limit", "2", db=seeded_db).json()
    assert [e["seq"] for e in page["items"]] == seqs[:2]
    rest = run_cli(
        "audit", "list", "--actor", actor, "--cursor", page["next_cursor"], db=seeded_db
    ).json()
    assert [e["seq"] for e in rest["items"]] == seqs[2:]


def test_another_tenants_entries_stay_out_of_sight(sqlite_db: str) -> None:
    actor = f"other-{uuid.uuid4().hex[:6]}"
    dispatch(sqlite_db, "task.create", {"title": "elsewhere"}, Caller(actor, "other", {"admin"}))
    mine = run_cli("audit", "list", "--actor", actor, db=sqlite_db).json()
    assert mine["items"] == []
    theirs = run_cli("audit", "list", "--actor", actor, "--tenant", "other", db=sqlite_db).json()
    assert [e["action_id"] for e in theirs["items"]] == ["task.create"]


def test_denied_attempts_are_listed_and_bad_since_is_invalid(sqlite_db: str) -> None:
    viewer = {"METASAAS_ROLES": '["viewer"]', "METASAAS_USER": f"v-{uuid.uuid4().hex[:6]}"}
    assert run_cli("create", "task", "title=no", db=sqlite_db, env=viewer).code == 5
    listed = run_cli("audit", "list", "--actor", viewer["METASAAS_USER"], db=sqlite_db, env=viewer)
    assert listed.code == 0, listed.stderr
    (entry,) = listed.json()["items"]
    assert (entry["outcome"], entry["error_code"]) == ("denied", "forbidden")
    bad = run_cli("audit", "list", "--since", "last tuesday", db=sqlite_db)
    assert bad.code == 3 and bad.error()["details"]["field"] == "since"
