"""`metasaas completion SHELL`: a completion script for bash, zsh or fish.

The script calls back into `metasaas` (click's `_METASAAS_COMPLETE` protocol), which
completes commands, options, entity names and action ids from the declared domain.
"""

from __future__ import annotations

import click

from console.cli.options import SHELLS


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash: eval "$(metasaas completion bash)"   (in ~/.bashrc)
    zsh:  eval "$(metasaas completion zsh)"    (in ~/.zshrc)
    fish: metasaas completion fish > ~/.config/fish/completions/metasaas.fish
    """
    from click.shell_completion import get_completion_class

    root = click.get_current_context().find_root().command
    completer_class = get_completion_class(shell)
    assert completer_class is not None
    completer = completer_class(root, {}, "metasaas", "_METASAAS_COMPLETE")
    click.echo(completer.source())


COMMANDS = (completion,)
