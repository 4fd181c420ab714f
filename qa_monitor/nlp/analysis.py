"""The Analysis record: what detectors read about one agent message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sentence:
    """A sentence as character offsets into the message text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Analysis:
    """One agent message prepared for detectors: normalised text, language, sentences and context.

    `customer` is the customer's preceding turn(s) in the conversation, read as context only.
    `features` holds shared per-message computations (for example an embedding) keyed by name.
    """

    message_id: str
    text: str
    language: str
    sentences: tuple[Sentence, ...] = ()
    customer: str = ""
    language_note: str | None = None
    features: Mapping[str, Any] = field(default_factory=dict)
