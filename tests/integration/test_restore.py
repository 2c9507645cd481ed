"""`<entity>.restore` on both databases: a whole record back as it was stored, checked
where a backup cannot vouch for this database, audited as a restore, admins only."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from core.bootstrap import App
from core.contracts import CallerType
from core.jsonable import to_jsonable
from tests.support.engine_helpers import caller, raises_code

STAMPS = {
    "created_at": "2024-01-02T03:04:05.123456+00:00",
    "updated_at": "2024-02-03T04:05:06+00:00",
    "created_by": "carol",
    "updated_by": "dave",
    "version": 7,
}


def task(**fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "title": "restored", "status": "done", **STAMPS, **fields}


def test_a_restore_keeps_everything_the_backup_says(app: App) -> None:
    admin = caller()
    payload = task(priority="high", estimate_hours=2.5, due_date="2024-03-01")
    app.bus.dispatch("task.restore", payload, admin)
    stored = to_jsonable(app.bus.dispatch("task.get", {"id": payload["id"]}, admin))
    assert {k: stored[k] for k in payload} == payload
    app.bus.seal_pending()  # PostgreSQL: entries join the chain just after commit
    (entry,) = app.bus.dispatch("audit.list", {"record_id": payload["id"]}, admin)["items"]
    assert entry["action_id"] == "task.restore" and entry["actor_id"] == admin.user_id
    assert entry["changes"]["_restored"]["created_by"] == "carol"
    assert entry["changes"]["status"] == {"before": None, "after": "done"}


@pytest.mark.parametrize(
    "who",
    [
        caller(roles=("operator",)),
        caller(roles=("viewer",)),
        caller(roles=("admin",), caller_type=CallerType.AI_AGENT),
    ],
)
def test_only_admins_and_the_platform_may_restore(app: App, who: Any) -> None:
    payload = task()
    with raises_code("forbidden"):
        app.bus.dispatch("task.restore", payload, who)
    with raises_code("forbidden"):
        app.bus.validate("task.restore", payload, who)
    system = caller(user="system", roles=(), caller_type=CallerType.SYSTEM)
    app.bus.dispatch("task.restore", payload, system)


def test_a_restore_checks_what_the_backup_cannot_vouch_for(app: App) -> None:
    admin = caller()
    with raises_code("invalid_input") as info:
        app.bus.dispatch("task.restore", task(project_id=str(uuid.uuid4())), admin)
    assert info.value.details["errors"][0]["code"] == "unknown_reference"
    with raises_code("invalid_input"):
        app.bus.dispatch("task.restore", task(updated_at="2023-01-01T00:00:00+00:00"), admin)
    with raises_code("invalid_input"):
        app.bus.dispatch("task.restore", task(status=None), admin)
    with raises_code("invalid_input"):
        app.bus.dispatch("task.restore", {k: v for k, v in task().items() if k != "version"}, admin)
    payload = task()
    app.bus.dispatch("task.restore", payload, admin)
    with raises_code("conflict") as exists:
        app.bus.dispatch("task.restore", payload, admin)
    assert exists.value.details["reason"] == "exists"
    company = {"id": str(uuid.uuid4()), "name": "Restored Ltd", **STAMPS}
    app.bus.dispatch("company.restore", company, admin)
    with raises_code("conflict"):
        app.bus.dispatch("company.restore", {**company, "id": str(uuid.uuid4())}, admin)


def test_an_update_naming_a_platform_column_is_refused_by_name(app: App) -> None:
    admin = caller()
    made = app.bus.dispatch("task.create", {"title": "fixed"}, admin)
    for name, value in [
        ("created_at", "2020-01-01T00:00:00+00:00"),
        ("version", 9),
        ("tenant_id", "other"),
        ("created_by", "mallory"),
    ]:
        with raises_code("invalid_input") as info:
            app.bus.dispatch("task.update", {"id": str(made["id"]), name: value}, admin)
        assert info.value.details["errors"] == [
            {"field": name, "code": "immutable", "message": "cannot be set: the platform sets it"}
        ]
    assert app.bus.dispatch("task.get", {"id": str(made["id"])}, admin)["version"] == 1
