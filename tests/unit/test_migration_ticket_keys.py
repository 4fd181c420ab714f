"""Migration 0003 on SQLite and PostgreSQL: tickets stored under the old `<source>:<id>` keys, next to the webhook's
`<system>:<id>`, become one interaction each, with every message, score, finding and review kept once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from qa_monitor.storage.db import make_engine, migrate

T0 = datetime(2026, 11, 20, 9, 12, tzinfo=UTC)
TABLES = ("teams", "agents", "raw_payloads", "interactions", "interaction_payloads", "messages", "message_scores",
          "findings", "reviews", "webhook_deliveries")


class OldData:
    """Rows written as the code before 0003 wrote them, straight into the tables of revision 0002."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        meta = sa.MetaData()
        meta.reflect(conn, only=TABLES)
        self.t = meta.tables
        self.add("teams", id="billing", name="Billing")
        self.add("agents", id="anna", name="Anna Berg", team_id="billing")

    def add(self, table: str, **values: Any) -> Any:
        return self.conn.execute(self.t[table].insert().values(**values)).inserted_primary_key

    def raw(self, source: str, kind: str, ref: str) -> str:
        rid = f"{source}:{hashlib.sha256(ref.encode()).hexdigest()[:32]}"
        self.add("raw_payloads", id=rid, source=source, kind=kind, ref=ref, content=ref.encode(), size=len(ref),
                 status="parsed", attempts=1, received_at=T0, updated_at=T0)
        return rid

    def interaction(self, iid: str, raw: str, started: datetime = T0, team: str | None = None) -> None:
        source, native = iid.split(":", 1)
        self.add("interactions", id=iid, source=source, native_id=native, channel="ticket", subject="Charged twice",
                 started_at=started, team_id=team, meta={}, created_at=T0, updated_at=T0)
        self.add("interaction_payloads", interaction_id=iid, raw_payload_id=raw)

    def message(self, iid: str, native: str, seq: int, text: str, role: str = "agent", internal: bool = False,
                scored: bool = False) -> str:
        mid = f"{iid}#{native}"
        self.add("messages", id=mid, interaction_id=iid, seq=seq, role=role, author_id=f"{role}-1",
                 agent_id="anna" if role == "agent" else None, role_guessed=False, sent_at=T0 + timedelta(minutes=seq),
                 text=text, internal=internal, language="en", meta={}, scored_version="v1" if scored else None)
        return mid

    def scores(self, mid: str, flagged: tuple[str, ...] = ()) -> None:
        for label in ("rude", "condescending", "unclear"):
            self.add("message_scores", message_id=mid, label=label, score=0.9 if label in flagged else 0.1,
                     threshold=0.5, flagged=label in flagged, model_version="v1", threshold_version="t1",
                     scored_at=T0)

    def finding(self, mid: str, label: str, start: int, end: int) -> int:
        return int(self.add("findings", message_id=mid, label=label, score=0.9, start=start, end=end, evidence="x",
                            detector="markers", detector_version="1", threshold_version="t1",
                            explanation="why", flagged=True, status="open", created_at=T0)[0])

    def review(self, finding: int, verdict: str, minutes: int) -> None:
        self.add("reviews", finding_id=finding, verdict=verdict, created_at=T0 + timedelta(minutes=minutes))
        self.conn.execute(sa.update(self.t["findings"]).where(self.t["findings"].c.id == finding)
                          .values(status=verdict))


REPLY = "As I already explained in the FAQ, duplicate charges are just authorisations. Obviously you should wait."


def build_old_scheme(conn: sa.Connection) -> dict[str, int]:
    """Ticket 35436 stored three times (a support-eu export, the Zendesk webhook, a zd-archive export) with a
    manager's verdict on each of the two copies scored; ticket 900 scored only in its export copy; tickets read
    from one export only; and conversations that keep their keys."""
    d = OldData(conn)
    ids: dict[str, int] = {}
    export, hook = d.raw("support-eu", "zendesk.ticket", "t.json#0"), d.raw("webhook-zendesk", "json", "inv-1")
    archive = d.raw("zd-archive", "zendesk.ticket", "old.jsonl:3")

    d.interaction("support-eu:35436", export, team="billing")
    d.message("support-eu:35436", "1274", 0, "I was charged twice.", role="customer")
    a = d.message("support-eu:35436", "1275", 1, REPLY, scored=True)
    d.scores(a, ("condescending",))
    ids["export_f1"], ids["export_f2"] = d.finding(a, "condescending", 0, 22), d.finding(a, "condescending", 78, 87)
    d.review(ids["export_f1"], "confirmed", 30)
    d.message("support-eu:35436", "1276", 2, "Checking with payments.", internal=True)
    d.message("support-eu:35436", "1277", 3, "Still no money.", role="customer")

    d.interaction("zendesk:35436", hook, started=T0 + timedelta(minutes=20))
    d.add("webhook_deliveries", id="zendesk:inv-1", provider="zendesk", raw_payload_id=hook,
          interaction_id="zendesk:35436", status="done", received_at=T0)
    for seq, (native, text, role) in enumerate([("1274", "I was charged twice.", "customer"), ("1275", REPLY, "agent"),
                                                ("1276", "Checking with payments.", "agent"),
                                                ("1277", "Still no money.", "customer"),
                                                ("1278", "Sorry: refunded today.", "agent")]):
        mid = d.message("zendesk:35436", native, seq, text, role=role, internal=native == "1276",
                        scored=native in ("1275", "1278"))
        if native == "1275":
            d.scores(mid, ("condescending",))
            ids["hook_g1"] = d.finding(mid, "condescending", 0, 22)
            ids["hook_g2"] = d.finding(mid, "condescending", 78, 87)
            d.review(ids["hook_g2"], "dismissed", 40)
        if native == "1278":
            d.scores(mid)

    d.interaction("zd-archive:35436", archive)
    d.message("zd-archive:35436", "1274", 0, "I was charged twice.", role="customer")
    d.message("zd-archive:35436", "1275", 1, REPLY)

    # ticket 900: the webhook copy was never scored (say the scorer was down), the export copy was and was reviewed
    d.interaction("support-eu:900", d.raw("support-eu", "zendesk.ticket", "t.json#1"))
    d.message("support-eu:900", "1", 0, "Hello?", role="customer")
    b = d.message("support-eu:900", "2", 1, "Not our problem.", scored=True)
    d.scores(b, ("rude",))
    ids["only_scored"] = d.finding(b, "rude", 0, 15)
    d.review(ids["only_scored"], "confirmed", 50)
    d.interaction("zendesk:900", d.raw("webhook-zendesk", "json", "inv-2"))
    d.message("zendesk:900", "1", 0, "Hello?", role="customer")
    d.message("zendesk:900", "2", 1, "Not our problem.")

    # read from one export only: re-keyed, nothing to merge
    d.interaction("support-eu:5521", d.raw("support-eu", "zendesk.ticket", "t.json#2"))
    c = d.message("support-eu:5521", "9", 0, "Obviously.", scored=True)
    d.scores(c, ("condescending",))
    ids["moved"] = d.finding(c, "condescending", 0, 9)
    d.review(ids["moved"], "dismissed", 60)
    d.interaction("desk:7781", d.raw("desk", "freshdesk.file", "fd.json"))
    d.message("desk:7781", "description", 0, "Nie mogę się zalogować.", role="customer")

    # kept as they are: not from a ticket system, or keyed on the system already
    d.interaction("chat:184200311", d.raw("chat", "intercom.conversation", "ic.json#0"))
    d.message("chat:184200311", "1", 0, "Hi", role="customer")
    d.interaction("zendesk:6001", d.raw("zendesk", "zendesk.ticket", "z.json#0"))
    d.message("zendesk:6001", "1", 0, "Hola", role="customer")
    return ids


@pytest.fixture
def migrated(db_url: str) -> Iterator[tuple[sa.Connection, dict[str, sa.Table], dict[str, int], int]]:
    """A database built by the old id scheme at revision 0002, then upgraded to 0003; (connection, tables, ids of
    the findings made, reviews before)."""
    migrate(db_url, "0002")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        ids = build_old_scheme(conn)
        reviews_before = conn.scalar(sa.text("SELECT count(*) FROM reviews"))
    migrate(db_url, "0003")
    meta = sa.MetaData()
    with engine.connect() as conn:
        meta.reflect(conn, only=TABLES)
        yield conn, dict(meta.tables), ids, int(reviews_before)
    engine.dispose()


def test_tickets_stored_twice_become_one_with_everything_kept_once(migrated: Any) -> None:
    conn, t, ids, reviews_before = migrated
    i, m, sc, f, rv = t["interactions"], t["messages"], t["message_scores"], t["findings"], t["reviews"]
    assert conn.execute(sa.select(i.c.id, i.c.source).order_by(i.c.id)).all() == [
        ("chat:184200311", "chat"), ("freshdesk:7781", "freshdesk"), ("zendesk:35436", "zendesk"),
        ("zendesk:5521", "zendesk"), ("zendesk:6001", "zendesk"), ("zendesk:900", "zendesk")]
    ticket = conn.execute(sa.select(i).where(i.c.id == "zendesk:35436")).one()
    assert ticket.team_id == "billing" and ticket.started_at.replace(tzinfo=UTC) == T0  # the earliest copy's
    assert list(conn.scalars(sa.select(m.c.id).where(m.c.interaction_id == "zendesk:35436").order_by(m.c.id))) == [
        f"zendesk:35436#{n}" for n in (1274, 1275, 1276, 1277, 1278)]
    assert conn.scalar(sa.select(sa.func.count()).select_from(m).where(m.c.interaction_id.not_in(
        list(conn.scalars(sa.select(i.c.id)))))) == 0
    links = conn.scalars(sa.select(t["interaction_payloads"].c.raw_payload_id)
                         .where(t["interaction_payloads"].c.interaction_id == "zendesk:35436"))
    assert sorted(x.split(":")[0] for x in links) == ["support-eu", "webhook-zendesk", "zd-archive"]
    assert conn.scalar(sa.select(t["webhook_deliveries"].c.interaction_id)) == "zendesk:35436"

    # the reply scored twice: one set of scores, each finding once, both managers' verdicts kept
    reply = "zendesk:35436#1275"
    assert conn.scalar(sa.select(sa.func.count()).select_from(sc).where(sc.c.message_id == reply)) == 3
    found = conn.execute(sa.select(f.c.id, f.c.start, f.c.status).where(f.c.message_id == reply)
                         .order_by(f.c.start)).all()
    assert [(x.start, x.status) for x in found] == [(0, "confirmed"), (78, "dismissed")]
    assert {x.id for x in found} == {ids["export_f1"], ids["hook_g2"]}  # the reviewed findings themselves
    assert conn.scalar(sa.select(sa.func.count()).select_from(rv)) == reviews_before
    assert set(conn.scalars(sa.select(rv.c.finding_id))) <= set(conn.scalars(sa.select(f.c.id)))
    flagged_once = (sa.select(sa.func.count()).select_from(f).join(m, m.c.id == f.c.message_id)
                    .where(m.c.interaction_id == "zendesk:35436", f.c.flagged.is_(True)))
    assert conn.scalar(flagged_once) == 2

    # only the export copy was scored: its scores, finding and verdict move onto the kept message
    kept = conn.execute(sa.select(m.c.scored_version).where(m.c.id == "zendesk:900#2")).one()
    assert kept.scored_version == "v1"
    assert conn.scalar(sa.select(sa.func.count()).select_from(sc).where(sc.c.message_id == "zendesk:900#2")) == 3
    assert conn.execute(sa.select(f.c.message_id, f.c.status).where(f.c.id == ids["only_scored"])).one() == (
        "zendesk:900#2", "confirmed")

    # re-keyed without a merge: messages, scores, findings and verdicts follow
    assert conn.execute(sa.select(f.c.message_id, f.c.status).where(f.c.id == ids["moved"])).one() == (
        "zendesk:5521#9", "dismissed")
    assert conn.scalar(sa.select(sa.func.count()).select_from(sc).where(sc.c.message_id == "zendesk:5521#9")) == 3
    assert conn.scalar(sa.select(m.c.id).where(m.c.interaction_id == "freshdesk:7781")) == "freshdesk:7781#description"
    assert conn.scalar(sa.select(m.c.id).where(m.c.interaction_id == "chat:184200311")) == "chat:184200311#1"
