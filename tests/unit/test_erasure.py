"""Erasure: `erase_customer` leaves no row anywhere in the database holding the customer's address, name or
words (every table and every text, JSON and binary column is read back generically), keeps other customers'
data and the agents' scores, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select

from qa_monitor.config import load_pipeline
from qa_monitor.errors import ConfigError
from qa_monitor.ingest import ingest_pipeline
from qa_monitor.records import Finding, Interaction, Message, MessageScore, Participant, RawPayload
from qa_monitor.storage import tables as t
from qa_monitor.storage.purge import erase_customer
from qa_monitor.storage.store import Store

ADDRESS = "jane.doe@cust.example"
NAME = "Jane Doe"
# what Jane wrote, and what the agents answered her: none of it may remain
JANE_SAID = ["I was charged twice for order 4471, please refund me.",
             "Please send my parcels to Elm Street 12 from now on.",
             "Where is my refund for order 4471? I am still waiting.",
             "My discount code JANE10 does not work at checkout."]
ANSWERS = ["read the FAQ before writing to us", "Done, the new address is saved.", "As I said, wait."]
BOB_SAID = "My router keeps dropping the connection every night."
BOB_ANSWER = "Restart it, obviously."

PIPELINE = """
name = "erasure"
agent_domains = ["help.example"]

[[teams]]
id = "care"
name = "Care"

[[agents]]
id = "anna"
name = "Anna Ozola"
team = "care"
emails = ["anna@help.example"]

[[sources]]
name = "mail"
adapter = "eml"
options.path = "mail"
"""


def mail(headers: dict[str, str], body: str) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()


def write_mailbox(folder: Path) -> None:
    """Jane's two threads (one named after a Message-ID holding her address), an auto-reply to her, a broken copy
    of her first e-mail, and Bob's thread with Jane in copy."""
    folder.mkdir()
    jane = f"{NAME} <{ADDRESS}>"
    anna = "Anna Ozola <anna@help.example>"
    files = {
        "01.eml": mail({"From": jane, "To": "help@help.example", "Subject": "Charged twice",
                        "Date": "Mon, 16 Nov 2026 09:00:00 +0000", "Message-ID": "<a1@mx.cust.example>"},
                       JANE_SAID[0]),
        "02.eml": mail({"From": anna, "To": jane, "Subject": "Re: Charged twice",
                        "Date": "Mon, 16 Nov 2026 10:00:00 +0000", "Message-ID": "<r1@help.example>",
                        "In-Reply-To": "<a1@mx.cust.example>", "References": "<a1@mx.cust.example>"},
                       f"Hi {NAME}, {ANSWERS[0]}."),
        "03.eml": mail({"From": jane, "To": "help@help.example", "Subject": "Address change",
                        "Date": "Tue, 17 Nov 2026 09:00:00 +0000", "Message-ID": f"<77.{ADDRESS}>"},
                       JANE_SAID[1]),
        "04.eml": mail({"From": anna, "To": jane, "Subject": "Re: Address change",
                        "Date": "Tue, 17 Nov 2026 10:00:00 +0000", "Message-ID": "<r2@help.example>",
                        "In-Reply-To": f"<77.{ADDRESS}>", "References": f"<77.{ADDRESS}>"}, ANSWERS[1]),
        "05.eml": mail({"From": "help@help.example", "To": jane, "Subject": "We got your message",
                        "Date": "Mon, 16 Nov 2026 09:00:05 +0000", "Message-ID": "<auto1@help.example>",
                        "Auto-Submitted": "auto-replied"}, "Thank you, we will answer soon."),
        # a copy whose MIME structure is cut off: quarantined
        "06.eml": (f"From: {jane}\r\nDate: Mon, 16 Nov 2026 09:00:00 +0000\r\nMessage-ID: <a1b@mx.cust.example>\r\n"
                   "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
                   f"Content-Type: text/plain\r\n\r\n{JANE_SAID[0]}\r\n").encode(),
        "07.eml": mail({"From": "Bob Stone <bob@other.example>", "To": "help@help.example", "Cc": jane,
                        "Subject": "Wifi", "Date": "Wed, 18 Nov 2026 09:00:00 +0000",
                        "Message-ID": "<b1@other.example>"}, BOB_SAID),
        "08.eml": mail({"From": anna, "To": "bob@other.example", "Subject": "Re: Wifi",
                        "Date": "Wed, 18 Nov 2026 10:00:00 +0000", "Message-ID": "<r3@help.example>",
                        "In-Reply-To": "<b1@other.example>", "References": "<b1@other.example>"}, BOB_ANSWER),
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)


def rude(mid: str, text: str, evidence: str) -> MessageScore:
    start = max(0, text.find(evidence))
    f = Finding(message_id=mid, label="rude", score=0.9, start=start, end=start + len(evidence), detector="markers",
                detector_version="1", explanation=f"'{evidence}' is curt", suggestion=f"Instead of '{evidence}'...",
                evidence=evidence)
    return MessageScore(message_id=mid, language="en", scores={"rude": 0.9, "unclear": 0.1},
                        thresholds={"rude": 0.5, "unclear": 0.5}, findings=(f,), model_version="m1",
                        threshold_version="t1")


def seed(store: Store, tmp_path: Path) -> None:
    """The mailbox ingested and scored, a ticket and a chat of Jane's as webhooks and exports leave them (raw
    payloads, delivery record, job), a broken copy of her chat line, and a manager's note quoting her."""
    write_mailbox(tmp_path / "mail")
    (tmp_path / "p.toml").write_text(PIPELINE, encoding="utf-8")
    ingest_pipeline(store, load_pipeline(tmp_path / "p.toml"))
    when = datetime(2026, 11, 19, 9, tzinfo=UTC)
    ticket = {"ticket": {"id": 9001, "subject": "Refund", "requester": {"email": ADDRESS, "name": NAME},
                         "comments": [{"id": 1, "author_id": 555, "body": JANE_SAID[2]},
                                      {"id": 2, "author_id": 42, "body": ANSWERS[2]}]}}
    chat_line = {"interaction_id": "c-1", "message_id": "m1", "author": "cust-778", "author_name": NAME,
                 "role": "customer", "sent_at": when.isoformat(), "text": JANE_SAID[3]}
    raws = {"hook": RawPayload(id="webhook-zendesk:1", source="webhook-zendesk", kind="json", ref="d1",
                               content=json.dumps(ticket).encode()),
            "chat": RawPayload(id="chat:1", source="chat", kind="jsonl.lines", ref="crm.jsonl:1",
                               content=json.dumps(chat_line).encode()),
            # the same line cut short in a later export: quarantined, and linked to nothing
            "chat_broken": RawPayload(id="chat:2", source="chat", kind="jsonl.lines", ref="crm2.jsonl:1",
                                      content=json.dumps(chat_line).encode()[:-30], status="quarantined",
                                      reason="crm2.jsonl line 1: invalid JSON")}
    store.save_raw(list(raws.values()))

    def turn(iid: str, n: int, who: Participant, text: str) -> Message:
        return Message(id=f"{iid}#{n}", interaction_id=iid, seq=n, author=who, sent_at=when + timedelta(minutes=n),
                       text=text)

    agent = Participant(id="anna@help.example", role="agent", name="Anna Ozola", agent_id="anna")
    zd = "zendesk:9001"
    store.upsert_interactions([
        Interaction(id=zd, source="zendesk", native_id="9001", channel="ticket", started_at=when, subject="Refund",
                    raw_payload_ids=(raws["hook"].id,), meta={"webhook": "zendesk", "requester": ADDRESS},
                    messages=(turn(zd, 0, Participant(id=ADDRESS, role="customer", name=NAME), JANE_SAID[2]),
                              turn(zd, 1, agent, ANSWERS[2]))),
        Interaction(id="chat:c-1", source="chat", native_id="c-1", channel="chat", started_at=when,
                    raw_payload_ids=(raws["chat"].id,),
                    messages=(turn("chat:c-1", 0, Participant(id="cust-778", role="customer", name=NAME),
                                   JANE_SAID[3]),
                              turn("chat:c-1", 1, agent, "Let me check that code.")))])
    with store.session() as s:
        texts = dict(s.execute(select(t.MessageRow.id, t.MessageRow.text).where(t.MessageRow.role == "agent")).all())
    store.save_scores([rude(mid, text, ev) for mid, text in texts.items()
                       for ev in ("read the FAQ", "As I said", "obviously", "Done") if ev in text])
    with store.session() as s:
        fid = s.scalar(select(t.FindingRow.id).where(t.FindingRow.evidence == "read the FAQ"))
        s.add(t.ReviewRow(finding_id=fid, verdict="confirmed", note=f"{NAME} ({ADDRESS}) complained about this"))
        s.add(t.WebhookDeliveryRow(id="zendesk:d1", provider="zendesk", raw_payload_id=raws["hook"].id,
                                   interaction_id=zd, status="done", response={"scores": [{"findings": [
                                       {"label": "rude", "explanation": f"'{ANSWERS[2]}' is curt"}]}]}))
        s.add(t.JobRow(id="j1", kind="webhook", status="failed", params={"raw_payload_id": raws["hook"].id},
                       error=f"ParseError: ticket 9001: requester {ADDRESS} has no name"))


def strings(value: Any) -> Iterator[str]:
    """Every piece of text in a column value: text, bytes (as UTF-8), and JSON's keys and values."""
    if isinstance(value, memoryview | bytes | bytearray):
        yield bytes(value).decode("utf-8", "replace")
    elif isinstance(value, str):
        yield value
        yield from strings(_json(value))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings(v)
    elif value is not None:
        yield str(value)


def _json(text: str) -> Any:
    """A text column holding JSON (as some drivers return it), decoded; else None."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def where_found(store: Store, needles: list[str]) -> dict[str, set[str]]:
    """For each needle, the `table.column`s holding it (case-insensitive), reading every table the database has
    (reflected, so a table added later is read too) and every column of it."""
    found: dict[str, set[str]] = {}
    db = MetaData()
    db.reflect(store.engine)
    assert {"messages", "raw_payloads", "cursors", "jobs"} <= set(db.tables)
    with store.engine.connect() as conn:
        for table in db.sorted_tables:
            for row in conn.execute(select(table)):
                for col, value in row._mapping.items():
                    for text in strings(value):
                        for needle in needles:
                            if needle.casefold() in text.casefold():
                                found.setdefault(needle, set()).add(f"{table.name}.{col}")
    return found


def count(store: Store, row: Any, *where: Any) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(row).where(*where)) or 0)


def test_no_trace_of_the_customer_remains(store: Store, tmp_path: Path) -> None:
    seed(store, tmp_path)
    gone = [ADDRESS, NAME, *JANE_SAID, *ANSWERS]
    before = where_found(store, gone)
    # the data is spread the way ingestion spreads it, so the scan below has something to miss
    assert set(before) == set(gone)
    assert {c.split(".")[0] for cols in before.values() for c in cols} >= {
        "messages", "interactions", "raw_payloads", "findings", "reviews", "webhook_deliveries", "jobs", "cursors"}
    assert count(store, t.RawPayloadRow, t.RawPayloadRow.status == "quarantined") == 2
    assert count(store, t.RawPayloadRow, t.RawPayloadRow.status == "skipped") == 1
    scores_kept = count(store, t.MessageScoreRow, t.MessageScoreRow.message_id.in_(["zendesk:9001#1"]))

    report = erase_customer(store, emails=["Jane.Doe@CUST.example"], ids=["cust-778"])

    assert where_found(store, gone) == {}
    # Bob's conversation is his: only his e-mail's raw bytes (which name Jane in copy) are emptied
    kept = where_found(store, [BOB_SAID, BOB_ANSWER, "Wifi"])
    assert {n: {c for c in cols if c.startswith(("messages.", "interactions."))} for n, cols in kept.items()} == {
        BOB_SAID: {"messages.text"}, BOB_ANSWER: {"messages.text"}, "Wifi": {"interactions.subject"}}
    # the agents' replies to Jane keep their scores (the thread named after her Message-ID is deleted whole)
    assert count(store, t.MessageScoreRow, t.MessageScoreRow.message_id == "zendesk:9001#1") == scores_kept == 2
    assert count(store, t.InteractionRow, t.InteractionRow.id.contains("77.")) == 0
    assert count(store, t.RawPayloadRow, t.RawPayloadRow.status == "quarantined") == 0
    rows = {name: (emptied, deleted) for name, emptied, deleted in report.rows()}
    # raw payloads: every e-mail but Anna's answer to Bob (7), the ticket, the chat line and its broken copy
    assert rows["interactions"] == (3, 1) and rows["raw_payloads"] == (7 + 3, 0)
    assert rows["messages"][1] == 2 and rows["cursors"] == (1, 0) and rows["jobs"] == (1, 0)


def test_refuses_an_agent_and_needs_a_name(store: Store, tmp_path: Path) -> None:
    seed(store, tmp_path)
    with pytest.raises(ConfigError, match="agent"):
        erase_customer(store, emails=["anna@help.example"])
    with pytest.raises(ConfigError, match="name the customer"):
        erase_customer(store, emails=[" "])
    assert count(store, t.MessageRow, t.MessageRow.purged_at.is_not(None)) == 0


def test_erased_customer_read_again_stays_erased(store: Store, tmp_path: Path) -> None:
    seed(store, tmp_path)
    erase_customer(store, emails=[ADDRESS])
    # the mailbox is read again from the start (a new cursor): Jane's surviving thread stays empty
    with store.session() as s:
        s.execute(t.CursorRow.__table__.delete())
    ingest_pipeline(store, load_pipeline(tmp_path / "p.toml"))
    with store.session() as s:
        jane = s.scalars(select(t.MessageRow).where(t.MessageRow.interaction_id == "mail:a1@mx.cust.example")
                         .order_by(t.MessageRow.seq)).all()
    assert [(m.text, m.author_id) for m in jane] == [("", ""), ("", "anna@help.example")]
    assert where_found(store, JANE_SAID[:1] + ANSWERS[:1]) == {}
