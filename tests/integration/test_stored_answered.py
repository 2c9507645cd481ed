"""What an action answers is what is stored: a currency amount comes back from `create`
and `update` in the canonical form a later read returns, on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.bootstrap import App
from core.jsonable import to_jsonable
from tests.support.engine_helpers import caller


@pytest.mark.parametrize(
    ("given", "stored"),
    [("1e5", "100000.00"), ("12.5", "12.50"), ("7", "7.00"), ("0.10", "0.10"), ("1E-2", "0.01")],
)
def test_a_currency_is_answered_as_it_is_stored(app: App, given: str, stored: str) -> None:
    admin = caller()
    made = app.bus.dispatch("project.create", {"name": f"budget {given}", "budget": given}, admin)
    assert to_jsonable(made["budget"]) == stored
    read = app.bus.dispatch("project.get", {"id": str(made["id"])}, admin)
    assert to_jsonable(read["budget"]) == stored
    changed = app.bus.dispatch(
        "project.update", {"id": str(made["id"]), "budget": Decimal(given) * 2}, admin
    )
    again = app.bus.dispatch("project.get", {"id": str(made["id"])}, admin)
    assert to_jsonable(changed["budget"]) == to_jsonable(again["budget"])
