"""The TUI's pure parts: paging over cursors, filter and jump parsing, safe text, the
theme in the config file, and the screen registry."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text

from console.tui.paging import WALK, PagedRows
from console.tui.preferences import read_theme, write_theme
from console.tui.query import completions, id_range, parse_filter_text, parse_jump
from console.tui.screen_registry import SCREENS, ScreenSpec, register_screen
from console.tui.session import database_label, entity_groups
from console.tui.text import safe_text
from core.errors import InvalidInput
from entities import DOMAIN

TASK = next(e for e in DOMAIN.entities if e.name == "Task")


class FakeList:
    """`<e>.list` over n rows with opaque cursors, counting calls."""

    def __init__(self, n: int) -> None:
        self.n, self.calls = n, 0

    def __call__(self, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        self.calls += 1
        start = int(cursor[1:]) if cursor else 0
        rows = [{"id": str(i)} for i in range(start, min(start + limit, self.n))]
        end = start + len(rows)
        return rows, (f"c{end}" if end < self.n else None)


def test_paging_reads_forward_and_keeps_memory_bounded() -> None:
    fetch, rows = FakeList(100_000), PagedRows(page_size=100, max_chunks=4)
    for index in range(0, 20_000, 100):
        if rows.row(index) is None:
            rows.load(index, fetch)
        assert rows.row(index) == {"id": str(index)}
    assert rows.cached_rows() <= 4 * (WALK + 100)
    assert fetch.calls <= 200


def test_paging_jump_walks_from_the_nearest_anchor_and_back_is_cheap() -> None:
    fetch, rows = FakeList(1_000_000), PagedRows()
    rows.load(0, fetch)
    rows.load(700_000, fetch)
    assert rows.row(700_000) == {"id": "700000"}
    walked = fetch.calls
    rows.load(350_000, fetch)  # an anchor every 500 rows was kept on the way
    assert fetch.calls == walked + 1
    assert rows.row(350_000) == {"id": "350000"}


def test_paging_end_is_known_from_a_page_without_cursor() -> None:
    fetch, rows = FakeList(130), PagedRows(page_size=100)
    rows.load(0, fetch)
    rows.load(120, fetch)
    assert rows.size == 130 and rows.row(129) == {"id": "129"} and rows.row(130) is None


def test_filter_text_becomes_typed_bus_filters() -> None:
    query = parse_filter_text(
        TASK,
        "status=todo,review priority!=low due_date<2026-07-01 estimate_hours>=2 "
        'title~"weekly report" call supplier',
        "due_date",
    )
    assert query.filters == {
        "status__in": ["todo", "review"],
        "priority__ne": "low",
        "due_date__lt": "2026-07-01",
        "estimate_hours__gte": 2,
        "title__contains": "weekly report",
    }
    assert query.search == "call supplier"
    assert query.request()["order_by"] == "due_date"


def test_filter_text_names_the_field_of_a_bad_value() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filter_text(TASK, "due_date<soon", None)
    assert caught.value.details["field"] == "due_date"
    with pytest.raises(InvalidInput):
        parse_filter_text(TASK, 'title~"unbalanced', None)


def test_completions_offer_fields_then_enum_options() -> None:
    assert completions(TASK, "pri") == ("pri", ["priority"])
    assert completions(TASK, "status=in") == ("in", ["in_progress"])
    assert completions(TASK, "status=todo,r") == ("r", ["review"])


def test_jump_accepts_any_name_in_any_case_and_an_id_prefix() -> None:
    entities = list(DOMAIN.entities)
    assert parse_jump(entities, "TASKS").entity.name == "Task"
    assert parse_jump(entities, "patient").entity.name == "Patient"
    jump = parse_jump(entities, "task 3f1c")
    assert jump.entity.name == "Task" and jump.prefix == "3f1c"
    with pytest.raises(InvalidInput):
        parse_jump(entities, "invoices")
    with pytest.raises(InvalidInput):
        parse_jump(entities, "task zz")


def test_id_range_spans_exactly_the_ids_with_the_prefix() -> None:
    low, high = id_range("3f1c")
    assert low == "3f1c0000-0000-0000-0000-000000000000"
    assert high == "3f1cffff-ffff-ffff-ffff-ffffffffffff"


@pytest.mark.parametrize(
    "raw", ["[bold]x[/]", "[/]", "\x1b[31mred", "a\x00b", "tab\there", "\u202eevil", "[link=x]"]
)
def test_safe_text_is_never_markup_and_shows_controls(raw: str) -> None:
    text = safe_text(raw)
    assert isinstance(text, Text)
    assert "\x1b" not in text.plain and "\x00" not in text.plain and "\t" not in text.plain
    assert "\u202e" not in text.plain
    if "[" in raw:
        assert "[" in text.plain  # kept as characters, not read as markup


def test_safe_text_keeps_newlines_only_when_asked() -> None:
    assert "\n" not in safe_text("a\nb").plain
    assert safe_text("a\nb", single_line=False).plain == "a\nb"


def test_theme_is_written_without_touching_other_keys(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('tenant = "acme"\n\n[sqlite]\nsynchronous = "NORMAL"\n# note\n')
    write_theme("nord", config)
    write_theme("gruvbox", config)
    data = tomllib.loads(config.read_text())
    assert data == {
        "tenant": "acme",
        "sqlite": {"synchronous": "NORMAL"},
        "tui": {"theme": "gruvbox"},
    }
    assert "# note" in config.read_text()
    assert read_theme(config) == "gruvbox"


def test_theme_in_an_existing_tui_table(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[tui]\ntheme = "nord"\nother = 1\n\n[ai]\nmodel = "x"\n')
    write_theme("dracula", config)
    assert tomllib.loads(config.read_text()) == {
        "tui": {"theme": "dracula", "other": 1},
        "ai": {"model": "x"},
    }


def test_theme_leaves_a_broken_file_alone(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("this is = = not toml")
    with pytest.raises(tomllib.TOMLDecodeError):
        write_theme("nord", config)
    assert config.read_text() == "this is = = not toml"
    assert read_theme(config) is None


def test_screen_registry_imports_lazily_and_tolerates_missing_modules() -> None:
    missing = ScreenSpec("x", "console.tui.screens.not_there:Nothing", "f9", "X")
    assert not missing.available() and missing.factory() is None
    saved = dict(SCREENS)
    try:
        spec = register_screen(
            "extra", "console.tui.screens.help:HelpScreen", key="f8", description="Extra"
        )
        assert SCREENS["extra"] is spec and spec.available()
        assert spec.factory().__name__ == "HelpScreen"  # type: ignore[union-attr]
    finally:
        SCREENS.clear()
        SCREENS.update(saved)
    assert {"palette", "chat"} <= set(SCREENS)
    assert SCREENS["palette"].key == "ctrl+k"


def test_database_label_hides_credentials() -> None:
    assert database_label("postgresql+psycopg://bob:secret@db.example:5433/app") == (
        "PostgreSQL db.example:5433/app"
    )
    assert database_label("sqlite:///relative.db") == "SQLite relative.db"


def test_entities_are_grouped_by_their_relationships() -> None:
    groups = [[e.name for e in g] for g in entity_groups(list(DOMAIN.entities))]
    assert groups == [
        ["Company", "Contact"],
        ["Project", "Task"],
        ["Doctor", "Patient", "Appointment"],
    ]
