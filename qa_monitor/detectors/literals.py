"""Required literal words of a regular expression, used to skip patterns that cannot match a text.

Python's regex engine tries a pattern that starts with `\\b` or an optional group at every position of the text;
with dozens of patterns per language that dominates the cost of a message. Every match of a pattern must contain
one of its required literals, so a cheap substring test on the lower-cased text decides whether to run it.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

_c: Any
_parser: Any
try:  # the parser is internal to `re`; without it patterns simply always run
    _c = importlib.import_module("re._constants")
    _parser = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - other Python versions
    _c = _parser = None

MIN_LITERAL = 2


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-cased strings one of which every match contains, or None when no such set is known."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - any parser trouble just disables the shortcut
        return None
    found = _sequence(list(parsed.data))
    return frozenset(found) if found else None


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The most selective requirement among the elements of a sequence (longest shortest literal)."""
    candidates: list[set[str]] = []
    run: list[str] = []

    def close_run() -> None:
        if len(run) >= MIN_LITERAL:
            candidates.append({"".join(run)})
        run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av).lower())
            continue
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue  # zero-width: the literal run goes on
        close_run()
        sub = _element(op, av)
        if sub:
            candidates.append(sub)
    close_run()
    if not candidates:
        return None
    return max(candidates, key=lambda c: min(len(s) for s in c))


def _element(op: Any, av: Any) -> set[str] | None:
    if op is _c.SUBPATTERN:
        return _sequence(list(av[-1].data))
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av.data))
    if op is _c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            sub = _sequence(list(branch.data))
            if not sub:
                return None  # one alternative needs no literal: the group needs none
            union |= sub
        return union
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _sequence(list(av[2].data))
    return None
