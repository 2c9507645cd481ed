"""Table text never steers the terminal: each class of control character is shown as an
escape, and printable text (tabs, newlines, any script, emoji) is left as it is."""

from __future__ import annotations

import pytest

from console.cli.output import TERMINAL_CONTROLS, render_mapping, render_table, visible


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),  # ESC: clear screen
        ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),  # OSC: retitle the window, BEL
        ("safe\roverwritten", "safe\\roverwritten"),  # CR
        ("\x00\x08\x0b\x0c\x7f", "\\x00\\b\\v\\f\\x7f"),  # other C0 and DEL
        ("\x85\x9b31m", "\\x85\\x9b31m"),  # C1: NEL and CSI
        ("abc\u202edcba\u202c", "abc\\u202edcba\\u202c"),  # bidi override
        ("\u2066x\u2069\u200f\u061c", "\\u2066x\\u2069\\u200f\\u061c"),  # isolates, marks
        ("a\u2028b\u2029", "a\\u2028b\\u2029"),  # line and paragraph separators
    ],
)
def test_controls_are_escaped(raw: str, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize("text", ["tab\there", "two\nlines", "Ärger 日本語 🙂", "a\\x1b b"])
def test_printable_text_is_unchanged(text: str) -> None:
    assert visible(text) == text


def test_tables_and_mappings_show_no_raw_control() -> None:
    row = {"id": "1", "title": "\x1b[31mred\x1b[0m\r\u202e", "\x1b[2Jkey": "v"}
    table = render_table([row], ["id", "title", "\x1b[2Jkey"], width=500)
    mapping = render_mapping(row)
    for text in (table, mapping):
        assert not TERMINAL_CONTROLS.search(text)
        assert "\\x1b[31mred" in text
