"""Each chat and ticket format ingests from a real sample file into a SQLite store."""

from __future__ import annotations

from pathlib import Path

from qa_monitor.ingest import ingest_pipeline
from qa_monitor.storage import tables as t
from tests.support.ingest import FIXTURES, count, messages, pipeline, source, sqlite_store

CHAT = FIXTURES / "chat"


def _run(tmp_path: Path, name: str, adapter: str, path: Path, **options: object):  # type: ignore[no-untyped-def]
    spec = pipeline(tmp_path, source(name, adapter, path, **options))
    store = sqlite_store(tmp_path)
    reports = ingest_pipeline(store, spec)
    return store, reports[0]


def test_intercom_conversations(tmp_path: Path) -> None:
    store, report = _run(tmp_path, "intercom", "intercom", CHAT / "intercom_conversations.json")
    assert (report.interactions, report.quarantined, report.error) == (3, 0, None)
    msgs = messages(store, "intercom:184200311")
    # the assignment and close parts have no body and are not messages
    assert [(m.role, m.internal) for m in msgs] == [("customer", False), ("agent", False), ("agent", True),
                                                   ("customer", False), ("agent", False)]
    assert msgs[1].agent_id == "james"
    assert "Wireless > Channel" in msgs[1].text and "<b>" not in msgs[1].text
    es = messages(store, "intercom:184200377")
    assert es[1].agent_id == "carmen" and es[1].text.startswith("Como ya le expliqué")
    lv = messages(store, "intercom:184200402")
    assert lv[1].agent_id == "anna" and "\n" in lv[1].text  # <br> kept as a line break
    assert count(store, t.RawPayloadRow, t.RawPayloadRow.status == "parsed") == 3


def test_zendesk_incremental_export_jsonl(tmp_path: Path) -> None:
    store, report = _run(tmp_path, "zendesk", "zendesk", CHAT / "zendesk_tickets.jsonl")
    assert (report.interactions, report.messages) == (3, 9)
    pl = messages(store, "zendesk:5521")
    assert [(m.role, m.agent_id, m.internal) for m in pl] == [
        ("customer", None, False), ("agent", "piotr", False), ("agent", "piotr", True), ("customer", None, False)]
    ru = messages(store, "zendesk:5530")
    assert ru[1].role == "agent" and ru[1].agent_id == "olga"  # an admin user is an agent
    # no users in the line: the requester is the customer, the other author a guessed agent
    en = messages(store, "zendesk:5534")
    assert [(m.role, m.role_guessed) for m in en] == [("customer", False), ("agent", True)]


def test_zendesk_api_shape_with_users_and_system_comment(tmp_path: Path) -> None:
    store, report = _run(tmp_path, "zendesk", "zendesk", CHAT / "zendesk_api.json")
    assert report.interactions == 2
    es = messages(store, "zendesk:6001")
    assert [(m.role, m.agent_id, m.internal) for m in es] == [
        ("customer", None, False), ("agent", "carmen", False), ("agent", "carmen", True)]
    en = messages(store, "zendesk:6002")
    assert [m.role for m in en] == ["customer", "agent", "system"]
    assert en[1].agent_id == "james"


def test_freshdesk_conversations(tmp_path: Path) -> None:
    store, report = _run(tmp_path, "freshdesk", "freshdesk", CHAT / "freshdesk_tickets.json")
    assert (report.interactions, report.messages) == (2, 6)
    lv = messages(store, "freshdesk:3101")
    assert [(m.role, m.agent_id, m.internal) for m in lv] == [
        ("customer", None, False), ("agent", "anna", False), ("agent", "anna", True), ("customer", None, False)]
    assert lv[0].text.startswith("Labrīt!")
    pl = messages(store, "freshdesk:3102")
    assert pl[1].agent_id == "piotr" and pl[1].text.startswith("Jak już pisałem")


def test_slack_export_threads_across_days(tmp_path: Path) -> None:
    store, report = _run(tmp_path, "slack", "slack", CHAT / "slack_export")
    thread = messages(store, "slack:support-en:1762164000.000200")
    # the reply posted the next day joins the thread; the channel_join event is not a message
    assert [(m.role, m.agent_id) for m in thread] == [("customer", None), ("agent", "james"), ("customer", None),
                                                      ("agent", "james")]
    assert thread[1].text.startswith("Thanks @Rob,")
    assert thread[3].text.startswith("@Rob the engineer")
    bot = messages(store, "slack:support-en:1762170000.000500")
    assert bot[0].role == "system" and "the status page (https://status.nordlink.example)" in bot[0].text
    es = messages(store, "slack:soporte:1762180000.000100")
    assert [m.agent_id for m in es] == [None, "carmen"]
    assert report.skipped == 1 and report.quarantined == 0


def test_generic_jsonl(tmp_path: Path) -> None:
    store, report = _run(tmp_path, "generic", "jsonl", CHAT / "messages.jsonl")
    assert (report.interactions, report.messages) == (2, 6)
    ru = messages(store, "generic:chat-9001")
    assert [(m.role, m.agent_id, m.internal) for m in ru] == [
        ("customer", None, False), ("agent", "olga", False), ("agent", "olga", True), ("customer", None, False)]
    assert ru[0].id == "generic:chat-9001#m1"
    assert ru[1].sent_at.replace(tzinfo=None).isoformat() == "2026-11-10T08:02:00"  # +02:00 stored as UTC


def test_running_the_same_pipeline_twice_adds_nothing(tmp_path: Path) -> None:
    sources = "".join([source("intercom", "intercom", CHAT / "intercom_conversations.json"),
                       source("zendesk", "zendesk", CHAT / "zendesk_api.json"),
                       source("slack", "slack", CHAT / "slack_export"),
                       source("generic", "jsonl", CHAT / "messages.jsonl")])
    spec = pipeline(tmp_path, sources)
    store = sqlite_store(tmp_path)
    first = ingest_pipeline(store, spec)
    before = [count(store, row) for row in (t.InteractionRow, t.MessageRow, t.RawPayloadRow, t.CursorRow)]
    second = ingest_pipeline(store, spec)
    assert sum(r.messages for r in first) == before[1] > 0
    assert sum(r.messages for r in second) == 0  # every cursor says the files are done
    # even without cursors, a re-read upserts onto the same ids
    with store.session() as s:
        s.query(t.CursorRow).delete()
    third = ingest_pipeline(store, spec)
    assert sum(r.messages for r in third) == before[1]
    after = [count(store, row) for row in (t.InteractionRow, t.MessageRow, t.RawPayloadRow, t.CursorRow)]
    assert after == before


def test_a_changed_file_is_read_again_and_edits_update_in_place(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    original = (CHAT / "messages.jsonl").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    spec = pipeline(tmp_path, source("generic", "jsonl", path))
    store = sqlite_store(tmp_path)
    ingest_pipeline(store, spec)
    path.write_text(original.replace("Engineers are on site", "Our engineers are on site"), encoding="utf-8")
    ingest_pipeline(store, spec)
    assert count(store, t.MessageRow) == 6
    assert "Our engineers are on site" in messages(store, "generic:chat-9002")[1].text


def test_an_empty_export_is_nothing_to_do_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"type": "conversation.list", "conversations": [], "total_count": 0}')
    store, report = _run(tmp_path, "intercom", "intercom", path)
    assert (report.interactions, report.payloads, report.quarantined, report.error) == (0, 0, 0, None)


def test_zendesk_users_listed_before_a_long_preamble_are_still_found(tmp_path: Path) -> None:
    import json

    api = json.loads((CHAT / "zendesk_api.json").read_text(encoding="utf-8"))
    reordered = {"users": api["users"], "padding": "x" * 10_000, "tickets": api["tickets"]}
    path = tmp_path / "zendesk.json"
    path.write_text(json.dumps(reordered, ensure_ascii=False), encoding="utf-8")
    store, report = _run(tmp_path, "zendesk", "zendesk", path)
    assert report.interactions == 2
    assert [m.agent_id for m in messages(store, "zendesk:6002")] == [None, "james", None]


def test_slack_path_may_name_one_channel_folder(tmp_path: Path) -> None:
    store, report = _run(tmp_path, "slack", "slack", CHAT / "slack_export" / "soporte")
    es = messages(store, "slack:soporte:1762180000.000100")
    assert [(m.role, m.agent_id) for m in es] == [("customer", None), ("agent", "carmen")]
    assert es[0].author_name == "Marta"  # users.json found at the export's root


def test_times_in_exports_and_webhooks() -> None:
    from datetime import UTC, datetime

    import pytest

    from qa_monitor.adapters.files import parse_time
    from qa_monitor.errors import ParseError

    want = datetime(2026, 11, 22, 9, 45, tzinfo=UTC)
    assert parse_time("2026-11-22T09:45:00Z") == want
    assert parse_time("2026-11-22T11:45:00+02:00") == want
    assert parse_time("2026-11-22T09:45:00") == want                      # naive: UTC
    assert parse_time(int(want.timestamp())) == want
    assert parse_time(str(int(want.timestamp() * 1000))) == want           # milliseconds, as text
    assert parse_time("2026-11-22T09:45:00.000000999Z") == want            # nanoseconds cut to microseconds
    for bad, message in ((None, "missing when"), ("", "missing when"), (True, "missing when"),
                         ("soon", "'soon' is not an ISO 8601"), (1e300, "out of range"), ([1], "unexpected type")):
        with pytest.raises(ParseError, match=message):
            parse_time(bad, "when")
