"""Splitting a command into tokens, and reading a typed value for a field from text.

Quoted text, `field=value` pairs, UUIDs and colons become their own tokens before any
grammar looks at the words, so a title like "Review the project plan" is never taken
for a reference to a project.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from core.contracts import FieldType

UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
QUOTED = re.compile(r"\"([^\"]*)\"|“([^”]*)”|(?<!\w)'([^']*)'(?!\w)")
KEY = re.compile(r"(?<![\w=])([A-Za-z_]\w*)\s*=\s*")
TRAILING = ",;.!?"


@dataclass(frozen=True)
class Token:
    kind: str  # word | quoted | uuid | kv | colon
    text: str  # as typed (the value for quoted and kv)
    low: str = ""  # lowercase, trailing punctuation removed (words only)
    key: str = ""  # for kv

    def is_word(self, *options: str) -> bool:
        return self.kind == "word" and (not options or self.low in options)


def tokenize(command: str) -> list[Token]:
    text = command.strip().rstrip(".!?").strip()
    pairs: list[Token] = []
    cut = len(text)
    matches = list(KEY.finditer(text))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        raw = text[m.end() : end].strip().rstrip(",;").strip()
        quoted = QUOTED.fullmatch(raw)
        if quoted:
            raw = next(g for g in quoted.groups() if g is not None)
        pairs.append(Token("kv", raw, key=m.group(1).lower()))
        cut = min(cut, m.start())
    tokens = _words(text[:cut]) if matches else _words(text)
    return tokens + pairs


def _words(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    for m in QUOTED.finditer(text):
        tokens += _plain(text[pos : m.start()])
        tokens.append(Token("quoted", next(g for g in m.groups() if g is not None)))
        pos = m.end()
    return tokens + _plain(text[pos:])


def _plain(text: str) -> list[Token]:
    out: list[Token] = []
    for raw in text.split():
        colon = raw.endswith(":")
        word = raw[:-1] if colon else raw
        if word:
            low = word.lower().rstrip(TRAILING)
            if UUID.match(low):
                out.append(Token("uuid", str(uuid.UUID(low)), low))
            else:
                out.append(Token("word", word.rstrip(",;"), low))
        if colon:
            out.append(Token("colon", ":"))
    return out


def join(tokens: list[Token]) -> str:
    return " ".join(t.text for t in tokens).strip()


TRUE = {"true", "yes", "on", "y"}
FALSE = {"false", "no", "off", "n"}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def parse_value(
    field_type: FieldType | None, options: tuple[str, ...], raw: str, today: dt.date
) -> Any:
    """A JSON value for the field, or raise ValueError saying what was expected."""
    text = raw.strip()
    low = text.lower()
    if field_type is None:  # a reference column: an id
        if UUID.match(low):
            return str(uuid.UUID(low))
        raise ValueError("an id (UUID)")
    if field_type is FieldType.ENUM:
        wanted = low.replace(" ", "_").replace("-", "_")
        if wanted in options:
            return wanted
        raise ValueError(f"one of {', '.join(options)}")
    if field_type is FieldType.BOOLEAN:
        if low in TRUE or low in FALSE:
            return low in TRUE
        raise ValueError("yes or no")
    if field_type is FieldType.INTEGER:
        if re.fullmatch(r"-?\d+", low):
            return int(low)
        raise ValueError("a whole number")
    if field_type in (FieldType.NUMBER, FieldType.PERCENTAGE):
        if NUMBER.match(low.rstrip("%")):
            return float(low.rstrip("%"))
        raise ValueError("a number")
    if field_type is FieldType.CURRENCY:
        try:
            amount = Decimal(low.lstrip("$€£").replace(",", ""))
        except InvalidOperation:
            raise ValueError("an amount") from None
        if not amount.is_finite():
            raise ValueError("an amount")
        return str(amount)
    if field_type is FieldType.DATE:
        return _date(low, today).isoformat()
    if field_type is FieldType.DATETIME:
        try:
            return dt.datetime.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError("an ISO date and time, e.g. 2025-03-01T09:30") from None
    if field_type is FieldType.JSON:
        raise ValueError("JSON (use the CLI's run command)")
    return text


RELATIVE = {"today": 0, "tomorrow": 1, "yesterday": -1}


def _date(low: str, today: dt.date) -> dt.date:
    if low in RELATIVE:
        return today + dt.timedelta(days=RELATIVE[low])
    try:
        return dt.date.fromisoformat(low)
    except ValueError:
        raise ValueError("a date: YYYY-MM-DD, today or tomorrow") from None
