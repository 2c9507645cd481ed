"""`metasaas keys`: store provider API keys in the system keyring, list which exist, delete.

A key is read from stdin or a hidden prompt and never printed, logged or echoed back;
`keys list` shows only which providers have one, and where.
"""

from __future__ import annotations

import sys

import click

from console.cli.state import CliState


@click.group("keys")
def keys() -> None:
    """Provider API keys for the AI (kept in the system keyring)."""


@keys.command("set")
@click.argument("provider")
@click.pass_obj
def set_(state: CliState, provider: str) -> None:
    """Store PROVIDER's key, read from stdin or a hidden prompt."""
    from pydantic import SecretStr

    from ai import keys as store
    from core.errors import InternalError

    name = store.check_provider(provider)
    if sys.stdin.isatty():
        secret = click.prompt(f"{name} API key", hide_input=True, err=True)
    else:
        secret = sys.stdin.readline()
    try:
        store.store(name, SecretStr(secret.strip()))
    except store.KeyringUnavailable as exc:
        raise InternalError(
            f"{exc}; set {store.ENV.get(name, 'the provider variable')} instead"
        ) from None
    click.echo(f"stored a key for {name}", err=True)


@keys.command("list")
@click.pass_obj
def list_(state: CliState) -> None:
    """Providers that have a key (in the keyring or the environment); never a value."""
    from ai import keys as store
    from console.cli.output import emit

    rows, warning = store.listing()
    if warning:
        click.echo(warning, err=True)
    emit({"items": rows, "next_cursor": None}, state.format, ["provider", "keyring", "environment"])


@keys.command("delete")
@click.argument("provider")
@click.pass_obj
def delete(state: CliState, provider: str) -> None:
    """Remove PROVIDER's key from the keyring."""
    from ai import keys as store
    from core.errors import InternalError, NotFound

    try:
        removed = store.delete(provider)
    except store.KeyringUnavailable as exc:
        raise InternalError(str(exc)) from None
    if not removed:
        raise NotFound(f"no key stored for {store.check_provider(provider)}")
    click.echo(f"deleted the key for {store.check_provider(provider)}", err=True)
