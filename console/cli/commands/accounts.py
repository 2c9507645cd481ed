"""`metasaas tenants`, `users` and `password`: who may sign in, with which roles.

Every command is an action on the bus run by the signed-in admin (default deny), so each
is permission-checked and audited. Passwords come from stdin or a hidden prompt; a reset
token is printed once and never stored in the clear.
"""

from __future__ import annotations

import sys

import click

from console.cli.common import dispatch
from console.cli.output import emit
from console.cli.state import CliState

DEMO_ROLES = ("admin", "operator", "viewer", "support")
USER_COLUMNS = ["email", "roles", "disabled", "created_at"]


def _secret(from_stdin: bool, prompt: str, *, confirm: bool = True) -> str:
    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if not sys.stdin.isatty():
        raise click.UsageError("no terminal to ask for the password: use --password-stdin")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))


@click.group("tenants")
def tenants() -> None:
    """Tenants (admin only)."""


@tenants.command("add")
@click.argument("tenant_id")
@click.option("--name", help="A display name (default: the id).")
@click.pass_obj
def tenants_add(state: CliState, tenant_id: str, name: str | None) -> None:
    """Add tenant TENANT_ID."""
    emit(dispatch(state, "tenants.add", {"id": tenant_id, "name": name}), state.format)


@tenants.command("list")
@click.pass_obj
def tenants_list(state: CliState) -> None:
    """The tenants you administer."""
    emit(dispatch(state, "tenants.list", {}), state.format, ["id", "name", "created_at"])


@click.group("users")
def users() -> None:
    """Users of your tenant (admin only)."""


@users.command("add")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, help="A role (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@click.option("--no-password", is_flag=True, help="Add without a password (send a reset).")
@click.pass_obj
def users_add(
    state: CliState, email: str, roles: tuple[str, ...], password_stdin: bool, no_password: bool
) -> None:
    """Add EMAIL to the tenant with the given roles."""
    password = None if no_password else _secret(password_stdin, "Password for the new user")
    payload = {"email": email, "roles": list(roles), "password": password}
    emit(dispatch(state, "users.add", payload), state.format)


@users.command("list")
@click.pass_obj
def users_list(state: CliState) -> None:
    """The users of your tenant."""
    emit(dispatch(state, "users.list", {}), state.format, USER_COLUMNS)


@users.command("disable")
@click.argument("email")
@click.pass_obj
def users_disable(state: CliState, email: str) -> None:
    """Disable EMAIL and end their sessions."""
    emit(dispatch(state, "users.disable", {"email": email}), state.format)


@users.command("enable")
@click.argument("email")
@click.pass_obj
def users_enable(state: CliState, email: str) -> None:
    """Enable EMAIL again."""
    emit(dispatch(state, "users.enable", {"email": email}), state.format)


@users.command("roles")
@click.argument("email")
@click.option("--set", "roles", required=True, help="The roles, comma-separated.")
@click.pass_obj
def users_roles(state: CliState, email: str, roles: str) -> None:
    """Set EMAIL's roles (ends their sessions)."""
    names = [r.strip() for r in roles.split(",") if r.strip()]
    emit(dispatch(state, "users.roles", {"email": email, "roles": names}), state.format)


@users.command("reset")
@click.argument("email")
@click.pass_obj
def users_reset(state: CliState, email: str) -> None:
    """Issue a single-use reset token for EMAIL, valid 30 minutes (printed once)."""
    emit(dispatch(state, "users.reset", {"email": email}), state.format)


@click.group("password")
def password() -> None:
    """Your password."""


@password.command("reset")
@click.option("--token-stdin", is_flag=True, required=True, help="Read the reset token.")
@click.option("--password-stdin", is_flag=True, help="Read the new password (next line).")
@click.pass_obj
def password_reset(state: CliState, token_stdin: bool, password_stdin: bool) -> None:
    """Set a new password with a reset token; every session of the user ends."""
    from console.cli.account_reset import redeem

    token = sys.stdin.readline().strip()
    if not password_stdin and not sys.stdin.isatty():
        password_stdin = True  # a script gives the token and the password on two lines
    new = _secret(password_stdin, "New password")
    emit(redeem(state, token, new), state.format)


def seed_demo_users(state: CliState) -> list[dict[str, str]]:
    """One user per demo role in the tenant, each with a generated password (never fixed):
    the new ones, whose passwords the caller prints once. Existing users are left alone."""
    import secrets

    from core.errors import Conflict

    app = state.app
    caller = app.system_caller()
    created = []
    for role in DEMO_ROLES:
        email = f"{role}@demo.example"
        password = secrets.token_urlsafe(15)
        try:
            app.bus.dispatch(
                "users.add", {"email": email, "roles": [role], "password": password}, caller
            )
        except Conflict:
            continue
        created.append({"email": email, "role": role, "password": password})
    return created


def show_demo_users(created: list[dict[str, str]]) -> None:
    from console.cli.output import render_table

    if not created:
        click.echo("demo users exist already; their passwords were shown when they were made")
        return
    click.echo("demo users (passwords are shown this once):")
    click.echo(render_table(created, ["email", "role", "password"]))


COMMANDS = (tenants, users, password)
