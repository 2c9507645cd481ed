"""`record.reveal`: an audited read of a record's sensitive fields.

A read leaves no audit entry, but looking at a patient's insurance number on purpose
should: a reveal writes one entry naming the record and the fields (never their values),
so "who looked at this?" has an answer. Only the roles that may read a field unmasked
(`Field.readable_by`, else the entity's `sensitive_readers`, by default `admin`) may
reveal it; anyone else is refused, and the refusal is audited like every denial. AI
agents may not run it at all.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints
from pydantic import Field as PydField

from core.actions.context import Context
from core.contracts import CallerType, allow
from core.errors import Forbidden, InvalidInput, NotFound
from core.model.inputs import STRICT
from core.model.platform import PlatformAction
from core.trail.draft import AuditDraft

NAME = Annotated[str, StringConstraints(min_length=1, max_length=63)]
PEOPLE = (CallerType.HUMAN, CallerType.SCRIPT, CallerType.SYSTEM)


class RevealInput(BaseModel):
    model_config = STRICT
    entity: NAME
    id: uuid.UUID
    fields: Annotated[list[NAME], PydField(min_length=1, max_length=32)]


def reveal(ctx: Context, data: RevealInput) -> dict[str, Any]:
    entity = ctx.registry.entity(data.entity)
    wanted = sorted(set(data.fields))
    unknown = [n for n in wanted if n not in entity.sensitive_fields]
    if unknown:
        raise InvalidInput(
            f"{', '.join(unknown)}: not a sensitive field of {entity.plural}; "
            "only sensitive fields are revealed",
            {"field": "fields", "reason": "not_sensitive"},
        )
    hidden = ctx.hidden(entity)
    refused = [n for n in wanted if n in hidden]
    if refused:
        raise Forbidden(
            f"{ctx.caller.user_id!r} may not read {', '.join(refused)} of {entity.plural}",
            {"fields": refused},
        )
    record = ctx.repo(entity).get(data.id)
    if record is None:
        raise NotFound(f"no {entity.name} with id {data.id}", {"id": str(data.id)})
    ctx.audit = AuditDraft(ctx.spec.id, entity.name, str(data.id), {"revealed": wanted})
    return {"id": record["id"], **{n: record.get(n) for n in wanted}}


REVEAL_ACTIONS = (
    PlatformAction(
        "record.reveal",
        "Show a record's sensitive fields to someone allowed to read them; audited.",
        RevealInput,
        reveal,
        (allow("reveal", caller_types=PEOPLE),),
        mutates=True,
    ),
)
