"""`metasaas login`, `logout` and `whoami`: a session for the commands that follow.

The password comes from a hidden prompt on a terminal or from stdin with
`--password-stdin` (one line, taken as typed: only the line ending is removed). The
token goes to the keyring (or the opted-in file); `--print-token` also prints it for
scripts, which pass it back as METASAAS_TOKEN.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from console.cli.output import emit
from console.cli.state import CliState

if TYPE_CHECKING:
    from core.auth import AuthProvider


def _line(text: str) -> str:
    return text.removesuffix("\n").removesuffix("\r")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return _line(sys.stdin.readline())
    if not sys.stdin.isatty():
        raise click.UsageError("no terminal to ask for the password: use --password-stdin")
    return str(click.prompt("Password", hide_input=True, err=True))


def _auth(state: CliState) -> AuthProvider:
    from core.settings import SettingsError

    try:
        return state.app.auth
    except SettingsError as exc:
        raise click.UsageError(f"bad setting: {exc}") from None


@click.command()
@click.argument("email", required=False)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@click.option("--token-stdin", is_flag=True, help="OIDC: read your identity provider's token.")
@click.option("--print-token", is_flag=True, help="Print the session token on stdout.")
@click.pass_obj
def login(
    state: CliState, email: str | None, password_stdin: bool, token_stdin: bool, print_token: bool
) -> None:
    """Sign in as EMAIL to the tenant given with --tenant."""
    from console import session_token

    auth, settings = _auth(state), state.app.settings
    if token_stdin:
        token = _line(sys.stdin.readline()).strip()
        identity = auth.identify(token, state.asked_tenant())
    else:
        if not auth.needs_sign_in:
            raise click.UsageError("development authentication has no sign-in (METASAAS_AUTH=dev)")
        if not email:
            raise click.UsageError("give the EMAIL to sign in as, and --tenant T")
        signed = auth.sign_in(
            email, _password(password_stdin), state.asked_tenant() or settings.tenant
        )
        token, identity = signed.token, signed.identity
    where, warning = session_token.keep(settings, token)
    if warning and not print_token:
        click.echo(warning, err=True)
    if print_token:
        click.echo(token)
        return
    caller = identity.caller
    emit(
        {
            "user": caller.user_id,
            "tenant": caller.tenant_id,
            "roles": sorted(caller.roles),
            "token_kept_in": where,
        },
        state.format,
    )


@click.command()
@click.pass_obj
def logout(state: CliState) -> None:
    """End every session of the signed-in user and forget the kept token."""
    from console import session_token
    from core.errors import Unauthenticated

    auth = _auth(state)
    ended = False
    if auth.needs_sign_in:
        try:
            auth.sign_out(state.identity())
            ended = True
        except Unauthenticated:
            pass
        warning = session_token.forget(state.app.settings)
        if warning:
            click.echo(warning, err=True)
    emit({"signed_out": ended}, state.format)


@click.command()
@click.pass_obj
def whoami(state: CliState) -> None:
    """Who the commands act as: user, tenant, roles (or DEV MODE)."""
    identity = state.identity()
    caller = identity.caller
    data = {
        "user": caller.user_id,
        "tenant": caller.tenant_id,
        "roles": sorted(caller.roles),
        "provider": identity.provider,
        "mode": "DEV MODE" if identity.dev else "signed in",
    }
    if state.format == "json":
        emit(data, "json")
    else:
        click.echo(identity.label)


COMMANDS = (login, logout, whoami)
