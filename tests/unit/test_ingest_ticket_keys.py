"""Which key an interaction gets: ticket systems key on the system (and account), everything else on the source."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from qa_monitor.ingest import ingest_pipeline
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.ingest import FIXTURES, count, pipeline, source, sqlite_store

CHAT = FIXTURES / "chat"


def _interactions(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as s:
        return [tuple(r) for r in s.execute(select(t.InteractionRow.id, t.InteractionRow.source,
                                                   t.InteractionRow.native_id).order_by(t.InteractionRow.id))]


def test_ticket_exports_are_keyed_on_the_ticket_system_whatever_the_source_is_called(tmp_path: Path) -> None:
    spec = pipeline(tmp_path, source("support-eu", "zendesk", CHAT / "zendesk_tickets.jsonl")
                    + source("zendesk-archive", "zendesk", CHAT / "zendesk_api.json")
                    + source("desk", "freshdesk", CHAT / "freshdesk_tickets.json"))
    store = sqlite_store(tmp_path)
    assert all(r.error is None for r in ingest_pipeline(store, spec))
    assert _interactions(store) == [("freshdesk:3101", "freshdesk", "3101"), ("freshdesk:3102", "freshdesk", "3102"),
                                    ("zendesk:5521", "zendesk", "5521"), ("zendesk:5530", "zendesk", "5530"),
                                    ("zendesk:5534", "zendesk", "5534"), ("zendesk:6001", "zendesk", "6001"),
                                    ("zendesk:6002", "zendesk", "6002")]
    assert count(store, t.MessageRow, t.MessageRow.id.like("zendesk:5521#%")) == 4
    # the raw payloads still say which source read them
    with store.session() as s:
        assert set(s.scalars(select(t.RawPayloadRow.source))) == {"support-eu", "zendesk-archive", "desk"}


def test_two_sources_reading_one_account_store_each_ticket_once(tmp_path: Path) -> None:
    spec = pipeline(tmp_path, source("zd-full", "zendesk", CHAT / "zendesk_tickets.jsonl")
                    + source("zd-daily", "zendesk", CHAT / "zendesk_tickets.jsonl"))
    store = sqlite_store(tmp_path)
    ingest_pipeline(store, spec)
    assert [i for i, _, _ in _interactions(store)] == ["zendesk:5521", "zendesk:5530", "zendesk:5534"]
    assert count(store, t.MessageRow) == 9


def test_an_account_keeps_two_accounts_of_one_system_apart(tmp_path: Path) -> None:
    spec = pipeline(tmp_path, source("zd-eu", "zendesk", CHAT / "zendesk_tickets.jsonl")
                    + source("zd-us", "zendesk", CHAT / "zendesk_tickets.jsonl", account="us"))
    store = sqlite_store(tmp_path)
    ingest_pipeline(store, spec)
    keys = _interactions(store)
    assert ("zendesk@us:5521", "zendesk@us", "5521") in keys and ("zendesk:5521", "zendesk", "5521") in keys
    assert len(keys) == 6 and count(store, t.MessageRow, t.MessageRow.id.like("zendesk@us:5521#%")) == 4


def test_sources_without_a_ticket_system_are_keyed_on_their_name(tmp_path: Path) -> None:
    spec = pipeline(tmp_path, source("chat-a", "intercom", CHAT / "intercom_conversations.json")
                    + source("crm", "jsonl", CHAT / "messages.jsonl")
                    + source("helpdesk", "jsonl", CHAT / "messages.jsonl", system="generic"))
    store = sqlite_store(tmp_path)
    assert all(r.error is None for r in ingest_pipeline(store, spec))
    keys = _interactions(store)
    assert ("chat-a:184200311", "chat-a", "184200311") in keys
    assert ("crm:chat-9001", "crm", "chat-9001") in keys
    # a JSONL export of a ticket system that also sends the generic webhook is keyed as that webhook keys it
    assert ("generic:chat-9001", "generic", "chat-9001") in keys
    assert count(store, t.MessageRow, t.MessageRow.id.like("generic:chat-9001#%")) == 4


def test_bad_account_or_system_options_stop_the_source_with_a_clear_error(tmp_path: Path) -> None:
    spec = pipeline(tmp_path, source("a", "zendesk", CHAT / "zendesk_tickets.jsonl", account="EU West")
                    + source("b", "intercom", CHAT / "intercom_conversations.json", account="eu")
                    + source("c", "jsonl", CHAT / "messages.jsonl", system="salesforce"))
    store = sqlite_store(tmp_path)
    errors = [r.error for r in ingest_pipeline(store, spec)]
    assert errors[0] is not None and "source 'a': options.account must be" in errors[0]
    assert errors[1] is not None and "source 'b': options.account applies to ticket systems only" in errors[1]
    assert errors[2] is not None and "options.system must be one of zendesk, freshdesk, jira, generic" in errors[2]
    assert count(store, t.InteractionRow) == 0
