"""`<entity>.restore`: put a record back from a backup exactly as it was stored.

`create` makes a new record (a fresh id, the initial workflow state, now as its time, the
caller as its author), so an export imported through it is not a backup. A restore keeps
what the backup says: the id, every field, the workflow states, the timestamps, the
authors and the version. It still checks what a backup cannot vouch for in this database
(references name records of the caller's tenant, unique values are free, the id is not
taken), leaves one audit entry that says the record was restored and by whom, and is
refused to anyone but an admin or the platform (`core.model.registry.RESTORE_RULES`).
Before-hooks do not run: they shape new records, and a restored one is not new.
"""

from __future__ import annotations

from typing import Any

from core.actions.context import Context
from core.actions.guards import check_references, check_unique
from core.errors import Conflict, InvalidInput, field_error
from core.jsonable import to_jsonable
from core.model.describe import SYSTEM_PROPERTIES
from core.model.inputs import RestoreInput

STAMPS = tuple(name for name in SYSTEM_PROPERTIES if name != "id")


def restore(ctx: Context, data: RestoreInput) -> dict[str, Any]:
    from core.actions.handlers import redacted_changes

    values = data.model_dump()
    record_id = values.pop("id")
    stamps = {name: values.pop(name) for name in STAMPS}
    repo = ctx.repo()
    if repo.exists(record_id):
        raise Conflict(
            f"a {ctx.entity.name} with id {record_id} already exists",
            {"field": "id", "reason": "exists"},
        )
    problems = _state_problems(ctx, values) + check_references(ctx, values)
    if stamps["updated_at"] < stamps["created_at"]:
        problems.append(field_error("updated_at", "order", "must not be before created_at"))
    if problems:
        raise InvalidInput.of(problems)
    check_unique(ctx, values, None)
    row = {"id": record_id, **values, **stamps}
    repo.insert(row)
    changes = redacted_changes(ctx, {k: (None, v) for k, v in values.items() if v is not None})
    changes["_restored"] = {name: to_jsonable(value) for name, value in stamps.items()}
    ctx.record_change(record_id, changes)
    ctx.emit("restored", record_id, {"changes": changes})
    return row


def _state_problems(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    """A workflow state may be any declared state, but not none: every record has one."""
    return [
        field_error(w.field, "required", "is a workflow state: a stored record always has one")
        for w in ctx.entity.workflows
        if values.get(w.field) is None
    ]
