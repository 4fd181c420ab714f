"""Ids: what the store keeps and what the routes accept agree for every kind of id; a native id too long to store
is quarantined with the reason (SQLite; PostgreSQL too)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa_monitor.config import load_pipeline
from qa_monitor.errors import ParseError, PipelineError
from qa_monitor.ingest import ingest_pipeline
from qa_monitor.records import MAX_INTERACTION_ID, MAX_MESSAGE_ID, MAX_SHORT_ID, Participant
from qa_monitor.service.app import create_app
from qa_monitor.service.auth import create_user
from qa_monitor.service.signatures import hex_signature
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.ingest import count, pipeline, source
from tests.support.service_env import SECRETS, make_settings

SOURCE = "crm"  # interaction ids are "crm:<native id>"
LONGEST_NATIVE = MAX_INTERACTION_ID - len(SOURCE) - 1
LONGEST_AGENT = "a" * MAX_SHORT_ID


def line(interaction: str, message: str, role: str = "customer", author: str = "cust-1") -> str:
    return json.dumps({"interaction_id": interaction, "message_id": message, "author": author, "role": role,
                       "sent_at": "2026-11-10T10:00:00+02:00", "text": "Hello, my order is late."})


@pytest.fixture
def client(any_store: Store, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app over the store, with an admin token and the webhook user's token."""
    admin = create_user(any_store, "root", "admin")[1]
    hook = create_user(any_store, "hook", "webhook")[1]
    app = create_app(make_settings(tmp_path, generic_webhook_secret=SECRETS["generic"]), store=any_store,
                     scorer_factory=lambda *a: None)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, {"admin": admin, "webhook": hook}


def test_the_longest_ids_are_stored_and_fetched_and_longer_ones_quarantined(
        any_store: Store, client: tuple[TestClient, dict[str, str]], tmp_path: Path) -> None:
    c, tokens = client
    longest, too_long = "n" * LONGEST_NATIVE, "x" * (LONGEST_NATIVE + 1)
    longest_msg = "m" * (MAX_MESSAGE_ID - MAX_INTERACTION_ID - 1)  # "<interaction id>#<native message id>"
    export = tmp_path / "crm.jsonl"
    export.write_text("\n".join([
        line(longest, longest_msg),
        line(longest, "m2", role="agent", author="olga"),
        line(too_long, "m1"),
        line("short", "m" * (MAX_MESSAGE_ID - len(f"{SOURCE}:short#") + 1)),
        line("authors", "m1", author="c" * 301),
    ]) + "\n", encoding="utf-8")
    spec = pipeline(tmp_path, source(SOURCE, "jsonl", export))
    report = ingest_pipeline(any_store, spec)[0]
    assert (report.interactions, report.quarantined, report.error) == (1, 3, None)

    iid = f"{SOURCE}:{longest}"
    assert len(iid) == MAX_INTERACTION_ID
    r = c.get(f"/interactions/{iid}", headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert r.status_code == 200, r.text
    assert [m["id"] for m in r.json()["messages"]] == [f"{iid}#{longest_msg}", f"{iid}#m2"]
    assert len(r.json()["messages"][0]["id"]) == MAX_MESSAGE_ID

    reasons = sorted(row.reason or "" for row in any_store.quarantined(SOURCE))
    assert reasons[0].startswith("author id is 301 characters long; at most 300 can be stored")
    assert "c" * 20 not in reasons[0]  # an author id may be an address: not repeated in the reason
    assert reasons[1].startswith(f"interaction id '{SOURCE}:{'x' * 56}…' is 201 characters long; "
                                 f"at most 200 can be stored (the source name, ':' and the native id)")
    assert reasons[2].startswith("message id 'crm:short#mmm") and "301 characters long; at most 300" in reasons[2]
    assert count(any_store, t.InteractionRow) == 1


def test_routes_accept_ids_exactly_as_long_as_the_store_keeps(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    h = {"Authorization": f"Bearer {tokens['admin']}"}
    for path, limit in [("/interactions/{}", MAX_INTERACTION_ID), ("/agents/{}", MAX_SHORT_ID),
                        ("/jobs/{}", MAX_SHORT_ID)]:
        token = tokens["webhook"] if path.startswith("/jobs") else tokens["admin"]
        h = {"Authorization": f"Bearer {token}"}
        r = c.get(path.format("k" * limit), headers=h)
        assert r.status_code == 404, (path, r.text)        # a valid id that names nothing
        r = c.get(path.format("k" * (limit + 1)), headers=h)
        assert r.status_code == 422, (path, r.text)        # longer than any stored id
    with pytest.raises(ParseError, match="author id is 301 characters"):
        Participant(id="p" * 301, role="customer")


def test_the_longest_agent_id_is_fetched_and_a_longer_one_refused(
        any_store: Store, client: tuple[TestClient, dict[str, str]], tmp_path: Path) -> None:
    c, tokens = client
    spec = pipeline(tmp_path, "", extra=f'\n[[agents]]\nid = "{LONGEST_AGENT}"\nname = "Long"\nteam = "support"\n')
    any_store.sync_directory(spec)
    r = c.get(f"/agents/{LONGEST_AGENT}", headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert r.status_code == 200 and r.json()["id"] == LONGEST_AGENT, r.text
    path = tmp_path / "long.toml"
    path.write_text(f'name = "x"\n[[teams]]\nid = "t"\nname = "T"\n[[agents]]\nid = "{LONGEST_AGENT}b"\n'
                    f'name = "Long"\nteam = "t"\n', encoding="utf-8")
    with pytest.raises(PipelineError, match=r"long.toml:6: key 'agents.0.id': String should have at most 64"):
        load_pipeline(path)


def test_a_webhook_ticket_id_too_long_to_store_is_a_clear_422(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    payload = {"event_id": "evt-1", "occurred_at": datetime.now(UTC).isoformat(),
               "ticket": {"id": "T" * MAX_INTERACTION_ID, "channel": "chat"},
               "messages": [{"id": "m1", "author": {"id": "c-1", "role": "customer"}, "text": "Hi",
                             "sent_at": "2026-11-24T13:50:00Z"}]}
    body = json.dumps(payload).encode()
    r = c.post("/webhooks/generic", content=body, headers={
        "Authorization": f"Bearer {tokens['webhook']}", "Content-Type": "application/json",
        "X-QA-Monitor-Signature": hex_signature(SECRETS["generic"], body)})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_payload"
    assert "interaction id 'generic:TTT" in r.json()["error"]["message"]
    assert "at most 200 can be stored" in r.json()["error"]["message"]
