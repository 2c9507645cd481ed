"""The TUI's remembered choices (the theme) in the user config file, under `[tui]`.

The file also holds the user's settings, so writing one key must keep everything else
exactly as written: the `[tui]` table is edited line by line, the result is parsed
before it replaces the file, and the replacement is atomic.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path

SECTION = re.compile(r"^\s*\[\s*tui\s*\]\s*(#.*)?$")
ANY_SECTION = re.compile(r"^\s*\[")
THEME_LINE = re.compile(r"^\s*theme\s*=")


def config_path() -> Path:
    from core.settings import user_config_file

    return user_config_file()


def read_theme(path: Path | None = None) -> str | None:
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    theme = data.get("tui", {}).get("theme") if isinstance(data.get("tui"), dict) else None
    return theme if isinstance(theme, str) else None


def write_theme(theme: str, path: Path | None = None) -> None:
    """Set `[tui] theme`; a file that does not parse is left alone (ValueError)."""
    path = path or config_path()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    tomllib.loads(text)  # refuse to touch a file we could not read back
    line = f"theme = {json.dumps(theme)}"
    lines = text.splitlines()
    start = next((i for i, s in enumerate(lines) if SECTION.match(s)), None)
    if start is None:
        lines += (["", "[tui]"] if lines else ["[tui]"]) + [line]
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if ANY_SECTION.match(lines[i])), len(lines)
        )
        found = next((i for i in range(start + 1, end) if THEME_LINE.match(lines[i])), None)
        if found is None:
            lines.insert(start + 1, line)
        else:
            lines[found] = line
    updated = "\n".join(lines) + "\n"
    if tomllib.loads(updated).get("tui", {}).get("theme") != theme:
        raise ValueError("could not place the theme in the config file")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(updated)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
