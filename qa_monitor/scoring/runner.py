"""The scoring step: scores every agent message not yet scored by the current model version, in batches."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console
from sqlalchemy import func, or_, select

from qa_monitor.errors import StorageError
from qa_monitor.nlp.analysis import ScoreInput
from qa_monitor.records import LABELS, MessageScore
from qa_monitor.scoring.engine import Scorer
from qa_monitor.storage import tables as t

if TYPE_CHECKING:
    from qa_monitor.config import PipelineSpec, Settings
    from qa_monitor.storage.store import Store

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (messages done, messages to do) after each batch."""

READ_CHUNK = 1000
BATCH_SIZE = 64


@dataclass
class ScoreReport:
    """What a scoring run did: counts per language and label, the versions used and the time taken."""

    model_version: str
    threshold_version: str
    scored: int = 0
    seconds: float = 0.0
    per_language: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, dict[str, int]] = field(default_factory=dict)   # language -> label -> flagged messages

    def add(self, score: MessageScore) -> None:
        """Count one scored message."""
        self.scored += 1
        self.per_language[score.language] = self.per_language.get(score.language, 0) + 1
        per_label = self.flagged.setdefault(score.language, {label: 0 for label in LABELS})
        for label in LABELS:
            if score.flagged(label):
                per_label[label] += 1

    def flagged_total(self, label: str) -> int:
        """Messages flagged for a label across languages."""
        return sum(v.get(label, 0) for v in self.flagged.values())

    @property
    def rate(self) -> float:
        """Messages scored per second."""
        return self.scored / self.seconds if self.seconds > 0 else 0.0


def count_pending(store: Store, model_version: str) -> int:
    """How many customer-facing agent messages are not yet scored by this model version."""
    m = t.MessageRow
    with store.session() as s:
        q = select(func.count()).select_from(m).where(
            m.role == "agent", m.internal.is_(False),
            or_(m.scored_version.is_(None), m.scored_version != model_version))
        return int(s.execute(q).scalar_one())


def score_pending(store: Store, settings: Settings, spec: PipelineSpec | None = None,
                  progress: Progress | Console | None = None, *, scorer: Scorer | None = None,
                  batch_size: int = BATCH_SIZE, limit: int | None = None) -> ScoreReport:
    """Score pending agent messages in batches and save their scores and findings; returns a summary.

    `progress` is a callback `(done, total)`, or a rich Console on which a progress bar is drawn.
    """
    if isinstance(progress, Console):
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        with Bar(TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                 console=progress, transient=True) as bar:
            task = bar.add_task("scoring", total=None)
            return score_pending(store, settings, spec, lambda done, total: bar.update(task, completed=done,
                                                                                         total=total),
                                 scorer=scorer, batch_size=batch_size, limit=limit)
    scorer = scorer or Scorer.from_settings(settings, spec, store)
    scorer.load()
    report = ScoreReport(scorer.model_version, scorer.threshold_version)
    total = count_pending(store, scorer.model_version)
    if limit is not None:
        total = min(total, limit)
    started = time.perf_counter()
    if progress:
        progress(0, total)
    previous: set[str] = set()
    while report.scored < total:
        chunk = store.pending_messages(scorer.model_version, limit=min(READ_CHUNK, total - report.scored))
        if not chunk:
            break
        ids = {p.id for p in chunk}
        if ids & previous:
            # saving did not mark them scored: stop rather than loop for ever
            raise StorageError(f"{len(ids & previous)} messages stay pending after being scored; "
                               f"check that the database accepts writes")
        previous = ids
        # similar lengths together: model backends pad each batch to its longest message
        chunk.sort(key=lambda p: len(p.text))
        for i in range(0, len(chunk), batch_size):
            batch = chunk[i:i + batch_size]
            scores = scorer.score([ScoreInput(p.id, p.text, p.customer, p.language) for p in batch])
            store.save_scores(scores)
            for s in scores:
                report.add(s)
            log.debug("scored batch of %d messages (first id %s)", len(batch), batch[0].id)
            if progress:
                progress(report.scored, total)
    report.seconds = time.perf_counter() - started
    return report
