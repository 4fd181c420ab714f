"""What the rule-based detectors (markers, clarity) share: their per-language data files, compiled regexes, the
sentence a match sits in, clipped quotes for explanations, and how several cues in one message add up."""

from __future__ import annotations

import re
import tomllib
from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from qa_monitor.detectors.base import Detector
from qa_monitor.errors import ModelError
from qa_monitor.nlp.analysis import Analysis, Sentence
from qa_monitor.records import LANGUAGES, Finding


class _LanguageData(Protocol):
    @property
    def language(self) -> str: ...

    @property
    def version(self) -> str: ...


D = TypeVar("D", bound=_LanguageData)


def read_rules_file(path: Path, what: str) -> dict[str, Any]:
    """The parsed TOML of one language's data file; an unreadable or malformed file is a ModelError naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ModelError(f"{path}: cannot read {what}: {e}") from None


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


def compile_regex(source: str, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """A data file's regular expression compiled; a bad one is a ModelError saying where it is."""
    try:
        return re.compile(source, flags)
    except re.error as e:
        raise ModelError(f"{where}: invalid regular expression: {e}") from None


def sentence_at(sentences: Sequence[Sentence], pos: int, text: str) -> Sentence:
    """The sentence that holds character `pos`, or the whole text when none does."""
    for s in sentences:
        if s.start <= pos < s.end:
            return s
    return Sentence(0, len(text), text)


def clip(text: str, limit: int = 80) -> str:
    """Text on one line, cut to `limit` characters with an ellipsis, for quoting in an explanation."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def combine(score: float, boosts: Iterable[float], max_score: float) -> float:
    """A cue's score raised by the other cues of the message (noisy-or of the damped boosts), capped."""
    keep = 1.0 - score
    for boost in boosts:
        keep *= 1.0 - boost
    return round(min(max_score, 1.0 - keep), 4)


class RuleDetector(Detector, Generic[D]):
    """A detector driven by one data file per language (`<data_dir>/<lang>.toml`, read by `read`). Options:
    `data_dir` (default: the detector's own folder) and `languages` (default: all five). Messages in a language
    without a file, or with no text, get no findings (the models cover them)."""

    default_data_dir: ClassVar[Path]

    def __init__(self, options: Mapping[str, Any] | None = None, models_dir: Path | None = None) -> None:
        super().__init__(options, models_dir)
        self.data_dir = Path(self.options.get("data_dir", self.default_data_dir))
        self.languages = tuple(self.options.get("languages", LANGUAGES))
        self.by_language: dict[str, D] = {}

    @abstractmethod
    def read(self, path: Path) -> D:
        """One language's data file, read and compiled."""

    @abstractmethod
    def detect_one(self, a: Analysis, data: D) -> list[Finding]:
        """The findings in one message, given its language's data."""

    def load(self) -> None:
        """Read and compile the data file of every configured language (once)."""
        if not self.by_language:
            self.by_language = load_language_files(self.data_dir, self.languages, self.version, self.read)

    def detect(self, batch: Sequence[Analysis]) -> list[list[Finding]]:
        """Findings per analysis, in the same order."""
        self.load()
        out = []
        for a in batch:
            data = self.by_language.get(a.language)
            out.append(self.detect_one(a, data) if data is not None and a.text.strip() else [])
        return out
