"""One ticket, two roads: an export read by a pipeline source of any name and the ticket system's webhook store the
same interaction, so the queue, trends and the weekly report count its flags once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from test_service_webhooks import example, post

from qa_monitor.config import SourceSpec
from qa_monitor.ingest import ingest_pipeline
from qa_monitor.nlp.analysis import ScoreInput
from qa_monitor.reports.period import Week
from qa_monitor.reports.weekly import build_weekly
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.service_env import Env
from tests.support.service_seed import PIPELINE, PhraseScorer

W47 = Week.parse("2026-W47")  # both example tickets were written in this week; the seeded data is older


def _export(provider: str, folder: Path) -> Path:
    """The example ticket as its export has it: a Zendesk API response, a Freshdesk ticket with conversations."""
    payload = example(provider)
    if provider == "zendesk":
        data: Any = {k: payload[k] for k in ("ticket", "comments", "users")}
    else:
        data = [{**payload["ticket"], "conversations": payload["conversations"]}]
    path = folder / f"{provider}-export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _ingest_and_score(store: Store, provider: str, path: Path) -> None:
    """What `qa-monitor ingest` then `qa-monitor score` do, through a source named unlike the ticket system."""
    spec = PIPELINE.model_copy(update={"sources": [
        SourceSpec(name="support-eu", adapter=provider, options={"path": str(path)})]})
    [report] = ingest_pipeline(store, spec)
    assert report.error is None and report.interactions == 1
    scorer = PhraseScorer(store)
    pending = store.pending_messages(scorer.model_version)
    store.save_scores(scorer.score([ScoreInput(p.id, p.text, p.customer, p.language) for p in pending]))


@pytest.mark.parametrize("export_first", [True, False], ids=["export-then-webhook", "webhook-then-export"])
@pytest.mark.parametrize("provider", ["zendesk", "freshdesk"])
def test_an_export_and_a_webhook_of_one_ticket_are_one_interaction(env: Env, tmp_path: Path, provider: str,
                                                                    export_first: bool) -> None:
    native = str(example(provider)["ticket"]["id"])
    path = _export(provider, tmp_path)
    if export_first:
        _ingest_and_score(env.store, provider, path)
    r = post(env, provider, example(provider))
    assert r.status_code == 200, r.text
    if not export_first:
        _ingest_and_score(env.store, provider, path)

    with env.store.session() as s:
        stored = s.execute(select(t.InteractionRow.id, t.InteractionRow.source)
                           .where(t.InteractionRow.native_id == native)).all()
        msgs = s.scalars(select(t.MessageRow).where(t.MessageRow.interaction_id == f"{provider}:{native}")).all()
    assert stored == [(f"{provider}:{native}", provider)]
    assert len(msgs) == len({m.text for m in msgs})  # each comment once
    # the ticket's customer-facing agent replies, one of them flagged by the phrase scorer
    replies = [m for m in msgs if m.role == "agent" and not m.internal]
    assert len(replies) == 2 and all(m.scored_version for m in replies)

    week = {"since": W47.start.isoformat(), "until": W47.end.isoformat()}
    h = env.h(env.tokens.admin)
    flags = env.client.get("/flags", headers=h, params={"limit": 200, **week}).json()["items"]
    expected = [f for s in r.json()["scores"] for f in s["findings"]]
    assert expected and len(flags) == len(expected)
    assert len({(f["text"], f["label"], f["span"]["start"], f["span"]["end"]) for f in flags}) == len(flags)

    buckets = env.client.get("/trends", headers=h, params={"group_by": "channel", **week}).json()["buckets"]
    assert (sum(b["volume"] for b in buckets), sum(b["flagged"] for b in buckets)) == (2, 1)

    report = build_weekly(env.store, W47)
    assert (report.totals.interactions, report.totals.messages, report.totals.flagged) == (1, 2, 1)
