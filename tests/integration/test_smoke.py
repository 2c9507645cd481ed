from __future__ import annotations

from core.bootstrap import App
from core.contracts import Caller


def test_create_then_get_round_trips(app: App, admin: Caller) -> None:
    created = app.bus.dispatch("project.create", {"name": "Apollo"}, admin)
    fetched = app.bus.dispatch("project.get", {"id": str(created["id"])}, admin)
    assert fetched["name"] == "Apollo"
    assert fetched["status"] == "planned"
    assert fetched["version"] == 1
