"""`metasaas batch`: JSON Lines in order, bad lines answered, atomic all-or-nothing, streaming."""

from __future__ import annotations

import json
import os
import select
import subprocess
import uuid

import pytest

from tests.cli.conftest import METASAAS, all_items, run_cli


def lines(*items: object) -> str:
    return "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in items)


def results(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_each_line_stands_alone_and_bad_lines_get_an_error_result(seeded_db: str) -> None:
    marker = uuid.uuid4().hex
    stdin = lines(
        {"action": "task.create", "input": {"title": f"ok {marker}"}, "id": "a"},
        "this is not json",
        {"action": "task.get", "input": {"id": str(uuid.uuid4())}, "id": 2},
        "",
        {"action": "task.create", "input": {"title": f"two {marker}"}, "id": None},
        {"action": "task.create", "id": 5, "extra": True},
        ["not", "an", "object"],
        {"action": "Task Create", "input": {}, "id": 7},
    )
    result = run_cli("batch", stdin=stdin, db=seeded_db)
    out = results(result.stdout)
    assert [r["id"] for r in out] == ["a", None, 2, None, 5, None, 7]
    assert [r["ok"] for r in out] == [True, False, False, True, False, False, False]
    codes = [r["error"]["code"] for r in out if not r["ok"]]  # type: ignore[index]
    assert codes == ["invalid_input", "not_found", "invalid_input", "invalid_input"] + [
        "invalid_input"
    ]
    assert out[1]["error"]["details"]["line"] == 2  # type: ignore[index]
    assert result.code == 3  # the first failure's code
    stored = all_items(seeded_db, "task", {"title__contains": marker})
    assert len(stored) == 2


def test_atomic_rolls_everything_back_on_the_first_error(seeded_db: str) -> None:
    marker = uuid.uuid4().hex
    stdin = lines(
        {"action": "task.create", "input": {"title": f"one {marker}"}, "id": 1},
        {"action": "task.create", "input": {"title": f"two {marker}"}, "id": 2},
        {"action": "task.create", "input": {"title": f"three {marker}", "status": "done"}, "id": 3},
        {"action": "task.create", "input": {"title": f"four {marker}"}, "id": 4},
    )
    result = run_cli("batch", "--atomic", stdin=stdin, db=seeded_db)
    assert result.code == 3
    out = results(result.stdout)
    assert [r["id"] for r in out] == [1, 2, 3, 4] and not any(r["ok"] for r in out)
    assert out[0]["error"]["details"]["rolled_back"] is True  # type: ignore[index]
    assert out[2]["error"]["details"]["field"] == "status"  # type: ignore[index]
    assert out[3]["error"]["details"]["not_run"] is True  # type: ignore[index]
    assert "batch rolled back: line 3" in result.error()["message"]
    assert all_items(seeded_db, "task", {"title__contains": marker}) == []

    stdin = lines(*({"action": "task.create", "input": {"title": f"{i} {marker}"}} for i in "ab"))
    committed = run_cli("batch", "--atomic", stdin=stdin, db=seeded_db)
    assert committed.code == 0, committed.stderr
    assert all(r["ok"] for r in results(committed.stdout))
    assert len(all_items(seeded_db, "task", {"title__contains": marker})) == 2


def test_results_stream_before_input_ends(sqlite_db: str) -> None:
    proc = subprocess.Popen(
        [str(METASAAS), "batch", "--db", sqlite_db],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(lines({"action": "task.list", "input": {"limit": 1}, "id": 1}).encode())
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "no result while stdin is still open: batch is not streaming"
        first = json.loads(os.read(proc.stdout.fileno(), 1 << 16).decode().splitlines()[0])
        assert first["id"] == 1 and first["ok"] is True
        proc.stdin.write(lines({"action": "task.list", "input": {"limit": 1}, "id": 2}).encode())
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow
def test_ten_thousand_lines_keep_their_order(sqlite_db: str) -> None:
    marker = uuid.uuid4().hex
    total = 10_000
    stdin = lines(
        *(
            {"action": "task.create", "input": {"title": f"{i} {marker}"}, "id": i}
            if i % 2 == 0
            else {"action": "task.get", "input": {"id": str(uuid.uuid4())}, "id": i}
            for i in range(total)
        )
    )
    result = run_cli("batch", stdin=stdin, db=sqlite_db, timeout=280)
    out = results(result.stdout)
    assert [r["id"] for r in out] == list(range(total))
    assert all(r["ok"] is (r["id"] % 2 == 0) for r in out)  # type: ignore[operator]
    assert [r["data"]["title"] for r in out[:6:2]] == [f"{i} {marker}" for i in (0, 2, 4)]  # type: ignore[index]
    assert len(all_items(sqlite_db, "task", {"title__contains": marker})) == total // 2


def test_an_endless_line_is_refused_without_holding_it(sqlite_db: str) -> None:
    huge = "x" * (9 << 20)
    stdin = huge + "\n" + lines({"action": "task.list", "input": {"limit": 1}, "id": "after"})
    result = run_cli("batch", stdin=stdin, db=sqlite_db)
    first, second = results(result.stdout)
    assert "longer than" in first["error"]["message"]  # type: ignore[index]
    assert second["id"] == "after" and second["ok"] is True


def test_ctrl_c_stops_a_batch_with_exit_130(sqlite_db: str) -> None:
    import signal

    proc = subprocess.Popen(
        [str(METASAAS), "batch", "--db", sqlite_db],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(lines({"action": "task.list", "input": {"limit": 1}, "id": 1}).encode())
    proc.stdin.flush()
    assert proc.stdout.readline()  # running, and now waiting for the next line
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.decode().strip().endswith("interrupted")
