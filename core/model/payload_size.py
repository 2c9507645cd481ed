"""The size of one action's input, refused before validation, the database or a model.

Field limits bound each value, but not how many values a payload carries (a filter with
ten thousand keys, a list of a million ids): the serialized input as a whole is capped,
so no surface and no batch line can make the bus parse, hash or store an outsized one.
"""

from __future__ import annotations

import json
from typing import Any

from core.contracts.fields import INPUT_MAX_BYTES
from core.errors import InvalidInput
from core.jsonable import nesting_problem


def input_size(payload: Any) -> int | None:
    """Bytes of `payload` as compact JSON; None when it cannot be measured that way (too
    deep or circular: validation refuses those with its own message)."""
    if nesting_problem(payload) is not None:
        return None
    try:
        text = json.dumps(payload, default=str, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, TypeError, RecursionError):
        return None
    return len(text.encode("utf-8", "surrogatepass"))


def check_input_size(payload: Any, limit: int = INPUT_MAX_BYTES) -> None:
    if payload is None:
        return
    size = input_size(payload)
    if size is not None and size > limit:
        raise InvalidInput(
            f"the input is {size} bytes; one action takes at most {limit} bytes",
            {"reason": "too_large", "limit": limit, "size": size},
        )
