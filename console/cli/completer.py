"""Tab completion for the REPL: commands, options, entities, action ids, fields, values.

Built from the click command tree and the registry, so a new command or a new entity
completes without touching this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import click
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from console.cli.options import FORMATS, GLOBAL_FLAGS, GLOBAL_WITH_VALUE, SHELLS
from core.contracts import Entity, FieldType
from core.model.registry import Registry

ENTITY_COMMANDS = frozenset(
    {"list", "get", "create", "update", "delete", "transition", "transitions", "export", "import"}
)


def _matching(
    words: Iterable[str], prefix: str, suffix: str = "", *, fold: bool = False
) -> Iterator[Completion]:
    """Words starting with `prefix` (in any case when `fold`, as entity names are)."""
    wanted = prefix.lower() if fold else prefix
    for word in words:
        if word.startswith(wanted):
            yield Completion(word + suffix, start_position=-len(prefix))


class ReplCompleter(Completer):
    def __init__(self, root: click.Group, registry: Registry) -> None:
        self.root = root
        self.registry = registry
        self.entity_keys = sorted(e.key for e in registry.entities.values())

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        text = document.text_before_cursor
        words = text.split()
        current = "" if not words or text[-1:].isspace() else words.pop()
        if not words:
            yield from _matching(sorted(self.root.commands), current)
            return
        command = self.root.commands.get(words[0])
        if command is None:
            return
        path = [words[0]]
        rest = words[1:]
        if isinstance(command, click.Group):
            if not rest:
                yield from _matching(sorted(command.commands), current)
                return
            sub = command.commands.get(rest[0])
            if sub is None:
                return
            command, path, rest = sub, [*path, rest[0]], rest[1:]
        yield from self._for_command(command, path, rest, current)

    def _for_command(
        self, command: click.Command, path: list[str], rest: list[str], current: str
    ) -> Iterator[Completion]:
        options = {
            name: param
            for param in command.params
            if isinstance(param, click.Option)
            for name in param.opts
        }
        previous = rest[-1] if rest else ""
        option = options.get(previous)
        positionals = _positionals(rest, options)
        if previous in GLOBAL_WITH_VALUE or (option is not None and not option.is_flag):
            yield from self._option_value(previous, current, positionals)
            return
        if current.startswith("-"):
            names = [*options, *GLOBAL_WITH_VALUE, *GLOBAL_FLAGS, "--help"]
            yield from _matching(sorted(set(names)), current)
            return
        yield from self._positional(path, positionals, current)

    def _option_value(
        self, option: str, current: str, positionals: list[str]
    ) -> Iterator[Completion]:
        if option == "--format":
            yield from _matching(FORMATS, current)
        elif option == "--entity":
            yield from _matching(self.entity_keys, current, fold=True)
        elif option in ("--filter", "--order-by"):
            entity = self._entity(positionals[0] if positionals else "")
            if entity is None:
                return
            if option == "--order-by":
                sortable = entity.sortable()
                yield from _matching([*sortable, *(f"-{s}" for s in sortable)], current)
            else:
                yield from self._assignment(entity, current)

    def _positional(
        self, path: list[str], positionals: list[str], current: str
    ) -> Iterator[Completion]:
        name = path[0]
        index = len(positionals)
        if name in ENTITY_COMMANDS or name == "entities":
            if index == 0:
                yield from _matching(self.entity_keys, current, fold=True)
                return
            entity = self._entity(positionals[0])
            if entity is None:
                return
            if name == "create" or (name == "update" and index >= 2):
                yield from self._assignment(entity, current)
            elif name == "transition" and index == 2:
                states, triggers = entity.workflow_states(), entity.workflow_triggers()
                yield from _matching([*states, *triggers], current)
        elif name == "run" and index == 0:
            yield from _matching(sorted(self.registry.actions), current)
        elif name == "completion" and index == 0:
            yield from _matching(SHELLS, current)

    def _assignment(self, entity: Entity, current: str) -> Iterator[Completion]:
        """`pri` -> `priority=`; `priority=h` -> `priority=high` (enum and boolean values)."""
        name, sep, value = current.partition("=")
        if not sep:
            columns = [f.name for f in entity.fields] + [r.column for r in entity.belongs_to]
            yield from _matching(columns, current, "=")
            return
        field = entity.field(name)
        if field is None:
            return
        if field.type is FieldType.ENUM:
            choices: tuple[str, ...] = field.options
        elif field.type is FieldType.BOOLEAN:
            choices = ("true", "false")
        else:
            return
        for choice in choices:
            if choice.startswith(value):
                yield Completion(choice, start_position=-len(value))

    def _entity(self, name: str) -> Entity | None:
        try:
            return self.registry.entity(name)
        except Exception:
            return None


def _positionals(words: list[str], options: dict[str, click.Option]) -> list[str]:
    """The words that are arguments, not options or option values."""
    out: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            option = options.get(word.split("=", 1)[0])
            skip = option is not None and not option.is_flag and "=" not in word
            if word in GLOBAL_WITH_VALUE:
                skip = True
            continue
        out.append(word)
    return out
