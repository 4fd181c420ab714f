"""`qa-monitor eval`: reads a labelled JSONL file, scores it, and reports per label and language: n, ROC-AUC,
average precision, precision/recall/F1 at the shipped threshold, and how often a flagged span overlaps the evidence.

A file without labels (real replies, assumed fine) gets the flagged rate per label and language instead: on such a
set every flag is a false flag until a reader says otherwise, and the rate is what a review queue would hold."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa_monitor.errors import QAMonitorError
from qa_monitor.nlp.analysis import ScoreInput
from qa_monitor.records import LABELS, MessageScore

ALL = "all"


@dataclass(frozen=True)
class EvalItem:
    """One line of an evaluation file; a label is None when the line does not give it."""

    id: str
    text: str
    lang: str | None = None
    customer: str = ""
    labels: dict[str, int | None] = field(default_factory=dict)
    evidence: str | None = None


def read_eval_file(path: Path) -> list[EvalItem]:
    """Parse an evaluation JSONL file; a malformed line is an error naming the file, line and problem."""
    if not path.is_file():
        raise QAMonitorError(f"evaluation file not found: {path}")
    items: list[EvalItem] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise QAMonitorError(f"{where}: invalid JSON ({e.msg} at column {e.colno})") from None
            if not isinstance(row, dict):
                raise QAMonitorError(f"{where}: expected a JSON object")
            if not isinstance(row.get("id"), str) or not isinstance(row.get("text"), str):
                raise QAMonitorError(f"{where}: `id` and `text` must be strings")
            if row["id"] in seen:
                raise QAMonitorError(f"{where}: duplicate id {row['id']!r}")
            seen.add(row["id"])
            raw = row.get("labels") or {}
            if not isinstance(raw, dict):
                raise QAMonitorError(f"{where}: `labels` must be an object")
            labels: dict[str, int | None] = {}
            for name in LABELS:
                v = raw.get(name)
                if v is not None and v not in (0, 1):
                    raise QAMonitorError(f"{where}: labels.{name} must be 0, 1 or null, got {v!r}")
                labels[name] = None if v is None else int(v)
            lang = row.get("lang")
            evidence = row.get("evidence")
            items.append(EvalItem(row["id"], row["text"], lang if isinstance(lang, str) and lang else None,
                                  str(row.get("customer") or ""), labels,
                                  evidence if isinstance(evidence, str) and evidence else None))
    return items


def roc_auc(y: np.ndarray, s: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half); None when one class is missing."""
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if pos == 0 or neg == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def average_precision(y: np.ndarray, s: np.ndarray) -> float | None:
    """Average precision (area under precision-recall, step-wise, tied scores grouped); None without positives."""
    pos = int(y.sum())
    if pos == 0:
        return None
    order = np.argsort(-s, kind="mergesort")
    ys, ss = y[order], s[order]
    tp = np.cumsum(ys)
    fp = np.cumsum(1 - ys)
    last = np.r_[ss[1:] != ss[:-1], True]  # evaluate only at the end of each tie group
    precision = tp[last] / (tp[last] + fp[last])
    recall = tp[last] / pos
    prev = np.r_[0.0, recall[:-1]]
    return float(np.sum((recall - prev) * precision))


def precision_recall_f1(y: np.ndarray, flagged: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean flags against 0/1 labels (0.0 where undefined)."""
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    fn = int(np.sum(~flagged & (y == 1)))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evidence_span(text: str, evidence: str) -> tuple[int, int] | None:
    """Character span of the evidence in the text (first occurrence, whitespace-insensitive at the ends)."""
    ev = evidence.strip()
    i = text.find(ev)
    return None if i < 0 or not ev else (i, i + len(ev))


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when two half-open character spans share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class Row:
    """Metrics of one label in one language (or "all")."""

    label: str
    lang: str
    n: int
    positives: int
    roc_auc: float | None
    average_precision: float | None
    precision: float
    recall: float
    f1: float
    evidence_n: int
    evidence_overlap: float | None

    def to_json(self) -> dict[str, Any]:
        """The row as a JSON object, metrics rounded to 4 decimals."""
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 4)

        return {"label": self.label, "lang": self.lang, "n": self.n, "positives": self.positives,
                "roc_auc": r(self.roc_auc), "average_precision": r(self.average_precision),
                "precision": r(self.precision), "recall": r(self.recall), "f1": r(self.f1),
                "evidence_n": self.evidence_n, "evidence_overlap": r(self.evidence_overlap)}


def _lang_of(item: EvalItem, score: MessageScore) -> str:
    return item.lang or score.language


RUDE_OR_CONDESCENDING = "rude|condescending"


def _target(item: EvalItem, label: str) -> int | None:
    """The item's 0/1 for a label; for rude|condescending 1 if either is 1, 0 only for fine replies."""
    if label != RUDE_OR_CONDESCENDING:
        return item.labels.get(label)
    if item.labels.get("rude") == 1 or item.labels.get("condescending") == 1:
        return 1
    return 0 if all(item.labels.get(name) == 0 for name in LABELS) else None


def evaluate(items: Sequence[EvalItem], scores: Sequence[MessageScore]) -> list[Row]:
    """Per label (and rude|condescending against fine replies), per language and over all: the metrics."""
    if len(items) != len(scores):
        raise ValueError("one score per item is required")
    rows: list[Row] = []
    for label in [*LABELS, RUDE_OR_CONDESCENDING]:
        names = ("rude", "condescending") if label == RUDE_OR_CONDESCENDING else (label,)
        pairs = [(it, sc) for it, sc in zip(items, scores, strict=True) if _target(it, label) is not None]
        langs = sorted({_lang_of(it, sc) for it, sc in pairs})
        for lang in [*langs, ALL]:
            sel = [(it, sc) for it, sc in pairs if lang == ALL or _lang_of(it, sc) == lang]
            if not sel:
                continue
            y = np.array([_target(it, label) for it, _ in sel], dtype=np.int64)
            s = np.array([max(sc.scores.get(n, 0.0) for n in names) for _, sc in sel], dtype=np.float64)
            flagged = np.array([any(sc.flagged(n) for n in names) for _, sc in sel], dtype=bool)
            p, r, f = precision_recall_f1(y, flagged)
            ev_n = ev_hit = 0
            for (it, sc), yy, fl in zip(sel, y, flagged, strict=True):
                span = evidence_span(it.text, it.evidence) if it.evidence else None
                if yy != 1 or not fl or span is None:
                    continue
                ev_n += 1
                if any(fd.label in names and fd.score >= sc.thresholds.get(fd.label, 1.0)
                       and overlaps((fd.start, fd.end), span) for fd in sc.findings):
                    ev_hit += 1
            rows.append(Row(label, lang, len(sel), int(y.sum()), roc_auc(y, s), average_precision(y, s), p, r, f,
                            ev_n, ev_hit / ev_n if ev_n else None))
    return rows


def has_labels(items: Iterable[EvalItem]) -> bool:
    """True when at least one item gives at least one label."""
    return any(v is not None for it in items for v in it.labels.values())


@dataclass(frozen=True)
class FlagRow:
    """How many messages of one label and language (or "all") reach the shipped threshold."""

    label: str
    lang: str
    n: int
    flagged: int

    @property
    def rate(self) -> float:
        """The share of the messages flagged."""
        return self.flagged / self.n if self.n else 0.0

    def to_json(self) -> dict[str, Any]:
        """The row as a JSON object, the rate rounded to 4 decimals."""
        return {"label": self.label, "lang": self.lang, "n": self.n, "flagged": self.flagged,
                "rate": round(self.rate, 4)}


def flag_rates(items: Sequence[EvalItem], scores: Sequence[MessageScore]) -> list[FlagRow]:
    """Per label (and rude|condescending: either), per language and over all: how many messages are flagged."""
    if len(items) != len(scores):
        raise ValueError("one score per item is required")
    pairs = list(zip(items, scores, strict=True))
    langs = sorted({_lang_of(it, sc) for it, sc in pairs})
    rows: list[FlagRow] = []
    for label in [*LABELS, RUDE_OR_CONDESCENDING]:
        names = ("rude", "condescending") if label == RUDE_OR_CONDESCENDING else (label,)
        for lang in [*langs, ALL]:
            sel = [sc for it, sc in pairs if lang == ALL or _lang_of(it, sc) == lang]
            rows.append(FlagRow(label, lang, len(sel), sum(any(sc.flagged(n) for n in names) for sc in sel)))
    return rows


def format_flag_table(rows: Iterable[FlagRow]) -> str:
    """A plain-text table of flagged rates."""
    head = f"{'label':<20}{'lang':<8}{'n':>6}{'flagged':>9}{'rate':>9}"
    lines = [head, "-" * len(head)]
    lines += [f"{r.label:<20}{r.lang:<8}{r.n:>6}{r.flagged:>9}{r.rate:>9.1%}" for r in rows]
    return "\n".join(lines)


def format_table(rows: Iterable[Row]) -> str:
    """A plain-text table of the rows."""
    head = (f"{'label':<20}{'lang':<8}{'n':>6}{'pos':>6}{'ROC-AUC':>9}{'AP':>7}{'P':>7}{'R':>7}{'F1':>7}"
            f"{'ev.n':>6}{'ev.overlap':>12}")
    lines = [head, "-" * len(head)]

    def f(v: float | None, w: int) -> str:
        return f"{'-' if v is None else f'{v:.3f}':>{w}}"

    for r in rows:
        lines.append(f"{r.label:<20}{r.lang:<8}{r.n:>6}{r.positives:>6}{f(r.roc_auc, 9)}{f(r.average_precision, 7)}"
                     f"{f(r.precision, 7)}{f(r.recall, 7)}{f(r.f1, 7)}{r.evidence_n:>6}{f(r.evidence_overlap, 12)}")
    return "\n".join(lines)


def prediction(item: EvalItem, score: MessageScore) -> dict[str, Any]:
    """The --predictions line for one item."""
    return {"id": item.id, "lang_detected": score.language,
            "scores": {label: round(float(score.scores.get(label, 0.0)), 4) for label in LABELS},
            "flagged": [label for label in LABELS if score.flagged(label)],
            "findings": [{"label": f.label, "score": round(f.score, 4), "start": f.start, "end": f.end,
                          "detector": f.detector, "rule": f.rule, "explanation": f.explanation,
                          "suggestion": f.suggestion} for f in score.findings]}


ScoreFn = Callable[[Sequence[EvalItem]], list[MessageScore]]


def score_file(data: Path, score_fn: ScoreFn, predictions: Path | None = None, batch_size: int = 64,
               progress: Callable[[int], None] | None = None) -> tuple[list[EvalItem], list[MessageScore]]:
    """Score every item of the file in batches, optionally write predictions, and return items and scores."""
    items = read_eval_file(data)
    scores: list[MessageScore] = []
    for i in range(0, len(items), batch_size):
        batch = items[i:i + batch_size]
        out = score_fn(batch)
        if len(out) != len(batch):
            raise QAMonitorError("the scorer returned a different number of scores than messages")
        scores.extend(out)
        if progress:
            progress(len(batch))
    if predictions is not None:
        predictions.parent.mkdir(parents=True, exist_ok=True)
        with predictions.open("w", encoding="utf-8") as f:
            for it, sc in zip(items, scores, strict=True):
                f.write(json.dumps(prediction(it, sc), ensure_ascii=False) + "\n")
    return items, scores


def run_eval(data: Path, score_fn: ScoreFn, predictions: Path | None = None, batch_size: int = 64,
             progress: Callable[[int], None] | None = None) -> list[Row]:
    """Score every item of the file in batches, optionally write predictions, and return the metric rows."""
    return evaluate(*score_file(data, score_fn, predictions, batch_size, progress))


def scorer_fn(scorer: Any) -> ScoreFn:
    """Adapt a Scorer (qa_monitor.scoring.engine) to score evaluation items."""

    def fn(items: Sequence[EvalItem]) -> list[MessageScore]:
        return list(scorer.score([ScoreInput(message_id=it.id, text=it.text, customer=it.customer,
                                             language=None) for it in items]))

    return fn
