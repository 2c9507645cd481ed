"""Arguments and options several commands share, and the constants of the command line.

Each is declared once here, so `list` and `export` cannot drift apart on what `--filter`
means, and the REPL completer offers exactly the formats and shells the commands accept.
Nothing here loads the engine: `metasaas --help` and shell completion stay cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from core.model.registry import Registry

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("json", "table", "csv")
SHELLS = ("bash", "zsh", "fish")
# Global options, accepted anywhere on the line (see `main.hoist_global_options`).
GLOBAL_WITH_VALUE = ("--db", "--tenant", "--format")
GLOBAL_FLAGS = ("--debug",)
# Values of `--format` that only a command's own option takes (`chats export --format md`):
# left in place instead of being hoisted to the global output format.
LOCAL_FORMATS = ("md",)
CALLER_TYPES = ("human", "script", "ai_agent", "system")


def _registry_for_completion() -> Registry | None:
    """The declared domain, without touching the database (shell completion runs often)."""
    try:
        from core.model.registry import Registry, load_domain
        from core.settings import Settings

        return Registry(load_domain(Settings().domain))
    except Exception:
        return None


def complete_entity(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    registry = _registry_for_completion()
    if registry is None:
        return []
    keys = sorted(e.key for e in registry.entities.values())
    return [CompletionItem(k) for k in keys if k.startswith(incomplete.lower())]


def complete_action(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    registry = _registry_for_completion()
    if registry is None:
        return []
    return [CompletionItem(a) for a in sorted(registry.actions) if a.startswith(incomplete)]


ENTITY_ARGUMENT = click.argument("entity_name", metavar="ENTITY", shell_complete=complete_entity)
RECORD_ID = click.argument("record_id", metavar="ID")
ASSIGNMENTS = click.argument("assignments", nargs=-1, metavar="KEY=VALUE...")
CURSOR = click.option("--cursor", metavar="C", help="Continue after a previous page's next_cursor.")
YES = click.option("--yes", "-y", is_flag=True, help="Do not ask; needed when not on a terminal.")


def entity_option(help_text: str) -> Callable[[F], F]:
    """`--entity E`, completed from the domain: which entity's actions or audit entries."""
    return click.option(
        "--entity", "entity_name", metavar="E", shell_complete=complete_entity, help=help_text
    )


def selection_options(command: F) -> F:
    """--filter, --search and --order-by: which records, and in what order (list, export)."""
    for option in reversed(
        (
            click.option(
                "--filter",
                "filters",
                multiple=True,
                metavar="FIELD[__OP]=VALUE",
                help="Keep matching records; OP is eq ne lt lte gt gte in contains. Repeatable.",
            ),
            click.option("--search", metavar="TEXT", help="Text search over the search fields."),
            click.option(
                "--order-by", metavar="[-]FIELD", help="Sort field; a leading - sorts descending."
            ),
        )
    ):
        command = option(command)
    return command
