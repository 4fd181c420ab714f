"""Hand-built Analyses for detector tests: no language model, sentences from the rule-based segmenter."""

from __future__ import annotations

from qa_monitor.nlp.analysis import Analysis
from qa_monitor.nlp.analyzer import normalize
from qa_monitor.nlp.segment import segment
from qa_monitor.records import Finding


def analysis(text: str, language: str, customer: str = "", message_id: str = "m1") -> Analysis:
    """An Analysis as the Analyzer would build it for a known language."""
    text = normalize(text)
    return Analysis(message_id=message_id, text=text, language=language, sentences=segment(text, language),
                    customer=normalize(customer))


def flagged(findings: list[Finding], label: str, threshold: float = 0.5) -> list[Finding]:
    """The findings of one label at or above the default threshold."""
    return [f for f in findings if f.label == label and f.score >= threshold]
