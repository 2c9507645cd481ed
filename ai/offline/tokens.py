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
RELATIVE = {"today": 0, "tomorrow": 1, "yesterday": -1}


def normalise(field_type: FieldType | None, raw: str, today: dt.date) -> str:
    """Spoken forms as the text core's `parse_text` reads: `in progress` -> `in_progress`,
    `yes` -> `true`, `tomorrow` -> an ISO date, `$1,200` -> `1200`, `15%` -> `15`."""
    text = raw.strip()
    low = text.lower()
    if field_type is FieldType.ENUM:
        return low.replace(" ", "_").replace("-", "_")
    if field_type is FieldType.BOOLEAN:
        return "true" if low in TRUE else "false" if low in FALSE else text
    if field_type is FieldType.CURRENCY:
        return low.lstrip("$€£").replace(",", "")
    if field_type is FieldType.PERCENTAGE:
        return low.rstrip("%")
    if field_type is FieldType.DATE and low in RELATIVE:
        return (today + dt.timedelta(days=RELATIVE[low])).isoformat()
    return text
