"""The navigation list: the domain's entities, grouped as declared, with record counts."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class NavList(OptionList):
    DEFAULT_CSS = """
    NavList { width: 22; height: 1fr; border: none; border-right: tall $panel; padding: 0; }
    NavList:focus { border: none; border-right: tall $accent; }
    """

    class EntitySelected(Message):
        def __init__(self, entity: str) -> None:
            super().__init__()
            self.entity = entity

    def show(self, groups: list[list[tuple[str, str]]], counts: Mapping[str, int | None]) -> None:
        """`groups` holds (entity name, plural label) pairs; counts are by entity name."""
        highlighted = self.highlighted
        self.clear_options()
        width = max(self.size.width - 2, 16)
        options: list[Option | None] = []
        for index, group in enumerate(groups):
            if index:
                options.append(None)
            for name, label in group:
                count = counts.get(name)
                shown = "…" if count is None else f"{count:,}"
                line = Text(label, no_wrap=True, overflow="ellipsis")
                line.pad_right(max(width - len(label) - len(shown), 1))
                line.append(shown, style="dim")
                options.append(Option(line, id=name))
        self.add_options(options)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.EntitySelected(event.option.id))
