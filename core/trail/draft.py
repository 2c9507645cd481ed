"""What an action reports for its audit entry, apart so read paths never load the audit tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class AuditDraft:
    """What an action reports for its entry; the chain fields are added on append."""

    action_id: str
    entity: str
    record_id: str | None
    changes: dict[str, Any] = field(default_factory=dict)
    outcome: str = "success"
    error_code: str | None = None
