"""Permission rule lists shared by the demo entities.

The bus is default-deny and the first matching rule wins, so the order of every list here
is part of its meaning: refusals that must hold whatever a caller's roles are (an AI agent
never deletes) come before the role grants they would otherwise be shadowed by. Keeping
the lists in one module means the roles mean the same thing on every entity.
"""

from __future__ import annotations

from core.contracts import CallerType, PermissionRule, allow, deny

# Role names as they appear in `Caller.roles`. What each may do, on every demo entity:
ADMIN = "admin"  # everything in the tenant, and sees sensitive fields unmasked
OPERATOR = "operator"  # read, create, update, transition; delete only what they created
VIEWER = "viewer"  # read only
SUPPORT = "support"  # read only here; the platform lets it read every chat of the tenant
READ_ONLY_ROLES: tuple[str, ...] = (VIEWER, SUPPORT)

# Custom verbs the demo entities use beside the generated ones.
TRANSITIONS = "transitions"
SUMMARY = "summary"

# Verbs that only look at records, so anyone allowed to see an entity may use them.
READ_VERBS: tuple[str, ...] = ("list", "get", TRANSITIONS)
# Verbs that change records but never remove them.
EDIT_VERBS: tuple[str, ...] = ("create", "update", "transition")


def standard_rules(
    *,
    read_verbs: tuple[str, ...] = (),
    edit_verbs: tuple[str, ...] = (),
) -> tuple[PermissionRule, ...]:
    """The house policy, extended with an entity's own custom verbs.

    Custom verbs must be named here because the bus only knows a verb is harmless if a
    rule says so; a verb left out is denied to everyone but admins and the system.
    """
    reads = (*READ_VERBS, *read_verbs)
    return (
        # AI agents act with the user's roles, but a deletion is never theirs to make.
        deny("delete", caller_types=(CallerType.AI_AGENT,)),
        # The seeder and other platform jobs run as the system.
        allow("*", caller_types=(CallerType.SYSTEM,)),
        allow("*", roles=(ADMIN,)),
        allow(*reads, *EDIT_VERBS, *edit_verbs, roles=(OPERATOR,)),
        # Operators may remove what they created, not their colleagues' work.
        allow("delete", roles=(OPERATOR,), ownership="own"),
        allow(*reads, roles=READ_ONLY_ROLES),
    )


STANDARD: tuple[PermissionRule, ...] = standard_rules()
"""Rules for an entity with only the generated verbs."""

PROJECT_RULES: tuple[PermissionRule, ...] = standard_rules(read_verbs=(SUMMARY,))
"""Projects add the read-only `summary` verb, which viewers and support may use too."""

PATIENT_RULES: tuple[PermissionRule, ...] = (
    # Patient records are medical data: an AI agent may read them (the platform masks
    # sensitive fields for it) but must never create or alter one on a user's behalf.
    deny("create", "update", "delete", "transition", caller_types=(CallerType.AI_AGENT,)),
    *standard_rules(),
)
"""Rules for patients: the standard policy behind a stricter fence for AI agents."""

# On-demand AI capabilities (`task.summarize`) answer about a record and write nothing:
# whoever may read the entity may ask.
TASK_RULES: tuple[PermissionRule, ...] = standard_rules(read_verbs=("summarize",))
COMPANY_RULES: tuple[PermissionRule, ...] = standard_rules(read_verbs=("classify_industry",))
CONTACT_RULES: tuple[PermissionRule, ...] = standard_rules(read_verbs=("draft_intro_email",))
