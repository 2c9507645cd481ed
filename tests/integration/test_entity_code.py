"""Entity code (hooks, custom actions) cannot go around the bus, and what it hands back is checked.

Each test here failed before issue 8: a custom action could delete through its store with
no permission check, audit entry or event; a before-hook could move a record to another
tenant, set an undeclared enum value, or point a reference at another tenant's record.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import entities
from core.contracts import ActionContext, CustomAction, Field, HookContext, Hooks
from entities.projects import PROJECT, TASK
from tests.support.engine_helpers import (
    AppFactory,
    audit_entries,
    caller,
    count,
    domain_with,
    entity_with,
    raises_code,
)


def _domain_with_action(action: CustomAction) -> Any:
    return domain_with(entities.DOMAIN, actions=(*entities.DOMAIN.actions, action))


def test_a_custom_action_store_cannot_reach_a_write(app_factory: AppFactory) -> None:
    """The store is read-only at run time: no write method, no repository, no connection."""
    seen: dict[str, Any] = {}

    def snoop(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
        store = ctx.records("task")
        seen["attributes"] = {a for a in dir(store) if not a.startswith("__")}
        for name in ("insert", "update", "delete", "conn", "repo", "table", "_repo"):
            seen[name] = hasattr(store, name)
        try:
            store.delete(uuid.UUID(data["target"]))  # type: ignore[attr-defined]
        except AttributeError:
            seen["delete_refused"] = True
        return {}

    action = CustomAction(
        "Project", "snoop", snoop, input_fields=(Field("target", "text", required=True),)
    )
    app = app_factory(_domain_with_action(action))
    task = app.bus.dispatch("task.create", {"title": "keep me"}, caller())
    app.bus.dispatch("project.snoop", {"target": str(task["id"])}, caller())
    assert seen["attributes"] == {"get", "find", "count"}
    assert not any(
        seen[n] for n in ("insert", "update", "delete", "conn", "repo", "table", "_repo")
    )
    assert seen["delete_refused"] is True
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, caller())["title"] == "keep me"


def test_a_read_only_custom_action_may_not_dispatch_a_write(app_factory: AppFactory) -> None:
    def sneaky(ctx: ActionContext, data: dict[str, Any]) -> Any:
        return ctx.dispatch("task.create", {"title": "smuggled"})

    app = app_factory(_domain_with_action(CustomAction("Project", "sneaky", sneaky)))
    with raises_code("forbidden") as info:
        app.bus.dispatch("project.sneaky", {}, caller())
    assert "read-only" in info.value.message
    assert app.bus.dispatch("task.count", {}, caller())["count"] == 0


def _close_out(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """Move every task of a project to blocked: a custom action that writes, via the bus."""
    tasks = ctx.records("task").find({"project_id": data["id"]})
    for task in tasks:
        ctx.dispatch("task.transition", {"id": str(task["id"]), "to": "in_progress"})
        ctx.dispatch("task.transition", {"id": str(task["id"]), "to": "blocked"})
    return {"blocked": len(tasks)}


CLOSE_OUT = CustomAction("Project", "close_out", _close_out, takes_record=True, writes=True)


def test_a_writing_custom_action_acts_through_the_bus(app_factory: AppFactory) -> None:
    app = app_factory(_domain_with_action(CLOSE_OUT))
    assert app.registry.action("project.close_out").mutates is True
    project = app.bus.dispatch("project.create", {"name": "Apollo"}, caller())
    for title in ("one", "two"):
        app.bus.dispatch(
            "task.create", {"title": title, "project_id": str(project["id"])}, caller()
        )
    result = app.bus.dispatch("project.close_out", {"id": str(project["id"])}, caller())
    assert result == {"blocked": 2}
    statuses = {t["status"] for t in app.bus.dispatch("task.list", {}, caller())["items"]}
    assert statuses == {"blocked"}
    transitions = [e for e in audit_entries(app) if e["action_id"] == "task.transition"]
    assert len(transitions) == 4 and {e["actor_id"] for e in transitions} == {"alice"}


def test_a_writing_custom_action_is_held_to_the_callers_permissions(
    app_factory: AppFactory,
) -> None:
    """A viewer may not run it; the denial is audited; nothing moved."""
    app = app_factory(_domain_with_action(CLOSE_OUT))
    project = app.bus.dispatch("project.create", {"name": "Apollo"}, caller())
    app.bus.dispatch("task.create", {"title": "t", "project_id": str(project["id"])}, caller())
    viewer = caller(user="vic", roles=("viewer",))
    with raises_code("forbidden"):
        app.bus.dispatch("project.close_out", {"id": str(project["id"])}, viewer)
    assert [t["status"] for t in app.bus.dispatch("task.list", {}, caller())["items"]] == ["todo"]
    denied = [e for e in audit_entries(app) if e["outcome"] == "denied"]
    assert [(e["action_id"], e["actor_id"]) for e in denied] == [("project.close_out", "vic")]


def test_a_failing_nested_write_rolls_back_the_whole_custom_action(
    app_factory: AppFactory,
) -> None:
    def half(ctx: ActionContext, data: dict[str, Any]) -> Any:
        ctx.dispatch("task.create", {"title": "first"})
        return ctx.dispatch("task.create", {"title": "x" * 201})  # invalid: over its limit

    app = app_factory(_domain_with_action(CustomAction("Project", "half", half, writes=True)))
    with raises_code("invalid_input"):
        app.bus.dispatch("project.half", {}, caller())
    assert app.bus.dispatch("task.count", {}, caller())["count"] == 0
    assert [e["action_id"] for e in audit_entries(app)] == []


# --- before-hooks: what they change is checked like input ----------------------------------


def _task_with_hook(hook: Any, verb: str = "create") -> Any:
    task = entity_with(TASK, hooks=Hooks(**{f"before_{verb}": (hook,)}))
    return domain_with(entities.DOMAIN, task)


def _set(**values: Any) -> Any:
    def hook(ctx: HookContext) -> None:
        ctx.values.update(values)

    return hook


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"priority": "urgent"}, "priority"),  # not an option of the enum
        ({"tenant_id": "other"}, "tenant_id"),  # would move the record to another tenant
        ({"created_by": "mallory"}, "created_by"),  # not a writable column
        ({"title": "x" * 201}, "title"),  # over the declared limit
        ({"estimate_hours": "lots"}, "estimate_hours"),  # wrong type
    ],
)
def test_hook_output_is_validated_as_input(
    app_factory: AppFactory, values: dict[str, Any], field: str
) -> None:
    app = app_factory(_task_with_hook(_set(**values)))
    with raises_code("invalid_input") as info:
        app.bus.dispatch("task.create", {"title": "hooked"}, caller())
    assert field in [e["field"] for e in info.value.details["errors"]]
    assert count(app, "tasks") == 0


def test_a_hook_cannot_point_a_reference_at_another_tenants_record(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    theirs = app.bus.dispatch("project.create", {"name": "Theirs"}, caller(tenant="other"))
    hooked = app_factory(_task_with_hook(_set(project_id=theirs["id"])))
    with raises_code("invalid_input") as info:
        hooked.bus.dispatch("task.create", {"title": "hooked"}, caller())
    assert info.value.details["errors"][0]["field"] == "project_id"
    assert count(hooked, "tasks") == 0


def test_a_hook_on_update_cannot_change_tenant_or_workflow_state(app_factory: AppFactory) -> None:
    app = app_factory(_task_with_hook(_set(tenant_id="other"), verb="update"))
    task = app.bus.dispatch("task.create", {"title": "mine"}, caller())
    with raises_code("invalid_input"):
        app.bus.dispatch("task.update", {"id": str(task["id"]), "title": "x"}, caller())
    sneaky = app_factory(_task_with_hook(_set(status="done"), verb="update"))
    with raises_code("invalid_input") as info:
        sneaky.bus.dispatch("task.update", {"id": str(task["id"]), "title": "x"}, caller())
    assert info.value.details["errors"][0]["field"] == "status"
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, caller())["status"] == "todo"


def test_unique_values_are_checked_after_the_hooks(app_factory: AppFactory) -> None:
    """A hook that renames a company to a taken name gets a conflict, not a duplicate."""
    from entities.crm import COMPANY

    company = entity_with(COMPANY, hooks=Hooks(before_create=(_set(name="Taken"),)))
    app = app_factory(domain_with(entities.DOMAIN, company))
    app.bus.dispatch("company.create", {"name": "first"}, caller())  # hook renames it: Taken
    with raises_code("conflict") as info:
        app.bus.dispatch("company.create", {"name": "second"}, caller())
    assert info.value.details["errors"] == [
        {"field": "name", "code": "unique", "message": "another Company already has this value"}
    ]


def test_a_hook_that_keeps_values_in_bounds_still_works(app_factory: AppFactory) -> None:
    app = app_factory(_task_with_hook(_set(priority="high", title="Renamed by hook")))
    task = app.bus.dispatch("task.create", {"title": "hooked"}, caller())
    stored = app.bus.dispatch("task.get", {"id": str(task["id"])}, caller())
    assert (stored["title"], stored["priority"]) == ("Renamed by hook", "high")


def test_the_project_date_hook_still_refuses_an_end_before_the_start(
    app_factory: AppFactory,
) -> None:
    app = app_factory(domain_with(entities.DOMAIN, PROJECT))
    with raises_code("invalid_input") as info:
        app.bus.dispatch(
            "project.create",
            {"name": "Backwards", "start_date": "2026-02-01", "end_date": "2026-01-01"},
            caller(),
        )
    assert info.value.details["errors"][0]["field"] == "end_date"
