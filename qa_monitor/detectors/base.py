"""The Detector interface shared by every detector and backend."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol

from qa_monitor.nlp.analysis import Analysis
from qa_monitor.records import Finding


class ThresholdLookup(Protocol):
    """What a detector may read of the scorer's thresholds (`qa_monitor.scoring.thresholds.Thresholds`)."""

    def value(self, label: str, language: str) -> float:
        """The threshold for a label in a language."""
        ...


class Detector(ABC):
    """Finds labelled spans in agent messages: everything a detector may provide, with defaults for the optional
    parts. The registry builds one as `Cls(options=..., models_dir=...)`; models load in `load()`, never at import.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    labels: ClassVar[frozenset[str]]

    def __init__(self, options: Mapping[str, Any] | None = None, models_dir: Path | None = None) -> None:
        self.options = dict(options or {})
        self.models_dir = models_dir or Path("models")

    @classmethod
    def available(cls, models_dir: Path) -> bool:
        """True when the detector's model files are in models_dir (by default it needs none)."""
        return True

    @abstractmethod
    def load(self) -> None:
        """Load models and data files; called once before the first `detect`."""

    @abstractmethod
    def detect(self, batch: Sequence[Analysis]) -> list[list[Finding]]:
        """One list of findings per analysis, in the same order."""

    def set_thresholds(self, thresholds: ThresholdLookup) -> None:
        """The scorer's thresholds, handed over after `load` (by default unused)."""
        return None

    @property
    def artifacts(self) -> str:
        """What trained files were loaded (their version or digest; empty when none): a change of files makes a
        new model version."""
        return ""
