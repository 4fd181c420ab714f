"""The command line: every command has --help; errors are one clear line and a non-zero exit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from qa_monitor.cli import app

runner = CliRunner()


def _command_paths(cmd: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if getattr(cmd, "commands", None):
        out: list[tuple[str, ...]] = []
        for name, sub in cmd.commands.items():
            out += _command_paths(sub, (*prefix, name))
        return out
    return [prefix]


COMMANDS = _command_paths(typer.main.get_command(app))


def test_required_commands_exist() -> None:
    names = {p[0] for p in COMMANDS}
    assert {"init-db", "ingest", "score", "serve", "demo", "eval", "report"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p))
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_init_db_creates_sqlite_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "sub" / "qa.db"
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", f"sqlite:///{db}")
    result = runner.invoke(app, ["init-db"])
    assert result.exit_code == 0, result.output
    assert db.exists()


def test_bad_pipeline_is_one_line_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'qa.db'}")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[sources]]\nname = "m"\nadaptr = "mbox"\n', encoding="utf-8")
    result = runner.invoke(app, ["init-db", "--pipeline", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "bad.toml:4" in lines[0] and "adaptr" in lines[0], result.output


def test_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    result = runner.invoke(app, ["init-db"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "secret" not in result.output
    assert "cannot migrate database" in result.output
