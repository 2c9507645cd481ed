"""`metasaas ask`, `apply`, `keys` and `ai usage` as scripts run them (subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ai import stub_server as s
from tests.ai.conftest import SECRET_KEY
from tests.ai.stub_server import StubModel
from tests.cli.conftest import ADMIN, dispatch, prepare, run_cli

ROOT = Path(__file__).resolve().parents[2]
NO_KEY = {"OPENAI_API_KEY": "", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('ask') / 'ask.db'}"
    prepare(url, seeded=False)
    return url


def ask(db: str, *args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    return run_cli("ask", *args, "--format", "json", db=db, env={**NO_KEY, **(env or {})},
                   stdin=stdin)  # fmt: skip


def task_in_review(db: str) -> str:
    task = dispatch(db, "task.create", {"title": "Review me"})
    for trigger in ("start", "submit"):
        dispatch(db, "task.transition", {"id": str(task["id"]), "trigger": trigger})
    return str(task["id"])


def test_ask_offline_plans_and_runs(db: str) -> None:
    done = ask(db, "create a high priority task called Offline one")
    assert done.code == 0, done.stderr
    out = done.json()
    assert out["model"] == "offline" and out["run"]["completed"] is True
    assert out["run"]["results"][0]["result"]["priority"] == "high"
    assert "offline: no key for openai" in done.stderr


def test_dry_run_prints_the_public_plan_and_apply_runs_it(db: str, tmp_path: Path) -> None:
    planned = ask(db, "create task called Stored for later", "--dry-run")
    assert planned.code == 0
    plan = planned.json()
    assert plan == {
        "steps": [{"action_id": "task.create", "input": {"title": "Stored for later"}}],
        "explanation": "Create a Task: title Stored for later.",
        "source": "offline",
    }
    assert dispatch(db, "task.count", {"search": "Stored for later"})["count"] == 0
    path = tmp_path / "plan.json"
    path.write_text(planned.stdout)
    applied = run_cli("apply", str(path), "--format", "json", db=db, env=NO_KEY)
    assert applied.code == 0, applied.stderr
    again = run_cli("apply", "-", "--format", "json", db=db, env=NO_KEY, stdin=planned.stdout)
    assert again.code == 0
    assert dispatch(db, "task.count", {"search": "Stored for later"})["count"] == 2


def test_a_plan_needing_confirmation_exits_2_and_runs_nothing(db: str) -> None:
    task_id = task_in_review(db)
    refused = ask(db, f"mark task {task_id} as done")
    assert refused.code == 2
    assert refused.json()["needs_confirmation"] == [1]
    assert "need confirmation" in refused.stderr and "--yes" in refused.stderr
    assert dispatch(db, "task.get", {"id": task_id})["status"] == "review"
    confirmed = ask(db, f"mark task {task_id} as done", "--yes")
    assert confirmed.code == 0, confirmed.stderr
    assert dispatch(db, "task.get", {"id": task_id})["status"] == "done"


def test_the_bus_refuses_an_ai_delete_even_for_an_admin(db: str) -> None:
    task = dispatch(db, "task.create", {"title": "Keep"})
    done = ask(db, f"delete task {task['id']}", "--yes")
    assert done.code == 5
    assert done.json()["run"]["results"][0]["error"]["code"] == "forbidden"
    assert dispatch(db, "task.get", {"id": str(task["id"])}, ADMIN)["title"] == "Keep"


def test_too_long_and_unmappable_commands_exit_3(db: str) -> None:
    long = ask(db, "x" * 2001)
    assert long.code == 3 and json.loads(long.stderr)["error"]["code"] == "invalid_input"
    vague = ask(db, "make everything better")
    assert vague.code == 3
    assert vague.json()["plan"]["steps"] == []
    assert "Try, for example" in vague.json()["plan"]["explanation"]


def test_ask_offline_never_imports_litellm(db: str) -> None:
    probe = (
        "import sys; from console.cli.main import invoke; "
        f"code = invoke(['--db', {db!r}, 'ask', 'list tasks', '--format', 'json']); "
        "print(code, 'litellm' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**__import__("os").environ, **NO_KEY},
    )  # fmt: skip
    assert out.stdout.strip().splitlines()[-1] == "0 False"


def test_the_model_path_runs_and_the_hard_exit_flushes_its_output(db: str) -> None:
    with StubModel() as stub:
        stub.enqueue(s.tools(("task__create", {"title": "Through the stub"})))
        env = {"METASAAS_AI__MODEL": "openai/gpt-4o-mini", "METASAAS_AI__API_BASE": stub.base_url,
               "OPENAI_API_KEY": SECRET_KEY}  # fmt: skip
        done = ask(db, "add a task for the stub", env=env)
        assert done.code == 0, done.stderr
        out = done.json()
        assert out["model"] == "openai/gpt-4o-mini" and out["run"]["completed"]
        assert SECRET_KEY not in done.stdout + done.stderr
        usage = run_cli("ai", "usage", "--format", "json", db=db, env=NO_KEY)
        assert usage.json()["items"][0]["key"] == "openai/gpt-4o-mini"


def test_nothing_can_answer_exits_9(db: str) -> None:
    with StubModel(default=s.status(500)) as stub:
        env = {"METASAAS_AI__MODEL": "openai/gpt-4o-mini", "METASAAS_AI__API_BASE": stub.base_url,
               "METASAAS_AI__MAX_RETRIES": "0"}  # fmt: skip
        done = ask(db, "cheer up the team", env=env)
    assert done.code == 9, done.stderr
    assert json.loads(done.stderr.strip().splitlines()[-1])["error"]["code"] == "ai_unavailable"


def test_keys_set_list_delete_never_show_the_value(db: str, tmp_path: Path) -> None:
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.ai.memory_keyring.FileKeyring",
        "METASAAS_TEST_KEYRING_FILE": str(tmp_path / "ring.json"),
        "PYTHONPATH": str(ROOT),
        "OPENAI_API_KEY": "",
    }
    stored = run_cli("keys", "set", "openai", env=env, stdin=SECRET_KEY + "\n")
    assert stored.code == 0, stored.stderr
    listed = run_cli("keys", "list", "--format", "json", env=env)
    assert listed.json()["items"] == [{"provider": "openai", "keyring": True, "environment": False}]
    for result in (stored, listed):
        assert SECRET_KEY not in result.stdout + result.stderr
    assert run_cli("keys", "delete", "openai", env=env).code == 0
    assert run_cli("keys", "delete", "openai", env=env).code == 6
    assert run_cli("keys", "set", "Bad Name!", env=env, stdin="x\n").code == 3


def test_audit_list_finds_ai_actions_with_their_provenance(db: str) -> None:
    done = ask(db, "create task called Audited through ask")
    assert done.code == 0, done.stderr
    listed = run_cli("audit", "list", "--caller-type", "ai_agent", "--format", "json", db=db,
                     env=NO_KEY)  # fmt: skip
    assert listed.code == 0, listed.stderr
    entry = next(e for e in listed.json()["items"] if e["action_id"] == "task.create")
    provenance = entry["changes"]["_provenance"]
    assert provenance["source"] == "cli" and provenance["model"] == "offline"
    assert provenance["command"] == "create task called Audited through ask"
    assert provenance["step"] == 1 and provenance["confirmed_by"] is None
