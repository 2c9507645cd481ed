"""`tenants.*` and `users.*`: who may sign in, with which roles. Admin only, audited.

An admin manages the users of their own tenant. Disabling a user, changing their roles
and issuing a reset token end or prepare to end their sessions in the same transaction.
The audit entry names the email and the roles, never a password, hash or token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, StringConstraints
from pydantic import Field as PydField

from core.identifiers import TENANT_ID
from core.model.inputs import STRICT, clean_text
from core.model.platform import PlatformAction, account_admins


def _handler(name: str) -> Callable[[Any, Any], Any]:
    def run(ctx: Any, data: Any) -> Any:
        from core.actions.platform import account_admin

        return getattr(account_admin, name)(ctx, data)

    run.__name__ = name
    return run


RESET_VALID = dt.timedelta(minutes=30)
ROLE = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
ROLES = Annotated[list[ROLE], PydField(min_length=1, max_length=16)]
EMAIL = Annotated[
    str, StringConstraints(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]


def _tenant_id(value: str) -> str:
    if not TENANT_ID.match(value):
        raise ValueError("must match ^[a-z0-9][a-z0-9_-]{0,62}$")
    return value


class AddTenant(BaseModel):
    model_config = STRICT
    id: Annotated[str, AfterValidator(_tenant_id)]
    name: Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_text)] | None = (
        None
    )


class Nothing(BaseModel):
    model_config = STRICT


class AddUser(BaseModel):
    model_config = STRICT
    email: EMAIL
    roles: ROLES
    password: Annotated[str, StringConstraints(max_length=4096)] | None = None


class OneUser(BaseModel):
    model_config = STRICT
    email: EMAIL


class SetRoles(BaseModel):
    model_config = STRICT
    email: EMAIL
    roles: ROLES


ACCOUNT_ACTIONS = (
    PlatformAction(
        "tenants.add",
        "Add a tenant.",
        AddTenant,
        _handler("add_tenant"),
        account_admins("add"),
        mutates=True,
    ),
    PlatformAction(
        "tenants.list",
        "The tenants you administer.",
        Nothing,
        _handler("list_tenants"),
        account_admins("list"),
    ),
    PlatformAction(
        "users.add",
        "Add a user to your tenant.",
        AddUser,
        _handler("add_user"),
        account_admins("add"),
        mutates=True,
    ),
    PlatformAction(
        "users.list",
        "The users of your tenant.",
        Nothing,
        _handler("list_users"),
        account_admins("list"),
    ),
    PlatformAction(
        "users.disable",
        "Disable a user; ends their sessions.",
        OneUser,
        _handler("disable_user"),
        account_admins("disable"),
        mutates=True,
    ),
    PlatformAction(
        "users.enable",
        "Enable a disabled user.",
        OneUser,
        _handler("enable_user"),
        account_admins("enable"),
        mutates=True,
    ),
    PlatformAction(
        "users.roles",
        "Set a user's roles; ends their sessions.",
        SetRoles,
        _handler("set_roles"),
        account_admins("roles"),
        mutates=True,
    ),
    PlatformAction(
        "users.reset",
        "Issue a single-use password reset token, valid 30 minutes.",
        OneUser,
        _handler("issue_reset"),
        account_admins("reset"),
        mutates=True,
    ),
)
