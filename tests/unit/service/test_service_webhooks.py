"""Webhooks: real payload shapes, signatures, replay, idempotency, jobs, errors and write-back."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from qa_monitor.config import WritebackSpec
from qa_monitor.errors import ParseError
from qa_monitor.service.app import create_app
from qa_monitor.service.auth import create_user
from qa_monitor.service.signatures import hex_signature, zendesk_signature
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.service_env import SECRETS, Env
from tests.support.service_seed import PIPELINE

EXAMPLES = Path(__file__).resolve().parents[3] / "api" / "examples"
FILES = {"zendesk": "zendesk_ticket.json", "freshdesk": "freshdesk_ticket.json", "jira": "jira_comment_created.json",
         "generic": "generic_ticket.json"}


def example(provider: str, name: str | None = None, when: datetime | None = None) -> dict[str, Any]:
    """An example payload from api/examples with its signed timestamp set to `when` (default now)."""
    data: dict[str, Any] = json.loads((EXAMPLES / (name or FILES[provider])).read_text(encoding="utf-8"))
    when = when or datetime.now(UTC)
    if provider == "jira":
        data["timestamp"] = int(when.timestamp() * 1000)
    elif provider == "freshdesk":
        data["triggered_at"] = when.isoformat()
    elif provider == "generic":
        data["occurred_at"] = when.isoformat()
    return data


def signed(provider: str, body: bytes, when: datetime | None = None, secret: str | None = None) -> dict[str, str]:
    """The signature headers a provider would send with this body."""
    secret = secret or SECRETS[provider]
    if provider == "zendesk":
        ts = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"X-Zendesk-Webhook-Signature": zendesk_signature(secret, ts, body),
                "X-Zendesk-Webhook-Signature-Timestamp": ts}
    header = "X-Hub-Signature" if provider == "jira" else "X-QA-Monitor-Signature"
    return {header: hex_signature(secret, body)}


def post(env: Env, provider: str, payload: Any, when: datetime | None = None, extra: dict[str, str] | None = None,
         raw: bytes | None = None) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {**env.h(env.tokens.webhook), "Content-Type": "application/json", **signed(provider, body, when),
               **(extra or {})}
    return env.client.post(f"/webhooks/{provider}", content=body, headers=headers)


def count(store: Store, model: Any, *where: Any) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.mark.parametrize("provider", ["zendesk", "freshdesk", "jira", "generic"])
def test_each_provider_is_stored_and_scored(any_env: Env, provider: str) -> None:
    env = any_env
    r = post(env, provider, example(provider))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "scored" and out["interaction_id"].startswith(f"{provider}:")
    assert out["scores"] and all(set(s["scores"]) == {"rude", "condescending", "unclear"} for s in out["scores"])
    assert any(s["flagged"] for s in out["scores"]), out
    with env.store.session() as s:
        msgs = list(s.scalars(select(t.MessageRow).where(t.MessageRow.interaction_id == out["interaction_id"])))
        raw = s.scalars(select(t.RawPayloadRow).where(t.RawPayloadRow.source == f"webhook-{provider}")).one()
        link = s.scalar(select(t.InteractionPayloadRow.raw_payload_id)
                        .where(t.InteractionPayloadRow.interaction_id == out["interaction_id"]))
    assert raw.status == "parsed" and link == raw.id
    scored = [m for m in msgs if m.scored_version]
    assert {m.id for m in scored} == {s["message_id"] for s in out["scores"]}
    assert all(m.role == "agent" and not m.internal for m in scored)
    assert any(m.internal for m in msgs)  # internal notes are stored, not scored
    if provider in ("zendesk", "freshdesk", "generic"):
        assert {m.agent_id for m in scored} <= {"anna", "chen"} and all(m.agent_id for m in scored)


def test_zendesk_event_shape(env: Env) -> None:
    data = example("zendesk", "zendesk_comment_event.json")
    r = post(env, "zendesk", data)
    assert r.status_code == 200, r.text
    assert r.json()["delivery_id"] == data["id"] and r.json()["scores"][0]["flagged"] == ["rude", "condescending"]


def test_an_unauthenticated_delivery_is_refused_and_leaves_no_row(env: Env) -> None:
    body = json.dumps(example("zendesk")).encode()
    headers = {**env.h(env.tokens.webhook), **signed("zendesk", body, secret="wrong-secret")}
    r = env.client.post("/webhooks/zendesk", content=body, headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_signature"
    r = env.client.post("/webhooks/generic", content=body, headers=env.h(env.tokens.webhook))
    assert r.status_code == 401 and r.json()["error"]["code"] == "signature_required"
    tampered = body.replace(b"Charged twice", b"Charged once")
    r = env.client.post("/webhooks/zendesk", content=tampered, headers={**env.h(env.tokens.webhook),
                                                                        **signed("zendesk", body)})
    assert r.status_code == 401
    old = datetime.now(UTC) - timedelta(minutes=10)
    r = post(env, "generic", example("generic", when=old))
    assert r.status_code == 401 and r.json()["error"]["code"] == "stale_timestamp"
    r = post(env, "zendesk", None, when=old, raw=b"{not json")  # Zendesk signs its timestamp in a header
    assert r.status_code == 401 and r.json()["error"]["code"] == "stale_timestamp"
    # anyone can send these: none of them may fill the database
    for table in (t.RawPayloadRow, t.WebhookDeliveryRow, t.InteractionPayloadRow):
        assert count(env.store, table) == 0, table
    assert count(env.store, t.InteractionRow, t.InteractionRow.source.in_(["zendesk", "generic"])) == 0


@pytest.mark.parametrize("provider", ["zendesk", "jira", "freshdesk", "generic"])
def test_stale_or_future_timestamps_are_replays(env: Env, provider: str) -> None:
    old = datetime.now(UTC) - timedelta(minutes=10)
    r = post(env, provider, example(provider, when=old), when=old)
    assert r.status_code == 401 and r.json()["error"]["code"] == "stale_timestamp"
    future = datetime.now(UTC) + timedelta(minutes=10)
    r = post(env, provider, example(provider, when=future), when=future)
    assert r.status_code == 401 and r.json()["error"]["code"] == "stale_timestamp"


def test_same_delivery_twice_is_stored_once(any_env: Env) -> None:
    env = any_env
    when = datetime.now(UTC)
    data = example("jira", when=when)
    first = post(env, "jira", data, extra={"X-Atlassian-Webhook-Identifier": "delivery-77"})
    again = post(env, "jira", data, extra={"X-Atlassian-Webhook-Identifier": "delivery-77"})
    assert first.status_code == 200 and again.status_code == 200
    assert again.json()["status"] == "duplicate" and again.json()["scores"] == first.json()["scores"]
    assert count(env.store, t.WebhookDeliveryRow) == 1
    # the delivery header is not signed: a new one on the same signed body is the same delivery
    replay = post(env, "jira", data, extra={"X-Atlassian-Webhook-Identifier": "delivery-78"})
    assert replay.json()["status"] == "duplicate" and count(env.store, t.WebhookDeliveryRow) == 1
    iid = first.json()["interaction_id"]
    with env.store.session() as s:
        findings = s.scalar(select(func.count()).select_from(t.FindingRow).join(
            t.MessageRow, t.MessageRow.id == t.FindingRow.message_id).where(t.MessageRow.interaction_id == iid))
    # a new delivery of the same ticket (signed with a new timestamp) is processed: still one set of findings
    third = post(env, "jira", example("jira", when=when + timedelta(seconds=1)))
    assert third.json()["status"] == "scored"
    with env.store.session() as s:
        again_findings = s.scalar(select(func.count()).select_from(t.FindingRow).join(
            t.MessageRow, t.MessageRow.id == t.FindingRow.message_id).where(t.MessageRow.interaction_id == iid))
        assert s.scalar(select(func.count()).select_from(t.MessageRow)
                        .where(t.MessageRow.interaction_id == iid)) == 4
    assert findings == again_findings and findings


class CountingScorer:
    """Wraps the app's scorer and records the message ids it is asked to score."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.seen = inner, []
        self.model_version, self.threshold_version = inner.model_version, inner.threshold_version

    def score(self, items: Any) -> Any:
        self.seen.extend(i.message_id for i in items)
        return self.inner.score(items)


def ticket_update(event: str, messages: list[tuple[str, str, str]]) -> dict[str, Any]:
    """A generic ticket delivery carrying the whole conversation so far: (id, role, text) per message."""
    data = example("generic")
    data["event_id"] = event
    people = {"customer": {"id": "c-77", "name": "Ilze Ozola", "email": "ilze@example.lv", "role": "customer"},
              "agent": {"id": "a-3", "name": "Anna Berg", "email": "anna@help.example", "role": "agent"}}
    data["messages"] = [{"id": mid, "author": people[role], "text": text,
                         "sent_at": f"2026-11-24T13:{50 + n:02d}:00Z"} for n, (mid, role, text) in enumerate(messages)]
    return data


def test_a_ticket_update_scores_only_new_or_changed_messages(any_env: Env) -> None:
    env = any_env
    state: Any = env.client.app.state  # type: ignore[attr-defined]
    scorer = state.scorer = CountingScorer(state.scorer)
    conv = [("m1", "customer", "Where is my order?"), ("m2", "agent", "Obviously it is with the courier."),
            ("m3", "customer", "It was due on Monday."), ("m4", "agent", "I have asked the courier; reply by 5pm.")]
    first = post(env, "generic", ticket_update("e1", conv))
    assert first.status_code == 200, first.text
    assert scorer.seen == ["generic:T-1009#m2", "generic:T-1009#m4"]
    # the next update adds a turn: the earlier replies keep their stored scores, findings included
    conv += [("m5", "customer", "Thanks."), ("m6", "agent", "Not our problem any more, read the FAQ.")]
    second = post(env, "generic", ticket_update("e2", conv))
    assert second.status_code == 200 and second.json()["status"] == "scored"
    assert scorer.seen[2:] == ["generic:T-1009#m6"]
    assert second.json()["scores"][:2] == first.json()["scores"]
    assert [x["message_id"] for x in second.json()["scores"]] == [f"generic:T-1009#m{i}" for i in (2, 4, 6)]
    # an edited reply is scored again; the replies after it read the same customer turns and keep their scores
    conv[1] = ("m2", "agent", "It is with the courier; I will chase them today.")
    post(env, "generic", ticket_update("e3", conv))
    assert scorer.seen[3:] == ["generic:T-1009#m2"]
    # a customer turn inserted before the last reply changes that reply's context
    conv.insert(4, ("m4b", "customer", "Hello? Anyone there?"))
    post(env, "generic", ticket_update("e4", conv))
    assert scorer.seen[4:] == ["generic:T-1009#m6"]
    # so does an edited customer turn, for the reply that answers it
    conv[2] = ("m3", "customer", "It was due on Monday, and today is Thursday.")
    post(env, "generic", ticket_update("e4b", conv))
    assert scorer.seen[5:] == ["generic:T-1009#m4"]
    # new thresholds (a calibration) mean the scores are made again
    scorer.threshold_version = "calibrated-test"
    post(env, "generic", ticket_update("e5", conv))
    assert scorer.seen[6:] == ["generic:T-1009#m2", "generic:T-1009#m4", "generic:T-1009#m6"]
    assert count(env.store, t.MessageScoreRow, t.MessageScoreRow.message_id.like("generic:T-1009#%")) == 9


def test_a_delivery_that_fails_while_scoring_is_processed_again_on_retry(env: Env) -> None:
    state: Any = env.client.app.state  # type: ignore[attr-defined]
    real = state.scorer

    class Failing(CountingScorer):
        def score(self, items: Any) -> Any:
            raise RuntimeError("model crashed")

    state.scorer = Failing(real)
    data = example("generic")
    first = post(env, "generic", data)
    assert first.status_code == 500 and first.json()["error"]["code"]
    state.scorer = real
    retry = post(env, "generic", data)
    assert retry.status_code == 200 and retry.json()["status"] == "scored", retry.text
    assert count(env.store, t.WebhookDeliveryRow, t.WebhookDeliveryRow.status == "done") == 1


def test_large_ticket_gets_a_job(env_with: Any) -> None:
    env = env_with(sync_message_limit=3)
    r = post(env, "zendesk", example("zendesk"))
    assert r.status_code == 202, r.text
    job_url = r.json()["job_url"]
    assert r.json()["status"] == "queued" and job_url.startswith("/jobs/")
    deadline = time.monotonic() + 20
    job = env.client.get(job_url, headers=env.h(env.tokens.webhook)).json()
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = env.client.get(job_url, headers=env.h(env.tokens.webhook)).json()
    assert job["status"] == "done", job
    assert job["result"]["scores"] and job["finished_at"]
    dup = post(env, "zendesk", example("zendesk"))
    assert dup.json()["status"] == "duplicate"


def test_errors_are_json_with_stable_codes(env: Env) -> None:
    body = b'{"ticket": {"id": 1,\n  "subject": oops}}'
    r = post(env, "generic", None, raw=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "malformed_json"
    assert "line 2, column 14" in r.json()["error"]["message"]
    bad = example("zendesk")
    del bad["comments"]
    r = post(env, "zendesk", bad)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_payload"
    assert "comments" in r.json()["error"]["message"]
    r = env.client.get("/nowhere")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = env.client.delete("/flags", headers=env.h(env.tokens.admin))
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    r = env.client.post("/flags/1/review", headers={**env.h(env.tokens.admin), "Content-Type": "application/json"},
                        content=b'{"verdict":\n "confirmed",, "note": 1}')
    assert r.status_code == 422 and r.json()["error"]["code"] == "malformed_json"
    assert "line 2, column 14" in r.json()["error"]["message"], r.json()
    r = env.client.get("/trends", headers=env.h(env.tokens.admin), params={"period": "year"})
    assert r.status_code == 422 and "period" in r.json()["error"]["message"]


def test_body_limit_by_header_and_by_stream(env_with: Any) -> None:
    env = env_with(max_body_bytes=1000)
    big = json.dumps({"pad": "x" * 2000}).encode()
    r = post(env, "generic", None, raw=big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        for _ in range(10):
            yield b"x" * 200

    headers = {**env.h(env.tokens.webhook), **signed("generic", b"")}
    r = env.client.post("/webhooks/generic", content=chunks(), headers=headers)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    assert count(env.store, t.RawPayloadRow) == 0


def test_without_scorer_or_secret_the_answer_is_503(sqlite_store: Store, tmp_path: Path) -> None:
    sqlite_store.sync_directory(PIPELINE)
    token = create_user(sqlite_store, "hook", "webhook")[1]
    from tests.support.service_env import make_settings

    app = create_app(make_settings(tmp_path, generic_webhook_secret=None), store=sqlite_store,
                     scorer_factory=lambda *_: None)
    with TestClient(app) as client:
        body = json.dumps(example("zendesk")).encode()
        headers = {"Authorization": f"Bearer {token}", **signed("zendesk", body)}
        r = client.post("/webhooks/zendesk", content=body, headers=headers)
        assert r.status_code == 503 and r.json()["error"]["code"] == "scorer_unavailable"
        assert count(sqlite_store, t.InteractionRow) == 1  # stored, to be scored on retry
        r = client.post("/webhooks/generic", content=b"{}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "webhook_not_configured"
        assert count(sqlite_store, t.RawPayloadRow, t.RawPayloadRow.source == "webhook-generic") == 0


@pytest.mark.parametrize(("provider", "mode", "method", "path"), [
    ("zendesk", "note", "PUT", "/api/v2/tickets/35436.json"),
    ("zendesk", "tag", "PUT", "/api/v2/tickets/35436/tags.json"),
    ("freshdesk", "note", "POST", "/api/v2/tickets/7781/notes"),
    ("jira", "note", "POST", "/rest/api/2/issue/HELP-42/comment"),
    ("jira", "tag", "PUT", "/rest/api/2/issue/HELP-42"),
])
def test_writeback_to_the_ticket_system(env: Env, ticket_server: tuple[str, list[dict[str, Any]]],
                                        monkeypatch: pytest.MonkeyPatch, provider: str, mode: str, method: str,
                                        path: str) -> None:
    base, seen = ticket_server
    monkeypatch.setenv("QAM_TEST_TICKET_TOKEN", "tkn-123")
    pipeline = PIPELINE.model_copy(update={"writeback": {provider: WritebackSpec(
        enabled=True, base_url=base, mode=mode, token_env="QAM_TEST_TICKET_TOKEN")}})
    env.client.app.state.pipeline = pipeline  # type: ignore[attr-defined]
    r = post(env, provider, example(provider))
    assert r.status_code == 200 and r.json()["writeback"] == f"written: {mode}", r.text
    assert [(x["method"], x["path"]) for x in seen] == [(method, path)]
    body = json.dumps(seen[0]["body"])
    if mode == "tag":
        flagged = {f"qa-{lab}" for sc in r.json()["scores"] for lab in sc["flagged"]}
        sent = seen[0]["body"].get("tags") or [x["add"] for x in seen[0]["body"]["update"]["labels"]]
        assert set(sent) == flagged and flagged
    else:
        assert "qa-monitor" in body and ("private" in body or "internal" in body or '"public": false' in body)
    expected_auth = "Bearer tkn-123" if provider != "freshdesk" else "Basic "
    assert seen[0]["auth"].startswith(expected_auth)


def test_writeback_failure_does_not_fail_the_webhook(env: Env) -> None:
    pipeline = PIPELINE.model_copy(update={"writeback": {"generic": WritebackSpec(
        enabled=True, base_url="http://127.0.0.1:9", mode="note")}})
    env.client.app.state.pipeline = pipeline  # type: ignore[attr-defined]
    r = post(env, "generic", example("generic"))
    assert r.status_code == 200 and r.json()["writeback"].startswith("failed:")


def test_unfinished_jobs_resume_when_the_service_starts(seeded_store: Store, env_with: Any) -> None:
    from qa_monitor.records import RawPayload
    from qa_monitor.service.jobs import create_job
    from qa_monitor.storage.deliveries import claim

    # what a process killed after queueing a large ticket leaves behind: the raw payload, the claimed
    # delivery and a queued job
    body = json.dumps(example("zendesk")).encode()
    raw = RawPayload(id=RawPayload.make_id("webhook-zendesk", body), source="webhook-zendesk", kind="json", ref="",
                     content=body)
    seeded_store.save_raw([raw])
    with seeded_store.session() as s:
        assert claim(s, "zendesk:crash-1", "zendesk", raw.id) == (True, None)
    job_id = create_job(seeded_store, "webhook", {"provider": "zendesk", "raw_payload_id": raw.id,
                                                  "delivery": "zendesk:crash-1"})
    env = env_with()
    deadline = time.monotonic() + 20
    job = env.client.get(f"/jobs/{job_id}", headers=env.h(env.tokens.admin)).json()
    while job["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = env.client.get(f"/jobs/{job_id}", headers=env.h(env.tokens.admin)).json()
    assert job["status"] == "done" and job["result"]["interaction_id"] == "zendesk:35436"
    with seeded_store.session() as s:
        delivery = s.get(t.WebhookDeliveryRow, "zendesk:crash-1")
        assert delivery is not None and delivery.status == "done"
        scored = s.scalar(select(func.count()).select_from(t.MessageRow).where(
            t.MessageRow.interaction_id == "zendesk:35436", t.MessageRow.scored_version.isnot(None)))
    assert scored == 2


def test_payload_text_and_times_are_read_as_the_importers_read_them() -> None:
    from qa_monitor.adapters.base import Directory
    from qa_monitor.adapters.tickets import to_interaction

    data = example("freshdesk")
    conv = data["conversations"][0]
    conv.pop("body_text")
    conv["body"] = "<div>To <b>nie</b> nasz  problem.<br>Proszę&nbsp;wyczyścić pamięć.</div>"
    conv["created_at"] = "2026-11-22T09:45:00.123456789Z"            # nanoseconds, as Zendesk sends them
    it = to_interaction("freshdesk", data, Directory(None), "raw-1")
    reply = next(m for m in it.messages if m.author.role == "agent")
    # inline markup stays on its line, <br> breaks it, spaces are collapsed (one HTML reader for every input)
    assert reply.text == "To nie nasz problem.\nProszę wyczyścić pamięć."
    assert reply.sent_at == datetime(2026, 11, 22, 9, 45, 0, 123456, tzinfo=UTC)
    conv["created_at"] = "yesterday"
    with pytest.raises(ParseError, match="ticket 7781 conversation 43011111111 time 'yesterday' is not"):
        to_interaction("freshdesk", data, Directory(None), "raw-1")


@pytest.mark.parametrize("provider", ["zendesk", "freshdesk"])
def test_a_ticket_reads_the_same_from_the_webhook_and_from_an_export(provider: str, tmp_path: Path) -> None:
    from qa_monitor.adapters.base import Directory, build_adapter
    from qa_monitor.adapters.tickets import to_interaction
    from qa_monitor.config import SourceSpec
    from qa_monitor.records import RawPayload

    data = example(provider)
    if provider == "zendesk":     # the Tickets API export: comments inside the ticket, users keyed by id
        unit = {"ticket": {**data["ticket"], "comments": data["comments"]},
                "users": {str(u["id"]): u for u in data["users"]}}
    else:                         # Freshdesk's API with include=conversations
        unit = {**data["ticket"], "conversations": data["conversations"], "requester": data.get("requester")}
    adapter = build_adapter(SourceSpec(name=provider, adapter=provider, options={"path": str(tmp_path)}),
                            PIPELINE)
    raw = RawPayload(id="r", source=provider, kind=f"{provider}.ticket", ref="x",
                     content=json.dumps(unit).encode())
    (exported,) = adapter.parse(raw)
    hooked = to_interaction(provider, data, Directory(PIPELINE), "r")

    def view(it: Any) -> list[tuple[Any, ...]]:
        # Freshdesk's export names no agents (only user ids and the shared mailbox), its webhook payload does:
        # there the agent is resolved by address, in the export by a handle the pipeline may list
        return [(m.id, m.seq, m.author.role, m.author.agent_id if provider == "zendesk" else None, m.sent_at,
                 m.text, m.internal) for m in it.messages]

    assert exported.id == hooked.id and exported.channel == hooked.channel
    assert view(exported) == view(hooked) and any(m.author.role == "agent" for m in hooked.messages)


@pytest.mark.parametrize("provider", ["zendesk", "freshdesk"])
def test_ticket_readers_order_comments_by_time_not_by_how_it_is_written(provider: str) -> None:
    from qa_monitor.adapters.base import Directory
    from qa_monitor.adapters.tickets import to_interaction

    data = example(provider)
    entries = data["comments" if provider == "zendesk" else "conversations"]
    # 10:00+01:00 is 09:00 UTC, before 09:30Z and 09:30:00.5Z; as text it sorts after both
    for entry, when in zip(entries[-3:], ["2026-11-23T09:30:00.5Z", "2026-11-23T09:30:00Z",
                                          "2026-11-23T10:00:00+01:00"], strict=True):
        entry["created_at"] = when
    it = to_interaction(provider, data, Directory(PIPELINE), "r")
    times = [m.sent_at for m in it.messages]
    assert times == sorted(times) and [m.seq for m in it.messages] == sorted(m.seq for m in it.messages)
    assert times[-3:] == [datetime(2026, 11, 23, 9, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
                          datetime(2026, 11, 23, 9, 30, 0, 500000, tzinfo=UTC)]
