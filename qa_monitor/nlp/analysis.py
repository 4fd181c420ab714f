"""The analyzer's records: what it is given about one agent message (ScoreInput) and what detectors read of it
(Analysis)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True)
class ScoreInput:
    """One agent message to score, with the customer's preceding turn(s) as context."""

    message_id: str
    text: str
    customer: str = ""
    language: str | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence as character offsets into the message text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Analysis:
    """One agent message prepared for detectors: normalised text, language, sentences and context.

    `customer` is the customer's preceding turn(s) in the conversation, read as context only. `doc` is the shared
    spaCy pass over the text (tokens, sentence starts, language): `qa_monitor.nlp.docs.doc_of` gives it.
    """

    message_id: str
    text: str
    language: str
    sentences: tuple[Sentence, ...] = ()
    customer: str = ""
    language_note: str | None = None
    doc: Doc | None = field(default=None, compare=False, repr=False)
