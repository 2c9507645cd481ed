"""Demo data through the bus as the `system` caller, so seeds are validated and audited.

Each seed record gets an id derived from its tenant and key, which makes seeding
idempotent: a record already there is skipped, never duplicated.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from core.actions.bus import Bus
from core.contracts import Caller, SeedRecord
from core.db.platform_tables import tenants
from core.errors import NotFound

SEED_NAMESPACE = uuid.UUID("5d8f0a0e-3b0c-4c55-9d4e-8f2b6a1c7e10")


def seed_id(tenant_id: str, key: str) -> uuid.UUID:
    return uuid.uuid5(SEED_NAMESPACE, f"{tenant_id}:{key}")


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    skipped: int = 0


def ensure_tenant(engine: sa.Engine, tenant_id: str, name: str | None = None) -> None:
    from core.actions.bus import utcnow

    with engine.begin() as conn:
        exists = conn.execute(sa.select(tenants.c.id).where(tenants.c.id == tenant_id)).first()
        if exists is None:
            conn.execute(
                tenants.insert(),
                {"id": tenant_id, "name": name or tenant_id, "created_at": utcnow()},
            )


def seed(bus: Bus, caller: Caller, records: list[SeedRecord]) -> SeedReport:
    ensure_tenant(bus.engine, caller.tenant_id)
    report = SeedReport()
    for record in records:
        entity = bus.registry.entity(record.entity)
        record_id = seed_id(caller.tenant_id, record.key)
        try:
            bus.dispatch(f"{entity.key}.get", {"id": str(record_id)}, caller)
            report.skipped += 1
            continue
        except NotFound:
            pass
        payload: dict[str, Any] = {**record.values, "id": str(record_id)}
        for rel_name, key in record.refs.items():
            payload[f"{rel_name}_id"] = str(seed_id(caller.tenant_id, key))
        bus.dispatch(f"{entity.key}.create", payload, caller)
        for state in record.transitions:
            bus.dispatch(f"{entity.key}.transition", {"id": str(record_id), "to": state}, caller)
        report.created[entity.name] = report.created.get(entity.name, 0) + 1
    return report


def has_records(bus: Bus, caller: Caller) -> bool:
    """Whether the tenant holds any record at all: `seed --if-empty` seeds only a new database."""
    for entity in bus.registry.entities.values():
        page = bus.dispatch(f"{entity.key}.list", {"limit": 1}, caller)
        if page["items"]:
            return True
    return False
