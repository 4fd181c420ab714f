"""A database error while storing a message never carries the message's text into a log record, an error
response or the exception's own message (SQLite; PostgreSQL too)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from qa_monitor.records import Interaction, Message, Participant
from qa_monitor.service.signatures import hex_signature
from tests.support.service_env import SECRETS, Env

SECRET_TEXT = "Dear Mr Kowalski, your new password is hunter2-7f3c"

# a trigger on messages that makes every insert fail with the given kind of error
TRIGGERS = {
    ("sqlite", "integrity"): ["CREATE TRIGGER fail_messages BEFORE INSERT ON messages "
                              "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"],
    ("sqlite", "operational"): ["CREATE TRIGGER fail_messages BEFORE INSERT ON messages "
                                "BEGIN INSERT INTO no_such_table VALUES (1); END"],
    ("postgresql", "integrity"): [
        "CREATE FUNCTION fail_messages() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'forced failure' "
        "USING ERRCODE = 'integrity_constraint_violation'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER fail_messages BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION fail_messages()"],
    ("postgresql", "operational"): [
        "CREATE FUNCTION fail_messages() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'forced failure' "
        "USING ERRCODE = 'insufficient_resources'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER fail_messages BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION fail_messages()"],
}
ERRORS = {"integrity": IntegrityError, "operational": OperationalError}


def break_message_inserts(env: Env, kind: str) -> None:
    with env.store.engine.begin() as conn:
        for sql in TRIGGERS[(env.store.engine.dialect.name, kind)]:
            conn.execute(text(sql))


@pytest.mark.parametrize("kind", ["integrity", "operational"])
def test_a_database_error_hides_the_message_text(any_env: Env, kind: str, caplog: pytest.LogCaptureFixture
                                                 ) -> None:
    break_message_inserts(any_env, kind)
    caplog.set_level(logging.DEBUG)
    payload = {"event_id": f"evt-{kind}", "occurred_at": datetime.now(UTC).isoformat(),
               "ticket": {"id": f"T-{kind}", "channel": "chat"},
               "messages": [{"id": "m1", "author": {"id": "a-1", "role": "agent"}, "text": SECRET_TEXT,
                             "sent_at": "2026-11-24T13:50:00Z"}]}
    body = json.dumps(payload).encode()
    r = any_env.client.post("/webhooks/generic", content=body, headers={
        **any_env.h(any_env.tokens.webhook), "Content-Type": "application/json",
        "X-QA-Monitor-Signature": hex_signature(SECRETS["generic"], body)})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error", r.text
    assert SECRET_TEXT not in r.text
    assert any(rec.exc_info and isinstance(rec.exc_info[1], ERRORS[kind]) for rec in caplog.records), \
        "the database error was logged"
    assert SECRET_TEXT not in caplog.text

    # the exception itself: what a job records as its error and what a command line traceback shows
    it = Interaction(id="crm:1", source="crm", native_id="1", channel="chat", started_at=datetime.now(UTC),
                     messages=(Message(id="crm:1#1", interaction_id="crm:1", seq=0, sent_at=datetime.now(UTC),
                                       author=Participant(id="c-1", role="customer"), text=SECRET_TEXT),))
    with pytest.raises(ERRORS[kind]) as raised:
        any_env.store.upsert_interactions([it])
    assert "INSERT INTO messages" in str(raised.value) and SECRET_TEXT not in str(raised.value)
