"""Child processes that start their work together, driven over stdin and stdout.

Each child sets up (imports, bootstrap, connection), prints `ready` and blocks on stdin;
the parent releases them all at once with `go`, so the measured or contended part
overlaps for real instead of depending on how fast each interpreter happens to start.
Replies are one JSON object per line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Child:
    proc: subprocess.Popen[str]
    log: Path

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def receive(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(
                f"child exited {self.proc.returncode} without replying:\n{self.stderr()}"
            )
        return json.loads(line)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def spawn(module: str, spec: dict[str, Any], log: Path) -> Child:
    """Start `python -m module SPEC` from the repository root, stderr to `log`."""
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, json.dumps(spec)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    return Child(proc, log)


def gang(module: str, specs: list[dict[str, Any]], log_dir: Path) -> list[Child]:
    """Start one child per spec and wait until every one has said it is ready."""
    children = [spawn(module, spec, log_dir / f"child-{i}.log") for i, spec in enumerate(specs)]
    for child in children:
        assert child.receive() == "ready", child.stderr()
    return children


def broadcast(children: list[Child], line: str) -> list[Any]:
    """Send `line` to every child, then collect one reply from each."""
    for child in children:
        child.send(line)
    return [child.receive() for child in children]


def finish(children: list[Child], timeout: float = 60) -> None:
    for child in children:
        if child.proc.stdin is not None:
            child.proc.stdin.close()
        code = child.proc.wait(timeout=timeout)
        assert code == 0, f"child exited {code}:\n{child.stderr()}"
        if child.proc.stdout is not None:
            child.proc.stdout.close()


# Child side.


def reply(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def command() -> str:
    """The next instruction from the parent; empty when the parent closed stdin."""
    return sys.stdin.readline().strip()


def ready() -> str:
    reply("ready")
    return command()
