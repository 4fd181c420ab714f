"""`qa-monitor ingest`: a summary per source, one clear line and a non-zero exit for a source that cannot be read."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from qa_monitor.cli import app
from qa_monitor.storage import tables as t
from tests.support.ingest import FIXTURES, count, pipeline, source, sqlite_store


def test_ingest_prints_a_summary_and_reports_a_missing_source(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    pipeline(tmp_path, source("chat", "intercom", FIXTURES / "chat" / "intercom_conversations.json")
             + source("gone", "jsonl", tmp_path / "missing.jsonl"))
    env = {"QA_MONITOR_DATABASE_URL": store.url, "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "pipeline.toml")], env=env)
    assert result.exit_code == 1
    assert "source 'gone':" in result.output and "missing.jsonl does not exist" in result.output
    row = next(line for line in result.output.splitlines() if "intercom" in line)
    cells = row.split()
    assert cells[:5] == ["chat", "intercom", "3", "11", "3"]  # source, adapter, interactions, messages, payloads
    assert count(store, t.MessageRow) == 11
    only = CliRunner().invoke(app, ["ingest", str(tmp_path / "pipeline.toml"), "--source", "chat"], env=env)
    assert only.exit_code == 0, only.output
    assert count(store, t.MessageRow) == 11


def test_ingest_names_an_unknown_source(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    pipeline(tmp_path, source("chat", "intercom", FIXTURES / "chat" / "intercom_conversations.json"))
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "pipeline.toml"), "--source", "nope"],
                                env={"QA_MONITOR_DATABASE_URL": store.url})
    assert result.exit_code == 2 and "no source named 'nope'" in result.output and "known: chat" in result.output
