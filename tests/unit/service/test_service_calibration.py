"""Calibration from reviewed flags: thresholds per label and language, kappa, precision, versions."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import select
from test_service_webhooks import example, post

from qa_monitor.scoring.thresholds import resolve_thresholds
from qa_monitor.service.calibration import Reviewed, best_threshold, calibrate, cohen_kappa
from qa_monitor.storage import tables as t
from tests.support.service_env import Env


def test_kappa_matches_sklearn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(7)
    for _ in range(20):
        a = [rng.random() < 0.4 for _ in range(50)]
        b = [x if rng.random() < 0.7 else not x for x in a]
        assert cohen_kappa(a, b) == pytest.approx(metrics.cohen_kappa_score(a, b), abs=1e-4)
    assert cohen_kappa([True, True], [True, True]) is None


def test_best_threshold_separates_verdicts() -> None:
    items = [Reviewed("rude", "en", s, True, 0.5, c) for s, c in
             [(0.55, False), (0.6, False), (0.7, True), (0.8, True), (0.62, False)]]
    assert best_threshold(items, 0.5) == pytest.approx(0.66)
    all_good = [Reviewed("rude", "en", s, True, 0.5, True) for s in (0.6, 0.7)]
    assert best_threshold(all_good, 0.5) == 0.5  # nothing to learn: keep the current threshold


def review(env: Env, label: str, language: str, verdict_for: dict[str, str]) -> int:
    """Review every open flag of a label and language; verdict chosen by the flag's evidence."""
    h = env.h(env.tokens.admin)
    flags = env.client.get("/flags", headers=h, params={"label": label, "language": language, "limit": 200}).json()
    for f in flags["items"]:
        verdict = verdict_for[f["span"]["evidence"].lower()]
        r = env.client.post(f"/flags/{f['id']}/review", headers=h, json={"verdict": verdict, "note": "calibration"})
        assert r.status_code == 200
    return len(flags["items"])


def test_calibration_sets_versioned_thresholds(env: Env, tmp_path: Path) -> None:
    n = review(env, "condescending", "en", {"as i already explained": "confirmed", "obviously": "dismissed"})
    assert n == 7
    assert review(env, "rude", "es", {"no es nuestro problema": "confirmed"}) == 3
    h = env.h(env.tokens.admin)
    assert env.client.post("/calibration", headers=env.h(env.tokens.billing), json={}).status_code == 403

    dry = env.client.post("/calibration", headers=h, json={"min_reviews": 5, "apply": False}).json()
    assert dry["version"] is None and not dry["applied"]
    out = env.client.post("/calibration", headers=h, json={"min_reviews": 5}).json()
    rows = {(r["label"], r["language"]): r for r in out["rows"]}
    cond = rows[("condescending", "en")]
    assert cond["status"] == "calibrated" and cond["reviews"] == 7 and cond["confirmed"] == 2
    assert cond["precision"] == round(2 / 7, 4) and cond["kappa"] == 0.0 and cond["kappa_after"] == 1.0
    assert cond["threshold_before"] == 0.5 and 0.73 < cond["threshold_after"] < 0.99
    rude = rows[("rude", "es")]
    assert rude["status"] == "not_enough_reviews" and "3 reviews, 5 needed" in rude["message"]
    assert rude["threshold_after"] is None
    assert out["per_label"]["condescending"]["reviews"] == 7
    version = out["version"]
    # the scoring engine reads the very version calibration saved (one query serves both)
    resolved = resolve_thresholds(tmp_path, env.store)
    assert resolved.version == version and resolved.value("condescending", "en") == cond["threshold_after"]
    with env.store.session() as s:
        saved = [(r.label, r.language, r.value) for r in s.scalars(select(t.ThresholdRow)
                                                                   .where(t.ThresholdRow.version == version))]
        old_versions = set(s.scalars(select(t.MessageScoreRow.threshold_version)))
    assert saved == [("condescending", "en", cond["threshold_after"])]
    assert old_versions == {"base-test-1"}

    # the service scores with the new version from now on; earlier scores keep theirs
    data = example("generic")
    data["ticket"]["id"] = "T-after-calibration"
    data["messages"][1]["text"] = "Obviously it is with the courier."
    r = post(env, "generic", data).json()
    score = r["scores"][0]
    assert score["threshold_version"] == version and "condescending" not in score["flagged"]
    assert score["scores"]["condescending"] == pytest.approx(0.73)
    with env.store.session() as s:
        versions = set(s.scalars(select(t.MessageScoreRow.threshold_version)))
    assert versions == {"base-test-1", version}

    # a second calibration carries the untouched thresholds into its complete version
    review(env, "rude", "es", {"no es nuestro problema": "dismissed"})
    again = calibrate(env.store, min_reviews=3)
    assert again.version and again.version != version
    with env.store.session() as s:
        latest = {(r.label, r.language): r.origin for r in s.scalars(
            select(t.ThresholdRow).where(t.ThresholdRow.version == again.version))}
    assert latest == {("condescending", "en"): "carried", ("rude", "es"): "calibrated"}
    json.dumps(again.model_dump(mode="json"))
