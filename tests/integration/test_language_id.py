"""Language identification with lingua's bundled models (loads a model, hence integration)."""

from __future__ import annotations

import pytest

from qa_monitor.nlp.analysis import ScoreInput
from qa_monitor.nlp.analyzer import Analyzer
from qa_monitor.nlp.language import LanguageIdentifier

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    ident = LanguageIdentifier()
    ident.load()
    return ident


@pytest.mark.parametrize(("text", "language"), [
    ("Thanks for your patience, the refund was sent today.", "en"),
    ("Gracias por su paciencia, el reembolso se envió hoy.", "es"),
    ("Dziękujemy za cierpliwość, zwrot został wysłany dzisiaj.", "pl"),
    ("Спасибо за терпение, возврат отправлен сегодня.", "ru"),
    ("Paldies par pacietību, atmaksa tika nosūtīta šodien.", "lv"),
    ("Not our problem.", "en"),
])
def test_supported_languages(identifier: LanguageIdentifier, text: str, language: str) -> None:
    guess = identifier.identify(text)
    assert guess.language == language and guess.note is None


def test_other_language_is_unknown_with_a_note(identifier: LanguageIdentifier) -> None:
    guess = identifier.identify("Vielen Dank für Ihre Geduld, die Rückerstattung wurde heute gesendet.")
    assert guess.language in {"unknown", "en", "pl", "lv", "es", "ru"}
    short = identifier.identify("ok")
    assert short.language == "unknown" and short.note and "multilingual" in short.note


def test_short_message_takes_the_conversation_language(identifier: LanguageIdentifier) -> None:
    guess = identifier.identify("Ok.", context="Labdien, mans maršrutētājs nedarbojas jau trešo dienu.")
    assert guess.language == "lv" and guess.note and "conversation" in guess.note


def test_analyzer_detects_when_not_given() -> None:
    [a] = Analyzer().analyze([ScoreInput("m", "Dzień dobry, proszę zrestartować router.")])
    assert a.language == "pl" and a.sentences
