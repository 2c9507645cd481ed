"""Eight processes on one tenant: no lost write, no forked chain, one winner per version.

Concurrent updates are guarded by the optimistic version check: an update names the
version it read (`expected_version`), the write is `UPDATE ... WHERE version = :read`,
and whoever finds the version moved on gets `conflict` and must re-read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.bootstrap import App
from core.contracts import Caller
from core.errors import MetaSaasError
from tests.reliability.checks import audit_rows, chain_ok, record_ids
from tests.reliability.gang import broadcast, finish, gang

WORKERS = "tests.reliability.workers"
PROCESSES = 8

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("heavy")]


def test_eight_processes_create_without_losing_or_forking(
    app: App, db_url: str, tmp_path: Path
) -> None:
    specs = [{"job": "create", "url": db_url, "worker": w, "n": 50} for w in range(PROCESSES)]
    children = gang(WORKERS, specs, tmp_path)
    results = broadcast(children, "go")
    finish(children)

    assert [r["errors"] for r in results] == [[]] * PROCESSES
    created = {i for r in results for i in r["ids"]}
    assert len(created) == 400
    assert set(record_ids(app, "task")) == created
    entries = audit_rows(app, "task.create")
    assert len(entries) == 400
    assert {e.record_id for e in entries} == created
    assert len({e.prev_hash for e in entries}) == 400
    assert chain_ok(app) == 400


def test_concurrent_versioned_updates_have_one_winner_per_version(
    app: App, admin: Caller, db_url: str, tmp_path: Path
) -> None:
    task = app.bus.dispatch("task.create", {"title": "contended"}, admin)
    specs = [
        {"job": "race", "url": db_url, "worker": w, "id": str(task["id"])} for w in range(PROCESSES)
    ]
    children = gang(WORKERS, specs, tmp_path)
    winners = []
    try:
        for version in range(1, 6):
            assert broadcast(children, "read") == [{"version": version}] * PROCESSES
            outcomes = broadcast(children, "write")
            wins = [o for o in outcomes if o["ok"]]
            assert len(wins) == 1, outcomes
            assert wins[0]["now"] == version + 1
            assert {o["code"] for o in outcomes if not o["ok"]} == {"conflict"}
            winners.append(wins[0]["title"])
    finally:
        finish(children)

    final = app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
    assert (final["version"], final["title"]) == (6, winners[-1])
    updates = [e for e in audit_rows(app, "task.update") if e.record_id == str(task["id"])]
    assert [e.changes["title"]["after"] for e in updates] == winners
    chain_ok(app)


def test_read_modify_write_increments_are_never_lost(
    app: App, admin: Caller, db_url: str, tmp_path: Path
) -> None:
    task = app.bus.dispatch("task.create", {"title": "counter", "estimate_hours": 0}, admin)
    per_process = 25
    specs = [
        {"job": "increment", "url": db_url, "worker": w, "id": str(task["id"]), "n": per_process}
        for w in range(PROCESSES)
    ]
    children = gang(WORKERS, specs, tmp_path)
    broadcast(children, "go")
    finish(children)

    total = PROCESSES * per_process
    final = app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
    assert (final["estimate_hours"], final["version"]) == (total, total + 1)
    updates = [e for e in audit_rows(app, "task.update") if e.record_id == str(task["id"])]
    afters = [e.changes["estimate_hours"]["after"] for e in updates]
    assert afters == list(range(1, total + 1))
    chain_ok(app)


def test_a_stale_expected_version_conflicts_even_when_the_values_already_match(
    app: App, admin: Caller
) -> None:
    """What the increment race reduces to: the loser's write equals what the winner wrote."""
    task = app.bus.dispatch("task.create", {"title": "t", "estimate_hours": 1}, admin)
    change = {"id": str(task["id"]), "estimate_hours": 2, "expected_version": 1}
    app.bus.dispatch("task.update", change, admin)
    with pytest.raises(MetaSaasError) as stale:
        app.bus.dispatch("task.update", change, admin)
    assert stale.value.code == "conflict"
