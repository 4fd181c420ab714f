"""The `score` command on a SQLite database: summary table, nothing left to score on a second run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa_monitor.cli import app
from qa_monitor.records import Interaction, Message, Participant
from qa_monitor.storage.store import Store


def test_score_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    store = Store(url)
    store.migrate()
    when = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    customer = Participant(id="c@x.example", role="customer")
    agent = Participant(id="a@help.example", role="agent")
    store.upsert_interactions([Interaction(
        id="mail:1", source="mail", native_id="1", channel="email", started_at=when,
        messages=(Message("mail:1#0", "mail:1", 0, customer, when, "My router keeps dropping."),
                  Message("mail:1#1", "mail:1", 1, agent, when, "Not our problem. Read the FAQ.", language="en"),
                  Message("mail:1#2", "mail:1", 2, agent, when, "To nie nasz problem.", language="pl")))])
    store.close()
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("QA_MONITOR_MODELS_DIR", str(tmp_path))
    pipeline = tmp_path / "p.toml"
    pipeline.write_text('name = "t"\n[detectors]\nenabled = ["markers"]\n', encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["score", "--pipeline", str(pipeline)])
    assert first.exit_code == 0, first.output
    assert "scored 2 agent messages" in first.output
    cells = {row[0]: row[1:] for row in
             ([c.strip() for c in line.strip("│┃ ").split("│")] for line in first.output.splitlines())
             if row and row[0] in {"en", "pl", "all"}}
    assert cells["en"] == ["1", "1", "0", "0"] and cells["pl"] == ["1", "1", "0", "0"]
    assert cells["all"] == ["2", "2", "0", "0"]
    second = runner.invoke(app, ["score", "--pipeline", str(pipeline)])
    assert second.exit_code == 0 and "nothing to score" in second.output


def test_score_with_bad_pipeline_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'qa.db'}")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "t"\n[detectors]\nenabled = ["nope"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["score", "--pipeline", str(bad)])
    assert result.exit_code == 2
    assert "unknown detector 'nope'" in result.output
