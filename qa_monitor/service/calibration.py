"""Calibration from managers' verdicts: per-label, per-language thresholds, versioned in `thresholds`."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_monitor.scoring.thresholds import load_calibrated
from qa_monitor.service.schemas import CalibrationOut, CalibrationRowOut
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store

log = logging.getLogger(__name__)
DEFAULT_MIN_REVIEWS = 30


@dataclass(frozen=True)
class Reviewed:
    """One reviewed finding: its score, what the model decided then, and the latest verdict."""

    label: str
    language: str
    score: float
    model_flagged: bool
    threshold: float | None
    confirmed: bool


def cohen_kappa(model: Sequence[bool], human: Sequence[bool]) -> float | None:
    """Cohen's kappa between two yes/no raters; None when chance agreement is total (one class only)."""
    n = len(model)
    if n == 0 or n != len(human):
        return None
    po = sum(a == b for a, b in zip(model, human, strict=True)) / n
    pm, ph = sum(model) / n, sum(human) / n
    pe = pm * ph + (1 - pm) * (1 - ph)
    if pe >= 1.0:
        return None
    return round((po - pe) / (1 - pe), 4)


def precision(items: Sequence[Reviewed]) -> float | None:
    """Share of the model's flags that reviewers confirmed."""
    flagged = [r for r in items if r.model_flagged]
    return round(sum(r.confirmed for r in flagged) / len(flagged), 4) if flagged else None


def best_threshold(items: Sequence[Reviewed], current: float) -> float:
    """The threshold that agrees most with the verdicts; ties go to the one nearest the current threshold."""
    scores = sorted({r.score for r in items})
    candidates = {current, scores[0]}
    candidates |= {(a + b) / 2 for a, b in zip(scores, scores[1:], strict=False)}
    if scores[-1] < 1.0:
        candidates.add((scores[-1] + 1.0) / 2)

    def agreement(th: float) -> int:
        return sum((r.score >= th) == r.confirmed for r in items)

    best = max(candidates, key=lambda th: (agreement(th), -abs(th - current)))
    return round(best, 4)


def reviewed_findings(s: Session) -> list[Reviewed]:
    """Every reviewed finding with its latest verdict and the threshold it was scored against."""
    F, R, M, S = t.FindingRow, t.ReviewRow, t.MessageRow, t.MessageScoreRow
    latest = select(R.finding_id, func.max(R.id).label("rid")).group_by(R.finding_id).subquery()
    q = (select(F.label, M.language, F.score, F.flagged, S.threshold, R.verdict)
         .join(latest, latest.c.finding_id == F.id).join(R, R.id == latest.c.rid)
         .join(M, M.id == F.message_id)
         .outerjoin(S, (S.message_id == F.message_id) & (S.label == F.label)))
    return [Reviewed(label=r.label, language=r.language or "unknown", score=float(r.score),
                     model_flagged=bool(r.flagged), threshold=r.threshold, confirmed=r.verdict == "confirmed")
            for r in s.execute(q)]


def _typical(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return max(set(known), key=known.count) if known else None


def calibrate(store: Store, min_reviews: int = DEFAULT_MIN_REVIEWS, apply: bool = True) -> CalibrationOut:
    """Compute per-label, per-language thresholds from reviews; with `apply`, save them as a new version."""
    with store.session() as s:
        items = reviewed_findings(s)
    groups: dict[tuple[str, str], list[Reviewed]] = {}
    for r in items:
        groups.setdefault((r.label, r.language), []).append(r)
    previous = load_calibrated(store)
    rows, new_values = [], {}
    for (label, lang), group in sorted(groups.items()):
        n, confirmed = len(group), sum(r.confirmed for r in group)
        before = _typical([r.threshold for r in group])
        if previous and lang in previous[1].get(label, {}):
            before = previous[1][label][lang]
        kappa = cohen_kappa([r.model_flagged for r in group], [r.confirmed for r in group])
        base: dict[str, Any] = dict(label=label, language=lang, reviews=n, confirmed=confirmed,
                                    dismissed=n - confirmed, precision=precision(group), kappa=kappa,
                                    threshold_before=before)
        if n < min_reviews:
            rows.append(CalibrationRowOut(**base, kappa_after=None, threshold_after=None,
                                          status="not_enough_reviews",
                                          message=f"{n} reviews, {min_reviews} needed: threshold left as is"))
            continue
        after = best_threshold(group, before if before is not None else 0.5)
        kappa_after = cohen_kappa([r.score >= after for r in group], [r.confirmed for r in group])
        unchanged = before is not None and abs(after - before) < 1e-9
        rows.append(CalibrationRowOut(**base, kappa_after=kappa_after, threshold_after=after,
                                      status="unchanged" if unchanged else "calibrated",
                                      message="the current threshold already agrees best with the reviews"
                                      if unchanged else f"threshold {before} -> {after} from {n} reviews"))
        if not unchanged:
            new_values[(label, lang)] = (after, {"reviews": n, "kappa": kappa, "kappa_after": kappa_after,
                                                 "precision": precision(group)})
    version = None
    if apply and new_values:
        version = _save_version(store, new_values, previous)
        log.info("thresholds version %s saved (%d calibrated)", version, len(new_values))
    per_label: dict[str, dict[str, float | int | None]] = {}
    for label in sorted({r.label for r in items}):
        group = [r for r in items if r.label == label]
        per_label[label] = {"reviews": len(group), "precision": precision(group),
                            "kappa": cohen_kappa([r.model_flagged for r in group], [r.confirmed for r in group])}
    return CalibrationOut(version=version, applied=version is not None, min_reviews=min_reviews, rows=rows,
                          per_label=per_label)


def _save_version(store: Store, values: dict[tuple[str, str], tuple[float, dict[str, Any]]],
                  previous: tuple[str, dict[str, dict[str, float]]] | None) -> str:
    now = t.utcnow()
    digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:8]
    version = f"cal-{now:%Y%m%dT%H%M%S}-{digest}"
    rows = [t.ThresholdRow(version=version, label=lab, language=lang, value=v, origin="calibrated", stats=st,
                           created_at=now) for (lab, lang), (v, st) in values.items()]
    if previous:  # a version is complete: untouched thresholds are carried over
        for lab, langs in previous[1].items():
            for lang, v in langs.items():
                if (lab, lang) not in values:
                    rows.append(t.ThresholdRow(version=version, label=lab, language=lang, value=v,
                                               origin="carried", stats={"from": previous[0]}, created_at=now))
    with store.session() as s:
        s.add_all(rows)
    return version


def reload_scorer(state: Any) -> None:
    """Rebuild the app's scorer so new scores use the newest thresholds version."""
    factory = getattr(state, "scorer_factory", None)
    if factory is not None:
        state.scorer = factory(state.settings, state.pipeline, state.store) or state.scorer
