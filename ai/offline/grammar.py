"""The offline grammar: the common ways an operator phrases a command, one function each.

`parse` finds the verb and the entity the command is about, then the function for that
verb reads the rest. It builds the input of exactly one action and refuses (with
`Unmapped`) anything it cannot read completely: a word left over is never ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ai.offline import queries
from ai.offline.lexicon import EntityWords, Lexicon
from ai.offline.scan import Scan, Unmapped
from ai.offline.tokens import tokenize

CREATE = frozenset({"create", "add", "new", "make", "register", "insert"})
LIST = frozenset({"list", "show", "find", "search", "display", "view", "browse", "get", "give"})
GET = frozenset({"get", "open", "show", "view", "display", "fetch", "read", "find", "describe"})
UPDATE = frozenset({"update", "change", "edit", "set", "modify", "rename", "make"})
MOVE = frozenset({"move", "transition", "put", "send", "advance", "mark", "push", "set"})
DELETE = frozenset({"delete", "remove", "drop", "destroy", "erase"})
LEADING = (
    ("please",),
    ("kindly",),
    ("can", "you"),
    ("could", "you"),
    ("would", "you"),
    ("i", "want", "to"),
    ("i'd", "like", "to"),
    ("i", "would", "like", "to"),
    ("let's",),
    ("go", "ahead", "and"),
)
Result = tuple[str, dict[str, Any], EntityWords]


def parse(lex: Lexicon, command: str, today: dt.date) -> Result:
    scan = Scan(lex, tokenize(command), today)
    _strip_leading(scan)
    if not [t for t in scan.tokens if t.kind != "word" or t.low]:
        raise Unmapped("type a command")
    ew = _find_target(scan)
    verb = scan.word(0)
    if verb == "how" and scan.word(1) in ("many", "much"):
        scan.take(0, 2)
        return queries.list_or_count(scan, ew, count=True)
    trigger = scan.phrase_at(ew.triggers, 0)
    if trigger is not None and verb not in CREATE | DELETE:
        scan.take(0, trigger[1])
        return _transition(scan, ew, trigger=trigger[0])
    custom = _custom_verb(scan, ew)
    if custom is not None:
        return _by_record(scan, ew, custom[0], takes_record=custom[1])
    scan.take(0)
    if verb in ("count",):
        return queries.list_or_count(scan, ew, count=True)
    if verb in CREATE and not (verb == "make" and _record_id(scan, ew, need=False)):
        return _create(scan, ew)
    if verb in DELETE:
        return _by_record(scan, ew, ew.actions["delete"])
    if verb in ("move", "transition", "put", "send", "advance", "mark", "push"):
        return _transition(scan, ew)
    if verb in UPDATE:
        return _update(scan, ew, verb)
    if verb in GET | LIST or verb in ("what", "which"):
        if _record_id(scan, ew, need=False) is not None:
            if _wants_moves(scan):
                return _by_record(scan, ew, ew.actions.get("transitions", ""))
            return _by_record(scan, ew, ew.actions["get"])
        return queries.list_or_count(scan, ew, count=False)
    raise Unmapped(f"I do not know the verb {scan.tokens[0].text!r}", ew)


def _strip_leading(scan: Scan) -> None:
    changed = True
    while changed:
        changed = False
        for phrase in LEADING:
            n = len(phrase)
            if tuple(scan.word(i) for i in range(n)) == phrase:
                scan.tokens = scan.tokens[n:]
                changed = True


def _find_target(scan: Scan) -> EntityWords:
    for i, token in enumerate(scan.tokens):
        if token.kind != "word":
            continue
        found = scan.entity_at(i)
        if found is not None:
            scan.target, scan.target_at, scan.target_len = found[0], i, found[1]
            scan.take(i, found[1])
            return found[0]
    raise Unmapped(
        "say which kind of record: "
        + ", ".join(sorted(ew.entity.plural.lower() for ew in scan.lex.by_key.values()))
    )


def _custom_verb(scan: Scan, ew: EntityWords) -> tuple[str, bool] | None:
    """A custom action named anywhere (`summary of project …`, `summarise project …`)."""
    for verb, found in ew.custom.items():
        stem = verb[:6]
        for i in range(len(scan.tokens)):
            w = scan.word(i)
            if i not in scan.used and (w == verb or (len(w) >= len(stem) and w.startswith(stem))):
                scan.take(i)
                if scan.word(0) in GET | LIST | {"run", "do"}:
                    scan.take(0)
                return found
    return None


def _record_id(scan: Scan, ew: EntityWords, *, need: bool = True) -> str | None:
    """The id right after the entity's name (`task 3f1c…`), consumed with a leading `of`."""
    at = scan.target_at
    end = at + scan.target_len
    if end < len(scan.tokens) and scan.tokens[end].kind == "uuid":
        scan.take(end)
        if scan.word(at - 1) in ("of", "for", "on"):
            scan.take(at - 1)
        return scan.tokens[end].text
    loose = [i for i, t in enumerate(scan.tokens) if t.kind == "uuid" and i not in scan.used]
    if len(loose) == 1 and scan.entity_at(loose[0] - 1) is None:
        scan.take(loose[0])
        return scan.tokens[loose[0]].text
    if need:
        raise Unmapped(
            f"give the {ew.entity.name}'s id (a UUID), e.g. `{ew.key} 0b9d…`; "
            "names are not looked up offline",
            ew,
        )
    return None


def _wants_moves(scan: Scan) -> bool:
    """`transitions of task …`, `what can task … move to`: the moves a record can make."""
    found = False
    for i in range(len(scan.tokens)):
        w = scan.word(i)
        if i not in scan.used and (w in ("transitions", "moves") or (w == "move" and found)):
            scan.take(i)
            found = True
        elif w == "can" and scan.word(0) in ("what", "where", "which"):
            scan.take(i)
            found = True
    if found:
        for i in range(len(scan.tokens)):
            if scan.word(i) in ("to", "next", "possible") and i not in scan.used:
                scan.take(i)
    return found


def _by_record(scan: Scan, ew: EntityWords, action_id: str, *, takes_record: bool = True) -> Result:
    if not action_id:
        raise Unmapped(f"{ew.entity.plural} have no workflow", ew)
    payload: dict[str, Any] = {}
    if takes_record:
        payload["id"] = _record_id(scan, ew)
    scan.finish()
    return action_id, payload, ew


TITLE_WORDS = frozenset({"called", "named", "titled", "to", "about", "saying"})


def _create(scan: Scan, ew: EntityWords) -> Result:
    values: dict[str, Any] = {}
    queries.adjectives_before(scan, ew, values)
    i = scan.target_at
    while i < len(scan.tokens):
        if i in scan.used:
            i += 1
            continue
        span = None if ew.title_field in values else _title_span(scan, ew, i)
        if span is not None:
            start, end = span
            _title(scan, ew, values, start, end)
            scan.take(i, end - i)
            i = end
            continue
        queries.clause(scan, ew, i, values, mode="set")
        i += 1
    missing = [
        f.name
        for f in ew.entity.fields
        if f.required and f.default is None and f.name not in values
    ] + [r.column for r in ew.entity.belongs_to if r.required and r.column not in values]
    if missing:
        raise Unmapped(
            f"a new {ew.entity.name} needs {', '.join(missing)}: e.g. "
            f"`create {ew.key} " + " ".join(f"{m}=…" for m in missing) + "`",
            ew,
        )
    scan.finish()
    return ew.actions["create"], values, ew


def _title_span(scan: Scan, ew: EntityWords, i: int) -> tuple[int, int] | None:
    """Where a title starts and ends: quoted, after called/named/titled/to/a colon, or bare."""
    token, w = scan.tokens[i], scan.word(i)
    if token.kind == "quoted":
        return i, i + 1
    if token.kind == "colon" or w in TITLE_WORDS:
        start = i + 1
        if start < len(scan.tokens) and scan.tokens[start].kind == "quoted":
            return start, start + 1
        end = scan.text_until_marker(ew, start) if start < len(scan.tokens) else start
        return (start, end) if end > start else None
    if token.kind == "word" and not scan.marker_at(ew, i) and _bare_title(scan, i):
        if scan.option_at(ew, i) is not None or scan.reference_at(ew, i) is not None:
            return None
        return i, scan.text_until_marker(ew, i)
    return None


def _bare_title(scan: Scan, i: int) -> bool:
    """Free words right after the entity's name are its title (`create task Buy milk`)."""
    return scan.tokens[i].kind == "word" and all(
        j in scan.used or scan.word(j) in ("a", "an", "new") for j in range(scan.target_at, i)
    )


def _title(scan: Scan, ew: EntityWords, values: dict[str, Any], start: int, end: int) -> None:
    if ew.title_field is None:
        raise Unmapped(f"{ew.entity.plural} have no title field; use field=value", ew)
    text = " ".join(t.text for t in scan.tokens[start:end]).strip()
    if not text:
        raise Unmapped(f"give the {ew.example_title()}", ew)
    values[ew.title_field] = scan.convert(ew, ew.title_field, text)


def _update(scan: Scan, ew: EntityWords, verb: str) -> Result:
    record_id = _record_id(scan, ew)
    values: dict[str, Any] = {}
    if verb == "rename":
        at = next(
            (
                i
                for i in range(len(scan.tokens))
                if scan.word(i) in ("to", "as") and i not in scan.used
            ),
            None,
        )
        if at is None:
            raise Unmapped(f"say the new name: `rename {ew.key} <id> to …`", ew)
        end = len(scan.tokens)
        _title(scan, ew, values, at + 1, end)
        scan.take(at, end - at)
    else:
        for i in range(len(scan.tokens)):
            if i not in scan.used:
                queries.clause(scan, ew, i, values, mode="set")
    if not values:
        raise Unmapped(f"say what to change: `update {ew.key} <id> field=value`", ew)
    state = ew.state_field
    if state is not None and state in values:
        if len(values) > 1:
            raise Unmapped(f"change {state} on its own: `move {ew.key} <id> to …`", ew)
        scan.finish()
        return ew.actions["transition"], {"id": record_id, "to": values[state]}, ew
    scan.finish()
    return ew.actions["update"], {"id": record_id, **values}, ew


def _transition(scan: Scan, ew: EntityWords, trigger: str | None = None) -> Result:
    if "transition" not in ew.actions:
        raise Unmapped(f"{ew.entity.plural} have no workflow", ew)
    record_id = _record_id(scan, ew)
    if trigger is not None:
        scan.finish()
        return ew.actions["transition"], {"id": record_id, "trigger": trigger}, ew
    for i in range(len(scan.tokens)):
        if i in scan.used:
            continue
        found = scan.phrase_at(ew.states, i)
        if found is not None:
            scan.take(i, found[1])
            for j in range(i):
                if scan.word(j) in ("to", "as", "into", "in", "back", "status", "state"):
                    scan.take(j)
            scan.finish()
            return ew.actions["transition"], {"id": record_id, "to": found[0]}, ew
    states = sorted({s for s in ew.states.values()})
    raise Unmapped(f"say the state to move to: one of {', '.join(states)}", ew)
