"""`metasaas chat` as scripts run it: JSON Lines events in order, text streamed, sessions
continued, confirmation only with --yes, offline without a model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.ai import stub_server as s
from tests.ai.conftest import SECRET_KEY
from tests.ai.stub_server import StubModel
from tests.cli.conftest import dispatch, prepare, run_cli

NO_KEY = {"OPENAI_API_KEY": "", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('chat') / 'chat.db'}"
    prepare(url, seeded=False)
    return url


@pytest.fixture
def stub() -> Any:
    with StubModel() as server:
        yield server


def model_env(stub: StubModel) -> dict[str, str]:
    return {
        **NO_KEY,
        "METASAAS_AI__MODEL": "openai/gpt-4o-mini",
        "METASAAS_AI__API_BASE": stub.base_url,
        "METASAAS_AI__MAX_RETRIES": "0",
        "OPENAI_API_KEY": SECRET_KEY,
    }


def chat(db: str, *args: str, env: dict[str, str], json_lines: bool = True) -> Any:
    fmt = ["--format", "json"] if json_lines else ["--format", "table"]
    return run_cli("chat", *args, *fmt, db=db, env=env)


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def folded(events: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for event in events:
        if not (event["type"] == "token" and out and out[-1] == "token"):
            out.append(event["type"])
    return out


def test_json_lines_in_order_with_session_and_usage_last(db: str, stub: StubModel) -> None:
    dispatch(db, "task.create", {"title": "Ring the bank"})
    stub.enqueue(s.tools(("task__list", {"limit": 5})), s.text("One task: ring the bank."))
    done = chat(db, "what is on my list?", env=model_env(stub))
    assert done.code == 0, done.stderr
    events = lines(done.stdout)
    assert folded(events) == ["plan", "action", "result", "token", "done"]
    assert events[2]["ok"] and events[2]["summary"] == "1 record(s)"
    last = events[-1]
    assert last["model"] == "openai/gpt-4o-mini" and last["usage"]["total_tokens"] == 300
    assert SECRET_KEY not in done.stdout + done.stderr
    # the session continues: the model sees the earlier exchange
    stub.enqueue(s.text("Still one."))
    again = chat(db, "and now?", "--session", last["session_id"], env=model_env(stub))
    assert again.code == 0, again.stderr
    assert lines(again.stdout)[-1]["session_id"] == last["session_id"]
    sent = stub.requests[-1]["messages"]
    assert [m["role"] for m in sent[1:]] == ["user", "assistant", "tool", "assistant", "user"]


def test_text_mode_streams_the_answer(db: str, stub: StubModel) -> None:
    stub.enqueue(s.text("Hello from the **stub**."))
    done = chat(db, "hello", env=model_env(stub), json_lines=False)
    assert done.code == 0, done.stderr
    assert done.stdout.strip() == "Hello from the **stub**."
    assert "[session " in done.stderr


def _in_review(db: str) -> str:
    task = str(dispatch(db, "task.create", {"title": "Close me"})["id"])
    for trigger in ("start", "submit"):
        dispatch(db, "task.transition", {"id": task, "trigger": trigger})
    return task


def test_confirmation_needs_yes(db: str, stub: StubModel) -> None:
    task = _in_review(db)
    close = s.tools(("task__transition", {"id": task, "to": "done"}))
    stub.enqueue(close)
    refused = chat(db, f"close task {task}", env=model_env(stub), json_lines=False)
    assert refused.code == 2
    assert "needs confirmation" in refused.stdout + refused.stderr and "--yes" in refused.stderr
    assert dispatch(db, "task.get", {"id": task})["status"] == "review"
    stub.enqueue(close, s.text("Closed."))
    confirmed = chat(db, f"close task {task}", "--yes", env=model_env(stub))
    assert confirmed.code == 0, confirmed.stderr
    assert folded(lines(confirmed.stdout)) == ["plan", "action", "result", "token", "done"]
    assert dispatch(db, "task.get", {"id": task})["status"] == "done"


def test_offline_without_a_model(db: str) -> None:
    done = chat(db, "create a task called Offline chat", env=NO_KEY)
    assert done.code == 0, done.stderr
    events = lines(done.stdout)
    assert folded(events) == ["error", "token", "plan", "action", "result", "done"]
    assert events[0]["code"] == "ai_unavailable" and events[-1]["model"] == "offline"


def test_an_unknown_session_is_not_found(db: str) -> None:
    done = chat(db, "hi", "--session", "not-a-session", env=NO_KEY)
    assert done.code == 6
    assert lines(done.stdout)[0]["code"] == "not_found"


def test_a_stream_dropped_half_way_still_ends_with_an_answer(db: str, stub: StubModel) -> None:
    stub.enqueue(s.cut("alpha beta gamma delta epsilon zeta"))
    done = chat(db, "list tasks", env=model_env(stub))
    assert done.code == 0, done.stderr
    events = lines(done.stdout)
    said = "".join(e["text"] for e in events if e["type"] == "token")
    assert said.startswith("alpha beta gamma")
    assert any(e["type"] == "error" and "broke off" in e["message"] for e in events)
    assert folded(events)[-4:] == ["plan", "action", "result", "done"]
    assert events[-1]["model"] == "offline"
