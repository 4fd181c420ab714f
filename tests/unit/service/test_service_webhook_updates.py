"""Webhook deliveries over time: updates that carry less than the whole ticket only add to it, replays stay
duplicates, and unreadable signed bodies are kept and refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from service_env import Env
from service_seed import PIPELINE
from sqlalchemy import select
from test_service_webhooks import CountingScorer, count, example, post

from qa_monitor.records import Interaction, Message, Participant
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store


def stored(store: Store, iid: str) -> tuple[Any, list[Any]]:
    """The interaction row and its message rows in order."""
    with store.session() as s:
        row = s.get(t.InteractionRow, iid)
        msgs = list(s.scalars(select(t.MessageRow).where(t.MessageRow.interaction_id == iid)
                              .order_by(t.MessageRow.seq, t.MessageRow.sent_at)))
    return row, msgs


def as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_the_store_never_erases_or_reorders_on_update(any_store: Store) -> None:
    any_store.sync_directory(PIPELINE)
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    anna = Participant(id="anna@help.example", role="agent", name="Anna Berg", agent_id="anna")
    cust = Participant(id="c-1", role="customer")

    def msg(native: str, seq: int, who: Participant, minutes: int, text: str) -> Message:
        return Message(id=f"chat:1#{native}", interaction_id="chat:1", seq=seq, author=who,
                       sent_at=t0 + timedelta(minutes=minutes), text=text)

    def conv(*msgs: Message, partial: bool = False, subject: str | None = None) -> Interaction:
        return Interaction(id="chat:1", source="chat", native_id="1", channel="chat", subject=subject,
                           started_at=min(m.sent_at for m in msgs), messages=msgs, partial=partial)

    any_store.upsert_interactions([conv(msg("a", 0, cust, 0, "Hello?"), msg("b", 1, anna, 5, "Hi, how can I help?"),
                                        subject="Login")])
    # a later run of the same conversation (as the JSONL reader sends one): only later, customer turns
    any_store.upsert_interactions([conv(msg("c", 2, cust, 30, "Still there?"))])
    row, _ = stored(any_store, "chat:1")
    assert (row.team_id, as_utc(row.started_at), row.subject) == ("billing", t0, "Login")
    # a partial update: an edit of a stored message, placed at the event's time, and one new message
    any_store.upsert_interactions([conv(msg("b", 0, anna, 90, "Hi! How can I help?"),
                                        msg("d", 1, anna, 95, "Sorry for the wait."), partial=True)])
    row, msgs = stored(any_store, "chat:1")
    assert (row.team_id, as_utc(row.started_at), row.subject) == ("billing", t0, "Login")
    assert [(m.id[7:], m.seq, as_utc(m.sent_at) - t0, m.text) for m in msgs] == [
        ("a", 0, timedelta(0), "Hello?"), ("b", 1, timedelta(minutes=5), "Hi! How can I help?"),
        ("c", 2, timedelta(minutes=30), "Still there?"), ("d", 3, timedelta(minutes=95), "Sorry for the wait.")]


# --- idempotency from what is signed ----------------------------------------------------------------------


@pytest.mark.parametrize(("provider", "header"), [
    ("zendesk", "X-Zendesk-Webhook-Invocation-Id"), ("jira", "X-Atlassian-Webhook-Identifier"),
    ("freshdesk", "X-QA-Monitor-Delivery"), ("generic", "X-QA-Monitor-Delivery")])
def test_a_new_delivery_header_does_not_make_a_signed_body_new(env: Env, provider: str, header: str) -> None:
    state: Any = env.client.app.state  # type: ignore[attr-defined]
    scorer = state.scorer = CountingScorer(state.scorer)
    data = example(provider)
    data.pop("event_id", None)  # no event id in the body: the key is the body's digest
    first = post(env, provider, data, extra={header: "delivery-1"})
    assert first.status_code == 200 and first.json()["status"] == "scored", first.text
    calls = list(scorer.seen)
    replay = post(env, provider, data, extra={header: "delivery-2"})
    assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
    assert replay.json()["delivery_id"] == first.json()["delivery_id"]
    assert scorer.seen == calls and count(env.store, t.WebhookDeliveryRow) == 1


def test_the_payload_event_id_is_the_key_and_a_resigned_retry_is_a_duplicate(env: Env) -> None:
    data = example("zendesk", "zendesk_comment_event.json")
    body = json.dumps(data).encode()
    first = post(env, "zendesk", None, raw=body)
    later = datetime.now(UTC) + timedelta(seconds=30)  # Zendesk signs a retry again, with a new timestamp
    retry = post(env, "zendesk", None, raw=body, when=later, extra={"X-Zendesk-Webhook-Invocation-Id": "x-2"})
    assert first.json()["delivery_id"] == data["id"]
    assert retry.status_code == 200 and retry.json()["status"] == "duplicate"


# --- signed bodies that cannot be used ----------------------------------------------------------------------


def _generic_with(path: str, value: Any) -> bytes:
    data = example("generic")
    data["event_id"] = f"evt-{path}-{value!r}"[:100]
    target: Any = data
    *parents, last = path.split(".")
    for p in parents:
        target = target[int(p)] if p.isdigit() else target[p]
    target[int(last) if last.isdigit() else last] = value
    return json.dumps(data).encode()


UNUSABLE = [
    ("nested 100000 deep", b'{"a":' * 100000 + b"1" + b"}" * 100000, "invalid_payload", "nests deeper"),
    ("arrays 100000 deep", b"[" * 100000 + b"]" * 100000, "invalid_payload", "nests deeper"),
    ("nested 200 deep", b'{"ticket": {"id": 1}, "x": ' + b"[" * 200 + b"]" * 200 + b"}", "invalid_payload",
     "nests deeper than 64 levels"),
    ("lone surrogate", _generic_with("messages.1.text", "\ud800 obviously"), "invalid_payload",
     "messages[1].text holds a lone surrogate"),
    ("NUL", _generic_with("ticket.subject", "a\x00b"), "invalid_payload", "ticket.subject holds a NUL character"),
    ("bad keys", b'{"ticket": {"id": 1, "a\\u0000\\ud800": 2}}', "invalid_payload", "the text at ticket.a\\x00\\ud800"),
    ("year past 9999 in UTC", _generic_with("messages.1.sent_at", "9999-12-31T23:30:00-05:00"), "invalid_payload",
     "out of range"),
    ("year 10000", _generic_with("messages.0.sent_at", "10000-01-01T00:00:00Z"), "invalid_payload",
     "messages[0].sent_at"),
    ("unix time -1e20", _generic_with("messages.0.sent_at", -1e20), "invalid_payload", "out of range"),
    ("not an object", b"[1, 2]", "invalid_payload", "JSON object"),
    ("not JSON", b'{"ticket": ', "malformed_json", "line 1, column 12"),
]


def test_unusable_signed_bodies_are_422_and_kept_in_quarantine(any_env: Env) -> None:
    env = any_env
    for name, body, codes, reason in UNUSABLE:
        r = post(env, "generic", None, raw=body)
        assert r.status_code == 422, (name, r.text)
        error = r.json()["error"]
        assert error["code"] in codes.split("|") and reason in error["message"], (name, error)
        with env.store.session() as s:
            raw = s.scalars(select(t.RawPayloadRow).where(t.RawPayloadRow.content == body)).one()
        assert raw.status == "quarantined" and raw.reason == f"{error['code']}: {error['message']}", name
    assert count(env.store, t.WebhookDeliveryRow) == 0
    assert count(env.store, t.InteractionRow, t.InteractionRow.source == "generic") == 0
