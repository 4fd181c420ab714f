"""Sentence segmentation: offsets, abbreviations, numbers, URLs and list items in the five languages."""

from __future__ import annotations

import pytest

from qa_monitor.nlp.segment import segment

CASES = [
    ("en", "Hi Anna,\nThanks for writing. Please open https://example.com/a.b?x=1. Then click e.g. Settings. "
           "Version 3.5.1 is out!",
     ["Hi Anna,", "Thanks for writing.", "Please open https://example.com/a.b?x=1.", "Then click e.g. Settings.",
      "Version 3.5.1 is out!"]),
    ("en", "Mr. Smith called at 10 a.m. today. Write to help@example.com. Done",
     ["Mr. Smith called at 10 a.m. today.", "Write to help@example.com.", "Done"]),
    ("en", "This line was wrapped by the mail client because it is\nlong and continues here. Next one.",
     ["This line was wrapped by the mail client because it is\nlong and continues here.", "Next one."]),
    ("es", "Hola. ¿Ha reiniciado el equipo? Sr. Pérez, gracias... ¡Perfecto!",
     ["Hola.", "¿Ha reiniciado el equipo?", "Sr. Pérez, gracias...", "¡Perfecto!"]),
    ("pl", "Dzień dobry,\n\nproszę np. zrestartować router. Potem:\n1. Otwórz ustawienia\n2. Kliknij OK\nPozdrawiam",
     ["Dzień dobry,", "proszę np. zrestartować router.", "Potem:", "1. Otwórz ustawienia", "2. Kliknij OK",
      "Pozdrawiam"]),
    ("ru", "Здравствуйте! Т.е. вы видите ошибку? См. стр. 5. Спасибо.",
     ["Здравствуйте!", "Т.е. вы видите ошибку?", "См. стр. 5.", "Спасибо."]),
    ("lv", "Labdien! Līdz 15. novembrim, plkst. 10.00. Paldies.",
     ["Labdien!", "Līdz 15. novembrim, plkst. 10.00.", "Paldies."]),
    ("lv", "- pirmais solis\n- otrais solis", ["- pirmais solis", "- otrais solis"]),
]


@pytest.mark.parametrize(("language", "text", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_sentences_and_offsets(language: str, text: str, expected: list[str]) -> None:
    sentences = segment(text, language)
    assert [s.text for s in sentences] == expected
    for s in sentences:
        assert text[s.start:s.end] == s.text


def test_empty_and_blank_text() -> None:
    assert segment("", "en") == ()
    assert segment("  \n\n ", "en") == ()
