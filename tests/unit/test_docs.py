"""The shared spaCy pass: blank pipelines per language with our sentence rules as a component."""

from __future__ import annotations

import pytest

from qa_monitor.nlp.analysis import Analysis, ScoreInput
from qa_monitor.nlp.analyzer import Analyzer
from qa_monitor.nlp.docs import SENTENCES, blank, doc_of, parse
from qa_monitor.nlp.segment import segment

TEXTS = [
    ("en", "Hi Anna,\n\nI've checked your order (no. 4411). It ships on Mon. 3 Feb. Thanks!"),
    ("pl", "Dzień dobry. Np. proszę zrestartować router, tj. wyłączyć go na 30 s.\nPozdrawiam"),
    ("ru", "Здравствуйте! Т.е. нужно перезагрузить роутер.   Спасибо."),
    ("lv", "Labdien. Lūdzu, zvaniet plkst. 9.00. Paldies!"),
    ("es", "Hola. Vea la pág. 3, p.ej. el apartado 2.\n\n- Reinicie el router\n- Pruebe de nuevo"),
    ("unknown", "Guten Tag. Bitte starten Sie den Router neu. Danke!"),
]


@pytest.mark.parametrize(("language", "text"), TEXTS)
def test_doc_carries_our_sentences_with_exact_offsets(language: str, text: str) -> None:
    [doc] = parse([text], [language], ["a note"])
    assert doc.text == text
    assert doc._.sentences == segment(text, language)
    assert doc._.language == language and doc._.language_note == "a note"
    # every sentence our rules find starts a spaCy sentence too, and no other token does
    starts = {s.start for s in doc._.sentences}
    assert {t.idx for t in doc if t.is_sent_start} - {0} == starts - {0}


def test_one_pipeline_per_language_built_once_with_only_our_component() -> None:
    assert blank("en") is blank("en")
    assert blank("en").pipe_names == [SENTENCES]
    assert blank("unknown").lang == "xx" and blank("de") is not blank("en")


def test_parse_keeps_the_order_across_languages() -> None:
    texts = ["One. Two.", "Uno. Dos.", "Three."]
    docs = parse(texts, ["en", "es", "en"], [None, None, None])
    assert [d.text for d in docs] == texts and [d.lang_ for d in docs] == ["en", "es", "en"]


def test_analyzer_hands_detectors_the_doc() -> None:
    [a] = Analyzer().analyze([ScoreInput("m", "Cafe\u0301 is open. Come in!", language="es")])
    assert a.doc is not None and a.doc.text == a.text == "Café is open. Come in!"
    assert [s.text for s in a.sentences] == ["Café is open.", "Come in!"]
    assert doc_of(a) is a.doc


def test_doc_of_parses_a_hand_built_analysis() -> None:
    doc = doc_of(Analysis("m", "See https://example.com now.", "en"))
    assert [t.text for t in doc if t.like_url] == ["https://example.com"]
