"""Language identification with lingua, restricted to the supported languages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from qa_monitor.records import LANGUAGES, UNKNOWN_LANGUAGE

# Below this confidence a message is "unknown" unless the customer's turn settles it. Short help-desk lines
# ("Not our problem.") get ~0.4 for the right language and ~0.25 for the runner-up, hence the margin rule too.
MIN_CONFIDENCE = 0.5
MIN_MARGIN = 0.15
MARGIN_FLOOR = 0.35


@dataclass(frozen=True)
class LanguageGuess:
    """A detected language (ISO 639-1 or "unknown"), its confidence, and a note when it is not certain."""

    language: str
    confidence: float
    note: str | None = None


@lru_cache(maxsize=4)
def _lingua_detector(languages: tuple[str, ...]) -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in languages]
    # models load lazily, per language, on first use: preloading all five costs seconds and ~200 MB
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


class LanguageIdentifier:
    """Detects en/es/pl/ru/lv; anything else or too uncertain is "unknown" with a note."""

    def __init__(self, languages: Sequence[str] = LANGUAGES, min_confidence: float = MIN_CONFIDENCE) -> None:
        self.languages = tuple(languages)
        self.min_confidence = min_confidence
        self._detector: Any = None

    def load(self) -> None:
        """Build the lingua detector (once per process and language set)."""
        if self._detector is None:
            self._detector = _lingua_detector(self.languages)

    def _ranked(self, text: str) -> list[tuple[str, float]]:
        self.load()
        values = self._detector.compute_language_confidence_values(text)
        return [(v.language.iso_code_639_1.name.lower(), float(v.value)) for v in values]

    def _accept(self, ranked: list[tuple[str, float]]) -> bool:
        if not ranked:
            return False
        top = ranked[0][1]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        return top >= self.min_confidence or (top >= MARGIN_FLOOR and top - second >= MIN_MARGIN)

    def identify(self, text: str, context: str = "") -> LanguageGuess:
        """The language of `text`; `context` (the customer's turn) decides when the text alone is too short."""
        if not any(ch.isalpha() for ch in text):
            return LanguageGuess(UNKNOWN_LANGUAGE, 0.0, "no words to identify a language from")
        ranked = self._ranked(text)
        if self._accept(ranked):
            return LanguageGuess(ranked[0][0], ranked[0][1])
        if context.strip():
            joint = self._ranked(f"{context}\n{text}")
            if self._accept(joint):
                return LanguageGuess(joint[0][0], joint[0][1],
                                     "language taken from the conversation: the message alone is too short")
        top = ranked[0] if ranked else (UNKNOWN_LANGUAGE, 0.0)
        return LanguageGuess(UNKNOWN_LANGUAGE, top[1],
                             f"not confidently one of {', '.join(self.languages)} (best guess {top[0]} at "
                             f"{top[1]:.2f}); scored with the multilingual models only")
