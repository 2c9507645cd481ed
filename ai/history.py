"""Earlier commands, per user and tenant, for Up-arrow recall in the palette (and chat).

Kept as plain lines in the user data directory: the user's own words, on their machine.
A command whose plan wrote a sensitive field is not kept, so a value typed once does
not linger in a file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.settings import user_data_dir

LIMIT = 200


def path(tenant_id: str, user_id: str) -> Path:
    who = hashlib.sha256(f"{tenant_id}\x00{user_id}".encode()).hexdigest()[:24]
    return user_data_dir() / "history" / f"palette-{who}.txt"


def load(tenant_id: str, user_id: str) -> list[str]:
    target = path(tenant_id, user_id)
    try:
        return target.read_text(encoding="utf-8").splitlines()[-LIMIT:]
    except OSError:
        return []


def remember(tenant_id: str, user_id: str, command: str) -> list[str]:
    """Add `command` (one line) as the newest entry and return the whole history."""
    line = " ".join(command.split())
    entries = [e for e in load(tenant_id, user_id) if e != line]
    if line:
        entries.append(line)
    entries = entries[-LIMIT:]
    target = path(tenant_id, user_id)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(entries) + "\n", encoding="utf-8")
    except OSError:
        pass  # history is a convenience; a read-only home must not break the palette
    return entries
