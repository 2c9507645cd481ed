"""The Big List of Naughty Strings through text fields: stored verbatim or refused cleanly."""

from __future__ import annotations

from core.bootstrap import App
from core.contracts import Caller
from core.errors import InvalidInput, MetaSaasError
from tests.support.naughty import naughty_strings, unstorable

TITLE_MAX = 200


def _strings() -> list[str]:
    data = naughty_strings()
    assert len(data) > 100
    return data


_unstorable = unstorable


def test_naughty_strings_round_trip_or_are_refused(app: App, admin: Caller) -> None:
    strings = _strings()
    problems: list[str] = []
    refused: set[tuple[str, int]] = set()
    for index, value in enumerate(strings):
        for field, payload in (
            ("title", {"title": value}),
            ("description", {"title": f"blns {index}", "description": value}),
        ):
            try:
                task = app.bus.dispatch("task.create", payload, admin)
            except InvalidInput:
                refused.add((field, index))
                continue
            except MetaSaasError as exc:
                problems.append(f"#{index} {field} create: {exc.code}: {exc.message}")
                continue
            got = app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
            if got[field] != value:
                problems.append(f"#{index} {field}: stored {got[field]!r}, sent {value!r}")
        try:
            app.bus.dispatch("task.list", {"search": value, "limit": 1}, admin)
        except InvalidInput:
            pass
        except MetaSaasError as exc:
            problems.append(f"#{index} search: {exc.code}: {exc.message}")
    assert problems == []
    # Refusals are for what cannot be stored (over-long titles, NUL, broken Unicode) only:
    # refusing ordinary if hostile text would make this test pass vacuously.
    expected = {("title", i) for i, s in enumerate(strings) if len(s) > TITLE_MAX or _unstorable(s)}
    expected |= {("description", i) for i, s in enumerate(strings) if _unstorable(s)}
    assert sorted(refused - expected) == []
    assert sorted(expected - refused) == []
    assert len(expected) < len(strings)
