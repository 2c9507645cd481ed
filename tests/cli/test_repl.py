"""The REPL, driven through prompt_toolkit's pipe input: completion and command round trips."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from console.cli.completer import ReplCompleter
from console.cli.main import cli, invoke
from console.cli.repl_session import history_path, make_session, run_repl
from console.cli.state import CliState
from core.model.registry import Registry
from entities import DOMAIN
from tests.cli.conftest import run_cli


@pytest.fixture(scope="module")
def completer() -> ReplCompleter:
    return ReplCompleter(cli, Registry(DOMAIN))


def complete(completer: ReplCompleter, text: str) -> list[str]:
    document = Document(text, len(text))
    return [c.text for c in completer.get_completions(document, CompleteEvent())]


ID = "0b0e3c4a-5d6f-4a8b-9c0d-1e2f3a4b5c6d"


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("tr", {"transition", "transitions"}, {"list"}),
        ("", {"list", "create", "batch", "audit", "repl", "completion"}, set()),
        ("audit ", {"list", "verify"}, {"create"}),
        ("list ta", {"task"}, {"project"}),
        ("get APPO", {"appointment"}, {"patient"}),
        ("run project.s", {"project.summary"}, {"project.create"}),
        ("create task pri", {"priority="}, {"title="}),
        ("create contact comp", {"company_id="}, set()),
        ("create task priority=h", {"high"}, {"low"}),
        ("create company industry=", {"software", "healthcare"}, set()),
        (f"update task {ID} du", {"due_date="}, set()),
        (f"transition task {ID} ", {"in_progress", "blocked", "start", "approve"}, set()),
        (f"transition appointment {ID} c", {"confirmed", "cancelled", "confirm"}, {"scheduled"}),
        ("list task --filter status=re", {"review"}, {"todo"}),
        ("list task --order-by -du", {"-due_date"}, set()),
        ("list task --fo", {"--format"}, set()),
        ("list task --format ", {"json", "table", "csv"}, set()),
        ("actions --entity ap", {"appointment"}, set()),
        ("audit list --entity pa", {"patient"}, {"project"}),
        ("completion ", {"bash", "zsh", "fish"}, set()),
        ("nonsense ", set(), {"task"}),
    ],
)
def test_completions(
    completer: ReplCompleter, text: str, expected: set[str], absent: set[str]
) -> None:
    offered = set(complete(completer, text))
    assert expected <= offered
    assert not absent & offered


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the REPL did not get there in time")
        time.sleep(0.01)


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe_input:
        yield pipe_input


def test_tab_completion_and_a_command_round_trip(
    sqlite_db: str, pipe: PipeInput, capsys: pytest.CaptureFixture[str]
) -> None:
    state = CliState(db=sqlite_db, fmt="json")
    session = make_session(state, input=pipe, output=DummyOutput())
    marker = uuid.uuid4().hex

    def type_lines() -> None:
        pipe.send_text("list tas\t")
        wait_for(lambda: session.default_buffer.text == "list task")
        pipe.send_text(" --limit 2\r")
        pipe.send_text(f"create task title={marker} half a line\x03")
        pipe.send_text(f"create task title={marker} priority=high\r")
        pipe.send_text("get task not-a-uuid\r")
        pipe.send_text("\x04")

    feeder = threading.Thread(target=type_lines)
    feeder.start()
    try:
        run_repl(state, session)
    finally:
        feeder.join(timeout=30)
        state.close()
    out, err = capsys.readouterr()
    documents = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    listed, created = documents
    assert len(listed["items"]) == 2 and listed["next_cursor"]
    assert created["title"] == marker and created["priority"] == "high"
    assert '"code": "invalid_input"' in err and "(exit 3)" in err
    history = history_path().read_text(encoding="utf-8")
    assert "+list task --limit 2" in history
    assert f"+create task title={marker} priority=high" in history
    assert "half a line" not in history  # Ctrl+C dropped that line


def test_the_repl_survives_errors_and_refuses_to_nest(sqlite_db: str) -> None:
    state = CliState(db=sqlite_db, fmt="json", in_repl=True)
    try:
        assert invoke(["repl"], obj=state) == 2
        assert invoke(["get", "task", str(uuid.uuid4())], obj=state) == 6
        assert invoke(["list", "--bogus"], obj=state) == 2
        assert invoke(["list", "task", "--limit", "1"], obj=state) == 0
    finally:
        state.close()


def test_metasaas_repl_reads_commands_from_stdin(sqlite_db: str) -> None:
    result = run_cli("repl", stdin="list project --limit 1\nexit\n", db=sqlite_db)
    assert result.code == 0, result.stderr
    document = next(line for line in result.stdout.splitlines() if line.startswith('{"items"'))
    assert len(json.loads(document)["items"]) == 1
