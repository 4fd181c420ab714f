"""Updates of stored tickets: an update that carries less than the whole ticket only adds to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from service_seed import PIPELINE
from sqlalchemy import select

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
