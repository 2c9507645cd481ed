"""Layers point one way: headless modules never load UI toolkits, AI or console code.

Each import runs in a fresh interpreter, because in this process pytest and other tests
may already have loaded anything.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WATCHED = ("textual", "litellm", "prompt_toolkit", "rich", "ai", "console")
HEADLESS = frozenset(WATCHED)
CLI_FORBIDDEN = frozenset({"textual", "litellm", "prompt_toolkit"})
# The AI layer imports litellm only on the model path, inside a call.
AI_HEADLESS = frozenset({"textual", "litellm", "prompt_toolkit", "rich", "console"})

CASES = [
    ("core", HEADLESS),
    ("core.contracts", HEADLESS),
    ("core.actions.bus", HEADLESS),
    ("core.bootstrap", HEADLESS),
    ("entities", HEADLESS),
    ("console.cli.main", CLI_FORBIDDEN),
    ("ai.offline", AI_HEADLESS),
    ("ai.interpreter", AI_HEADLESS),
    ("ai.gateway", AI_HEADLESS),
    ("ai.runner", AI_HEADLESS),
    ("ai.preview", AI_HEADLESS),
    ("console.cli.commands.ask", CLI_FORBIDDEN),
    ("console.tui.screens.palette", frozenset({"litellm"})),
    ("ai.chat", AI_HEADLESS),
    ("console.cli.commands.chat", CLI_FORBIDDEN),
    ("console.tui.screens.chat", frozenset({"litellm"})),
]


def loaded_roots(module: str) -> set[str]:
    code = (
        f"import {module}, sys, json; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {set(WATCHED)!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {name.split(".")[0] for name in json.loads(done.stdout.strip().splitlines()[-1])}


@pytest.mark.parametrize(("module", "forbidden"), CASES, ids=[m for m, _ in CASES])
def test_headless_module_does_not_load_forbidden_packages(
    module: str, forbidden: frozenset[str]
) -> None:
    assert loaded_roots(module) & forbidden == set()


def test_the_probe_sees_a_forbidden_import() -> None:
    """Guards the probe itself: importing console must be reported."""
    assert "console" in loaded_roots("console.cli.main")


def _core_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "core":  # `from core import x` imports the module core.x
                found += [(node.lineno, f"core.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.split(".")[0] == "core"]


def _allowed(name: str) -> bool:
    return name == "core.contracts" or name.startswith("core.contracts.")


ENTITY_FILES = sorted((ROOT / "entities").rglob("*.py"))


@pytest.mark.parametrize("path", ENTITY_FILES, ids=[str(p.relative_to(ROOT)) for p in ENTITY_FILES])
def test_entities_import_only_core_contracts(path: Path) -> None:
    bad = [f"{path.name}:{line} {name}" for line, name in _core_imports(path) if not _allowed(name)]
    assert bad == []


def test_entity_files_were_found() -> None:
    assert {p.name for p in ENTITY_FILES} >= {"__init__.py", "crm.py", "projects.py", "clinic.py"}


@pytest.mark.parametrize(
    ("source", "expected_bad"),
    [
        ("from core.contracts import Field", []),
        ("import core.contracts.fields", []),
        ("from core import contracts", []),
        ("from core import actions", ["core.actions"]),
        ("import core.model.registry", ["core.model.registry"]),
        ("from core.errors import InvalidInput", ["core.errors"]),
        ("import core", ["core"]),
        ("def f():\n    from core.model.inputs import validate", ["core.model.inputs"]),
        ("import os, core.records.listing as listing", ["core.records.listing"]),
    ],
)
def test_the_ast_scan_flags_non_contract_imports(
    tmp_path: Path, source: str, expected_bad: list[str]
) -> None:
    module = tmp_path / "sample.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert [name for _, name in _core_imports(module) if not _allowed(name)] == expected_bad


def test_starting_the_bus_loads_no_orm_models_or_migrations() -> None:
    """`metasaas list` pays for the bus, not for the platform tables or Alembic (bench P3)."""
    code = (
        "import core.bootstrap, sys, json; "
        "print(json.dumps(sorted(m for m in ('sqlmodel', 'alembic', 'core.db.platform_tables') "
        "if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
