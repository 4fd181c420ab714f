"""The eval metrics and file handling, with a fake scorer on hand-made data (no model)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from qa_monitor.errors import QAMonitorError
from qa_monitor.evaluation import (
    EvalItem,
    average_precision,
    evaluate,
    evidence_span,
    flag_rates,
    format_flag_table,
    format_table,
    has_labels,
    precision_recall_f1,
    read_eval_file,
    roc_auc,
    run_eval,
    score_file,
)
from qa_monitor.records import Finding, MessageScore


@pytest.mark.parametrize(("y", "s", "expected"), [
    ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.75),
    ([0, 1], [0.2, 0.9], 1.0),
    ([0, 1], [0.9, 0.2], 0.0),
    ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5),   # ties count half
    ([1, 1, 0], [0.3, 0.3, 0.3], 0.5),
])
def test_roc_auc_hand_computed(y: list[int], s: list[float], expected: float) -> None:
    assert roc_auc(np.array(y), np.array(s)) == pytest.approx(expected)


def test_roc_auc_undefined_with_one_class() -> None:
    assert roc_auc(np.array([1, 1]), np.array([0.2, 0.3])) is None


def test_average_precision_hand_computed() -> None:
    # ranking: 0.8(1), 0.4(0), 0.35(1), 0.1(0): precision at the two hits 1/1 and 2/3 -> (1 + 2/3) / 2
    assert average_precision(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(5 / 6)
    assert average_precision(np.array([0, 0]), np.array([0.1, 0.2])) is None


def test_precision_recall_f1() -> None:
    y = np.array([1, 1, 0, 0, 1])
    flagged = np.array([True, False, True, False, True])
    p, r, f = precision_recall_f1(y, flagged)
    assert (p, r) == pytest.approx((2 / 3, 2 / 3))
    assert f == pytest.approx(2 / 3)
    assert precision_recall_f1(np.array([0, 0]), np.array([False, False])) == (0.0, 0.0, 0.0)


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_read_eval_file_skips_missing_labels_and_ignores_unknown_keys(tmp_path: Path) -> None:
    f = _write(tmp_path / "d.jsonl", [
        {"id": "a", "text": "Read the FAQ.", "lang": "en", "labels": {"rude": 1}, "evidence": "Read the FAQ.",
         "scenario": "x"},
        "",
        {"id": "b", "text": "Gracias.", "labels": {"rude": 0, "unclear": None}},
    ])
    items = read_eval_file(f)
    assert [i.id for i in items] == ["a", "b"]
    assert items[0].labels == {"rude": 1, "condescending": None, "unclear": None}
    assert items[1].lang is None and items[1].evidence is None


@pytest.mark.parametrize(("line", "message"), [
    ('{"id": "a", "text": "x"', "invalid JSON"),
    ('["a"]', "expected a JSON object"),
    ('{"id": 3, "text": "x"}', "must be strings"),
    ('{"id": "a", "text": "x", "labels": {"rude": 2}}', "labels.rude must be 0, 1 or null"),
])
def test_read_eval_file_errors_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    f = _write(tmp_path / "bad.jsonl", [{"id": "ok", "text": "fine"}, line])
    with pytest.raises(QAMonitorError, match=rf"bad.jsonl:2: .*{message}"):
        read_eval_file(f)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    f = _write(tmp_path / "dup.jsonl", [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}])
    with pytest.raises(QAMonitorError, match="duplicate id"):
        read_eval_file(f)


def _finding(mid: str, label: str, score: float, start: int, end: int) -> Finding:
    return Finding(message_id=mid, label=label, score=score, start=start, end=end,  # type: ignore[arg-type]
                   detector="fake", detector_version="0", explanation="because", suggestion="say it better",
                   rule="en/fake-rule")


class FakeScorer:
    """Scores from a table: message id -> (language, {label: score}, findings)."""

    def __init__(self, table: dict[str, tuple[str, dict[str, float], list[Finding]]], threshold: float = 0.5):
        self.table = table
        self.threshold = threshold

    def __call__(self, items: Sequence[EvalItem]) -> list[MessageScore]:
        out = []
        for it in items:
            lang, scores, findings = self.table[it.id]
            out.append(MessageScore(message_id=it.id, language=lang, scores=scores,
                                    thresholds=dict.fromkeys(("rude", "condescending", "unclear"), self.threshold),
                                    findings=tuple(findings), model_version="fake", threshold_version="t"))
        return out


def test_evaluate_per_language_and_evidence_overlap(tmp_path: Path) -> None:
    text_a = "Thanks for waiting. Read the FAQ next time."
    text_b = "Not our problem. Bye."
    rows_in = [
        {"id": "a", "text": text_a, "lang": "en", "labels": {"rude": 1}, "evidence": "Read the FAQ next time."},
        {"id": "b", "text": text_b, "lang": "en", "labels": {"rude": 1}, "evidence": "Not our problem."},
        {"id": "c", "text": "Hola, ya está resuelto.", "lang": "es", "labels": {"rude": 0}},
        {"id": "d", "text": "Proszę czekać.", "labels": {"rude": 0, "unclear": 1}},
        {"id": "e", "text": "All good now.", "lang": "en", "labels": {"rude": 0}},
    ]
    data = _write(tmp_path / "d.jsonl", rows_in)
    fake = FakeScorer({
        # flagged, span on the evidence sentence
        "a": ("en", {"rude": 0.9}, [_finding("a", "rude", 0.9, 20, len(text_a))]),
        # flagged, but the flagged span is the other sentence
        "b": ("en", {"rude": 0.7}, [_finding("b", "rude", 0.7, 17, 21), _finding("b", "rude", 0.2, 0, 16)]),
        "c": ("es", {"rude": 0.6}, [_finding("c", "rude", 0.6, 0, 5)]),
        "d": ("pl", {"rude": 0.1, "unclear": 0.8}, []),
        "e": ("en", {"rude": 0.3}, []),
    })
    preds = tmp_path / "out" / "p.jsonl"
    rows = run_eval(data, fake, preds, batch_size=2)
    by = {(r.label, r.lang): r for r in rows}
    en = by[("rude", "en")]
    assert (en.n, en.positives) == (3, 2)
    assert en.roc_auc == pytest.approx(1.0)
    assert (en.precision, en.recall) == pytest.approx((1.0, 1.0))
    assert en.evidence_n == 2 and en.evidence_overlap == pytest.approx(0.5)
    assert by[("rude", "pl")].n == 1           # no lang in the file: the detected one groups it
    allr = by[("rude", "all")]
    assert allr.n == 5 and allr.precision == pytest.approx(2 / 3)
    assert by[("unclear", "pl")].positives == 1 and by[("unclear", "pl")].roc_auc is None
    lines = [json.loads(x) for x in preds.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["a", "b", "c", "d", "e"]
    assert lines[0]["lang_detected"] == "en"
    assert set(lines[0]["scores"]) == {"rude", "condescending", "unclear"}
    assert lines[0]["flagged"] == ["rude"] and lines[3]["flagged"] == ["unclear"] and lines[4]["flagged"] == []
    assert lines[0]["findings"][0] == {"label": "rude", "score": 0.9, "start": 20, "end": len(text_a),
                                       "detector": "fake", "rule": "en/fake-rule", "explanation": "because",
                                       "suggestion": "say it better"}
    table = format_table(rows)
    assert "rude" in table and "0.500" in table


def test_evaluate_requires_one_score_per_item() -> None:
    with pytest.raises(ValueError):
        evaluate([EvalItem("a", "x")], [])


def test_evidence_span() -> None:
    assert evidence_span("Hi. Not our problem.", " Not our problem. ") == (4, 20)
    assert evidence_span("Hi.", "missing") is None


def test_rude_or_condescending_against_fine_replies(tmp_path: Path) -> None:
    data = _write(tmp_path / "d.jsonl", [
        {"id": "r", "text": "Not our problem.", "lang": "en", "labels": {"rude": 1, "condescending": 0, "unclear": 0},
         "evidence": "Not our problem."},
        {"id": "c", "text": "Obviously, restart it.", "lang": "en",
         "labels": {"rude": 0, "condescending": 1, "unclear": 0}, "evidence": "Obviously"},
        {"id": "u", "text": "Per SLA, RCA pending.", "lang": "en",
         "labels": {"rude": 0, "condescending": 0, "unclear": 1}},
        {"id": "f", "text": "Done, thanks!", "lang": "en", "labels": {"rude": 0, "condescending": 0, "unclear": 0}},
    ])
    fake = FakeScorer({
        "r": ("en", {"rude": 0.2, "condescending": 0.6}, [_finding("r", "condescending", 0.6, 0, 16)]),
        "c": ("en", {"rude": 0.1, "condescending": 0.4}, [_finding("c", "condescending", 0.4, 0, 9)]),
        "u": ("en", {"rude": 0.9}, [_finding("u", "rude", 0.9, 0, 5)]),   # unclear-only: not in this row
        "f": ("en", {"rude": 0.3}, []),
    })
    rows = {(r.label, r.lang): r for r in run_eval(data, fake)}
    rc = rows[("rude|condescending", "en")]
    assert (rc.n, rc.positives) == (3, 2)
    assert rc.roc_auc == pytest.approx(1.0)
    assert (rc.precision, rc.recall) == pytest.approx((1.0, 0.5))
    assert rc.evidence_n == 1 and rc.evidence_overlap == pytest.approx(1.0)


def test_flag_rates_on_a_set_without_labels(tmp_path: Path) -> None:
    data = _write(tmp_path / "real.jsonl", [
        {"id": "a", "text": "It's never fun when the app crashes. Which version?"},
        {"id": "b", "text": "Help is here! Try this guide."},
        {"id": "c", "text": "Per SLA, RCA pending."},
        {"id": "d", "text": "Hola, ya está resuelto.", "lang": "es"},
    ])
    fake = FakeScorer({
        "a": ("en", {"condescending": 0.7, "rude": 0.2}, [_finding("a", "condescending", 0.7, 0, 36)]),
        "b": ("en", {"rude": 0.6, "condescending": 0.55}, []),
        "c": ("en", {"unclear": 0.9}, []),
        "d": ("es", {"unclear": 0.4}, []),
    })
    items, scores = score_file(data, fake, batch_size=3)
    assert not has_labels(items)
    rows = {(r.label, r.lang): r for r in flag_rates(items, scores)}
    assert (rows[("condescending", "en")].n, rows[("condescending", "en")].flagged) == (3, 2)
    assert rows[("rude", "en")].flagged == 1 and rows[("rude", "es")].flagged == 0
    both = rows[("rude|condescending", "all")]
    assert (both.n, both.flagged) == (4, 2) and both.rate == pytest.approx(0.5)  # b counts once
    assert rows[("unclear", "all")].to_json() == {"label": "unclear", "lang": "all", "n": 4, "flagged": 1,
                                                  "rate": 0.25}
    table = format_flag_table(flag_rates(items, scores))
    assert "rude|condescending  all          4        2    50.0%" in table


def test_has_labels_sees_a_single_label() -> None:
    assert has_labels([EvalItem("a", "x"), EvalItem("b", "y", labels={"rude": None, "unclear": 0})])
    assert not has_labels([EvalItem("a", "x", labels={"rude": None})])
