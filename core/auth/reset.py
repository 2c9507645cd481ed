"""Which tenant a reset token belongs to, read by its digest before redeeming it."""

from __future__ import annotations

import sqlalchemy as sa

from core.auth.tokens import digest
from core.db.auth_tables import reset_tokens


def tenant_of_token(engine: sa.Engine, token: str) -> str | None:
    stmt = sa.select(reset_tokens.c.tenant_id).where(reset_tokens.c.token_sha256 == digest(token))
    with engine.connect() as conn:
        found = conn.execute(stmt).scalar_one_or_none()
    return str(found) if found is not None else None
