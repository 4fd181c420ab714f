"""Schemathesis hooks for the contract test (loaded through SCHEMATHESIS_HOOKS): a check that no response quotes
words the caller may not see, given as QA_MONITOR_CONTRACT_FORBIDDEN (comma-separated markers planted in other
agents' messages)."""

from __future__ import annotations

import os
from typing import Any

import schemathesis

FORBIDDEN = tuple(w for w in os.environ.get("QA_MONITOR_CONTRACT_FORBIDDEN", "").split(",") if w)


@schemathesis.check
def no_foreign_words(ctx: Any, response: Any, case: Any) -> bool | None:
    """Fail when a response body holds a marker written only by agents the caller may not read."""
    text = response.content.decode("utf-8", "replace")
    found = [w for w in FORBIDDEN if w in text]
    if found:
        raise AssertionError(f"the response quotes {', '.join(found)}, written by an agent the caller may not read")
    return None
