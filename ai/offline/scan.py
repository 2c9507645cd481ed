"""A cursor over a command's tokens that knows the entity vocabulary.

The grammar (`ai.offline.grammar`) asks it questions such as "does an enum option start
here?" or "where does this free text end?", and marks tokens consumed; whatever is left
unconsumed at the end is a word nobody understood, and the command is refused rather
than guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ai.offline.lexicon import EntityWords, Lexicon, Phrase
from ai.offline.tokens import Token, normalise
from core.contracts import FieldType


class Unmapped(Exception):
    """The command cannot be mapped to an action; the message says what would work."""

    def __init__(self, message: str, entity: EntityWords | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.entity = entity


FILLERS = frozenset(
    "a an the me my our all any every some please of to this that those these new one "
    "another now just also then for".split()
)
TEXT_TYPES = frozenset(
    {FieldType.TEXT, FieldType.LONG_TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL}
)


@dataclass
class Scan:
    lex: Lexicon
    tokens: list[Token]
    today: dt.date
    used: set[int] = field(default_factory=set)
    target: EntityWords | None = None
    target_at: int = -1
    target_len: int = 0

    @property
    def low(self) -> list[str]:
        return [t.low if t.kind == "word" else f"\x00{t.kind}" for t in self.tokens]

    def word(self, i: int) -> str:
        return (
            self.tokens[i].low
            if 0 <= i < len(self.tokens) and self.tokens[i].kind == "word"
            else ""
        )

    def take(self, i: int, n: int = 1) -> None:
        self.used.update(range(i, i + n))

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and i not in self.used

    # -- vocabulary lookups -------------------------------------------------------------
    def phrase_at(self, table: dict[Phrase, Any], i: int) -> tuple[Any, int] | None:
        low = self.low
        for n in range(min(4, len(low) - i), 0, -1):
            found = table.get(tuple(low[i : i + n]))
            if found is not None:
                return found, n
        return None

    def entity_at(self, i: int) -> tuple[EntityWords, int] | None:
        return self.lex.entity_at(self.low, i)

    def field_at(self, ew: EntityWords, i: int) -> tuple[str, int] | None:
        found = self.phrase_at(ew.fields, i)
        if found is not None:
            return found
        head = ew.heads.get(self.word(i))
        return (head, 1) if head is not None else None

    def option_at(self, ew: EntityWords, i: int) -> tuple[str, str, int] | None:
        """An enum option (`high`, `in progress`) and, when it follows, its field's name."""
        found = self.phrase_at(ew.options, i)
        if found is None:
            return None
        choices, n = found
        after = self.field_at(ew, i + n)
        if after is not None:
            named = [c for c in choices if c[0] == after[0]]
            if named:
                return named[0][0], named[0][1], n + after[1]
        if len(choices) > 1:
            return None  # the same word is an option of two fields: ambiguous
        return choices[0][0], choices[0][1], n

    def reference_at(self, ew: EntityWords, i: int) -> tuple[str, str, int] | None:
        """`[of|for|in|at] <entity> <id>` naming a record ew belongs to: (column, id, length)."""
        start = i + 1 if self.word(i) in ("of", "for", "in", "at", "from", "with", "to") else i
        found = self.entity_at(start)
        if found is None:
            return None
        other, n = found
        end = start + n
        if end < len(self.tokens) and self.tokens[end].kind == "uuid":
            column = ew.references.get(other.entity.name)
            if column is None:
                raise Unmapped(f"{ew.entity.plural} are not linked to {other.entity.plural}", ew)
            return column, self.tokens[end].text, end + 1 - i
        if other is not ew and start != i:
            raise Unmapped(
                f"give the {other.entity.name}'s id (a UUID), e.g. "
                f"`{other.key} 0b9d…`; names are not looked up offline",
                ew,
            )
        return None

    # -- free text ------------------------------------------------------------------------
    def marker_at(self, ew: EntityWords, i: int) -> bool:
        """Whether a new clause starts at i, ending any free text before it."""
        token = self.tokens[i]
        if token.kind in ("kv", "colon", "uuid"):
            return True
        w = token.low
        if w in ("with", "and", "where", "whose") and i + 1 < len(self.tokens):
            return self.field_at(ew, i + 1) is not None or self.option_at(ew, i + 1) is not None
        if w in ("of", "for", "in", "at") and self.entity_at(i + 1) is not None:
            return True
        if w in ("sorted", "ordered") and self.word(i + 1) == "by":
            return True
        found = self.field_at(ew, i)
        if found is not None and i + found[1] < len(self.tokens):
            ftype = ew.field_type(found[0])
            return ftype not in TEXT_TYPES and ftype is not None
        return False

    def text_until_marker(self, ew: EntityWords, i: int) -> int:
        j = i
        while j < len(self.tokens) and (j == i or not self.marker_at(ew, j)):
            if self.tokens[j].kind != "word":
                break
            j += 1
        return j

    # -- values -----------------------------------------------------------------------------
    def value(self, ew: EntityWords, column: str, i: int) -> tuple[Any, int]:
        """Read the value of `column` starting at i; returns (json value, tokens used)."""
        if i >= len(self.tokens):
            raise Unmapped(f"give a value for {column}", ew)
        token = self.tokens[i]
        ftype = ew.field_type(column)
        if token.kind in ("quoted", "uuid"):
            return self.convert(ew, column, token.text), 1
        if ftype is FieldType.ENUM:
            found = self.phrase_at(ew.options, i)
            if found is not None:
                return self.convert(ew, column, "_".join(self.low[i : i + found[1]])), found[1]
        if ftype in TEXT_TYPES:
            end = self.text_until_marker(ew, i)
            text = " ".join(t.text for t in self.tokens[i:end])
            return self.convert(ew, column, text), end - i
        return self.convert(ew, column, token.text), 1

    def convert(self, ew: EntityWords, column: str, raw: str) -> Any:
        """The value as core reads a field's text (`parse_text` over the field's schema),
        after the spoken forms are normalised."""
        from core.errors import InvalidInput
        from core.model.describe import parse_text

        prop = ew.properties.get(column)
        if prop is None:
            raise Unmapped(f"{ew.entity.name} has no field {column!r}", ew)
        text = normalise(ew.field_type(column), raw, self.today)
        try:
            return parse_text(column, prop, text, null_word=False)
        except InvalidInput as exc:
            raise Unmapped(exc.message, ew) from None

    def column_for_key(self, ew: EntityWords, key: str) -> str:
        """A `key=value` key as a column: a field, a label, a relationship, or the title."""
        from ai.offline.lexicon import words

        found = ew.fields.get(words(key))
        if found is not None:
            return found
        if key in ("title", "name") and ew.title_field is not None:
            return ew.title_field
        if key in ew.heads:  # `estimate=3` for estimate_hours: a field's unique first word
            return ew.heads[key]
        raise Unmapped(f"{ew.entity.name} has no field {key!r}", ew)

    def leftovers(self) -> list[str]:
        return [
            t.text
            for i, t in enumerate(self.tokens)
            if i not in self.used and not (t.kind == "word" and t.low in FILLERS)
        ]

    def finish(self) -> None:
        rest = self.leftovers()
        if rest:
            raise Unmapped(f"I did not understand {' '.join(rest)!r}", self.target)
