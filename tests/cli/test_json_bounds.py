"""JSON depth and size are bounded on every path that reads JSON: over the bound is
`invalid_input` (exit 3) for that input alone, never a RecursionError answered as
`internal`, and a batch goes on with its next line."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.cli.conftest import run_cli

DEEP = "[" * 100_000
DEEP_OBJECT = '{"a": ' * 100_000


@pytest.mark.parametrize("deep", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_a_deep_batch_line_fails_alone_and_the_batch_goes_on(sqlite_db: str, deep: str) -> None:
    lines = [
        json.dumps({"action": "task.count", "input": {}, "id": 1}),
        deep,
        json.dumps({"action": "task.create", "input": {"title": "after the deep line"}, "id": 3}),
    ]
    result = run_cli("batch", db=sqlite_db, stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["ok"] for r in out] == [True, False, True]
    assert out[1]["error"]["code"] == "invalid_input"
    assert "deeper than" in out[1]["error"]["message"]
    assert out[2]["data"]["title"] == "after the deep line"
    assert result.code == 3


def test_a_huge_batch_line_fails_alone(sqlite_db: str) -> None:
    huge = json.dumps({"action": "task.count", "input": {"search": "x" * (9 << 20)}})
    lines = [huge, json.dumps({"action": "task.count", "input": {}})]
    result = run_cli("batch", db=sqlite_db, stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["ok"] for r in out] == [False, True]
    assert out[0]["error"]["code"] == "invalid_input"


def test_deep_input_is_invalid_input(sqlite_db: str, tmp_path: Path) -> None:
    payload = '{"title": ' + DEEP + "}"
    via_option = run_cli("run", "task.create", "--input", payload, "--format", "json", db=sqlite_db)
    assert via_option.code == 3, via_option.stderr
    assert "deeper than" in via_option.error()["message"]
    file = tmp_path / "deep.json"
    file.write_text(payload)
    via_file = run_cli("run", "task.create", "--input-file", str(file), db=sqlite_db)
    assert via_file.code == 3, via_file.stderr
    via_stdin = run_cli("run", "task.create", "--input-file", "-", db=sqlite_db, stdin=payload)
    assert via_stdin.code == 3, via_stdin.stderr


def test_a_deep_filter_value_is_invalid_input(sqlite_db: str) -> None:
    nested = "[" * 200 + '"x"' + "]" * 200
    as_json = run_cli(
        "run", "task.list", "--input", '{"filters": {"title": ' + nested + "}}", db=sqlite_db
    )
    assert as_json.code == 3, as_json.stderr
    as_text = run_cli("run", "task.list", "filters=" + '{"title": ' + DEEP + "}", db=sqlite_db)
    assert as_text.code == 3, as_text.stderr


def test_a_deep_cursor_is_invalid_input(sqlite_db: str) -> None:
    cursor = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")
    result = run_cli("run", "task.list", "--input", json.dumps({"cursor": cursor[:60000]}))
    assert result.code in (2, 3)
    listed = run_cli("list", "task", "--cursor", cursor[:60000], db=sqlite_db)
    assert listed.code == 3, listed.stderr
    assert "cursor" in listed.error()["message"]
