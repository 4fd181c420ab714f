"""One bad unit never loses a source: a unit whose parsing raises, or whose values the database cannot hold (lone
surrogates, NUL characters, values over a column's size, NaN), is quarantined with its reason or stored cleaned,
its neighbours are stored, and reruns and retries go through. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qa_monitor.ingest import ingest_pipeline, retry_quarantined
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.ingest import FIXTURES, messages, pipeline, source


def _line(iid: str, **fields: Any) -> dict[str, Any]:
    return {"interaction_id": iid, "message_id": "m1", "author": "cust-1", "role": "customer",
            "sent_at": "2026-11-10T10:00:00Z", "text": "Hello, my order is late.", **fields}


def _jsonl(path: Path, *values: Any) -> Path:
    path.write_text("".join((v if isinstance(v, str) else json.dumps(v)) + "\n" for v in values), encoding="utf-8")
    return path


def _ingest_jsonl(store: Store, tmp_path: Path, bad: Any) -> tuple[Any, Any]:
    """A bad line between two good ones; returns the report and the spec."""
    path = _jsonl(tmp_path / "chat.jsonl", _line("before"), bad, _line("after"))
    spec = pipeline(tmp_path, source("generic", "jsonl", path))
    [report] = ingest_pipeline(store, spec)
    return report, spec


def _stored_ids(store: Store) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(t.InteractionRow.id)))


def _reasons(store: Store) -> list[str]:
    return [r.reason or "" for r in store.quarantined()]


OUT_OF_RANGE = {
    "negative offset past year 9999": "9999-12-31T23:59:59-14:00",
    "positive offset before year 1": "0001-01-01T00:00:00+14:00",
    "year 10000": "10000-01-01T00:00:00Z",
    "unix time 1e20": 1e20,
    "integer too large for a float": 10**400,
}


@pytest.mark.parametrize("value", list(OUT_OF_RANGE.values()), ids=list(OUT_OF_RANGE))
def test_out_of_range_time_quarantines_its_line_and_keeps_the_rest(store: Store, tmp_path: Path, value: Any) -> None:
    report, spec = _ingest_jsonl(store, tmp_path, _line("bad", sent_at=value))
    assert report.error is None
    assert _stored_ids(store) == {"generic:before", "generic:after"}
    [reason] = _reasons(store)
    assert reason.startswith("chat.jsonl line 2: sent_at") and ("range" in reason or "ISO 8601" in reason)
    # a rerun of the source and a retry go through and keep it quarantined, with one more attempt counted
    assert ingest_pipeline(store, spec)[0].error is None
    retry = retry_quarantined(store, spec)
    assert (retry.attempted, retry.still_quarantined) == (1, 1)
    assert store.quarantined()[0].attempts == 2


UNSTORABLE_TEXT = {"lone high surrogate": "\ud83d", "lone low surrogate": "\udfff", "NUL": "\x00"}


@pytest.mark.parametrize("bad", list(UNSTORABLE_TEXT.values()), ids=list(UNSTORABLE_TEXT))
@pytest.mark.parametrize("field", ["text", "author", "author_name", "message_id", "interaction_id", "subject"])
def test_text_no_database_stores_is_replaced_in_every_field(store: Store, tmp_path: Path, field: str,
                                                            bad: str) -> None:
    value = f"late{bad}order"
    report, _ = _ingest_jsonl(store, tmp_path, _line("bad", **{field: value}))
    assert report.error is None and report.quarantined == 0
    iid = "generic:late\ufffdorder" if field == "interaction_id" else "generic:bad"
    assert _stored_ids(store) == {"generic:before", "generic:after", iid}
    [m] = messages(store, iid)
    with store.session() as s:
        row = s.get(t.InteractionRow, iid)
        subject = row.subject if row else None
    stored = {"text": m.text, "author": m.author_id, "author_name": m.author_name, "message_id": m.id,
              "interaction_id": m.interaction_id, "subject": subject}[field]
    assert "late\ufffdorder" in (stored or "")  # the same length: offsets into the text stay true


@pytest.mark.parametrize("field,value,limit", [("message_id", "m" * 400, 300), ("interaction_id", "i" * 250, 200),
                                               ("author_name", "n" * 301, 300), ("author", "a" * 301, 300),
                                               ("language", "english-as-spoken", 16)])
def test_value_over_its_column_size_is_quarantined(store: Store, tmp_path: Path, field: str, value: str,
                                                   limit: int) -> None:
    report, spec = _ingest_jsonl(store, tmp_path, _line("bad", **{field: value}))
    assert report.error is None
    assert _stored_ids(store) == {"generic:before", "generic:after"}
    [reason] = _reasons(store)
    assert f"at most {limit}" in reason
    assert ingest_pipeline(store, spec)[0].error is None


def test_unreadable_json_line_is_quarantined_alone(store: Store, tmp_path: Path) -> None:
    # an integer longer than Python reads, and nesting deeper than its recursion limit
    report, _ = _ingest_jsonl(store, tmp_path, '{"interaction_id": "x", "n": ' + "9" * 5000 + "}")
    assert report.error is None and _stored_ids(store) == {"generic:before", "generic:after"}
    path = _jsonl(tmp_path / "deep.jsonl", _line("deep-before"), "[" * 100_000, _line("deep-after"))
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("deep", "jsonl", path), name="deep.toml"))
    assert report.error is None and {"deep:deep-before", "deep:deep-after"} <= _stored_ids(store)
    assert any("nested too deeply" in r for r in _reasons(store))


def test_zendesk_ticket_of_any_shape_never_loses_the_tickets_after_it(store: Store, tmp_path: Path) -> None:
    ticket = {"id": 1, "requester_id": 7, "subject": "Refund", "created_at": "2026-11-10T09:00:00Z",
              "comments": [{"id": 11, "author_id": 7, "public": True, "body": "Where is my refund?",
                            "created_at": "2026-11-10T09:00:00Z"}]}
    bad_lines = [{"ticket": {**ticket, "id": 2}, "users": 5}, {"ticket": 5}, {"ticket": {**ticket, "id": 3},
                 "users": [{"id": 7, "name": "Ann\ud800"}]}, {**ticket, "id": 4, "tags": float("nan")},
                 {**ticket, "id": 5, "comments": 7}]
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in [ticket, *bad_lines, {**ticket, "id": 6}]) + "\n")
    array = tmp_path / "api.json"
    array.write_text(json.dumps({"tickets": [{**ticket, "id": 21}, 5, [1], {**ticket, "id": 22}]}))
    spec = pipeline(tmp_path, source("zd", "zendesk", path) + source("zda", "zendesk", array))
    reports = ingest_pipeline(store, spec)
    assert [r.error for r in reports] == [None, None]
    with store.session() as s:  # by ticket id: the interaction ids' prefix is not what this is about
        ids = {native: iid for native, iid in s.execute(select(t.InteractionRow.native_id, t.InteractionRow.id))}
    assert {"1", "2", "3", "6", "21", "22"} <= set(ids)
    assert "4" not in ids and "5" not in ids  # NaN tags: no JSON column takes them; comments not a list
    assert all(_reasons(store)) and len(_reasons(store)) == 5
    [m] = messages(store, ids["3"])
    assert m.author_name == "Ann\ufffd"


@pytest.mark.parametrize("adapter,fixture,start_key", [("whisper", "whisper", "start"),
                                                       ("aws_transcribe", "aws", "start_time")])
def test_transcript_with_an_offset_past_any_date_is_quarantined(store: Store, tmp_path: Path, adapter: str,
                                                                fixture: str, start_key: str) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    good = sorted((FIXTURES / "transcripts" / fixture).glob("*.json"))[0]
    far = 1e20 if adapter == "whisper" else "1e20"

    def shift(value: Any) -> Any:  # every word and segment starts 1e20 s into the call
        if isinstance(value, dict):
            return {k: far if k == start_key else shift(v) for k, v in value.items()}
        return [shift(v) for v in value] if isinstance(value, list) else value

    doc = shift(json.loads(good.read_bytes()))
    (calls / f"a-{good.name}").write_bytes(good.read_bytes())
    (calls / f"b-{good.name}").write_text(json.dumps(doc))
    (calls / f"c-{good.name}").write_bytes(good.read_bytes().replace(b"{", b" {", 1))  # same call, other bytes
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("calls", adapter, calls)))
    assert report.error is None and report.interactions == 2 and report.quarantined == 1
    [reason] = _reasons(store)
    assert reason.startswith(f"b-{good.name}: ")


def test_slack_message_long_after_its_thread_start_is_quarantined(store: Store, tmp_path: Path) -> None:
    day = tmp_path / "export" / "support"
    day.mkdir(parents=True)
    msgs = [{"type": "message", "user": "U1", "text": "first", "ts": "1762765200.000100"},
            {"type": "message", "user": "U1", "text": "long ago", "ts": "1.0", "thread_ts": "1762765300.000100"},
            {"type": "message", "user": "U1", "text": "next", "ts": "1762765300.000100"},
            {"type": "message", "user": "U1", "text": "last", "ts": "1762765400.000100"}]
    (day / "2026-11-10.json").write_text(json.dumps(msgs))
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("slack", "slack", tmp_path / "export")))
    assert report.error is None
    assert _stored_ids(store) == {"slack:support:1762765200.000100", "slack:support:1762765400.000100"}
    [reason] = _reasons(store)
    assert "not a 32-bit integer" in reason


def test_file_name_that_is_not_utf8_is_read(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "chats"
    folder.mkdir()
    _jsonl(Path(os.fsdecode(bytes(folder) + b"/caf\xe9.jsonl")), _line("x"))
    spec = pipeline(tmp_path, source("generic", "jsonl", folder))
    [report] = ingest_pipeline(store, spec)
    assert report.error is None and _stored_ids(store) == {"generic:x"}
    with store.session() as s:
        [ref] = s.scalars(select(t.RawPayloadRow.ref))
    assert ref == "caf\ufffd.jsonl:1"
    assert ingest_pipeline(store, spec)[0].payloads == 0  # the cursor knows the file: nothing read again


def test_retry_stores_text_with_a_lone_surrogate_once_the_speaker_is_known(store: Store, tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    doc = {"call_id": "c-1", "started_at": "2026-11-10T10:00:00Z",
           "segments": [{"speaker": "Kim", "start": 0.0, "text": "Thanks for calling \ud83d"},
                        {"speaker": "Caller", "start": 2.0, "text": "Hi, my router is broken."}]}
    (calls / "call.json").write_text(json.dumps(doc))
    partial = source("calls", "whisper", calls) + '[sources.speakers]\nKim = "agent:james"\n'
    spec = pipeline(tmp_path, partial)
    [report] = ingest_pipeline(store, spec)
    assert report.quarantined == 1 and "unknown speaker" in _reasons(store)[0]
    fixed = pipeline(tmp_path, partial + 'Caller = "customer"\n', name="fixed.toml")
    retry = retry_quarantined(store, fixed)
    assert (retry.attempted, retry.parsed) == (1, 1)
    assert [m.text for m in messages(store, "calls:c-1")] == ["Thanks for calling \ufffd", "Hi, my router is broken."]


def _eml(frm: str, date: str, mid: bytes = b"<a@x.example>") -> bytes:
    return (f"From: {frm}\r\nTo: help@help.nordlink.example\r\nSubject: Order\r\nDate: {date}\r\n".encode()
            + b"Message-ID: " + mid + b"\r\n\r\nWhere is my order?\r\n")


def test_email_with_values_no_database_stores(store: Store, tmp_path: Path) -> None:
    box = tmp_path / "eml"
    box.mkdir()
    good = _eml("Ann <ann@x.example>", "Tue, 10 Nov 2026 10:00:00 +0000", b"<good@x.example>")
    (box / "a.eml").write_bytes(good)
    (box / "b.eml").write_bytes(_eml("Ann <ann@x.example>", "Tue, 10 Nov 2026 10:00:00 +0000",
                                     b"<caf\xe9@x.example>"))  # 8-bit bytes in the Message-ID
    (box / "c.eml").write_bytes(_eml(f"{'N' * 400} <n@x.example>", "Tue, 10 Nov 2026 10:00:00 +0000",
                                     b"<long@x.example>"))  # a display name over the column's size
    (box / "d.eml").write_bytes(_eml("Bo <bo@x.example>", "Fri, 31 Dec 9999 23:00:00 -1400", b"<old@x.example>"))
    os.utime(box / "d.eml", (1_794_650_400, 1_794_650_400))  # 2026-11-14T10:00:00Z
    (box / "e.eml").write_bytes(good.replace(b"good@", b"last@"))
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("mail", "eml", box)))
    assert report.error is None
    ids = _stored_ids(store)
    assert {"mail:good@x.example", "mail:caf\ufffd@x.example", "mail:old@x.example", "mail:last@x.example"} == ids
    [reason] = _reasons(store)
    assert "at most 300" in reason
    # a Date that cannot be read in UTC is no date: the file's time stands in for it
    [old] = messages(store, "mail:old@x.example")
    assert old.sent_at.replace(tzinfo=None).isoformat() == "2026-11-14T10:00:00"


def test_maildir_key_with_a_digit_that_is_not_ascii(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    (root / "cur" / "\u00b2\u00b3.M1P1.host:2,S").write_bytes(
        _eml("Ann <ann@x.example>", "Tue, 10 Nov 2026 10:00:00 +0000"))
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("md", "maildir", root)))
    assert report.error is None and _stored_ids(store) == {"md:a@x.example"}



@pytest.mark.parametrize("value", ["18446744073709551616", "1e400", "NaN", '"\\udc00"'],
                         ids=["integer beyond 64 bits", "number beyond a float", "NaN", "escaped lone low surrogate"])
def test_value_the_streaming_reader_stops_at_quarantines_only_its_unit(store: Store, tmp_path: Path,
                                                                       value: str) -> None:
    def conversation(cid: str, created: str) -> str:
        return (f'{{"id": "{cid}", "created_at": {created}, "source": {{"id": "s", "body": "Where is my order?", '
                f'"author": {{"type": "user", "id": "u1"}}}}}}')

    good = "1762765200"
    export = tmp_path / "intercom.json"
    export.write_text(f'{{"conversations": [{conversation("c1", good)}, {conversation("c2", value)}, '
                      f'{conversation("c3", good)}]}}')
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("ic", "intercom", export)))
    assert report.error is None
    assert {"ic:c1", "ic:c3"} <= _stored_ids(store)
    assert all(_reasons(store)) and report.quarantined == 1


def test_slack_item_that_is_no_message_is_quarantined(store: Store, tmp_path: Path) -> None:
    day = tmp_path / "export" / "support"
    day.mkdir(parents=True)
    (day / "2026-11-10.json").write_text(json.dumps([
        {"type": "message", "user": "U1", "text": "first", "ts": "1762765200.000100"}, 5, {"text": "no ts"},
        {"type": "message", "user": "U1", "text": "last", "ts": "1762765400.000100"}]))
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("slack", "slack", tmp_path / "export")))
    assert report.error is None and report.interactions == 2
    assert sorted(_reasons(store)) == ["support/2026-11-10.json item 1: expected a message object with a ts",
                                       "support/2026-11-10.json item 2: expected a message object with a ts"]
