"""The Detector interface shared by every detector and backend."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ClassVar, Protocol, TypeVar, runtime_checkable

from qa_monitor.errors import ModelError
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


class ThresholdLookup(Protocol):
    """What a detector may read of the scorer's thresholds (`qa_monitor.scoring.thresholds.Thresholds`)."""

    def value(self, label: str, language: str) -> float:
        """The threshold for a label in a language."""
        ...


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
