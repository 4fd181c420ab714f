"""Retention: `purge_expired` empties message text, quotes and raw payloads older than a pipeline's
retention_days, keeps the scores, and what it purged is never scored or filled in again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from qa_monitor.config import PipelineSpec, SourceSpec, load_pipeline
from qa_monitor.ingest import ingest_pipeline
from qa_monitor.records import Finding, Interaction, Message, MessageScore, Participant, RawPayload
from qa_monitor.storage import tables as t
from qa_monitor.storage.purge import purge_expired
from qa_monitor.storage.store import Store
from tests.support.factories import pipeline
from tests.support.ingest import DIRECTORY, source, sqlite_store

NOW = datetime.now(UTC).replace(microsecond=0)
OLD = NOW - timedelta(days=100)
RECENT = NOW - timedelta(days=2)


def spec(days: int | None = 30, sources: tuple[str, ...] = ("mail",)) -> PipelineSpec:
    """The factories' directory with the given sources and retention."""
    return pipeline().model_copy(update={"retention_days": days,
                                         "sources": [SourceSpec(name=n, adapter="eml") for n in sources]})


def talk(source: str, native: str, turns: list[tuple[str, datetime, str]]) -> tuple[Interaction, RawPayload]:
    """A conversation from (agent id or 'customer', sent at, text) turns and the raw payload it came from."""
    content = json.dumps([[w, str(at), x] for w, at, x in turns]).encode()
    raw = RawPayload(id=RawPayload.make_id(source, content), source=source, kind="test", ref=native, content=content)
    iid = f"{source}:{native}"
    msgs = tuple(Message(id=f"{iid}#{n}", interaction_id=iid, seq=n, sent_at=at, text=text,
                         author=(Participant(id="kate@cust.example", role="customer", name="Kate Moss")
                                 if who == "customer" else
                                 Participant(id=f"{who}@help.example", role="agent", name=who, agent_id=who)))
                 for n, (who, at, text) in enumerate(turns))
    return Interaction(id=iid, source=source, native_id=native, channel="email", started_at=turns[0][1],
                       messages=msgs, subject=f"Subject of {native}", raw_payload_ids=(raw.id,)), raw


def scored(mid: str, evidence: str, version: str = "m1") -> MessageScore:
    """A rude flag quoting `evidence`."""
    f = Finding(message_id=mid, label="rude", score=0.9, start=0, end=len(evidence), detector="markers",
                detector_version="1", explanation=f"'{evidence}' is curt", suggestion=f"Instead of '{evidence}'...",
                evidence=evidence)
    return MessageScore(message_id=mid, language="en", scores={"rude": 0.9}, thresholds={"rude": 0.5},
                        findings=(f,), model_version=version, threshold_version="t1")


OLD_TALK = [("customer", OLD, "My parcel 5531 never came."), ("anna", OLD + timedelta(hours=1), "Read the FAQ.")]
MIXED_TALK = [("customer", OLD, "Is my refund coming?"), ("anna", RECENT, "Yes, it is on its way.")]


def seed(store: Store) -> dict[str, RawPayload]:
    """Three conversations (an old one, one with an old and a recent message, an old one of another source) and
    raw payloads: theirs, old and recent quarantined ones, and an old webhook delivery with its stored response."""
    store.sync_directory(pipeline())
    raws: dict[str, RawPayload] = {}
    for key, (src, native, turns) in {"old": ("mail", "old", OLD_TALK), "mixed": ("mail", "mixed", MIXED_TALK),
                                      "other": ("other", "old", OLD_TALK)}.items():
        it, raws[key] = talk(src, native, turns)
        store.save_batch(src, _batch(it, raws[key]))
    store.save_scores([scored("mail:old#1", "Read the FAQ."), scored("mail:mixed#1", "Yes"),
                       scored("other:old#1", "Read the FAQ.")])
    for key, src, body in [("q_old", "mail", b"From: kate@cust.example\r\n\r\ntrunc"),
                           ("q_new", "mail", b"From: kate@cust.example\r\n\r\nalso trunc"),
                           ("hook", "webhook-zendesk", b'{"ticket": {"id": 7, "comments": ["Read the FAQ."]}}')]:
        raws[key] = RawPayload(id=RawPayload.make_id(src, body), source=src, kind="x", ref=key, content=body,
                               status="quarantined" if key.startswith("q") else "parsed", reason="truncated")
        store.save_raw([raws[key]])
    with store.session() as s:
        fid = s.scalar(select(t.FindingRow.id).where(t.FindingRow.message_id == "mail:old#1"))
        s.add(t.ReviewRow(finding_id=fid, verdict="confirmed", note="yes, 'Read the FAQ.' is rude"))
        s.add(t.WebhookDeliveryRow(id="zendesk:d1", provider="zendesk", raw_payload_id=raws["hook"].id,
                                   status="done", response={"scores": [{"findings": [
                                       {"label": "rude", "explanation": "'Read the FAQ.' is curt"}]}]}))
        # received when their messages were sent (the old quarantined copy and the webhook delivery included)
        for key in ("old", "mixed", "other", "q_old", "hook"):
            s.execute(update(t.RawPayloadRow).where(t.RawPayloadRow.id == raws[key].id).values(received_at=OLD))
        s.execute(update(t.RawPayloadRow).where(t.RawPayloadRow.id == raws["mixed"].id).values(received_at=RECENT))
    return raws


def _batch(it: Interaction, raw: RawPayload):  # type: ignore[no-untyped-def]
    from qa_monitor.records import Batch

    return Batch(interactions=(it,), raw=(raw,))


def msg(store: Store, mid: str) -> t.MessageRow:
    with store.session() as s:
        row = s.get(t.MessageRow, mid)
        assert row is not None
        return row


def payload(store: Store, raw: RawPayload) -> t.RawPayloadRow:
    with store.session() as s:
        row = s.get(t.RawPayloadRow, raw.id)
        assert row is not None
        return row


def test_expired_text_is_emptied_and_scores_kept(store: Store) -> None:
    raws = seed(store)
    with store.session() as s:
        scores_before = sorted(s.execute(select(t.MessageScoreRow.message_id, t.MessageScoreRow.label,
                                                t.MessageScoreRow.score, t.MessageScoreRow.flagged)).all())
    report = purge_expired(store, spec(), now=NOW)
    assert report.cutoff == NOW - timedelta(days=30)
    # the old conversation (2 messages) and the mixed one's old customer turn; the other source is not this pipeline's
    assert report.rows() == [("findings", 1, 0), ("interactions", 1, 0), ("messages", 3, 0),
                             ("raw_payloads", 2, 0), ("reviews", 1, 0)]
    customer, agent = msg(store, "mail:old#0"), msg(store, "mail:old#1")
    assert (customer.text, customer.author_id, customer.author_name, customer.purged_at) == ("", "", None,
                                                                                              customer.purged_at)
    assert customer.purged_at is not None
    # the agent's message keeps who wrote it, when, in which language: what the trends count
    assert (agent.text, agent.agent_id, agent.role, agent.language, agent.scored_version) == ("", "anna", "agent",
                                                                                              "en", "m1")
    assert msg(store, "mail:mixed#0").text == ""
    assert msg(store, "mail:mixed#1").text == "Yes, it is on its way."
    assert msg(store, "other:old#1").text == "Read the FAQ."
    with store.session() as s:
        assert sorted(s.execute(select(t.MessageScoreRow.message_id, t.MessageScoreRow.label,
                                       t.MessageScoreRow.score, t.MessageScoreRow.flagged)).all()) == scores_before
        finding = s.scalars(select(t.FindingRow).where(t.FindingRow.message_id == "mail:old#1")).one()
        assert (finding.evidence, finding.explanation, finding.suggestion, finding.label, finding.flagged) == (
            "", "", None, "rude", True)
        review = s.scalars(select(t.ReviewRow)).one()
        assert (review.verdict, review.note) == ("confirmed", None)
        old, mixed = s.get(t.InteractionRow, "mail:old"), s.get(t.InteractionRow, "mail:mixed")
        assert old is not None and mixed is not None
        assert (old.subject, old.purged_at is not None) == (None, True)
        assert (mixed.subject, mixed.purged_at) == ("Subject of mixed", None)  # a recent message is left
    # received long ago, or built only into purged conversations: emptied; the rest kept as they were
    for key in ("old", "q_old"):
        row = payload(store, raws[key])
        assert (row.content, row.size, row.status, row.reason) == (b"", 0, "purged", None)
    for key in ("mixed", "q_new", "other", "hook"):
        assert payload(store, raws[key]).content == raws[key].content
    assert [r.id for r in store.quarantined()] == [raws["q_new"].id]
    assert purge_expired(store, spec(), now=NOW).rows() == []  # a second run finds nothing left


def test_webhook_deliveries_follow_the_retention_only_when_asked(store: Store) -> None:
    raws = seed(store)
    purge_expired(store, spec(), now=NOW)
    assert payload(store, raws["hook"]).content == raws["hook"].content
    report = purge_expired(store, spec(), now=NOW, webhooks=True)
    assert ("raw_payloads", 1, 0) in report.rows() and ("webhook_deliveries", 1, 0) in report.rows()
    assert payload(store, raws["hook"]).content == b""
    with store.session() as s:
        delivery = s.get(t.WebhookDeliveryRow, "zendesk:d1")
        assert delivery is not None
        assert delivery.response == {"scores": [{"findings": [{"label": "rude", "explanation": ""}]}]}


def test_no_retention_days_keeps_everything_and_dry_run_changes_nothing(store: Store) -> None:
    seed(store)
    assert purge_expired(store, spec(None), now=NOW).rows() == []
    report = purge_expired(store, spec(), now=NOW, dry_run=True)
    assert ("messages", 3, 0) in report.rows()
    assert msg(store, "mail:old#0").text == "My parcel 5531 never came."
    assert msg(store, "mail:old#0").purged_at is None


def test_purged_messages_are_never_scored_again(store: Store) -> None:
    seed(store)
    purge_expired(store, spec(), now=NOW)
    # a new model version asks for every agent message again, but not for the purged one
    assert [p.id for p in store.pending_messages("m2")] == ["mail:mixed#1", "other:old#1"]
    # scores made from a copy of the text (a webhook resending the ticket) leave the purged message as it was
    store.save_scores([scored("mail:old#1", "Read the FAQ.", "m2"), scored("mail:mixed#1", "Yes", "m2")])
    assert msg(store, "mail:old#1").scored_version == "m1"
    assert msg(store, "mail:mixed#1").scored_version == "m2"
    with store.session() as s:
        assert s.scalars(select(t.FindingRow.evidence).where(t.FindingRow.message_id == "mail:old#1")).all() == [""]
        assert s.scalar(select(t.MessageScoreRow.model_version)
                        .where(t.MessageScoreRow.message_id == "mail:old#1")) == "m1"


def test_purged_text_read_again_from_the_source_stays_purged(store: Store) -> None:
    raws = seed(store)
    purge_expired(store, spec(), now=NOW)
    # the source is read again (a changed file, a renumbered IMAP folder, a reply completing its thread)
    for key, native, turns in [("old", "old", OLD_TALK), ("mixed", "mixed", MIXED_TALK)]:
        it, raw = talk("mail", native, turns)
        store.save_batch("mail", _batch(it, raw))
        assert raw.id == raws[key].id
    assert payload(store, raws["old"]).content == b"" and payload(store, raws["old"]).status == "purged"
    old_customer = msg(store, "mail:old#0")
    assert (old_customer.text, old_customer.author_id) == ("", "")
    assert msg(store, "mail:mixed#0").text == ""
    with store.session() as s:
        old = s.get(t.InteractionRow, "mail:old")
        assert old is not None and old.subject is None
    # the purged turn read again is no edit: the recent reply after it keeps its scores and is not pending
    assert msg(store, "mail:mixed#1").scored_version == "m1"
    assert [p.id for p in store.pending_messages("m1")] == []


def test_jsonl_source_read_again_after_a_purge(tmp_path: Path) -> None:
    export = tmp_path / "crm.jsonl"

    def line(iid: str, mid: str, role: str, at: datetime, text: str) -> str:
        return json.dumps({"interaction_id": iid, "message_id": mid, "author": "anna" if role == "agent" else "kate",
                           "role": role, "sent_at": at.isoformat(), "text": text}) + "\n"

    export.write_text(line("c1", "m1", "customer", OLD, "Where is parcel 5531?")
                      + line("c1", "m2", "agent", OLD, "Read the FAQ.")
                      + line("c2", "m1", "agent", RECENT, "It ships today."), encoding="utf-8")
    (tmp_path / "crm.toml").write_text("retention_days = 30\n" + DIRECTORY + source("crm", "jsonl", export),
                                       encoding="utf-8")
    p = load_pipeline(tmp_path / "crm.toml")
    store = sqlite_store(tmp_path)
    ingest_pipeline(store, p)
    assert _holding(store, b"5531") == 1
    report = purge_expired(store, p, now=NOW)
    assert ("messages", 2, 0) in report.rows() and ("raw_payloads", 1, 0) in report.rows()
    # the file grows: the adapter reads it again from its first line
    with export.open("a", encoding="utf-8") as fh:
        fh.write(line("c3", "m1", "agent", NOW, "Anything else?"))
    assert ingest_pipeline(store, p)[0].messages == 4
    assert [m.text for m in _texts(store)] == ["", "", "It ships today.", "Anything else?"]
    assert _holding(store, b"5531") == 0
    assert [x.id for x in store.pending_messages("m1")] == ["crm:c2#m1", "crm:c3#m1"]
    store.close()


def _texts(store: Store) -> list[t.MessageRow]:
    with store.session() as s:
        return list(s.scalars(select(t.MessageRow).order_by(t.MessageRow.interaction_id, t.MessageRow.seq)))


def _holding(store: Store, needle: bytes) -> int:
    with store.session() as s:
        return sum(needle in c for c in s.scalars(select(t.RawPayloadRow.content)))
