"""Webhook deliveries over time: partial events add to a stored ticket, replays stay duplicates, unreadable signed
bodies are kept and refused, and whole sequences of a ticket's life end in one conversation scored once per text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from test_service_webhooks import CountingScorer, count, example, post, signed

from qa_monitor.config import WritebackSpec
from qa_monitor.records import Interaction, Message, Participant
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.service_env import Env
from tests.support.service_seed import PIPELINE

TICKET = "zendesk:35436"  # api/examples/zendesk_ticket.json: Marta (customer) and Anna (agent, team billing)
STARTED = datetime(2026, 11, 20, 9, 12, 44, tzinfo=UTC)
SUBJECT = "Charged twice for the annual plan"


def zendesk_event(event_id: str, comment_id: int, body: str, *, staff: bool, at: str, public: bool = True
                  ) -> dict[str, Any]:
    """A ticket.comment_added event for ticket 35436, as Zendesk's event subscriptions send it (no subject in
    `detail`, and `via` names the API rather than the ticket's channel)."""
    data = example("zendesk", "zendesk_comment_event.json")
    data["id"], data["time"], data["subject"] = event_id, at, "zen:ticket:35436"
    data["detail"] = {**data["detail"], "id": "35436", "created_at": "2026-11-20T09:12:44Z", "updated_at": at,
                      "requester_id": "20978392", "via": {"channel": "web_service"}}
    del data["detail"]["subject"]
    author = ({"id": "12345678", "is_staff": True, "name": "Anna Berg"} if staff else
              {"id": "20978392", "is_staff": False, "name": "Marta Kowalska"})
    data["event"] = {"comment": {"id": str(comment_id), "body": body, "is_public": public, "author": author}}
    return data


def stored(store: Store, iid: str) -> tuple[Any, list[Any]]:
    """The interaction row and its message rows in order."""
    with store.session() as s:
        row = s.get(t.InteractionRow, iid)
        msgs = list(s.scalars(select(t.MessageRow).where(t.MessageRow.interaction_id == iid)
                              .order_by(t.MessageRow.seq, t.MessageRow.sent_at)))
    return row, msgs


def as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def assert_in_order(msgs: list[Any], ids: list[str]) -> None:
    """The conversation holds exactly these messages, in this order, with distinct increasing seq."""
    assert [m.id for m in msgs] == ids
    assert all(a.seq < b.seq for a, b in zip(msgs, msgs[1:], strict=False)), [m.seq for m in msgs]


def visible_to_billing_only(env: Env, iid: str) -> None:
    assert env.client.get(f"/interactions/{iid}", headers=env.h(env.tokens.billing)).status_code == 200
    assert env.client.get(f"/interactions/{iid}", headers=env.h(env.tokens.tech)).status_code == 404


# --- partial updates ----------------------------------------------------------------------------------------


def test_a_zendesk_comment_event_adds_to_the_stored_ticket(any_env: Env) -> None:
    env = any_env
    assert post(env, "zendesk", example("zendesk")).status_code == 200
    row, before = stored(env.store, TICKET)
    assert row.team_id == "billing" and row.channel == "email"
    r = post(env, "zendesk", zendesk_event("evt-1", 1279, "Any news? It has been a week.", staff=False,
                                           at="2026-11-27T08:00:00Z"))
    assert r.status_code == 200, r.text
    row, after = stored(env.store, TICKET)
    # the ticket keeps its team (so its manager still sees it), start, subject and channel
    assert (row.team_id, as_utc(row.started_at), row.subject, row.channel) == ("billing", STARTED, SUBJECT, "email")
    visible_to_billing_only(env, TICKET)
    # the earlier messages keep their places; the new comment comes after them
    assert [(m.id, m.seq) for m in after[:-1]] == [(m.id, m.seq) for m in before]
    assert_in_order(after, [m.id for m in before] + [f"{TICKET}#1279"])
    # the response covers the whole stored conversation, not only the event's comment
    assert [x["message_id"] for x in r.json()["scores"]] == [f"{TICKET}#1275", f"{TICKET}#1278"]


def test_an_agent_reply_event_is_scored_with_the_customer_turns_before_it(env: Env) -> None:
    state: Any = env.client.app.state  # type: ignore[attr-defined]
    seen_context: list[str] = []

    class Recording(CountingScorer):
        def score(self, items: Any) -> Any:
            seen_context.extend(i.customer for i in items)
            return super().score(items)

    state.scorer = Recording(state.scorer)
    post(env, "zendesk", example("zendesk"))
    post(env, "zendesk", zendesk_event("evt-c", 1279, "Any news? It has been a week.", staff=False,
                                       at="2026-11-27T08:00:00Z"))
    post(env, "zendesk", zendesk_event("evt-a", 1280, "Obviously it takes time.", staff=True,
                                       at="2026-11-27T09:00:00Z"))
    assert state.scorer.seen[-1] == f"{TICKET}#1280" and seen_context[-1] == "Any news? It has been a week."


def ticket_with(provider: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A provider's whole ticket (api/examples), an update carrying less than the whole ticket, and the id of the
    message that update adds (None when it adds none)."""
    whole = example(provider)
    if provider == "jira":  # Jira Cloud's comment_created: the issue without its comment list
        part = example("jira")
        part["timestamp"] += 1
        del part["issue"]["fields"]["comment"]
        part["comment"] = {**part["comment"], "id": "10310", "created": "2026-11-24T09:00:00.000+0000",
                           "author": part["issue"]["fields"]["reporter"], "body": "Still dropping."}
        return whole, part, "jira:HELP-42#10310"
    if provider == "freshdesk":  # an automation that sends the ticket without its conversations
        part = {k: v for k, v in example("freshdesk").items() if k != "conversations"}
        part["event_id"] += "-status"
        return whole, part, ""
    part = example("generic")  # the generic shape's documented partial update: only the new message
    part.update(event_id="evt-partial", partial=True, ticket={"id": "T-1009"}, messages=[{
        "id": "m9", "author": whole["messages"][0]["author"], "text": "Any news?", "sent_at": "2026-11-25T08:00:00Z"}])
    return whole, part, "generic:T-1009#m9"


@pytest.mark.parametrize("provider", ["jira", "freshdesk", "generic"])
def test_an_update_with_less_than_the_whole_ticket_only_adds(any_env: Env, provider: str) -> None:
    env = any_env
    whole, part, added = ticket_with(provider)
    r = post(env, provider, whole)
    assert r.status_code == 200, r.text
    iid = r.json()["interaction_id"]
    row, before = stored(env.store, iid)
    r = post(env, provider, part)
    assert r.status_code == 200, r.text
    after_row, after = stored(env.store, iid)
    assert (after_row.team_id, after_row.started_at, after_row.subject, after_row.channel) == \
        (row.team_id, row.started_at, row.subject, row.channel) and row.team_id
    assert_in_order(after, [m.id for m in before] + ([added] if added else []))
    assert [(m.seq, m.text) for m in after[:len(before)]] == [(m.seq, m.text) for m in before]


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


def unusable() -> list[tuple[str, bytes, str, str]]:
    """Signed bodies the service cannot use, built when a test runs (the examples carry the current time)."""
    return [
        ("nested 100000 deep", b'{"a":' * 100000 + b"1" + b"}" * 100000, "invalid_payload", "nests deeper"),
        ("arrays 100000 deep", b"[" * 100000 + b"]" * 100000, "invalid_payload", "nests deeper"),
        ("nested 200 deep", b'{"ticket": {"id": 1}, "x": ' + b"[" * 200 + b"]" * 200 + b"}", "invalid_payload",
         "nests deeper than 64 levels"),
        ("lone surrogate", _generic_with("messages.1.text", "\ud800 obviously"), "invalid_payload",
         "messages[1].text holds a lone surrogate"),
        ("NUL", _generic_with("ticket.subject", "a\x00b"), "invalid_payload",
         "ticket.subject holds a NUL character"),
        ("bad keys", b'{"ticket": {"id": 1, "a\\u0000\\ud800": 2}}', "invalid_payload",
         "the text at ticket.a\\x00\\ud800"),
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
    for name, body, codes, reason in unusable():
        r = post(env, "generic", None, raw=body)
        assert r.status_code == 422, (name, r.text)
        error = r.json()["error"]
        assert error["code"] in codes.split("|") and reason in error["message"], (name, error)
        with env.store.session() as s:
            raw = s.scalars(select(t.RawPayloadRow).where(t.RawPayloadRow.content == body)).one()
        assert raw.status == "quarantined" and raw.reason == f"{error['code']}: {error['message']}", name
    assert count(env.store, t.WebhookDeliveryRow) == 0
    assert count(env.store, t.InteractionRow, t.InteractionRow.source == "generic") == 0


# --- a ticket's life, delivery by delivery ------------------------------------------------------------------


def _writeback_to(env: Env, provider: str, base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QAM_TEST_TICKET_TOKEN", "tkn-123")
    env.client.app.state.pipeline = PIPELINE.model_copy(update={"writeback": {  # type: ignore[attr-defined]
        provider: WritebackSpec(enabled=True, base_url=base, mode="note", token_env="QAM_TEST_TICKET_TOKEN")}})


def test_a_zendesk_ticket_delivery_by_delivery(any_env: Env, ticket_server: tuple[str, list[dict[str, Any]]],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    env = any_env
    base, notes = ticket_server
    _writeback_to(env, "zendesk", base, monkeypatch)
    state: Any = env.client.app.state  # type: ignore[attr-defined]
    scorer = state.scorer = CountingScorer(state.scorer)
    ticket = example("zendesk")
    wrote: list[str | None] = []

    def deliver(data: dict[str, Any] | None, raw: bytes | None = None, **kw: Any) -> dict[str, Any]:
        r = post(env, "zendesk", data, raw=raw, **kw)
        assert r.status_code == 200, r.text
        wrote.append(r.json()["writeback"])
        row, msgs = stored(env.store, TICKET)  # after every delivery: the same team, distinct places
        assert row.team_id == "billing" and len({m.seq for m in msgs}) == len(msgs), (row.team_id, msgs)
        return dict(r.json())

    deliver(ticket)  # created: two agent replies, one flagged
    deliver(zendesk_event("e-agent", 1279, "Obviously the bank is slow.", staff=True, at="2026-11-20T10:10:00Z"))
    deliver(zendesk_event("e-customer", 1280, "Then call the bank!", staff=False, at="2026-11-20T10:20:00Z"))
    deliver(zendesk_event("e-note", 1281, "Escalated to payments.", staff=True, at="2026-11-20T10:25:00Z",
                          public=False))
    deliver(zendesk_event("e-edit", 1279, "The bank needs a few days.", staff=True, at="2026-11-20T10:30:00Z"))
    # the whole ticket as it now stands, sent again (by a trigger), then replayed with a new invocation id
    ticket["comments"] += [
        {"id": 1279, "author_id": 12345678, "body": "The bank needs a few days.", "public": True,
         "created_at": "2026-11-20T10:10:00Z"},
        {"id": 1280, "author_id": 20978392, "body": "Then call the bank!", "public": True,
         "created_at": "2026-11-20T10:20:00Z"},
        {"id": 1281, "author_id": 12345678, "body": "Escalated to payments.", "public": False,
         "created_at": "2026-11-20T10:25:00Z"}]
    body = json.dumps(ticket).encode()
    headers = signed("zendesk", body)
    last = deliver(None, raw=body, extra={**headers, "X-Zendesk-Webhook-Invocation-Id": "inv-1"})
    replay = deliver(None, raw=body, extra={**headers, "X-Zendesk-Webhook-Invocation-Id": "inv-2"})
    assert replay["status"] == "duplicate" and replay["scores"] == last["scores"]

    assert count(env.store, t.InteractionRow, t.InteractionRow.source == "zendesk") == 1
    row, msgs = stored(env.store, TICKET)
    assert_in_order(msgs, [f"{TICKET}#{n}" for n in range(1274, 1282)])
    assert (as_utc(row.started_at), row.subject, row.channel) == (STARTED, SUBJECT, "email")
    visible_to_billing_only(env, TICKET)
    # each agent reply scored once per text it had; the customer's reply and the note scored nothing
    assert scorer.seen == [f"{TICKET}#1275", f"{TICKET}#1278", f"{TICKET}#1279", f"{TICKET}#1279"]
    with env.store.session() as s:
        assert {m.id: m.text for m in msgs}[f"{TICKET}#1279"] == "The bank needs a few days."
        assert s.scalar(select(t.MessageRow.scored_version).where(t.MessageRow.id == f"{TICKET}#1279"))
    # one note per delivery that scored something, none for the rest or the replay
    assert wrote[:5] == ["written: note", "written: note", "skipped: no new or edited agent message",
                         "skipped: no new or edited agent message", "written: note"]
    assert wrote[5] == "skipped: no new or edited agent message" and wrote[6] == wrote[5]
    assert [(x["method"], x["path"]) for x in notes] == [("PUT", "/api/v2/tickets/35436.json")] * 3


def test_a_generic_ticket_delivery_by_delivery(any_env: Env, ticket_server: tuple[str, list[dict[str, Any]]],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    env = any_env
    base, notes = ticket_server
    _writeback_to(env, "generic", base, monkeypatch)
    state: Any = env.client.app.state  # type: ignore[attr-defined]
    scorer = state.scorer = CountingScorer(state.scorer)
    when = datetime.now(UTC)  # one signed time for all: the re-sent whole ticket is the same body
    anna = {"id": "a-3", "name": "Anna Berg", "email": "anna@help.example", "role": "agent"}
    ilze = {"id": "c-77", "name": "Ilze Ozola", "role": "customer"}
    wrote: list[str | None] = []

    def message(mid: str, who: dict[str, Any], text: str, minute: int) -> dict[str, Any]:
        return {"id": mid, "author": who, "text": text, "sent_at": f"2026-11-24T14:{minute:02d}:00Z"}

    def deliver(event_id: str | None, messages: list[dict[str, Any]], partial: bool = False,
                **kw: Any) -> dict[str, Any]:
        data = {**example("generic", when=when), "event_id": event_id, "messages": messages, "partial": partial}
        if event_id is None:
            del data["event_id"]
        r = post(env, "generic", data, **kw)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == ("duplicate" if kw.get("extra", {}).get("X-QA-Monitor-Delivery") == "d-2"
                                      else "scored")
        wrote.append(r.json()["writeback"])
        row, msgs = stored(env.store, "generic:T-1009")  # after every delivery: the same team, distinct places
        assert row.team_id == "billing" and len({m.seq for m in msgs}) == len(msgs), (row.team_id, msgs)
        return dict(r.json())

    m1 = message("m1", ilze, "Where is my order?", 0)
    m2 = message("m2", anna, "Obviously it is with the courier.", 5)
    deliver("g-1", [m1, m2])
    deliver("g-2", [message("m3", ilze, "It was due on Monday.", 10)], partial=True)
    edited = {**m2, "text": "Obviously it is with the courier; I will chase them."}
    deliver("g-3", [edited], partial=True)
    whole = [m1, edited, message("m3", ilze, "It was due on Monday.", 10)]
    first = deliver(None, whole, extra={"X-QA-Monitor-Delivery": "d-1"})
    replay = deliver(None, whole, extra={"X-QA-Monitor-Delivery": "d-2"})
    assert replay["status"] == "duplicate" and replay["delivery_id"] == first["delivery_id"]

    _, msgs = stored(env.store, "generic:T-1009")
    assert_in_order(msgs, ["generic:T-1009#m1", "generic:T-1009#m2", "generic:T-1009#m3"])
    assert scorer.seen == ["generic:T-1009#m2", "generic:T-1009#m2"]
    # a note for the first reply and one for its edit; none for the customer's turn, the re-sent ticket or the replay
    skipped = "skipped: no new or edited agent message"
    assert wrote == ["written: note", skipped, "written: note", skipped, skipped] and len(notes) == 2
    visible_to_billing_only(env, "generic:T-1009")
