"""The Analyzer: one pass per message (NFC, language, sentences) building the Analyses detectors read."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from qa_monitor.nlp.analysis import Analysis, ScoreInput
from qa_monitor.nlp.language import LanguageIdentifier
from qa_monitor.nlp.segment import segment
from qa_monitor.records import LANGUAGES


def normalize(text: str) -> str:
    """The stored form of a text: Unicode NFC."""
    return unicodedata.normalize("NFC", text)


class Analyzer:
    """Turns ScoreInputs into Analyses: NFC text, language (given or detected) and sentences."""

    def __init__(self, identifier: LanguageIdentifier | None = None) -> None:
        self.identifier = identifier or LanguageIdentifier()

    def load(self) -> None:
        """Load the language identifier's models."""
        self.identifier.load()

    def analyze(self, items: Sequence[ScoreInput]) -> list[Analysis]:
        """One Analysis per item, in the same order."""
        out = []
        for item in items:
            text = normalize(item.text)
            customer = normalize(item.customer)
            note = None
            if item.language in LANGUAGES:
                language = item.language
            else:
                guess = self.identifier.identify(text, customer)
                language, note = guess.language, guess.note
            out.append(Analysis(message_id=item.message_id, text=text, language=language,
                                sentences=segment(text, language), customer=customer, language_note=note))
        return out
