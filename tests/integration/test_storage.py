"""The Store on SQLite and on a real PostgreSQL server: schema, idempotent upserts, cursors, scores."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from qa_monitor.records import Finding, MessageScore
from qa_monitor.storage import tables as t
from qa_monitor.storage.db import dialect_insert
from qa_monitor.storage.store import Store
from tests.support.factories import batch, conversation, pipeline


def _count(store: Store, row: type) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(row)) or 0)


def test_migration_matches_tables(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.Base.metadata)
    assert diff == [], f"tables.py and the migrations disagree: {diff}"


def test_save_batch_is_idempotent_and_saves_cursor(store: Store) -> None:
    store.sync_directory(pipeline())
    b = batch("mail", 3, 7)
    store.save_batch("mail", b)
    store.save_batch("mail", b)
    assert _count(store, t.InteractionRow) == 3
    assert _count(store, t.MessageRow) == 6
    assert _count(store, t.RawPayloadRow) == 3
    assert store.cursor("mail") == {"pos": 7}
    assert store.cursor("other") is None
    with store.session() as s:
        teams = set(s.scalars(select(t.InteractionRow.team_id)))
    assert teams == {"billing"}


def test_pending_messages_carry_customer_context(store: Store) -> None:
    store.sync_directory(pipeline())
    it, raw = conversation("chat", "c1", [("customer", "Where is my parcel?"), ("customer", "Hello??"),
                                          ("anna", "It ships tomorrow."), ("customer", "Thanks"),
                                          ("piotr", "You're welcome.")])
    store.save_raw([raw])
    store.upsert_interactions([it])
    pending = store.pending_messages("v1")
    assert [p.text for p in pending] == ["It ships tomorrow.", "You're welcome."]
    assert pending[0].customer == "Where is my parcel?\n\nHello??"
    assert pending[1].customer == "Thanks"


def _score(mid: str, value: float, version: str = "v1") -> MessageScore:
    f = Finding(message_id=mid, label="rude", score=value, start=0, end=2, detector="markers",
                detector_version="1", explanation="why", evidence="It")
    return MessageScore(message_id=mid, language="en", scores={"rude": value, "unclear": 0.1},
                        thresholds={"rude": 0.5, "unclear": 0.5}, findings=(f,), model_version=version,
                        threshold_version="t1")


def test_save_scores_replaces_unreviewed_findings_and_marks_scored(store: Store) -> None:
    store.sync_directory(pipeline())
    it, raw = conversation("chat", "c2", [("customer", "Hi"), ("anna", "It is done.")])
    store.save_raw([raw])
    store.upsert_interactions([it])
    mid = it.messages[1].id
    store.save_scores([_score(mid, 0.9)])
    assert store.pending_messages("v1") == []
    assert [p.id for p in store.pending_messages("v2")] == [mid]
    with store.session() as s:
        fid = s.scalar(select(t.FindingRow.id))
        s.add(t.ReviewRow(finding_id=fid, verdict="confirmed", note="agreed"))
    store.save_scores([_score(mid, 0.2, "v2")])
    with store.session() as s:
        findings = s.execute(select(t.FindingRow.score, t.FindingRow.flagged)).all()
        scores = s.execute(select(t.MessageScoreRow.label, t.MessageScoreRow.flagged)).all()
    assert sorted(findings) == [(0.2, False), (0.9, True)]  # the reviewed finding survives
    assert sorted(scores) == [("rude", False), ("unclear", False)]


def test_stored_scores_come_back_as_saved_and_only_while_current(store: Store) -> None:
    from dataclasses import replace

    store.sync_directory(pipeline())
    it, raw = conversation("chat", "c4", [("customer", "Hi"), ("anna", "It is done."), ("anna", "Bye.")])
    store.save_raw([raw])
    store.upsert_interactions([it])
    first, second = it.messages[1].id, it.messages[2].id
    unsure = replace(_score(first, 0.9), language="unknown", language_note="best guess de at 0.41")
    store.save_scores([unsure, _score(second, 0.2)])
    got = store.stored_scores([first, second], "v1", "t1")
    assert got[first] == unsure and got[second] == _score(second, 0.2)
    assert store.stored_scores([first], "v2", "t1") == {} and store.stored_scores([first], "v1", "t2") == {}
    # re-sending the ticket (no language in the payload) keeps what scoring detected
    store.upsert_interactions([it])
    assert store.stored_scores([first], "v1", "t1")[first].language_note == "best guess de at 0.41"
    # a reviewed finding from an earlier run is kept in the table but is not part of the current scores
    with store.session() as s:
        fid = s.scalar(select(t.FindingRow.id).where(t.FindingRow.message_id == first))
        s.add(t.ReviewRow(finding_id=fid, verdict="confirmed", note="agreed"))
    store.save_scores([_score(first, 0.3)])
    assert [f.score for f in store.stored_scores([first], "v1", "t1")[first].findings] == [0.3]


def test_edited_message_is_scored_again(store: Store) -> None:
    store.sync_directory(pipeline())
    it, raw = conversation("chat", "c3", [("customer", "Hi"), ("anna", "Done.")])
    store.save_raw([raw])
    store.upsert_interactions([it])
    store.save_scores([_score(it.messages[1].id, 0.1)])
    assert store.pending_messages("v1") == []
    edited, raw2 = conversation("chat", "c3", [("customer", "Hi"), ("anna", "Done, sorry for the wait.")])
    store.save_raw([raw2])
    store.upsert_interactions([edited])
    assert [p.text for p in store.pending_messages("v1")] == ["Done, sorry for the wait."]


def test_quarantine_roundtrip(store: Store) -> None:
    from qa_monitor.records import RawPayload

    bad = RawPayload(id="mail:bad", source="mail", kind="email", ref="x.eml", content=b"\xff\xfe",
                     status="quarantined", reason="truncated MIME")
    store.save_raw([bad])
    rows = store.quarantined()
    assert [(r.id, r.reason, r.content) for r in rows] == [("mail:bad", "truncated MIME", b"\xff\xfe")]
    store.mark_raw("mail:bad", "parsed", None)
    assert store.quarantined() == []
    row = store.raw_payload("mail:bad")
    assert row is not None and row.attempts == 2


def test_dialect_insert_on_conflict_keeps_the_first_row(store: Store) -> None:
    table: Any = t.RawPayloadRow.__table__
    row = dict(id="raw-1", source="mail", kind="eml", ref="r", content=b"x", size=1, status="ok")
    with store.session() as s:
        ins = dialect_insert(s.get_bind().dialect.name, table)
        first = s.execute(ins.values(**row).on_conflict_do_nothing(index_elements=["id"])
                          .returning(table.c.id)).first()
        again = s.execute(ins.values(**{**row, "ref": "other"}).on_conflict_do_nothing(index_elements=["id"])
                          .returning(table.c.id)).first()
        assert first is not None and again is None
        assert s.scalar(select(table.c.ref).where(table.c.id == "raw-1")) == "r"
