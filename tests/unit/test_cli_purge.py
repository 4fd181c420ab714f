"""`qa-monitor purge`: --expired per pipeline file, --customer / --customer-id, each printing rows per table."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from qa_monitor.cli import app
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.ingest import DIRECTORY, source

runner = CliRunner()
OLD = datetime.now(UTC) - timedelta(days=100)


@pytest.fixture
def purge_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with one old chat (Kate and an agent) ingested from a JSONL export; returns the pipeline file."""
    db = tmp_path / "qa.db"
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.delenv("QA_MONITOR_PIPELINE_FILE", raising=False)
    export = tmp_path / "crm.jsonl"
    lines = [{"interaction_id": "c1", "message_id": "m1", "author": "kate@cust.example", "role": "customer",
              "sent_at": OLD.isoformat(), "text": "My parcel never came."},
             {"interaction_id": "c1", "message_id": "m2", "author": "anna", "role": "agent",
              "sent_at": OLD.isoformat(), "text": "Read the FAQ."}]
    export.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    pipeline = tmp_path / "crm.toml"
    pipeline.write_text("retention_days = 30\n" + DIRECTORY + source("crm", "jsonl", export), encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(pipeline)])
    assert result.exit_code == 0, result.output
    return pipeline


def texts(tmp_path: Path) -> list[str]:
    store = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    with store.session() as s:
        out = list(s.scalars(select(t.MessageRow.text).order_by(t.MessageRow.seq)))
    store.close()
    return out


def rows(output: str) -> dict[str, tuple[int, int]]:
    """The printed table's rows: table -> (emptied, deleted)."""
    out = {}
    for line in output.splitlines():
        cells = line.replace("│", " ").split()
        if len(cells) == 3 and cells[1].isdigit() and cells[2].isdigit():
            out[cells[0]] = (int(cells[1]), int(cells[2]))
    return out


def test_purge_expired_prints_rows_per_table(purge_pipeline: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["purge", "--expired", "--pipeline", str(purge_pipeline)])
    assert result.exit_code == 0, result.output
    assert "older than 30 days" in result.output
    assert rows(result.output) == {"interactions": (1, 0), "messages": (2, 0), "raw_payloads": (1, 0)}
    assert texts(tmp_path) == ["", ""]
    again = runner.invoke(app, ["purge", "--expired", "--pipeline", str(purge_pipeline)])
    assert rows(again.output) == {"(nothing)": (0, 0)}


def test_purge_expired_uses_the_service_pipeline_by_default(purge_pipeline: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["purge", "--expired"])
    assert result.exit_code == 1 and "--pipeline" in result.output
    monkeypatch.setenv("QA_MONITOR_PIPELINE_FILE", str(purge_pipeline))
    result = runner.invoke(app, ["purge", "--expired"])
    assert result.exit_code == 0, result.output
    assert texts(tmp_path) == ["", ""]


def test_pipeline_without_retention_purges_nothing(purge_pipeline: Path, tmp_path: Path) -> None:
    keep = tmp_path / "keep.toml"
    keep.write_text(purge_pipeline.read_text(encoding="utf-8").replace("retention_days = 30\n", ""), encoding="utf-8")
    result = runner.invoke(app, ["purge", "--expired", "--pipeline", str(keep)])
    assert result.exit_code == 0 and "no retention_days" in result.output
    assert texts(tmp_path) == ["My parcel never came.", "Read the FAQ."]


def test_purge_customer_dry_run_then_for_real(purge_pipeline: Path, tmp_path: Path) -> None:
    dry = runner.invoke(app, ["purge", "--customer", "kate@cust.example", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would remove" in dry.output and rows(dry.output)["messages"] == (2, 0)
    assert texts(tmp_path) == ["My parcel never came.", "Read the FAQ."]
    real = runner.invoke(app, ["purge", "--customer", "kate@cust.example"])
    assert real.exit_code == 0, real.output
    assert rows(real.output) == rows(dry.output)
    assert "kate@" not in real.output  # the address is not echoed into terminals and logs
    assert texts(tmp_path) == ["", ""]


@pytest.mark.parametrize("args", [["purge"], ["purge", "--expired", "--customer", "a@b.example"]])
def test_purge_needs_one_kind(purge_pipeline: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "give either --expired or --customer" in result.output and "Traceback" not in result.output


def _webhook_payload(tmp_path: Path) -> bytes:
    """Store an old webhook delivery's raw payload; returns what it holds now after the call below."""
    store = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    with store.session() as s:
        row = s.get(t.RawPayloadRow, "webhook-zendesk:1")
        if row is None:
            s.add(t.RawPayloadRow(id="webhook-zendesk:1", source="webhook-zendesk", kind="json", ref="d1",
                                  content=b'{"ticket": 1}', size=13, status="parsed", received_at=OLD))
            content = b'{"ticket": 1}'
        else:
            content = row.content
    store.close()
    return content


@pytest.mark.parametrize(("args", "service", "purged"), [
    ([], False, False),              # another pipeline than the service's: its webhooks are not this file's
    (["--webhooks"], False, True),
    ([], True, True),                # the service's pipeline (QA_MONITOR_PIPELINE_FILE): its webhooks too
    (["--no-webhooks"], True, False),
])
def test_webhook_data_follows_the_service_pipeline(purge_pipeline: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, args: list[str], service: bool,
                                                   purged: bool) -> None:
    _webhook_payload(tmp_path)
    if service:
        monkeypatch.setenv("QA_MONITOR_PIPELINE_FILE", str(purge_pipeline))
    result = runner.invoke(app, ["purge", "--expired", "--pipeline", str(purge_pipeline), *args])
    assert result.exit_code == 0, result.output
    assert (_webhook_payload(tmp_path) == b"") == purged
