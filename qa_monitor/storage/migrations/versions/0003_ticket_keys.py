"""ticket exports keyed on the ticket system: `<source>:<ticket id>` becomes `<system>:<ticket id>`, merged

Revision ID: 0003
Revises: 0002

A ticket read from a Zendesk or Freshdesk export used to be keyed on the pipeline source's name (`support-eu:35436`)
while the webhook keyed the same ticket on the system (`zendesk:35436`), so it was stored, scored and counted
twice. Each interaction built from a ticket export (the kind of its raw payloads says so) is re-keyed to
`<system>:<ticket id>` with its messages; where that interaction exists already, the two become one:

- messages merge by their native id; a message stored twice keeps the copy already under the new id, with its
  scores, unless only the other copy was scored (then that copy's scores and findings move to it);
- findings a manager reviewed are always kept, with their reviews; the same finding (label, span, detector and
  version) left twice on one message becomes one, which carries every review of both and the latest verdict;
- payload links, the team and the earliest start follow (webhook deliveries name the system's id already).

The schema does not change. Merged conversations cannot be split again, so the downgrade leaves the data as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

# raw payload kinds of ticket exports (one ticket, or a whole export file parsed on retry) -> the ticket system
SYSTEM_OF_KIND = {"zendesk.ticket": "zendesk", "zendesk.file": "zendesk",
                  "freshdesk.ticket": "freshdesk", "freshdesk.file": "freshdesk"}
TABLES = ("interactions", "interaction_payloads", "raw_payloads", "messages", "message_scores", "findings", "reviews")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        # copying messages touches each of their indexes: with SQLite's small default page cache that grows
        # faster than the table (this connection is used by the migration only)
        conn.exec_driver_sql("PRAGMA cache_size = -262144")
    # reflected, not imported: this migration must keep working when tables.py moves on
    meta = sa.MetaData()
    meta.reflect(conn, only=TABLES)
    tb = meta.tables
    moves = _moves(conn, tb)
    i = tb["interactions"]
    taken = {x for part in _chunks(sorted({new for _, new, _ in moves}), CHUNK)
             for x in conn.scalars(sa.select(i.c.id).where(i.c.id.in_(part)))}
    renames: list[tuple[str, str, str]] = []
    merges: list[tuple[str, str, str]] = []
    for old, new, system in moves:
        (merges if new in taken else renames).append((old, new, system))
        taken.add(new)  # a second copy of the same ticket merges into the first one moved there
    for part in _chunks(renames, CHUNK):
        _rename(conn, tb, part)
    for old, new, _ in merges:
        _merge(conn, tb, old, new)
    log.info("ticket keys: %d interactions re-keyed, %d of them merged into another copy", len(moves), len(merges))


def downgrade() -> None:
    pass  # merged conversations cannot be split again; the new ids work with the old code too


CHUNK = 500


def _chunks(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for k in range(0, len(items), n):
        yield items[k:k + n]


def _moves(conn: Any, tb: Any) -> list[tuple[str, str, str]]:
    """(old id, new id, system) of every interaction built from a ticket export and keyed otherwise."""
    i, p, r = tb["interactions"], tb["interaction_payloads"], tb["raw_payloads"]
    rows = conn.execute(sa.select(i.c.id, i.c.native_id, r.c.kind).distinct()
                        .join(p, p.c.interaction_id == i.c.id).join(r, r.c.id == p.c.raw_payload_id)
                        .where(r.c.kind.in_(sorted(SYSTEM_OF_KIND)))).all()
    out: dict[str, tuple[str, str]] = {}
    for iid, native, kind in sorted(rows):
        system = SYSTEM_OF_KIND[kind]
        if iid != f"{system}:{native}":
            out.setdefault(iid, (f"{system}:{native}", system))
    return [(old, new, system) for old, (new, system) in sorted(out.items())]


def _as(name: str) -> Any:
    # typed, so PostgreSQL knows what a parameter in a SELECT list is
    return sa.cast(sa.bindparam(name), sa.String)


def _copy(table: Any, renamed: dict[str, str]) -> Any:
    """INSERT INTO table SELECT ... FROM table WHERE key = :old, with the columns in `renamed` set from parameters."""
    key = "id" if "id" in table.c else "interaction_id"
    cols = [_as(renamed[c.name]) if c.name in renamed else c for c in table.c]
    return sa.insert(table).from_select([c.name for c in table.c],
                                        sa.select(*cols).where(table.c[key] == sa.bindparam("old")))


def _rename(conn: Any, tb: Any, moves: Sequence[tuple[str, str, str]]) -> None:
    """Move interactions to new ids that nothing holds yet, with their messages, scores and findings."""
    i, p, m = tb["interactions"], tb["interaction_payloads"], tb["messages"]
    olds = [old for old, _, _ in moves]
    conn.execute(_copy(i, {"id": "new", "source": "system"}),
                 [{"old": old, "new": new, "system": system} for old, new, system in moves])
    conn.execute(_copy(p, {"interaction_id": "new"}), [{"old": old, "new": new} for old, new, _ in moves])
    new_of = {old: new for old, new, _ in moves}
    _move_messages(conn, tb, [(mid, iid, new_of[iid]) for mid, iid in
                              conn.execute(sa.select(m.c.id, m.c.interaction_id).where(m.c.interaction_id.in_(olds)))])
    _drop(conn, tb, olds)


def _move_messages(conn: Any, tb: Any, moves: Sequence[tuple[str, str, str]]) -> None:
    """Copy messages (id, old interaction, new interaction) under the new interaction; their scores and findings
    follow. The old rows are left for `_drop`."""
    if not moves:
        return
    m = tb["messages"]
    params = [{"old": mid, "new_mid": _message_id(mid, old, new), "new": new} for mid, old, new in moves]
    conn.execute(_copy(m, {"id": "new_mid", "interaction_id": "new"}), params)
    for table in (tb["message_scores"], tb["findings"]):
        conn.execute(sa.update(table).where(table.c.message_id == sa.bindparam("old"))
                     .values(message_id=sa.bindparam("new_mid")), [{"old": x["old"], "new_mid": x["new_mid"]}
                                                                   for x in params])


def _message_id(mid: str, old: str, new: str) -> str:
    return new + mid[len(old):] if mid.startswith(f"{old}#") else f"{new}#{mid}"


def _drop(conn: Any, tb: Any, olds: Sequence[str]) -> None:
    """Delete interactions whose messages were moved or merged, with their messages and payload links."""
    for table, key in ((tb["messages"], "interaction_id"), (tb["interaction_payloads"], "interaction_id"),
                       (tb["interactions"], "id")):
        conn.execute(sa.delete(table).where(table.c[key].in_(list(olds))))


def _merge(conn: Any, tb: Any, old: str, new: str) -> None:
    """Fold one interaction into the copy of the same ticket already stored under the new id."""
    i, p, m = tb["interactions"], tb["interaction_payloads"], tb["messages"]
    dst, src = (conn.execute(sa.select(i.c.started_at, i.c.team_id, i.c.subject).where(i.c.id == x)).one()
                for x in (new, old))
    conn.execute(sa.update(i).where(i.c.id == new).values(
        started_at=min(dst.started_at, src.started_at), team_id=dst.team_id or src.team_id,
        subject=dst.subject or src.subject))
    linked = sa.select(p.c.raw_payload_id).where(p.c.interaction_id == new)
    conn.execute(sa.insert(p).from_select(
        ["interaction_id", "raw_payload_id"],
        sa.select(_as("new"), p.c.raw_payload_id).where(p.c.interaction_id == old, p.c.raw_payload_id.not_in(linked))),
        {"new": new})
    held = set(conn.scalars(sa.select(m.c.id).where(m.c.interaction_id == new)))
    moving = []
    for mid in list(conn.scalars(sa.select(m.c.id).where(m.c.interaction_id == old))):
        if _message_id(mid, old, new) in held:
            _merge_message(conn, tb, mid, _message_id(mid, old, new))
        else:
            moving.append((mid, old, new))
    _move_messages(conn, tb, moving)
    _drop(conn, tb, [old])


def _merge_message(conn: Any, tb: Any, old: str, new: str) -> None:
    """Fold the message stored as `old` into the same message stored as `new` (which stays)."""
    m, sc, f, rv = tb["messages"], tb["message_scores"], tb["findings"], tb["reviews"]
    src = conn.execute(sa.select(m.c.text, m.c.scored_version, m.c.language, m.c.language_note)
                       .where(m.c.id == old)).one()
    dst = conn.execute(sa.select(m.c.text, m.c.language).where(m.c.id == new)).one()

    def scored(mid: str) -> bool:
        return conn.scalar(sa.select(sa.func.count()).select_from(sc).where(sc.c.message_id == mid)) > 0

    reviewed = sa.select(rv.c.finding_id)
    if scored(old) and not scored(new):
        # only the old copy was scored: its scores and findings move, current while the text is the same
        conn.execute(sa.update(m).where(m.c.id == new).values(
            scored_version=src.scored_version if src.text == dst.text else None,
            language=src.language or dst.language, language_note=src.language_note))
        conn.execute(sa.update(sc).where(sc.c.message_id == old).values(message_id=new))
    else:
        # the kept copy's scores stand; the old copy's duplicate run goes, but not what a manager reviewed
        conn.execute(sa.delete(sc).where(sc.c.message_id == old))
        conn.execute(sa.delete(f).where(f.c.message_id == old, f.c.id.not_in(reviewed)))
    conn.execute(sa.update(f).where(f.c.message_id == old).values(message_id=new))
    _fold_findings(conn, tb, new)


def _fold_findings(conn: Any, tb: Any, message_id: str) -> None:
    """Make one of each finding left twice on a message: the reviewed one stays, with every review of both."""
    f, rv = tb["findings"], tb["reviews"]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for r in conn.execute(sa.select(f.c.id, f.c.label, f.c.start, f.c.end, f.c.detector, f.c.detector_version)
                          .where(f.c.message_id == message_id).order_by(f.c.id)):
        groups.setdefault(tuple(r[1:]), []).append(r.id)
    for ids in (ids for ids in groups.values() if len(ids) > 1):
        latest = conn.execute(sa.select(rv.c.finding_id, rv.c.verdict).where(rv.c.finding_id.in_(ids))
                              .order_by(rv.c.created_at.desc(), rv.c.id.desc()).limit(1)).first()
        if latest is None:
            continue  # none reviewed: two findings of one scoring run, as the scorer made them
        others = [x for x in ids if x != latest.finding_id]
        conn.execute(sa.update(rv).where(rv.c.finding_id.in_(others)).values(finding_id=latest.finding_id))
        conn.execute(sa.delete(f).where(f.c.id.in_(others)))
        conn.execute(sa.update(f).where(f.c.id == latest.finding_id).values(status=latest.verdict))
