"""The Detector interface shared by every detector and backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol, runtime_checkable

from qa_monitor.nlp.analysis import Analysis
from qa_monitor.records import Finding


@runtime_checkable
class Detector(Protocol):
    """Finds labelled spans in agent messages. Models load in `load()`, never at import."""

    name: ClassVar[str]
    version: ClassVar[str]
    labels: ClassVar[frozenset[str]]

    def load(self) -> None:
        """Load models and data files; called once before the first `detect`."""
        ...

    def detect(self, batch: Sequence[Analysis]) -> list[list[Finding]]:
        """One list of findings per analysis, in the same order."""
        ...
