"""INTERIM metering store until core's `ai_usage.*` actions land (see ai.platform).

One JSON line per model call in the user data directory, tenant and user on each line,
so `metasaas ai usage` works today. Only numbers and names are written: model, outcome,
tokens, cost, latency, never a prompt or a key. Goes when core's table arrives.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.contracts import Caller
from core.errors import InvalidInput
from core.settings import user_data_dir

FIELDS = (
    "model",
    "outcome",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "latency_ms",
    "purpose",
)
AGE = re.compile(r"^(\d{1,6})([mhdw])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_lock = threading.Lock()


def path() -> Path:
    return user_data_dir() / "ai-usage.jsonl"


def append(caller: Caller, entry: Mapping[str, Any]) -> None:
    line = {k: entry.get(k) for k in FIELDS}
    line.update(
        tenant_id=caller.tenant_id,
        user_id=caller.user_id,
        at=dt.datetime.now(dt.UTC).isoformat(),
    )
    target = path()
    with _lock:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, sort_keys=True) + "\n")


def parse_since(value: str, now: dt.datetime) -> dt.datetime:
    match = AGE.match(value.strip())
    if match:
        return now - dt.timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "since: give an ISO date or an age like 30m, 12h, 7d",
            {"errors": [{"field": "since", "code": "format", "message": "not a date or age"}]},
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def summary(caller: Caller, since: str | None, by: str) -> dict[str, Any]:
    if by not in ("user", "model"):
        raise InvalidInput("by: user or model", {"errors": [{"field": "by", "code": "enum"}]})
    cutoff = parse_since(since, dt.datetime.now(dt.UTC)) if since else None
    sees_tenant = "admin" in caller.roles
    groups: dict[str, dict[str, Any]] = {}
    target = path()
    lines = target.read_text(encoding="utf-8").splitlines() if target.exists() else []
    for raw in lines:
        row = json.loads(raw)
        if row["tenant_id"] != caller.tenant_id:
            continue
        if not sees_tenant and row["user_id"] != caller.user_id:
            continue
        if cutoff is not None and dt.datetime.fromisoformat(row["at"]) < cutoff:
            continue
        key = row["user_id"] if by == "user" else row["model"]
        g = groups.setdefault(
            key,
            {
                "key": key,
                "calls": 0,
                "errors": 0,
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "cost_usd": 0.0,
                "_latency": 0,
            },
        )
        g["calls"] += 1
        g["errors"] += row["outcome"] != "ok"
        g["prompt_tokens"] += row.get("prompt_tokens") or 0
        g["completion_tokens"] += row.get("completion_tokens") or 0
        g["cost_usd"] += row.get("cost_usd") or 0.0
        g["_latency"] += row.get("latency_ms") or 0
    items = []
    for g in sorted(groups.values(), key=lambda x: -x["calls"]):
        g["avg_latency_ms"] = round(g.pop("_latency") / g["calls"]) if g["calls"] else 0
        g["cost_usd"] = round(g["cost_usd"], 6)
        items.append(g)
    return {"items": items}
