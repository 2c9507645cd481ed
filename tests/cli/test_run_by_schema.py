"""`run ACTION key=value` reads each value by the action's input schema from core.

`metasaas run task.count filters=...` was refused before issue 8: the CLI's own table of
input keys did not know `count`. Now every action's keys come from one description.
"""

from __future__ import annotations

import json

from tests.cli.conftest import all_items, run_cli


def test_run_count_takes_filters_as_json(sqlite_db: str) -> None:
    filters = json.dumps({"status__in": ["todo", "review"]})
    result = run_cli("run", "task.count", f"filters={filters}", db=sqlite_db)
    assert result.code == 0, result.stderr
    expected = all_items(sqlite_db, "task", {"status__in": ["todo", "review"]})
    assert result.json() == {"count": len(expected)} and expected


def test_run_reads_platform_action_inputs_by_their_schema(sqlite_db: str) -> None:
    result = run_cli("run", "audit.list", "limit=2", "caller_type=system", db=sqlite_db)
    assert result.code == 0, result.stderr
    page = result.json()
    assert len(page["items"]) == 2 and {e["caller_type"] for e in page["items"]} == {"system"}
    bad = run_cli("run", "audit.list", "limit=many", db=sqlite_db)
    assert bad.code == 3 and bad.error()["details"]["field"] == "limit"
