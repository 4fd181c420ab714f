"""The shared spaCy pass: one blank pipeline per language (tokenizer only, no trained model), with our sentence
rules as its one component, and the language and its note as Doc extensions.

spaCy is imported when a pipeline is first built, not at import: importing it takes seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from qa_monitor.nlp.analysis import Analysis
from qa_monitor.nlp.segment import segment
from qa_monitor.records import LANGUAGES

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SENTENCES = "qa_monitor_sentences"
MULTILINGUAL = "xx"  # spaCy's language-neutral tokenizer, for messages in no supported language
# Doc extensions this pass sets: doc._.language, doc._.language_note, doc._.sentences
EXTENSIONS = {"language": None, "language_note": None, "sentences": ()}
BATCH_SIZE = 256


def set_sentences(doc: Doc) -> Doc:
    """Our rule-based sentences (`segment`) as `doc._.sentences`, exact character offsets, and as the tokens'
    sentence starts."""
    sentences = segment(doc.text, doc.lang_)
    doc._.sentences = sentences
    starts = {s.start for s in sentences}
    for token in doc[1:]:
        token.is_sent_start = token.idx in starts
    return doc


def _register() -> None:
    from spacy.language import Language
    from spacy.tokens import Doc

    for name, default in EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    if not Language.has_factory(SENTENCES):
        Language.component(SENTENCES, assigns=["token.is_sent_start", "doc._.sentences"], func=set_sentences)


@cache
def blank(language: str) -> Language:
    """The blank pipeline for a language (the multilingual one for any other), built once per process."""
    import spacy

    _register()
    nlp = spacy.blank(language if language in LANGUAGES else MULTILINGUAL)
    nlp.add_pipe(SENTENCES)
    return nlp


def parse(texts: Sequence[str], languages: Sequence[str], notes: Sequence[str | None]) -> list[Doc]:
    """A Doc per text, in order: each through its language's pipeline, in batches, with its language and note."""
    by_language: dict[str, list[int]] = {}
    for i, language in enumerate(languages):
        by_language.setdefault(language, []).append(i)
    out: list[Doc | None] = [None] * len(texts)
    for language, indices in by_language.items():
        docs = blank(language).pipe((texts[i] for i in indices), batch_size=BATCH_SIZE)
        for i, doc in zip(indices, docs, strict=True):
            doc._.language = language
            doc._.language_note = notes[i]
            out[i] = doc
    return [d for d in out if d is not None]


def doc_of(a: Analysis) -> Doc:
    """The analysis's Doc; one is parsed for an Analysis built by hand without it."""
    if a.doc is not None:
        return a.doc
    return parse([a.text], [a.language], [a.language_note])[0]
