"""The Detector interface shared by every detector and backend."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from qa_monitor.errors import ModelError
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


class _LanguageData(Protocol):
    @property
    def language(self) -> str: ...

    @property
    def version(self) -> str: ...


D = TypeVar("D", bound=_LanguageData)


def load_language_files(data_dir: Path, languages: Iterable[str], version: str,
                        read: Callable[[Path], D]) -> dict[str, D]:
    """Each language's data file (`<lang>.toml`), checked to declare that language and the detector's version."""
    out: dict[str, D] = {}
    for lang in languages:
        path = data_dir / f"{lang}.toml"
        data = read(path)
        if data.language != lang:
            raise ModelError(f"{path}: declares language '{data.language}'")
        if data.version != version:
            # findings are stored with the detector's version: a changed data file must bump it
            raise ModelError(f"{path}: version {data.version} does not match the detector's {version}")
        out[lang] = data
    return out
