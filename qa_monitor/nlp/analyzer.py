"""The Analyzer: one pass per message (NFC, language, spaCy tokens and sentences) building the Analyses detectors
read."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from qa_monitor.nlp.analysis import Analysis, ScoreInput
from qa_monitor.nlp.docs import blank, parse
from qa_monitor.nlp.language import LanguageIdentifier
from qa_monitor.records import LANGUAGES, UNKNOWN_LANGUAGE


def normalize(text: str) -> str:
    """The stored form of a text: Unicode NFC."""
    return unicodedata.normalize("NFC", text)


class Analyzer:
    """Turns ScoreInputs into Analyses: NFC text, language (given or detected), then the shared spaCy pass
    (tokens and sentences)."""

    def __init__(self, identifier: LanguageIdentifier | None = None) -> None:
        self.identifier = identifier or LanguageIdentifier()

    def load(self) -> None:
        """Load the language identifier's models and build the spaCy pipelines."""
        self.identifier.load()
        for language in (*LANGUAGES, UNKNOWN_LANGUAGE):
            blank(language)

    def analyze(self, items: Sequence[ScoreInput]) -> list[Analysis]:
        """One Analysis per item, in the same order."""
        texts, customers, languages, notes = [], [], [], []
        for item in items:
            text = normalize(item.text)
            customer = normalize(item.customer)
            note = None
            if item.language in LANGUAGES:
                language = item.language
            else:
                guess = self.identifier.identify(text, customer)
                language, note = guess.language, guess.note
            texts.append(text)
            customers.append(customer)
            languages.append(language)
            notes.append(note)
        docs = parse(texts, languages, notes)
        return [Analysis(message_id=item.message_id, text=text, language=doc._.language, sentences=doc._.sentences,
                         customer=customer, language_note=doc._.language_note, doc=doc)
                for item, text, customer, doc in zip(items, texts, customers, docs, strict=True)]
