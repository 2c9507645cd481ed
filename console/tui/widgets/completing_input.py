"""An Input that completes its last word: Tab takes the first candidate, and the
candidates are listed under it (the jump line and the filter bar)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

Complete = Callable[[str], tuple[str, list[str]]]
"""text -> (the word being completed, candidates for it)"""


class WordSuggester(Suggester):
    def __init__(self, complete: Complete) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.complete = complete

    async def get_suggestion(self, value: str) -> str | None:
        word, candidates = self.complete(value)
        if not candidates or not word and not value.endswith(("=", " ")) and value:
            return None
        return value[: len(value) - len(word)] + candidates[0]


class CompletingInput(Input):
    BINDINGS = [Binding("tab", "complete", "Complete", show=False, id="input.complete")]

    class CandidatesChanged(Message):
        def __init__(self, candidates: Text) -> None:
            super().__init__()
            self.candidates = candidates

    def __init__(self, complete: Complete, **kw: object) -> None:
        super().__init__(suggester=WordSuggester(complete), **kw)  # type: ignore[arg-type]
        self.complete = complete

    def action_complete(self) -> None:
        word, candidates = self.complete(self.value)
        if candidates:
            self.value = self.value[: len(self.value) - len(word)] + candidates[0]
            self.cursor_position = len(self.value)

    def candidates_line(self) -> Text:
        word, candidates = self.complete(self.value)
        if not candidates:
            return Text("")
        line = Text("Tab: ", style="dim", no_wrap=True, overflow="ellipsis")
        line.append("  ".join(candidates[:12]))
        return line
