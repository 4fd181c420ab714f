"""Property tests for every file adapter: whatever bytes a file holds, and whatever JSON value (or text, or header)
sits in any field of a format's documented shape, ingestion never raises and never aborts the source, the known-good
units before and after the fuzzed one are stored, every payload not stored is quarantined or skipped with a reason,
what is stored fits PostgreSQL's columns too, and a rerun and a retry of the quarantine go through.

Each example ingests real files from a temporary folder into a real SQLite store (a copy of one migrated database).
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qa_monitor.ingest import ingest_pipeline, retry_quarantined
from qa_monitor.records import MAX_AUTHOR_ID, MAX_INTERACTION_ID, MAX_LANGUAGE, MAX_MESSAGE_ID
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.ingest import pipeline, source

FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BEFORE, AFTER = "Known good message before", "Known good message after"

# --- values ---------------------------------------------------------------------------------------------------

_BAD_CHARS = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\x00", "\ufffd", "\u202e"])
_TEXT = st.text(st.one_of(st.characters(codec=None, exclude_categories=()), _BAD_CHARS), max_size=20)
_EDGES = st.sampled_from([
    "", " ", "x" * 400, "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "10000-01-01T00:00:00Z",
    "2026-11-10T10:00:00Z", "1e20", "-1", "agent", "customer", "system", "email", "chat", "spk_0", "SPEAKER_00",
    1e20, -1e20, 1e308, 2**31, -(2**31) - 1, 2**63, 2**64, 10**30, -1, 0, 1.5, True, False, None,
    float("nan"), float("inf")])
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _TEXT, _EDGES)
JSON_VALUES = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _dump(value: Any) -> str:
    return json.dumps(value)  # ASCII: lone surrogates and NUL become escapes, NaN and Infinity as Python writes them


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    """The document with the value at path; a path the document no longer has (an earlier change) is left alone."""
    if not path:
        return value
    node = doc
    for step in path[:-1]:
        if isinstance(node, dict) and step in node or isinstance(node, list) and isinstance(step, int) \
                and step < len(node):
            node = node[step]
        else:
            return doc
    if isinstance(node, dict) or isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node):
        node[path[-1]] = value
    return doc


def _mentions(value: Any, words: tuple[str, ...]) -> bool:
    """True when a fuzzed value names a neighbour (its id), which would legitimately make it part of that unit."""
    text = _dump(value)
    return any(w in text for w in words)


# --- the formats: a known-good unit, the fields of its documented shape, how units are laid out in files -------

@dataclass(frozen=True)
class Format:
    """One adapter's input: `unit(text, key)` is a known-good unit whose message reads `text`, `fields` the paths
    into it that are fuzzed, `write(folder, units)` lays units out as that adapter reads them and returns the path
    to give the source."""

    adapter: str
    unit: Callable[[str, str], Any]
    fields: tuple[tuple[Any, ...], ...]
    write: Callable[[Path, list[Any]], Path]
    keys: tuple[str, ...] = ("before", "after")  # what the neighbours are called (ids, times)


def _lines(name: str) -> Callable[[Path, list[Any]], Path]:
    def write(folder: Path, units: list[Any]) -> Path:
        path = folder / name
        path.write_bytes(b"".join((u if isinstance(u, bytes) else _dump(u).encode()) + b"\n" for u in units))
        return path
    return write


def _array(name: str, key: str | None = None, extra: dict[str, Any] | None = None) -> Callable[[Path, list[Any]], Path]:
    def write(folder: Path, units: list[Any]) -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "[" + ", ".join(_dump(u) for u in units) + "]"
        if key is not None:
            body = "{" + ", ".join([f'"{key}": {body}', *(f"{_dump(k)}: {_dump(v)}"
                                                          for k, v in (extra or {}).items())]) + "}"
        path.write_text(body)
        return folder
    return write


def _files(pattern: str, encode: Callable[[Any], bytes] = lambda u: _dump(u).encode()
           ) -> Callable[[Path, list[Any]], Path]:
    """One file per unit, named in order (a-, b-, c-...): `pattern` has a {} for the letter."""
    def write(folder: Path, units: list[Any]) -> Path:
        for letter, u in zip("abcdefgh", units, strict=False):
            path = folder / pattern.format(letter)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(u if isinstance(u, bytes) else encode(u))
        return folder
    return write


def _jsonl_line(text: str, key: str) -> dict[str, Any]:
    return {"interaction_id": f"chat-{key}", "message_id": "m1", "author": "olga", "role": "agent",
            "sent_at": "2026-11-10T10:02:00+02:00", "text": text, "internal": False, "channel": "chat",
            "author_name": "Olga Smirnova", "subject": "SMS code", "language": "ru"}


_ZENDESK_USERS = [{"id": 7, "name": "Ann Lee", "email": "ann@example.com", "role": "end-user"},
                  {"id": 99, "name": "James Carter", "email": "james.carter@help.nordlink.example", "role": "agent"}]


def _zendesk_ticket(text: str, key: str) -> dict[str, Any]:
    return {"id": f"zd-{key}", "subject": "Refund", "status": "open", "tags": ["billing"], "requester_id": 7,
            "created_at": "2026-11-10T09:00:00Z", "via": {"channel": "email"}, "description": "Where is it?",
            "comments": [{"id": 11, "author_id": 7, "public": True, "body": "Where is my refund?",
                          "created_at": "2026-11-10T09:00:00Z"},
                         {"id": 12, "author_id": 99, "public": True, "body": text, "html_body": f"<p>{text}</p>",
                          "plain_body": text, "created_at": "2026-11-10T09:05:00Z"}]}


_ZENDESK_FIELDS: tuple[tuple[Any, ...], ...] = (
    (), ("id",), ("subject",), ("status",), ("tags",), ("requester_id",), ("created_at",), ("via",),
    ("via", "channel"), ("description",), ("comments",), ("comments", 0), ("comments", 1),
    *(("comments", i, k) for i in (0, 1) for k in ("id", "author_id", "public", "body", "html_body", "plain_body",
                                                    "created_at")))

_FRESHDESK_FIELDS: tuple[tuple[Any, ...], ...] = (
    (), ("id",), ("subject",), ("description",), ("description_text",), ("created_at",), ("source",), ("status",),
    ("tags",), ("requester_id",), ("requester",), ("requester", "name"), ("requester", "email"),
    ("conversations",), ("conversations", 0),
    *(("conversations", 0, k) for k in ("id", "body", "body_text", "incoming", "private", "user_id", "from_email",
                                         "created_at")))


def _freshdesk_ticket(text: str, key: str) -> dict[str, Any]:
    return {"id": f"fd-{key}", "subject": "Invoice", "description_text": "My invoice is wrong.",
            "created_at": "2026-11-10T09:00:00Z", "source": 1, "status": 2, "tags": ["billing"], "requester_id": 5,
            "requester": {"name": "Ann Lee", "email": "ann@example.com"},
            "conversations": [{"id": 1, "body": f"<div>{text}</div>", "body_text": text, "incoming": False,
                               "private": False, "user_id": 77000901, "from_email": "Help <help@nordlink.example>",
                               "created_at": "2026-11-10T09:30:00Z"}]}


def _intercom_conversation(text: str, key: str) -> dict[str, Any]:
    return {"id": f"ic-{key}", "title": "Login", "created_at": 1762765200,
            "source": {"id": "s1", "body": "<p>I cannot log in.</p>", "subject": "",
                       "author": {"type": "user", "id": "u1", "email": "ann@example.com", "name": "Ann"}},
            "conversation_parts": {"conversation_parts": [
                {"id": "p1", "part_type": "comment", "body": f"<p>{text}</p>", "created_at": 1762765300,
                 "author": {"type": "admin", "id": "915", "name": "Anna Ozola", "email": "anna@example.com"}}]}}


_INTERCOM_FIELDS: tuple[tuple[Any, ...], ...] = (
    (), ("id",), ("title",), ("created_at",), ("source",), ("source", "body"), ("source", "author"),
    ("source", "author", "type"), ("source", "author", "id"), ("source", "author", "email"), ("source", "id"),
    ("source", "subject"), ("conversation_parts",), ("conversation_parts", "conversation_parts"),
    ("conversation_parts", "conversation_parts", 0),
    *(("conversation_parts", "conversation_parts", 0, k) for k in ("id", "part_type", "body", "created_at",
                                                                    "author")),
    *(("conversation_parts", "conversation_parts", 0, "author", k) for k in ("type", "id", "name", "email")))

_SLACK_TS = {"before": "1762765200.000100", "fuzz": "1762765300.000100", "after": "1762765400.000100"}


def _slack_message(text: str, key: str) -> dict[str, Any]:
    return {"type": "message", "user": "U04AGNT01", "text": f"{text} <@U1>", "ts": _SLACK_TS[key],
            "thread_ts": _SLACK_TS[key], "reply_count": 0}


_SLACK_FIELDS: tuple[tuple[Any, ...], ...] = (
    (), ("type",), ("user",), ("text",), ("ts",), ("thread_ts",), ("subtype",), ("bot_id",), ("username",))


def _whisper(text: str, key: str) -> dict[str, Any]:
    return {"language": "en", "segments": [
        {"start": 0.5, "end": 3.9, "text": f" {text}", "speaker": "SPEAKER_01"},
        {"start": 4.1, "end": 6.0, "text": " Hello, my router is broken.", "speaker": "SPEAKER_00"}]}


_WHISPER_FIELDS: tuple[tuple[Any, ...], ...] = (
    (), ("language",), ("call_id",), ("started_at",), ("subject",), ("segments",), ("segments", 0),
    ("segments", 1), *(("segments", i, k) for i in (0, 1) for k in ("start", "end", "text", "speaker")))


def _aws(text: str, key: str) -> dict[str, Any]:
    words = [("0.30", "spk_0", text), ("1.10", "spk_1", "Thanks")]
    return {"jobName": f"job-{key}", "results": {
        "transcripts": [{"transcript": f"{text} Thanks"}],
        "speaker_labels": {"speakers": 2, "segments": [
            {"speaker_label": s, "start_time": st_, "items": [{"start_time": st_, "speaker_label": s}]}
            for st_, s, _ in words]},
        "items": [*({"start_time": st_, "end_time": st_, "type": "pronunciation",
                     "alternatives": [{"confidence": "0.9", "content": w}]} for st_, _, w in words),
                  {"type": "punctuation", "alternatives": [{"confidence": "0.0", "content": "."}]}]}}


_AWS_FIELDS: tuple[tuple[Any, ...], ...] = (
    (), ("jobName",), ("call_id",), ("started_at",), ("results",), ("results", "items"),
    ("results", "channel_labels"), ("results", "speaker_labels"), ("results", "speaker_labels", "segments"),
    ("results", "speaker_labels", "segments", 0, "speaker_label"),
    ("results", "speaker_labels", "segments", 0, "items", 0, "start_time"),
    *(("results", "items", i, k) for i in (0, 1, 2) for k in ("start_time", "type", "alternatives")),
    ("results", "items", 0, "alternatives", 0, "content"))

JSON_FORMATS = {
    "jsonl": Format("jsonl", _jsonl_line, ((), *((k,) for k in _jsonl_line("", ""))), _lines("chat.jsonl"),
                    ("chat-before", "chat-after")),
    "zendesk-jsonl": Format("zendesk", lambda text, key: {"ticket": _zendesk_ticket(text, key),
                                                          "users": _ZENDESK_USERS},
                            ((), ("users",), ("users", 0), ("users", 1), ("users", 0, "id"), ("users", 1, "role"),
                             ("users", 1, "name"), ("comments",), *(("ticket", *p) for p in _ZENDESK_FIELDS)),
                            _lines("tickets.jsonl"), ("zd-before", "zd-after")),
    "zendesk-json": Format("zendesk", _zendesk_ticket, _ZENDESK_FIELDS,
                           _array("tickets.json", "tickets", {"users": _ZENDESK_USERS}), ("zd-before", "zd-after")),
    "freshdesk": Format("freshdesk", _freshdesk_ticket, _FRESHDESK_FIELDS, _array("tickets.json"),
                        ("fd-before", "fd-after")),
    "intercom": Format("intercom", _intercom_conversation, _INTERCOM_FIELDS,
                       _array("conversations.json", "conversations"), ("ic-before", "ic-after")),
    "slack": Format("slack", _slack_message, _SLACK_FIELDS, _array("support/2026-11-10.json"),
                    (_SLACK_TS["before"], _SLACK_TS["after"])),
    "whisper": Format("whisper", _whisper, _WHISPER_FIELDS, _files("{}-call-2026-11-10T10-00.json")),
    "aws_transcribe": Format("aws_transcribe", _aws, _AWS_FIELDS, _files("{}-call-2026-11-10T10-00.json"),
                             ("job-before", "job-after")),
}

# Text formats: a unit is a template whose slots are fuzzed with any text.
_VTT = ("WEBVTT\n\nNOTE\ncall_id: {call_id}\nstarted_at: {started_at}\n\n{start} --> 00:00:03.000\n"
        "<v {speaker}>{text}\n\n00:00:03.500 --> 00:00:06.000\n<v Caller>Hello, my router is broken.\n")
_SRT = ("1\n{start} --> 00:00:03,000\n{speaker}: {text}\n\n2\n00:00:03,500 --> 00:00:06,000\n"
        "Caller: Hello, my router is broken.\n")
_MAIL = ("From: {from_}\nTo: help@help.nordlink.example\nSubject: {subject}\nDate: {date}\nMessage-ID: {mid}\n"
         "In-Reply-To: {reply_to}\nReferences: {references}\nContent-Type: {content_type}\n"
         "Content-Transfer-Encoding: {encoding}\n\n{text}\n")


def _vtt(text: str, key: str) -> dict[str, str]:
    return {"call_id": f"call-{key}", "started_at": "2026-11-10T10:00:00Z", "start": "00:00:00.500",
            "speaker": "Anna Ozola", "text": text}


def _srt(text: str, key: str) -> dict[str, str]:
    return {"start": "00:00:00,500", "speaker": "Anna", "text": text}


def _mail(text: str, key: str) -> dict[str, str]:
    return {"from_": "Ann Lee <ann@example.com>", "subject": f"Order {key}", "date": "Tue, 10 Nov 2026 10:00:00 +0000",
            "mid": f"<{key}@example.com>", "reply_to": "", "references": "",
            "content_type": "text/plain; charset=utf-8", "encoding": "8bit", "text": text}


def _raw_bytes(text: str) -> bytes:
    """Text as bytes, where a surrogate-escaped byte is that byte and any other lone surrogate invalid UTF-8."""
    return b"".join(bytes([ord(c) - 0xDC00]) if "\udc80" <= c <= "\udcff" else c.encode("utf-8", "surrogatepass")
                    for c in text)


def _template(template: str) -> Callable[[Any], bytes]:
    return lambda slots: _raw_bytes(template.format(**slots))


def _mbox(folder: Path, units: list[Any]) -> Path:
    path = folder / "support.mbox"
    path.write_bytes(b"".join(b"From ann@example.com Tue Nov 10 10:00:00 2026\n"
                              + (u if isinstance(u, bytes) else _template(_MAIL)(u)) + b"\n" for u in units))
    return path


def _maildir(folder: Path, units: list[Any]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (folder / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
    for n, u in enumerate(units, start=1):
        name = f"{1762765200 + n}.M{n}P1.host:2,S"
        (folder / "Maildir" / "cur" / name).write_bytes(u if isinstance(u, bytes) else _template(_MAIL)(u))
    return folder / "Maildir"


TEXT_FORMATS = {
    "webvtt": Format("webvtt", _vtt, tuple((k,) for k in _vtt("", "")),
                     _files("{}-call-2026-11-10T10-00.vtt", _template(_VTT)), ("call-before", "call-after")),
    "srt": Format("srt", _srt, tuple((k,) for k in _srt("", "")),
                  _files("{}-call-2026-11-10T10-00.srt", _template(_SRT))),
    "mbox": Format("mbox", _mail, tuple((k,) for k in _mail("", "")), _mbox),
    "eml": Format("eml", _mail, tuple((k,) for k in _mail("", "")), _files("{}.eml", _template(_MAIL))),
    "maildir": Format("maildir", _mail, tuple((k,) for k in _mail("", "")), _maildir),
}

FORMATS = {**JSON_FORMATS, **TEXT_FORMATS}


# --- one run --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for every example (migrating costs more than a whole example)."""
    path = tmp_path_factory.mktemp("template") / "qa.db"
    store = Store(f"sqlite:///{path}")
    store.migrate()
    store.close()
    return path


@dataclass
class Run:
    folder: Path
    store: Store


@contextmanager
def _run(template_db: Path) -> Iterator[Run]:
    """A fresh folder with a store of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(template_db, folder / "qa.db")
        store = Store(f"sqlite:///{folder / 'qa.db'}")
        try:
            yield Run(folder, store)
        finally:
            store.close()


def _check(run: Run, fmt: Format, units: list[Any], fuzzed_unit_count: int = 1) -> None:
    """Ingest the units (the fuzzed ones between two good ones) and check every property."""
    inputs = run.folder / "input"
    inputs.mkdir()
    spec = pipeline(run.folder, source("src", fmt.adapter, fmt.write(inputs, units)))
    [report] = ingest_pipeline(run.store, spec)
    assert report.error is None
    _check_stored(run.store, at_least_payloads=2 + fuzzed_unit_count)
    # a rerun and a retry of everything quarantined go through and lose nothing
    assert ingest_pipeline(run.store, spec)[0].error is None
    retry_quarantined(run.store, spec)
    _check_stored(run.store, at_least_payloads=2 + fuzzed_unit_count)


def _check_stored(store: Store, at_least_payloads: int) -> None:
    with store.session() as s:
        texts = set(s.scalars(select(t.MessageRow.text)))
        assert any(BEFORE in x for x in texts) and any(AFTER in x for x in texts), "a known-good neighbour was lost"
        raws = list(s.scalars(select(t.RawPayloadRow)))
        linked = set(s.scalars(select(t.InteractionPayloadRow.raw_payload_id)))
        assert len(raws) >= at_least_payloads or any(r.kind.endswith(".file") for r in raws)
        for r in raws:
            assert r.status in ("parsed", "quarantined", "skipped")
            if r.status == "parsed":
                assert r.id in linked, f"payload {r.ref} parsed but nothing stored from it"
            else:
                assert (r.reason or "").strip(), f"payload {r.ref} is {r.status} without a reason"
            assert _fits(r.ref) and _fits(r.reason)
        # what SQLite took, PostgreSQL takes too
        for m in s.scalars(select(t.MessageRow)):
            assert _fits(m.id, MAX_MESSAGE_ID) and _fits(m.author_id, MAX_AUTHOR_ID)
            assert _fits(m.author_name, MAX_AUTHOR_ID) and _fits(m.language, MAX_LANGUAGE) and _fits(m.text)
            assert -(2**31) <= m.seq < 2**31
        for i in s.scalars(select(t.InteractionRow)):
            assert _fits(i.id, MAX_INTERACTION_ID) and _fits(i.native_id, MAX_INTERACTION_ID) and _fits(i.subject)


def _fits(value: str | None, limit: int | None = None) -> bool:
    return value is None or ("\x00" not in value and (limit is None or len(value) <= limit))


# --- the properties ---------------------------------------------------------------------------------------------

@st.composite
def _changes(draw: st.DrawFn, fields: tuple[tuple[Any, ...], ...], values: st.SearchStrategy[Any]
             ) -> list[tuple[tuple[Any, ...], Any]]:
    return draw(st.lists(st.tuples(st.sampled_from(fields), values), min_size=1, max_size=3))


@pytest.mark.parametrize("name", list(JSON_FORMATS))
@FUZZ
@given(data=st.data())
def test_any_json_value_in_any_field_quarantines_at_most_its_unit(template_db: Path, name: str,
                                                                  data: st.DataObject) -> None:
    fmt = JSON_FORMATS[name]
    unit = copy.deepcopy(fmt.unit("Fuzzed message", "fuzz"))  # changed in place; it shares lists with others
    for path, value in data.draw(_changes(fmt.fields, JSON_VALUES)):
        if _mentions(value, fmt.keys):
            continue
        unit = _set(unit, path, value)
    with _run(template_db) as run:
        _check(run, fmt, [fmt.unit(BEFORE, "before"), unit, fmt.unit(AFTER, "after")])


@pytest.mark.parametrize("name", list(TEXT_FORMATS))
@FUZZ
@given(data=st.data())
def test_any_text_in_any_field_quarantines_at_most_its_unit(template_db: Path, name: str,
                                                            data: st.DataObject) -> None:
    fmt = TEXT_FORMATS[name]
    unit = fmt.unit("Fuzzed message", "fuzz")
    text = st.one_of(_TEXT, st.text(max_size=60), st.binary(max_size=40).map(
        lambda b: b.decode("utf-8", "surrogateescape")), _EDGES.map(str))
    for path, value in data.draw(_changes(fmt.fields, text)):
        if not _mentions(value, fmt.keys):
            unit = _set(unit, path, value)
    with _run(template_db) as run:
        _check(run, fmt, [fmt.unit(BEFORE, "before"), unit, fmt.unit(AFTER, "after")])


@pytest.mark.parametrize("name", list(FORMATS))
@FUZZ
@given(content=st.binary(max_size=300) | st.sampled_from([b"", b"\xff\xfe", b"[", b"{", b"[1e400]", b"\x00" * 8,
                                                           b"[" * 5000, b'{"a": "\\udc00"}']))
def test_any_bytes_in_a_file_or_a_unit_lose_no_neighbour(template_db: Path, name: str, content: bytes) -> None:
    fmt = FORMATS[name]
    units = [fmt.unit(BEFORE, "before"), content, fmt.unit(AFTER, "after")]
    with _run(template_db) as run:
        if name not in ("zendesk-json", "freshdesk", "intercom", "slack"):
            _check(run, fmt, units, fuzzed_unit_count=0)  # blank lines, for one, are no unit
            return
        # bytes inside a JSON array make the whole file invalid JSON: they get a file of their own, between two
        folder = run.folder / "input"
        fmt.write(folder / "a", units[:1])
        fmt.write(folder / "c", units[2:])
        bad = folder / "b" / ("support/2026-11-10.json" if name == "slack" else "export.json")
        bad.parent.mkdir(parents=True)
        bad.write_bytes(content)
        spec = pipeline(run.folder, source("src", fmt.adapter, folder))
        assert ingest_pipeline(run.store, spec)[0].error is None
        _check_stored(run.store, at_least_payloads=3)
        retry_quarantined(run.store, spec)
        _check_stored(run.store, at_least_payloads=3)
