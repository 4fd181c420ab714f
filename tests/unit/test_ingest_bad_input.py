"""Bad input loses nothing: each broken piece is kept as a quarantined raw payload with a readable reason, the rest
goes on, and `qa-monitor quarantine list|retry` shows and retries them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from qa_monitor.cli import app
from qa_monitor.ingest import ingest_pipeline, retry_quarantined
from qa_monitor.storage import tables as t
from tests.support.ingest import FIXTURES, messages, pipeline, source, sqlite_store


def _quarantined(store):  # type: ignore[no-untyped-def]
    return [(r.kind, r.reason, r.content) for r in store.quarantined()]


def test_invalid_json_file_is_quarantined_and_the_next_file_is_read(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "a_broken.json").write_text('{"type": "conversation.list", "conversations": [{"id": \'9\'}]}')
    (export / "b_good.json").write_bytes((FIXTURES / "chat" / "intercom_conversations.json").read_bytes())
    store = sqlite_store(tmp_path)
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("intercom", "intercom", export)))
    assert (report.interactions, report.quarantined) == (3, 1)
    [(kind, reason, content)] = _quarantined(store)
    assert kind == "intercom.file" and reason.startswith("a_broken.json: invalid JSON")
    assert content == (export / "a_broken.json").read_bytes()  # kept byte for byte


def test_invalid_jsonl_line_is_quarantined_alone(tmp_path: Path) -> None:
    lines = (FIXTURES / "chat" / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(2, '{"interaction_id": "chat-9001", "message_id": "m2b", "text": "unterminated')
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = sqlite_store(tmp_path)
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("generic", "jsonl", path)))
    assert (report.messages, report.quarantined) == (6, 1)
    [(_, reason, content)] = _quarantined(store)
    assert reason.startswith("chat.jsonl line 3: invalid JSON") and b"unterminated" in content


def test_truncated_json_keeps_what_came_before_and_quarantines_the_file(tmp_path: Path) -> None:
    full = (FIXTURES / "chat" / "intercom_conversations.json").read_bytes()
    cut = full[:full.index("Rēķins nav saņemts".encode())]  # in the middle of the third conversation
    path = tmp_path / "intercom.json"
    path.write_bytes(cut)
    spec = pipeline(tmp_path, source("intercom", "intercom", path))
    store = sqlite_store(tmp_path)
    [report] = ingest_pipeline(store, spec)
    assert (report.interactions, report.quarantined) == (2, 1)
    [(kind, reason, content)] = _quarantined(store)
    assert kind == "intercom.file" and "truncated JSON" in reason and content == cut
    # retrying re-parses the stored bytes: still truncated, still quarantined, one more attempt counted
    retry = retry_quarantined(store, spec)
    assert (retry.attempted, retry.parsed, retry.still_quarantined) == (1, 0, 1)
    [row] = store.quarantined()
    assert row.attempts == 2 and "truncated JSON" in (row.reason or "")


def test_empty_transcript_is_quarantined(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "call-2026-11-10T10-00.vtt").write_bytes(b"")
    real = FIXTURES / "transcripts" / "webvtt" / "call-billing-en.vtt"
    (calls / "call-2026-11-10T11-00.vtt").write_bytes(real.read_bytes())
    store = sqlite_store(tmp_path)
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("calls", "webvtt", calls)))
    assert (report.interactions, report.quarantined) == (1, 1)
    [(kind, reason, _)] = _quarantined(store)
    assert (kind, reason) == ("webvtt.call", "call-2026-11-10T10-00.vtt: empty transcript")


def test_unknown_speaker_is_quarantined_then_retried_after_the_mapping_is_fixed(tmp_path: Path) -> None:
    srt = FIXTURES / "transcripts" / "srt"
    partial = source("calls", "srt", srt) + '[sources.speakers]\nCarmen = "agent:carmen"\n'
    spec = pipeline(tmp_path, partial)
    store = sqlite_store(tmp_path)
    [report] = ingest_pipeline(store, spec)
    assert (report.interactions, report.quarantined) == (0, 1)
    [(_, reason, _)] = _quarantined(store)
    assert "unknown speaker 'Cliente'" in reason
    env = {"QA_MONITOR_DATABASE_URL": store.url}
    runner = CliRunner()
    listed = runner.invoke(app, ["quarantine", "list"], env=env, terminal_width=400)
    assert listed.exit_code == 0, listed.output
    assert "unknown speaker 'Cliente'" in listed.output and "llamada-2026-11-04T10-15.srt" in listed.output
    assert store.quarantined()[0].id in listed.output and "1 quarantined payload(s)" in listed.output
    fixed = tmp_path / "fixed.toml"
    fixed.write_text((tmp_path / "pipeline.toml").read_text() + 'Cliente = "customer"\n', encoding="utf-8")
    retried = runner.invoke(app, ["quarantine", "retry", "--all", "--pipeline", str(fixed)], env=env,
                            terminal_width=400)
    assert retried.exit_code == 0, retried.output
    assert "1 parsed (5 messages)" in retried.output
    assert store.quarantined() == []
    msgs = messages(store, "calls:llamada-2026-11-04T10-15")
    assert [m.role for m in msgs] == ["agent", "customer", "agent", "customer", "agent"]
    with store.session() as s:
        row = s.query(t.RawPayloadRow).one()
        assert (row.status, row.reason, row.attempts) == ("parsed", None, 2)
        assert s.query(t.InteractionPayloadRow).one().raw_payload_id == row.id


def test_retry_names_unknown_ids_and_refuses_no_arguments(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    pipeline(tmp_path, source("generic", "jsonl", tmp_path))
    env = {"QA_MONITOR_DATABASE_URL": store.url}
    runner = CliRunner()
    none = runner.invoke(app, ["quarantine", "retry", "--pipeline", str(tmp_path / "pipeline.toml")], env=env)
    assert none.exit_code != 0 and "give payload ids or --all" in none.output
    missing = runner.invoke(app, ["quarantine", "retry", "generic:nope", "--pipeline",
                                  str(tmp_path / "pipeline.toml")], env=env, terminal_width=400)
    assert missing.exit_code == 1 and "not-found generic:nope" in missing.output
