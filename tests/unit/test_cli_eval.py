"""The `eval` command with the marker detector alone: flagged rates for a file without labels, predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa_monitor.cli import app


def _setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, object]]) -> tuple[Path, Path]:
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'qa.db'}")
    monkeypatch.setenv("QA_MONITOR_MODELS_DIR", str(tmp_path))
    pipeline = tmp_path / "p.toml"
    pipeline.write_text('name = "t"\n[detectors]\nenabled = ["markers"]\n', encoding="utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return pipeline, data


ROWS: list[dict[str, object]] = [
    {"id": "a", "text": "That's not our problem. Read the FAQ.", "lang": "en"},
    {"id": "b", "text": "Thanks for reaching out! Your refund is on its way.", "lang": "en"},
]


def test_eval_without_labels_prints_flagged_rates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline, data = _setup(tmp_path, monkeypatch, ROWS)
    preds = tmp_path / "p.jsonl"
    result = CliRunner().invoke(app, ["eval", "--data", str(data), "--pipeline", str(pipeline),
                                      "--predictions", str(preds), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["mode"] == "flag_rate"
    rows = {(r["label"], r["lang"]): r for r in out["rows"]}
    assert rows[("rude", "en")] == {"label": "rude", "lang": "en", "n": 2, "flagged": 1, "rate": 0.5}
    assert rows[("rude|condescending", "all")]["flagged"] == 1
    lines = [json.loads(x) for x in preds.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["flagged"] == ["rude"] and lines[1]["flagged"] == []
    assert {f["detector"] for f in lines[0]["findings"]} == {"markers"}
    assert all(f["rule"].startswith("en/") for f in lines[0]["findings"])


def test_no_positives_option_reports_rates_for_a_labelled_file(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    labelled = [{**r, "labels": {"rude": 0, "condescending": 0, "unclear": 0}} for r in ROWS]
    pipeline, data = _setup(tmp_path, monkeypatch, labelled)
    metrics = CliRunner().invoke(app, ["eval", "--data", str(data), "--pipeline", str(pipeline)])
    assert metrics.exit_code == 0, metrics.output
    assert "ROC-AUC" in metrics.output and "flagged" not in metrics.output
    rates = CliRunner().invoke(app, ["eval", "--data", str(data), "--pipeline", str(pipeline), "--no-positives"])
    assert rates.exit_code == 0, rates.output
    assert "no labels" in rates.output
    assert any(line.split() == ["rude", "all", "2", "1", "50.0%"] for line in rates.output.splitlines())
