"""Stored text is data: values become `rich.text.Text` with control characters made visible.

Textual and Rich read `[...]` in a plain string as markup (a stray `[/]` raises), and a
terminal obeys escape sequences; every value shown anywhere in the TUI goes through
`safe_text`, so neither can happen whatever a record holds.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

from rich.text import Text

# C0 controls, DEL, C1 controls, and the Unicode bidi overrides and isolates, which
# reorder what follows them on screen.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
MARK_STYLE = "dim reverse"
STATE_COLOURS = ("blue", "yellow", "magenta", "green", "red", "cyan", "bright_black")


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␀ ␁ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def safe_text(value: str, *, style: str = "", single_line: bool = True) -> Text:
    """Plain text with every control character replaced by a visible stand-in.

    With `single_line` False, newlines stay line breaks (detail views of long text);
    tabs and other controls are always shown, never obeyed.
    """
    text = Text(style=style, no_wrap=single_line, end="")
    position = 0
    for match in CONTROL.finditer(value):
        char = match.group()
        text.append(value[position : match.start()])
        if char == "\n" and not single_line:
            text.append("\n")
        else:
            text.append(_visible(char), style=MARK_STYLE)
        position = match.end()
    text.append(value[position:])
    return text


def plain(value: Any) -> str:
    """A value as one line of text, for inputs and CSV-like contexts (no styling)."""
    return safe_text(display(value)).plain


def display(value: Any) -> str:
    """The text form of a stored value: ISO dates, minute datetimes, plain decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def state_style(options: tuple[str, ...], value: str) -> str:
    """A stable colour per enum option, so a state looks the same on every screen."""
    try:
        index = options.index(value)
    except ValueError:
        return "bold"
    return f"bold {STATE_COLOURS[index % len(STATE_COLOURS)]}"


def short_id(value: Any) -> str:
    return str(value).replace("-", "")[:8] if value is not None else ""
