"""Analyses for detector tests, built as the Analyzer builds them for a known language (no language model)."""

from __future__ import annotations

from qa_monitor.nlp.analysis import Analysis
from qa_monitor.nlp.analyzer import normalize
from qa_monitor.nlp.docs import parse
from qa_monitor.records import Finding


def analysis(text: str, language: str, customer: str = "", message_id: str = "m1") -> Analysis:
    """An Analysis as the Analyzer would build it once the language is known (any code, "unknown" included)."""
    text = normalize(text)
    [doc] = parse([text], [language], [None])
    return Analysis(message_id=message_id, text=text, language=language, sentences=doc._.sentences,
                    customer=normalize(customer), doc=doc)


def flagged(findings: list[Finding], label: str, threshold: float = 0.5) -> list[Finding]:
    """The findings of one label at or above the default threshold."""
    return [f for f in findings if f.label == label and f.score >= threshold]
