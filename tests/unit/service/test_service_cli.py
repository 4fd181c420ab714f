"""`qa-monitor users ...` and `qa-monitor calibrate` against a real SQLite file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from qa_monitor import cli
from qa_monitor.cli import app
from qa_monitor.service.auth import authenticate
from qa_monitor.storage.store import Store
from tests.support.service_seed import PIPELINE


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("QA_MONITOR_TOKEN_DIR", str(tmp_path / "tokens"))
    store = Store(url)
    store.migrate()
    store.sync_directory(PIPELINE)
    return store


def token_from(result: Result, tmp_path: Path) -> str:
    """The token a command wrote to a file (its output, captured, is no terminal): never in the output itself."""
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.parent == tmp_path / "tokens"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    token = path.read_text(encoding="utf-8").strip()
    assert token.startswith("qam_") and token not in result.output and token not in result.stderr
    return token


def test_users_lifecycle(db: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["users", "create", "mia", "--role", "manager", "--team", "billing"])
    token = token_from(r, tmp_path)
    p = authenticate(db, token)
    assert p is not None and p.teams == frozenset({"billing"})
    r = runner.invoke(app, ["users", "token", "mia"])
    second = token_from(r, tmp_path)
    assert authenticate(db, second) is not None and second != token
    listing = runner.invoke(app, ["users", "list"]).stdout
    assert "mia" in listing and token[:12] in listing and token not in listing
    r = runner.invoke(app, ["users", "revoke", "--token", token[:12]])
    assert r.exit_code == 0 and authenticate(db, token) is None and authenticate(db, second) is not None
    r = runner.invoke(app, ["users", "revoke", "mia"])
    assert r.exit_code == 0 and authenticate(db, second) is None
    r = runner.invoke(app, ["users", "create", "x", "--role", "manager"])
    assert r.exit_code != 0 and "at least one --team" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["users", "create", "y", "--role", "root"])
    assert r.exit_code != 0 and "unknown role" in r.output


def test_an_agent_user_is_created_for_one_agent(db: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["users", "create", "anna-self", "--role", "agent", "--agent", "anna"])
    p = authenticate(db, token_from(r, tmp_path))
    assert p is not None and (p.role, p.agent_id) == ("agent", "anna")
    assert "agent anna" in runner.invoke(app, ["users", "list"]).stdout
    r = runner.invoke(app, ["users", "create", "ghost", "--role", "agent", "--agent", "nobody"])
    assert r.exit_code != 0 and "unknown agent 'nobody'" in r.output and "Traceback" not in r.output


def test_calibrate_reports_not_enough_reviews(db: Store) -> None:
    from sqlalchemy import select

    from qa_monitor.storage import tables as t
    from tests.support.service_seed import seed

    seed(db)
    with db.session() as s:
        ids = list(s.scalars(select(t.FindingRow.id).where(t.FindingRow.flagged.is_(True)).limit(4)))
        s.add_all([t.ReviewRow(finding_id=i, verdict="confirmed") for i in ids])
    r = CliRunner().invoke(app, ["calibrate", "--min-reviews", "30", "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["version"] is None and {row["status"] for row in out["rows"]} == {"not_enough_reviews"}
    r = CliRunner().invoke(app, ["calibrate", "--min-reviews", "30"])
    assert "needed" in r.stdout and "no thresholds saved" in r.stdout


def test_demo_writes_the_token_to_a_file_when_the_output_is_not_a_terminal(
        db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qa_monitor.scoring.runner

    monkeypatch.setattr(qa_monitor.scoring.runner, "score_pending", lambda *a, **k: None)  # no models here
    r = CliRunner().invoke(app, ["demo", "--no-serve"])
    assert r.exit_code == 0, r.output
    files = list((tmp_path / "tokens").glob("demo-manager-qam_*.token"))
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    token = files[0].read_text(encoding="utf-8").strip()
    assert token not in r.output and f"$(cat {files[0]})" in r.output
    assert authenticate(db, token) is not None


def test_a_token_is_printed_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("QA_MONITOR_TOKEN_DIR", str(tmp_path / "tokens"))
    assert cli.token_file("qam_abc", "mia") is not None  # pytest's captured output is no terminal
    monkeypatch.setattr(cli.sys, "stdout", Terminal())
    assert cli.token_file("qam_def", "mia") is None
    assert [p.name for p in (tmp_path / "tokens").iterdir()] == ["mia-qam_abc.token"]
