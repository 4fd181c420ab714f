"""Scoring engine with fake detectors: merging, thresholds resolution, the registry and the runner on SQLite."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.console import Console

from qa_monitor.config import DetectorsSpec, PipelineSpec, Settings, ThresholdsSpec
from qa_monitor.detectors import registry
from qa_monitor.detectors.base import Detector
from qa_monitor.errors import ConfigError, ModelError
from qa_monitor.nlp.analysis import Analysis, ScoreInput
from qa_monitor.nlp.analyzer import Analyzer
from qa_monitor.nlp.language import LanguageGuess, LanguageIdentifier
from qa_monitor.records import Finding, Interaction, Message, Participant
from qa_monitor.scoring.engine import Scorer, Thresholds, merge_findings
from qa_monitor.scoring.runner import count_pending, score_pending
from qa_monitor.scoring.thresholds import resolve_thresholds
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store


class FixedLanguage(LanguageIdentifier):
    """Says every text is in one language, without loading lingua."""

    def __init__(self, language: str = "en") -> None:
        super().__init__()
        self.language = language
        self.calls = 0

    def load(self) -> None:
        return None

    def identify(self, text: str, context: str = "") -> LanguageGuess:
        self.calls += 1
        return LanguageGuess(self.language, 1.0, None if self.language != "unknown" else "fake note")


class KeywordDetector(Detector):
    """Flags the word 'bad' as rude at 0.8 and 'meh' at 0.3; records what it saw. Provides only what a detector
    must (name, version, labels, load, detect): the rest comes from the Detector defaults."""

    name: ClassVar[str] = "keyword"
    version: ClassVar[str] = "2.1"
    labels: ClassVar[frozenset[str]] = frozenset({"rude"})

    def __init__(self) -> None:
        super().__init__()
        self.loaded = 0
        self.seen: list[Analysis] = []

    def load(self) -> None:
        self.loaded += 1

    def detect(self, batch: Sequence[Analysis]) -> list[list[Finding]]:
        out = []
        for a in batch:
            self.seen.append(a)
            found = []
            for word, score in (("bad", 0.8), ("meh", 0.3)):
                i = a.text.find(word)
                if i >= 0:
                    found.append(Finding(a.message_id, "rude", score, i, i + len(word), self.name, self.version,
                                         f"says {word}", None, f"kw/{word}", word))
            out.append(found)
        return out


class BrokenDetector(KeywordDetector):
    name: ClassVar[str] = "broken"

    def detect(self, batch: Sequence[Analysis]) -> list[list[Finding]]:
        return []


def scorer(*detectors: Any, thresholds: Thresholds | None = None, language: str = "en") -> Scorer:
    return Scorer(list(detectors) or [KeywordDetector()], thresholds or Thresholds(),
                  analyzer=Analyzer(FixedLanguage(language)))


def test_one_score_per_item_in_order_with_label_maximum() -> None:
    s = scorer()
    out = s.score([ScoreInput("a", "all good"), ScoreInput("b", "meh, bad"), ScoreInput("c", "meh")])
    assert [x.message_id for x in out] == ["a", "b", "c"]
    assert out[0].scores == {"rude": 0.0, "condescending": 0.0, "unclear": 0.0}
    assert out[1].scores["rude"] == 0.8 and out[1].flagged("rude")
    assert out[2].scores["rude"] == 0.3 and not out[2].flagged("rude")
    assert [f.rule for f in out[1].findings] == ["kw/meh", "kw/bad"]  # ordered by position
    assert out[1].model_version == "keyword-2.1" and out[1].threshold_version == "default-0.5"


def test_model_version_names_every_detector() -> None:
    s = scorer(KeywordDetector(), BrokenDetector())
    assert s.model_version == "keyword-2.1+broken-2.1"


def test_detector_returning_wrong_count_is_an_error() -> None:
    with pytest.raises(ModelError, match="broken"):
        scorer(BrokenDetector()).score([ScoreInput("a", "bad")])


def test_load_happens_once() -> None:
    d = KeywordDetector()
    s = scorer(d)
    s.score([ScoreInput("a", "bad")])
    s.score([ScoreInput("b", "bad")])
    assert d.loaded == 1


def test_analyzer_normalises_to_nfc_and_keeps_given_language() -> None:
    d = KeywordDetector()
    ident = FixedLanguage("ru")
    s = Scorer([d], Thresholds(), analyzer=Analyzer(ident))
    s.score([ScoreInput("a", "Cafe\u0301 bad", customer="ok", language="pl"), ScoreInput("b", "bad")])
    assert d.seen[0].text == "Café bad" and d.seen[0].language == "pl" and d.seen[0].customer == "ok"
    assert d.seen[1].language == "ru"
    assert ident.calls == 1
    assert d.seen[0].sentences and d.seen[0].sentences[0].text == "Café bad"


def test_unknown_language_uses_the_any_language_threshold() -> None:
    th = Thresholds("v1", {"rude": {"*": 0.9, "en": 0.7}})
    [unknown] = scorer(thresholds=th, language="unknown").score([ScoreInput("a", "bad")])
    [english] = scorer(thresholds=th, language="en").score([ScoreInput("a", "bad")])
    assert unknown.language == "unknown" and unknown.thresholds["rude"] == 0.9 and not unknown.flagged("rude")
    assert english.thresholds["rude"] == 0.7 and english.flagged("rude")
    assert english.thresholds["unclear"] == 0.5


def test_merge_keeps_best_duplicate_and_clamps() -> None:
    f = Finding("m", "rude", 0.4, 0, 3, "d", "1", "x")
    merged = merge_findings([f, Finding("m", "rude", 1.7, 0, 3, "d", "1", "y"),
                             Finding("m", "rude", -0.2, 5, 9, "d", "1", "z")])
    assert [(x.start, x.score, x.explanation) for x in merged] == [(0, 1.0, "y"), (5, 0.0, "z")]


# --- thresholds -----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    s.migrate()
    yield s
    s.close()


def test_default_thresholds_without_file(tmp_path: Path) -> None:
    th = resolve_thresholds(tmp_path)
    assert th.version == "default-0.5" and th.value("rude", "lv") == 0.5


def test_thresholds_file_then_database_then_pipeline(tmp_path: Path, sqlite_store: Store) -> None:
    (tmp_path / "thresholds.json").write_text(json.dumps(
        {"version": "t-2026-11", "thresholds": {"rude": {"*": 0.6, "en": 0.55}, "unclear": {"*": 0.4}}}))
    assert resolve_thresholds(tmp_path).value("rude", "en") == 0.55
    with sqlite_store.session() as s:
        s.add_all([t.ThresholdRow(version="cal-1", label="rude", language="en", value=0.7, origin="reviews"),
                   t.ThresholdRow(version="cal-0", label="rude", language="en", value=0.1, origin="reviews",
                                  created_at=datetime(2020, 1, 1))])
    pipeline = PipelineSpec(name="p", thresholds=ThresholdsSpec(default={"unclear": 0.65},
                                                                languages={"pl": {"rude": 0.8}}))
    th = resolve_thresholds(tmp_path, sqlite_store, pipeline)
    assert th.value("rude", "en") == 0.7          # calibrated, latest version
    assert th.value("rude", "es") == 0.6          # file "*"
    assert th.value("rude", "pl") == 0.8          # pipeline language override
    assert th.value("unclear", "ru") == 0.65      # pipeline default
    assert th.value("condescending", "lv") == 0.5
    assert th.version.startswith("t-2026-11+cal-1+p-") and len(th.version) <= 64


def test_malformed_thresholds_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "thresholds.json").write_text('{"version": "x", "thresholds": {"rude": {"en": 3}}}')
    with pytest.raises(ModelError, match=r"thresholds\.rude\.en: expected a number between 0 and 1"):
        resolve_thresholds(tmp_path)


def test_from_settings_picks_detectors(tmp_path: Path) -> None:
    settings = Settings(models_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    default = Scorer.from_settings(settings)
    assert default.model_version == "markers-1.1+clarity-1.2"
    only = Scorer.from_settings(settings, PipelineSpec(name="p", detectors=DetectorsSpec(enabled=["clarity"])))
    assert only.model_version == "clarity-1.2"
    with pytest.raises(ConfigError, match="unknown detector 'nope'"):
        Scorer.from_settings(settings, PipelineSpec(name="p", detectors=DetectorsSpec(enabled=["nope"])))


class NotADetector:
    """Has a detector's attributes but does not declare the Detector contract."""

    name = "fake"
    version = "1"
    labels = frozenset({"rude"})

    def __init__(self, options: Any = None, models_dir: Any = None) -> None:
        pass


def test_registry_refuses_a_class_that_is_not_a_detector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.DETECTORS, "fake", f"{__name__}:NotADetector")
    monkeypatch.setitem(registry.DETECTORS, "keyword", f"{__name__}:KeywordDetector")
    with pytest.raises(ConfigError, match="detector 'fake': .*NotADetector is not a Detector"):
        registry.build_detector("fake", {}, tmp_path)
    assert not registry.available("fake", tmp_path)
    assert registry.available("keyword", tmp_path)  # the default: a detector needs no model files


def test_a_detector_gets_the_contract_defaults() -> None:
    d = KeywordDetector()
    assert d.artifacts == "" and KeywordDetector.available(Path("nowhere"))
    s = Scorer([d], Thresholds(), Analyzer(FixedLanguage()))
    s.load()  # hands the thresholds over; the default ignores them
    assert s.model_version == "keyword-2.1"


# --- runner ---------------------------------------------------------------------------------------


def conversation(native: str, turns: list[tuple[str, str]]) -> Interaction:
    start = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    iid = f"mail:{native}"
    msgs = []
    for i, (role, text) in enumerate(turns):
        author = Participant(id=f"{role}@x.example", role="agent" if role == "agent" else "customer")
        msgs.append(Message(id=f"{iid}#{i}", interaction_id=iid, seq=i, author=author,
                            sent_at=start + timedelta(minutes=i), text=text, internal=role == "note"))
    return Interaction(id=iid, source="mail", native_id=native, channel="email", started_at=start,
                       messages=tuple(msgs))


def test_runner_scores_pending_once_and_reports(tmp_path: Path, sqlite_store: Store) -> None:
    sqlite_store.upsert_interactions([
        conversation("1", [("customer", "My invoice is wrong."), ("agent", "That is bad luck."),
                           ("customer", "Really?"), ("agent", "meh")]),
        conversation("2", [("customer", "Hello"), ("note", "bad customer"), ("agent", "Fixed it for you.")]),
    ])
    settings = Settings(models_dir=tmp_path, database_url=sqlite_store.url)
    detector = KeywordDetector()
    calls: list[tuple[int, int]] = []
    report = score_pending(sqlite_store, settings, scorer=scorer(detector), progress=lambda d, n: calls.append((d, n)),
                           batch_size=2)
    assert report.scored == 3 and report.per_language == {"en": 3}
    assert report.flagged["en"]["rude"] == 1 and report.flagged_total("rude") == 1
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)
    contexts = {a.message_id: a.customer for a in detector.seen}
    assert contexts["mail:1#3"] == "Really?" and contexts["mail:1#1"] == "My invoice is wrong."
    assert "mail:2#1" not in contexts  # internal notes are not scored
    with sqlite_store.session() as s:
        rows = s.query(t.FindingRow).order_by(t.FindingRow.message_id).all()
        assert [(r.message_id, r.rule, r.start, r.end, r.flagged) for r in rows] == [
            ("mail:1#1", "kw/bad", 8, 11, True), ("mail:1#3", "kw/meh", 0, 3, False)]
    assert count_pending(sqlite_store, "keyword-2.1") == 0
    again = score_pending(sqlite_store, settings, scorer=scorer(KeywordDetector()))
    assert again.scored == 0


def test_runner_draws_a_bar_on_a_console(tmp_path: Path, sqlite_store: Store) -> None:
    sqlite_store.upsert_interactions([conversation("1", [("customer", "Hi"), ("agent", "bad")])])
    out = io.StringIO()
    report = score_pending(sqlite_store, Settings(models_dir=tmp_path, database_url=sqlite_store.url),
                           progress=Console(file=out, force_terminal=False), scorer=scorer(), limit=5)
    assert report.scored == 1 and report.rate > 0


class TrainedKeywordDetector(KeywordDetector):
    """KeywordDetector that names the trained files it loaded, as the embedding detector names its heads."""

    def __init__(self, artifacts: str) -> None:
        super().__init__()
        self._artifacts = artifacts

    @property
    def artifacts(self) -> str:
        return self._artifacts if self.loaded else ""


def test_model_version_follows_the_loaded_model_files() -> None:
    plain = Scorer([KeywordDetector()], Thresholds(), Analyzer(FixedLanguage()))
    plain.load()
    assert plain.model_version == "keyword-2.1"
    versions = []
    for files in ("heads-1.0+aaaa", "heads-1.0+aaaa", "heads-1.0+bbbb"):
        s = Scorer([TrainedKeywordDetector(files)], Thresholds(), Analyzer(FixedLanguage()))
        s.load()
        s.load()  # loading twice does not grow the version
        versions.append(s.model_version)
    assert versions[0] == versions[1] != versions[2]
    assert all(v.startswith("keyword-2.1@") and len(v) <= 64 for v in versions)
    out = s.score([ScoreInput(message_id="m1", text="bad")])
    assert out[0].model_version == versions[2]


def test_an_unsure_language_keeps_its_note_on_the_score() -> None:
    scorer = Scorer([KeywordDetector()], Thresholds(), Analyzer(FixedLanguage("unknown")))
    out = scorer.score([ScoreInput(message_id="m1", text="bad")])
    assert out[0].language == "unknown" and out[0].language_note == "fake note"
    sure = Scorer([KeywordDetector()], Thresholds(), Analyzer(FixedLanguage("en")))
    assert sure.score([ScoreInput(message_id="m1", text="bad")])[0].language_note is None
