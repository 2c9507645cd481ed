"""Size limits: one action's input is at most 64 KiB, every string field has a cap, and an
outsized batch or import line is refused alone, before the database sees it.

A 40,000-character description of two-byte letters is within the field's length (60,000
characters) but 80 KB of input: only the size check stands in its way.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

import entities
from core.contracts import STRING_TYPES, DefinitionError, Field, define_entity
from core.contracts.fields import INPUT_MAX_BYTES, STRING_MAX_LENGTH
from core.model.payload_size import input_size
from tests.cli.conftest import all_items, prepare, run_cli
from tests.support.engine_helpers import AppFactory, caller, count, raises_code

WIDE = "é" * 40_000  # 40,000 characters, 80,000 bytes


def test_an_outsized_input_is_refused_before_validation_and_the_database(
    app_factory: AppFactory,
) -> None:
    app = app_factory(run_migrate=False)  # any database work would fail as "not migrated"
    big = {"title": "x", "description": WIDE, "no_such_field": 1}
    assert input_size(big) is not None and input_size(big) > INPUT_MAX_BYTES  # type: ignore[operator]
    with raises_code("invalid_input") as info:  # not "unknown field": validation never ran
        app.bus.dispatch("task.create", big, caller())
    assert info.value.details["reason"] == "too_large"
    with raises_code("invalid_input"):
        app.bus.dispatch(
            "task.list", {"filters": {f"k{i}": "v" * 10 for i in range(5000)}}, caller()
        )
    with raises_code("invalid_input"):
        app.bus.validate("task.create", big, caller())


def test_an_input_just_under_the_limit_passes(app_factory: AppFactory) -> None:
    app = app_factory()
    fits = {"title": "fits", "description": "é" * 30_000}
    app.bus.dispatch("task.create", fits, caller())
    assert count(app, "tasks") == 1


def test_a_batch_line_over_the_limit_fails_alone_inside_a_transaction(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    with app.bus.atomic(caller()) as batch:
        batch.dispatch("task.create", {"title": "one"})
        with raises_code("invalid_input"), batch.savepoint():
            batch.dispatch("task.create", {"title": "big", "description": WIDE})
        batch.dispatch("task.create", {"title": "two"})
    assert count(app, "tasks") == 2


def test_every_demo_string_field_has_a_cap_within_one_input() -> None:
    for entity in entities.DOMAIN.entities:
        for f in entity.fields:
            if f.type in STRING_TYPES:
                cap = f.effective_max_length
                assert cap is not None and cap <= STRING_MAX_LENGTH, (entity.name, f.name)


def test_a_field_declared_longer_than_an_input_can_carry_is_refused() -> None:
    with pytest.raises(DefinitionError, match="max_length"):
        define_entity(
            "Essay",
            plural="Essays",
            fields=(Field("body", "long_text", max_length=STRING_MAX_LENGTH + 1),),
        )


def test_cli_batch_and_import_refuse_the_outsized_line_alone(tmp_path: Path) -> None:
    sqlite_db = f"sqlite:///{tmp_path / 'size.db'}"
    prepare(sqlite_db, seeded=False)
    marker = uuid.uuid4().hex[:8]
    stdin = "".join(
        json.dumps({"action": "task.create", "input": data, "id": n}) + "\n"
        for n, data in enumerate(
            [
                {"title": f"{marker} a"},
                {"title": f"{marker} big", "description": WIDE},
                {"title": f"{marker} b"},
            ]
        )
    )
    batch = run_cli("batch", stdin=stdin, db=sqlite_db)
    out = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [r["ok"] for r in out] == [True, False, True]
    assert out[1]["error"]["details"]["reason"] == "too_large"
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text(
        f"title,description\n{marker} c,short\n{marker} huge,{WIDE}\n{marker} d,short\n",
        encoding="utf-8",
    )
    imported = run_cli("--format", "json", "import", "task", str(csv_path), db=sqlite_db)
    assert imported.json()["imported"] == 2, imported.stdout + imported.stderr
    titles = sorted(t["title"] for t in all_items(sqlite_db, "task", {"title__contains": marker}))
    assert titles == [f"{marker} {x}" for x in ("a", "b", "c", "d")]
