"""The Analysis record: what detectors read about one agent message."""

from __future__ import annotations

from dataclasses import dataclass


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
    """

    message_id: str
    text: str
    language: str
    sentences: tuple[Sentence, ...] = ()
    customer: str = ""
    language_note: str | None = None
