"""Fitting the embedding heads (scikit-learn), their Platt calibration and per-language thresholds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa_monitor.detectors.heads import THRESHOLD_RANGE, Head

# How many calibration replies' worth of weight the pooled threshold has against a language's own (see
# thresholds_by_language)
THRESHOLD_PRIOR = 20.0


def fit_head(x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, c: float = 1.0, seed: int = 13) -> Head:
    """Train a logistic-regression head (scikit-learn, training-time only)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    clf.fit(x, y, sample_weight=sample_weight)
    return Head(clf.coef_[0].astype(np.float32), float(clf.intercept_[0]))


def platt(head: Head, x: np.ndarray, y: np.ndarray) -> Head:
    """The head with Platt scaling fitted on a calibration split."""
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        return head
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(head.raw(x).reshape(-1, 1), y)
    return Head(head.weights, head.bias, float(lr.coef_[0][0]), float(lr.intercept_[0]))


def best_f1_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The score threshold with the highest F1 (ties: the higher threshold)."""
    order = np.argsort(-scores)
    s, t = scores[order], y[order]
    tp = np.cumsum(t)
    fp = np.cumsum(1 - t)
    pos = max(int(t.sum()), 1)
    f1 = 2 * tp / (tp + fp + pos)
    # only cut between distinct scores
    distinct = np.r_[s[1:] != s[:-1], True]
    f1 = np.where(distinct, f1, -1)
    i = int(np.argmax(f1))
    return float(s[i])


def thresholds_by_language(scores: np.ndarray, y: np.ndarray, langs: Sequence[str], min_each: int = 15,
                           default: float = 0.5, prior: float = THRESHOLD_PRIOR) -> dict[str, float]:
    """Per language (where it has min_each positives and negatives) and "*": the best-F1 threshold, clipped.

    A language's own best-F1 threshold rests on a few dozen calibration replies and swings between retrains, so it
    is drawn towards the pooled one: weighted by n (the smaller of its positives and negatives) against `prior`."""
    out: dict[str, float] = {}
    if y.sum() >= 1 and (1 - y).sum() >= 1:
        out["*"] = float(np.clip(best_f1_threshold(scores, y), *THRESHOLD_RANGE))
    else:
        out["*"] = default
    lang_arr = np.asarray(langs)
    for lang in sorted(set(langs)):
        m = lang_arr == lang
        n = min(int(y[m].sum()), int((1 - y[m]).sum()))
        if n >= min_each:
            own = float(np.clip(best_f1_threshold(scores[m], y[m]), *THRESHOLD_RANGE))
            out[lang] = (n * own + prior * out["*"]) / (n + prior)
    return {k: round(v, 4) for k, v in out.items()}
