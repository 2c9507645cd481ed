"""Tenant isolation: another tenant's record behaves exactly like one that does not exist."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from core.bootstrap import App
from core.contracts import Caller
from core.errors import MetaSaasError
from tests.support.engine_helpers import audit_entries, caller, chain, list_all, raises_code

ALICE = caller("alice", tenant="alpha")
BORIS = caller("boris", tenant="beta")


@pytest.fixture
def theirs(app: App) -> dict[str, Any]:
    """Records of tenant beta that tenant alpha tries to reach."""
    company = app.bus.dispatch("company.create", {"name": "Beta Corp"}, BORIS)
    project = app.bus.dispatch("project.create", {"name": "Beta Project"}, BORIS)
    task = app.bus.dispatch(
        "task.create", {"title": "Beta secret", "project_id": str(project["id"])}, BORIS
    )
    return {"company": company, "project": project, "task": task}


def _error(app: App, action: str, payload: dict[str, Any], who: Caller) -> MetaSaasError:
    with pytest.raises(MetaSaasError) as info:
        app.bus.dispatch(action, payload, who)
    return info.value


def _same_as_missing(app: App, action: str, payload: dict[str, Any], real_id: str) -> None:
    """Using the other tenant's id fails exactly as a random id does, apart from the id."""
    fake_id = str(uuid.uuid4())
    real = _error(app, action, payload, ALICE)
    fake_payload = {k: (fake_id if v == real_id else v) for k, v in payload.items()}
    fake = _error(app, action, fake_payload, ALICE)
    assert real.code == fake.code
    assert real.message.replace(real_id, "<id>") == fake.message.replace(fake_id, "<id>")
    assert str(real.details).replace(real_id, "<id>") == str(fake.details).replace(fake_id, "<id>")


RECORD_ACTIONS = [
    ("task.get", {}),
    ("task.update", {"title": "pwned"}),
    ("task.delete", {}),
    ("task.transition", {"to": "in_progress"}),
    ("task.transitions", {}),
]


def test_other_tenants_record_is_not_found(app: App, theirs: dict[str, Any]) -> None:
    task_id = str(theirs["task"]["id"])
    for action, extra in RECORD_ACTIONS:
        with raises_code("not_found"):
            app.bus.dispatch(action, {"id": task_id, **extra}, ALICE)
        _same_as_missing(app, action, {"id": task_id, **extra}, task_id)
    still = app.bus.dispatch("task.get", {"id": task_id}, BORIS)
    assert (still["title"], still["status"], still["version"]) == ("Beta secret", "todo", 1)


def test_other_tenants_project_summary_is_not_found(app: App, theirs: dict[str, Any]) -> None:
    project_id = str(theirs["project"]["id"])
    with raises_code("not_found"):
        app.bus.dispatch("project.summary", {"id": project_id}, ALICE)


def test_lists_show_only_the_callers_tenant(app: App, theirs: dict[str, Any]) -> None:
    mine = app.bus.dispatch("task.create", {"title": "Alpha task"}, ALICE)
    assert [t["id"] for t in list_all(app, "task.list", ALICE)] == [mine["id"]]
    assert list_all(app, "task.list", ALICE, search="Beta") == []
    assert list_all(app, "task.list", ALICE, filters={"id": str(theirs["task"]["id"])}) == []
    assert list_all(app, "task.list", ALICE, filters={"title": "Beta secret"}) == []
    assert list_all(app, "company.list", ALICE) == []
    assert list_all(app, "project.list", ALICE) == []
    assert {t["title"] for t in list_all(app, "task.list", BORIS)} == {"Beta secret"}


def test_a_cursor_from_another_tenant_reveals_nothing(app: App) -> None:
    for i in range(4):
        app.bus.dispatch("task.create", {"title": f"beta {i}"}, BORIS)
        app.bus.dispatch("task.create", {"title": f"alpha {i}"}, ALICE)
    theirs = app.bus.dispatch("task.list", {"limit": 1, "order_by": "title"}, BORIS)
    page = app.bus.dispatch(
        "task.list", {"order_by": "title", "cursor": theirs["next_cursor"]}, ALICE
    )
    assert all(t["title"].startswith("alpha") for t in page["items"])


def test_referencing_another_tenants_record_is_an_invalid_reference(
    app: App, theirs: dict[str, Any]
) -> None:
    company_id = str(theirs["company"]["id"])
    payload = {"first_name": "Eve", "last_name": "Spy", "company_id": company_id}
    with raises_code("invalid_input") as err:
        app.bus.dispatch("contact.create", payload, ALICE)
    assert err.value.details.get("field") == "company_id"
    _same_as_missing(app, "contact.create", payload, company_id)
    assert list_all(app, "contact.list", ALICE) == []

    contact = app.bus.dispatch("contact.create", {"first_name": "Eve", "last_name": "X"}, ALICE)
    update = {"id": str(contact["id"]), "company_id": company_id}
    with raises_code("invalid_input"):
        app.bus.dispatch("contact.update", update, ALICE)
    _same_as_missing(app, "contact.update", update, company_id)
    project_id = str(theirs["project"]["id"])
    with raises_code("invalid_input"):
        app.bus.dispatch("task.create", {"title": "x", "project_id": project_id}, ALICE)


def test_deleting_in_one_tenant_leaves_the_other_alone(app: App, theirs: dict[str, Any]) -> None:
    same_name = app.bus.dispatch("project.create", {"name": "Beta Project"}, ALICE)
    app.bus.dispatch("project.delete", {"id": str(same_name["id"])}, ALICE)
    assert len(list_all(app, "task.list", BORIS)) == 1
    assert app.bus.dispatch("project.get", {"id": str(theirs["project"]["id"])}, BORIS)


def test_audit_chains_are_per_tenant(app: App, theirs: dict[str, Any]) -> None:
    with raises_code("not_found"):
        app.bus.dispatch("task.delete", {"id": str(theirs["task"]["id"])}, ALICE)
    app.bus.dispatch("task.create", {"title": "alpha"}, ALICE)
    assert [e["action_id"] for e in audit_entries(app, "alpha")] == ["task.create"]
    assert len(audit_entries(app, "beta")) == 3
    assert chain(app, "alpha").ok and chain(app, "beta").ok
