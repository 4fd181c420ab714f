"""The scoring engine: analyses messages once, runs every detector, merges findings and applies thresholds."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from qa_monitor.detectors.base import Detector
from qa_monitor.errors import ModelError
from qa_monitor.nlp.analysis import Analysis, ScoreInput
from qa_monitor.nlp.analyzer import Analyzer
from qa_monitor.records import LABELS, Finding, MessageScore
from qa_monitor.scoring.thresholds import Thresholds, resolve_thresholds

if TYPE_CHECKING:
    from qa_monitor.config import PipelineSpec, Settings
    from qa_monitor.storage.store import Store

__all__ = ["Scorer", "Thresholds"]


class Scorer:
    """Runs detectors over batches of messages and returns one MessageScore per message."""

    model_version: str
    threshold_version: str

    def __init__(self, detectors: Sequence[Detector], thresholds: Thresholds,
                 analyzer: Analyzer | None = None) -> None:
        self.detectors = list(detectors)
        self.thresholds = thresholds
        self.analyzer = analyzer or Analyzer()
        self.model_version = "+".join(f"{d.name}-{d.version}" for d in self.detectors) or "none"
        self.threshold_version = thresholds.version
        self._loaded = False

    @classmethod
    def from_settings(cls, settings: Settings, pipeline: PipelineSpec | None = None,
                      store: Store | None = None) -> Scorer:
        """A scorer with the pipeline's detectors (default: every shipped one whose model files exist)."""
        from qa_monitor.detectors.registry import DEFAULT_DETECTORS, available, build_detector

        models_dir = settings.models_dir
        spec = pipeline.detectors if pipeline is not None else None
        if spec is not None and "enabled" in spec.model_fields_set:
            names = list(spec.enabled)
        else:
            names = [n for n in DEFAULT_DETECTORS if available(n, models_dir)]
        options = spec.options if spec is not None else {}
        detectors = [build_detector(n, options.get(n, {}), models_dir) for n in names]
        return cls(detectors, resolve_thresholds(models_dir, store, pipeline))

    def load(self) -> None:
        """Load the analyzer's and every detector's models (once)."""
        if self._loaded:
            return
        self.analyzer.load()
        for d in self.detectors:
            d.load()
            d.set_thresholds(self.thresholds)
        # detectors with trained files (heads, checkpoints) name them: new files make a new model version, so
        # their scores are told apart from the old ones and stored scores are not reused across them
        artifacts = "|".join(d.artifacts for d in self.detectors)
        if artifacts.strip("|"):
            self.model_version += "@" + hashlib.sha256(artifacts.encode()).hexdigest()[:8]
        self._loaded = True

    def score(self, items: Sequence[ScoreInput]) -> list[MessageScore]:
        """One MessageScore per item, in the same order."""
        return self.score_analyses(self.analyzer.analyze(items)) if items else []

    def score_analyses(self, analyses: Sequence[Analysis]) -> list[MessageScore]:
        """One MessageScore per already-built Analysis, in the same order."""
        self.load()
        per_message: list[list[Finding]] = [[] for _ in analyses]
        for d in self.detectors:
            results = d.detect(analyses)
            if len(results) != len(analyses):
                raise ModelError(f"detector '{d.name}' returned {len(results)} results for {len(analyses)} messages")
            for found, more in zip(per_message, results, strict=True):
                found.extend(more)
        return [self._message_score(a, f) for a, f in zip(analyses, per_message, strict=True)]

    def _message_score(self, analysis: Analysis, findings: list[Finding]) -> MessageScore:
        merged = merge_findings(findings)
        scores: dict[str, float] = {label: 0.0 for label in LABELS}
        for f in merged:
            if f.label in scores and f.score > scores[f.label]:
                scores[f.label] = f.score
        return MessageScore(message_id=analysis.message_id, language=analysis.language, scores=scores,
                            thresholds=self.thresholds.for_language(analysis.language), findings=tuple(merged),
                            model_version=self.model_version, threshold_version=self.threshold_version,
                            language_note=analysis.language_note)


def merge_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Findings with scores clamped to [0, 1], one per (label, span, detector), ordered by position."""
    best: dict[tuple[str, int, int, str], Finding] = {}
    for f in findings:
        if not 0.0 <= f.score <= 1.0:
            f = replace(f, score=min(1.0, max(0.0, f.score)))
        key = (f.label, f.start, f.end, f.detector)
        if key not in best or f.score > best[key].score:
            best[key] = f
    return sorted(best.values(), key=lambda f: (f.start, -f.score, f.label))
