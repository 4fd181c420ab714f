"""`qa-monitor report weekly`: formats, output files, one-line errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa_monitor.cli import app
from qa_monitor.reports.schedule import last_complete_week
from qa_monitor.storage.store import Store


@pytest.fixture
def report_db(report_store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The hand-counted help desk, named by QA_MONITOR_DATABASE_URL for the CLI."""
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", report_store.url)
    return report_store


def test_json_to_stdout_for_one_team(report_db: Store) -> None:
    result = CliRunner().invoke(app, ["report", "weekly", "--week", "2026-W47", "--team", "t2", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["teams"] == ["t2"] and data["totals"]["messages"] == 2


def test_csv_and_html_to_files(report_db: Store, tmp_path: Path) -> None:
    out = tmp_path / "out" / "w47.csv"
    result = CliRunner().invoke(app, ["report", "weekly", "--week", "2026-W47", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "totals,all,All,messages,13" in out.read_text(encoding="utf-8")
    html = tmp_path / "w47.html"
    assert CliRunner().invoke(app, ["report", "weekly", "--week", "2026-W47", "--out", str(html)]).exit_code == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_errors_are_one_line(report_db: Store) -> None:
    result = CliRunner().invoke(app, ["report", "weekly", "--week", "2026-W99"])
    assert result.exit_code == 2 and "2026 has no ISO week 99" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["report", "weekly", "--format", "xlsx"])
    assert result.exit_code == 2 and "expected one of csv, json, html, pdf" in result.output


def test_without_week_names_the_week_chosen(report_db: Store) -> None:
    week = last_complete_week(datetime.now(UTC))   # after the seeded weeks: it holds no messages
    result = CliRunner().invoke(app, ["report", "weekly", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["week"] == week.label and data["totals"]["messages"] == 0
    assert f"no --week given: the report is for {week.label} ({week.start.date()} to " in result.stderr
    note = f"No agent messages in {week.label}. The latest week with agent messages is 2026-W47."
    assert data["notes"] == [note] and f"note: {note}" in result.stderr


def test_an_empty_week_names_the_latest_week_with_data(report_db: Store, tmp_path: Path) -> None:
    out = tmp_path / "w46-t2.html"
    result = CliRunner().invoke(app, ["report", "weekly", "--week", "2026-W46", "--team", "t2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    note = "No agent messages in 2026-W46 for the selected teams. The latest week with agent messages is 2026-W47."
    assert f"note: {note}" in result.stderr and "no --week given" not in result.stderr
    assert f'<p class="notice" role="note">{note}</p>' in out.read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "weekly", "--week", "2026-W47", "--format", "csv"])
    assert result.exit_code == 0 and "note:" not in result.stderr
