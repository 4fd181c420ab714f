"""The Store: every read and write the pipeline and the service make, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from qa_monitor.config import PipelineSpec
from qa_monitor.records import (
    LABELS,
    Batch,
    Cursor,
    Finding,
    Interaction,
    Message,
    MessageScore,
    Participant,
    RawPayload,
    agent_contexts,
    as_label,
)
from qa_monitor.storage import tables as t
from qa_monitor.storage.db import dialect_insert, make_engine, migrate


@dataclass(frozen=True)
class PendingMessage:
    """An agent message waiting to be scored, with the customer's preceding turn as context."""

    id: str
    interaction_id: str
    text: str
    language: str | None
    customer: str


def upsert(session: Session, table: Any, rows: Sequence[dict[str, Any]], keys: Sequence[str],
           update_cols: Sequence[str] | None = None, keep_purged: bool = False) -> None:
    """Insert rows, or update the given columns where the key already exists (SQLite and PostgreSQL);
    with `keep_purged`, rows whose `purged_at` is set are left as they are."""
    if not rows:
        return
    cols = update_cols if update_cols is not None else [c for c in rows[0] if c not in keys]
    stmt = _upsert_statement(session.get_bind().dialect.name, table, tuple(keys), tuple(cols), keep_purged)
    # chunk: SQLite caps bound parameters per statement
    per = max(1, 30000 // max(1, len(rows[0])))
    for i in range(0, len(rows), per):
        session.execute(stmt, list(rows[i:i + per]))


_messages: Any = t.MessageRow.__table__
_MARK_SCORED = (update(_messages).where(_messages.c.id == bindparam("mid"))
                .values(scored_version=bindparam("version"), language=bindparam("lang"),
                        language_note=bindparam("note")))


# the statements of the webhook's hot path, built once (building one costs about as much as running it)
_INTERACTION = select(t.InteractionRow.__table__).where(t.InteractionRow.__table__.c.id == bindparam("iid"))
_CONVERSATION = (select(_messages).where(_messages.c.interaction_id == bindparam("iid"))
                 .order_by(_messages.c.seq, _messages.c.sent_at, _messages.c.id))


@lru_cache(maxsize=256)
def _upsert_statement(dialect: str, table: Any, keys: tuple[str, ...], cols: tuple[str, ...],
                      keep_purged: bool = False) -> Any:
    """The INSERT ... ON CONFLICT statement, built once per shape (building it costs more than running it)."""
    ins = dialect_insert(dialect, table)
    where = table.c.purged_at.is_(None) if keep_purged else None
    return (ins.on_conflict_do_update(index_elements=list(keys), set_={c: ins.excluded[c] for c in cols},
                                      where=where)
            if cols else ins.on_conflict_do_nothing(index_elements=list(keys)))


class Store:
    """Reads and writes through one engine; each public method is one transaction."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Create or upgrade the schema to the latest migration."""
        migrate(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self._sessions() as s, s.begin():
            yield s

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    # --- directory -------------------------------------------------------------------------------
    def sync_directory(self, spec: PipelineSpec) -> None:
        """Upsert the teams and agents a pipeline file declares."""
        with self.session() as s:
            upsert(s, t.TeamRow.__table__, [{"id": x.id, "name": x.name} for x in spec.teams], ["id"])
            upsert(s, t.AgentRow.__table__,
                   [{"id": a.id, "name": a.name, "team_id": a.team} for a in spec.agents], ["id"])

    # --- ingestion -------------------------------------------------------------------------------
    def save_batch(self, adapter: str, batch: Batch, moved: bool = False) -> None:
        """Store a batch's raw payloads and interactions, then its cursor, all in one transaction.

        `moved` says the batch's times were moved on purpose (the demo placing its samples before today): its
        interactions' starts then replace the stored ones instead of keeping the earliest seen."""
        with self.session() as s:
            self._save_raw(s, batch.raw)
            self.upsert_interactions_in(s, batch.interactions)
            if moved and batch.interactions:
                its: Any = t.InteractionRow.__table__
                s.execute(update(its).where(its.c.id == bindparam("iid")).values(started_at=bindparam("start")),
                          [{"iid": i.id, "start": i.started_at} for i in batch.interactions])
            if batch.cursor is not None:
                upsert(s, t.CursorRow.__table__,
                       [{"adapter": adapter, "value": dict(batch.cursor), "updated_at": t.utcnow()}],
                       ["adapter"])

    def save_raw(self, payloads: Sequence[RawPayload]) -> None:
        """Store raw payloads as received (before parsing); a payload already stored keeps its row."""
        with self.session() as s:
            self._save_raw(s, payloads)

    def upsert_interactions(self, items: Sequence[Interaction]) -> None:
        """Insert or update interactions with their messages."""
        with self.session() as s:
            self.upsert_interactions_in(s, items)

    def cursor(self, adapter: str) -> Cursor | None:
        """The saved cursor of one adapter instance, or None before its first committed batch."""
        with self.session() as s:
            row = s.get(t.CursorRow, adapter)
            return dict(row.value) if row else None

    @staticmethod
    def _save_raw(s: Session, payloads: Sequence[RawPayload]) -> None:
        rows = [{"id": p.id, "source": p.source, "kind": p.kind, "ref": p.ref, "content": p.content,
                 "size": len(p.content), "status": p.status, "reason": p.reason,
                 "updated_at": t.utcnow()} for p in payloads]
        # A payload seen again keeps its bytes; its status follows the latest parse (a purged one stays purged).
        upsert(s, t.RawPayloadRow.__table__, rows, ["id"], ["status", "reason", "updated_at"], keep_purged=True)

    @staticmethod
    def upsert_interactions_in(s: Session, items: Sequence[Interaction]) -> None:
        """`upsert_interactions` inside the caller's transaction `s`.

        An update adds to what is stored and never erases it: the start is the earliest seen, a subject the
        update lacks is kept, the team follows the whole stored conversation, and a partial update keeps the
        stored channel, subject and messages' places, its new messages going after the stored ones. A stored
        message is scored again when what the scorer reads of it (its text, the customer's turns before it)
        changed."""
        if not items:
            return
        agent_team = dict(s.execute(select(t.AgentRow.id, t.AgentRow.team_id)).all())
        its: Any = t.InteractionRow.__table__
        msg: Any = _messages
        ids = list(dict.fromkeys(it.id for it in items))
        known: dict[str, dict[str, Any]] = {}  # interaction id -> its row as stored, then as this batch leaves it
        for chunk in _chunks(ids, 500):
            known.update({r.id: dict(r._mapping) for r in s.execute(
                select(its.c.id, its.c.channel, its.c.subject, its.c.started_at, its.c.team_id, its.c.meta)
                .where(its.c.id.in_(chunk)))})
        stored_before = set(known)
        # the stored messages of the interactions updated (a large first import has none worth reading)
        partial = {it.id for it in items if it.partial}
        small = sum(len(it.messages) for it in items) < 20000
        read = sorted(i for i in stored_before if small or i in partial)
        stored: dict[str, dict[str, dict[str, Any]]] = {}  # interaction id -> message id -> stored row
        for chunk in _chunks(read, 500):
            for r in s.execute(select(msg.c.id, msg.c.interaction_id, msg.c.seq, msg.c.sent_at, msg.c.role,
                                      msg.c.agent_id, msg.c.text, msg.c.internal, msg.c.language,
                                      msg.c.purged_at)
                               .where(msg.c.interaction_id.in_(chunk))):
                stored.setdefault(r.interaction_id, {})[r.id] = {**r._mapping, "sent_at": as_utc(r.sent_at)}
        top = {iid: max(r["seq"] for r in rows.values()) for iid, rows in stored.items()}
        updated: dict[str, dict[str, dict[str, Any]]] = {}  # interaction id -> message id -> row to write
        links: list[dict[str, Any]] = []
        for it in items:
            irow = {"id": it.id, "source": it.source, "native_id": it.native_id, "channel": it.channel,
                    "subject": it.subject, "started_at": it.started_at,
                    "team_id": next((agent_team[a] for a in it.agent_ids if agent_team.get(a)), None),
                    "meta": dict(it.meta), "updated_at": t.utcnow()}
            prev = known.get(it.id)
            if prev is not None:
                irow["started_at"] = min(as_utc(prev["started_at"]), it.started_at)
                irow["subject"] = (prev["subject"] or it.subject) if it.partial else (it.subject or prev["subject"])
                irow["channel"] = prev["channel"] if it.partial else it.channel
                irow["team_id"] = prev["team_id"] or irow["team_id"]  # from the whole conversation, below
                irow["meta"] = {**(prev["meta"] or {}), **it.meta}
            known[it.id] = irow
            links += [{"interaction_id": it.id, "raw_payload_id": r} for r in it.raw_payload_ids]
            rows = updated.setdefault(it.id, {})
            for m in sorted(it.messages, key=lambda m: m.seq) if it.partial else it.messages:
                seq, sent_at = m.seq, m.sent_at
                if it.partial:  # a stored message keeps its place; a new one goes after the last
                    held = rows.get(m.id) or stored.get(it.id, {}).get(m.id)
                    if held is not None:
                        seq, sent_at = held["seq"], held["sent_at"]
                    else:
                        seq = top.get(it.id, -1) + 1
                top[it.id] = max(top.get(it.id, seq), seq)
                old = stored.get(it.id, {}).get(m.id)
                if old is not None and old["purged_at"] is not None:
                    continue  # a purged message read again from the source stays purged: no edit, nothing written
                language = m.language
                if language is None and old is not None and old["text"] == m.text:
                    language = old["language"]  # keep the language scoring detected for this text
                rows[m.id] = {
                    "id": m.id, "interaction_id": it.id, "seq": seq, "role": m.author.role,
                    "author_id": m.author.id, "author_name": m.author.name,
                    "agent_id": m.author.agent_id if m.author.agent_id in agent_team else None,
                    "role_guessed": m.author.role_guessed, "sent_at": sent_at, "text": m.text,
                    "internal": m.internal, "language": language, "meta": dict(m.meta)}
        for iid, before in stored.items():
            # the team of a stored conversation is its first agent's with one, whatever part this update carried
            merged = sorted({**before, **updated[iid]}.values(), key=lambda r: (r["seq"], r["sent_at"], r["id"]))
            known[iid]["team_id"] = next((team for r in merged if (team := agent_team.get(r["agent_id"]))),
                                         known[iid]["team_id"])
        upsert(s, its, [known[i] for i in ids], ["id"], keep_purged=True)
        upsert(s, t.InteractionPayloadRow.__table__, links, ["interaction_id", "raw_payload_id"], [])
        upsert(s, msg, [r for rows in updated.values() for r in rows.values()], ["id"],
               ["seq", "role", "author_id", "author_name", "agent_id", "role_guessed", "sent_at", "text",
                "internal", "language", "meta"], keep_purged=True)
        rescore = [mid for iid, before in stored.items() for mid in _scorer_view_changes(before, updated[iid])]
        for chunk in _chunks(rescore, 500):
            s.execute(update(msg).where(msg.c.id.in_(chunk)).values(scored_version=None))

    @staticmethod
    def interaction_in(s: Session, interaction_id: str) -> Interaction | None:
        """The stored interaction with all its stored messages in order, inside the caller's transaction `s`."""
        row = s.execute(_INTERACTION, {"iid": interaction_id}).first()
        if row is None:
            return None
        messages = tuple(
            Message(id=m.id, interaction_id=m.interaction_id, seq=m.seq,
                    author=Participant(id=m.author_id, role=m.role, name=m.author_name, agent_id=m.agent_id,
                                       role_guessed=m.role_guessed),
                    sent_at=as_utc(m.sent_at), text=m.text, internal=m.internal, language=m.language,
                    meta=m.meta or {})
            for m in s.execute(_CONVERSATION, {"iid": interaction_id}))
        return Interaction(id=row.id, source=row.source, native_id=row.native_id, channel=row.channel,
                           started_at=as_utc(row.started_at), messages=messages, subject=row.subject,
                           meta=row.meta or {})

    # --- quarantine ------------------------------------------------------------------------------
    def quarantined(self, source: str | None = None) -> list[t.RawPayloadRow]:
        """Quarantined raw payloads, oldest first."""
        with self.session() as s:
            q = select(t.RawPayloadRow).where(t.RawPayloadRow.status == "quarantined")
            if source:
                q = q.where(t.RawPayloadRow.source == source)
            return list(s.scalars(q.order_by(t.RawPayloadRow.received_at)))

    def raw_payload(self, payload_id: str) -> t.RawPayloadRow | None:
        """One raw payload by id."""
        with self.session() as s:
            return s.get(t.RawPayloadRow, payload_id)

    def mark_raw(self, payload_id: str, status: str, reason: str | None) -> None:
        """Set a raw payload's status after a retry, counting the attempt."""
        with self.session() as s:
            s.execute(update(t.RawPayloadRow).where(t.RawPayloadRow.id == payload_id).values(
                status=status, reason=reason, attempts=t.RawPayloadRow.attempts + 1, updated_at=t.utcnow()))

    # --- scoring ---------------------------------------------------------------------------------
    def pending_messages(self, model_version: str, limit: int | None = None) -> list[PendingMessage]:
        """Customer-facing agent messages not yet scored by this model version, with customer context."""
        with self.session() as s:
            q = (select(t.MessageRow.id, t.MessageRow.interaction_id, t.MessageRow.seq, t.MessageRow.text,
                        t.MessageRow.language)
                 .where(t.MessageRow.role == "agent", t.MessageRow.internal.is_(False),
                        t.MessageRow.purged_at.is_(None),
                        (t.MessageRow.scored_version.is_(None)) | (t.MessageRow.scored_version != model_version))
                 .order_by(t.MessageRow.interaction_id, t.MessageRow.seq))
            if limit:
                q = q.limit(limit)
            rows = s.execute(q).all()
            if not rows:
                return []
            ids = {r.interaction_id for r in rows}
            turns: dict[str, list[dict[str, Any]]] = {}
            for iid in _chunks(sorted(ids), 500):
                for c in s.execute(select(t.MessageRow.id, t.MessageRow.interaction_id, t.MessageRow.seq,
                                          t.MessageRow.sent_at, t.MessageRow.role, t.MessageRow.text,
                                          t.MessageRow.internal)
                                   .where(t.MessageRow.interaction_id.in_(iid), t.MessageRow.internal.is_(False))):
                    turns.setdefault(c.interaction_id, []).append(dict(c._mapping))
        views = {mid: view for conversation in turns.values() for mid, view in _scorer_view(conversation).items()}
        return [PendingMessage(r.id, r.interaction_id, r.text, r.language, views[r.id][1]) for r in rows]

    def save_scores(self, scores: Sequence[MessageScore]) -> None:
        """Replace each message's scores and findings with this run's, and mark it scored."""
        if not scores:
            return
        with self.session() as s:
            self.save_scores_in(s, scores)

    def stored_scores(self, message_ids: Sequence[str], model_version: str,
                      threshold_version: str) -> dict[str, MessageScore]:
        """The stored scores of those messages that are scored already by this model and threshold version
        (with unchanged text and context: an edit resets a message's scored_version), keyed by message id."""
        with self.session() as s:
            return self.stored_scores_in(s, message_ids, model_version, threshold_version)

    @staticmethod
    def stored_scores_in(s: Session, message_ids: Sequence[str], model_version: str,
                         threshold_version: str) -> dict[str, MessageScore]:
        """`stored_scores` inside the caller's transaction `s`."""
        if not message_ids:
            return {}
        rows = s.execute(select(t.MessageRow.id, t.MessageRow.language, t.MessageRow.language_note,
                                t.MessageScoreRow.label,
                                t.MessageScoreRow.score, t.MessageScoreRow.threshold, t.MessageScoreRow.scored_at)
                         .join(t.MessageScoreRow, t.MessageScoreRow.message_id == t.MessageRow.id)
                         .where(t.MessageRow.id.in_(list(message_ids)), t.MessageRow.scored_version == model_version,
                                t.MessageScoreRow.model_version == model_version,
                                t.MessageScoreRow.threshold_version == threshold_version)).all()
        # message id -> (language, its note, scores, thresholds, when they were made)
        parts: dict[str, tuple[str, str | None, dict[str, float], dict[str, float], datetime]] = {}
        for r in rows:
            _, _, scores, thresholds, _ = parts.setdefault(
                r.id, (r.language or "unknown", r.language_note, {}, {}, r.scored_at))
            scores[r.label], thresholds[r.label] = r.score, r.threshold
        if not parts:
            return {}
        findings: dict[str, list[Finding]] = {}
        # a run's findings carry its scores' timestamp; older reviewed findings kept beside them are not this run's
        f_cols = (t.FindingRow.message_id, t.FindingRow.label, t.FindingRow.score, t.FindingRow.start,
                  t.FindingRow.end, t.FindingRow.detector, t.FindingRow.detector_version, t.FindingRow.explanation,
                  t.FindingRow.suggestion, t.FindingRow.rule, t.FindingRow.evidence, t.FindingRow.created_at)
        for f in s.execute(select(*f_cols).where(t.FindingRow.message_id.in_(list(parts)),
                                                 t.FindingRow.threshold_version == threshold_version)
                           .order_by(t.FindingRow.id)):
            if as_utc(f.created_at) == as_utc(parts[f.message_id][4]):
                findings.setdefault(f.message_id, []).append(Finding(
                    message_id=f.message_id, label=as_label(f.label), score=f.score, start=f.start, end=f.end,
                    detector=f.detector, detector_version=f.detector_version, explanation=f.explanation,
                    suggestion=f.suggestion, rule=f.rule, evidence=f.evidence))
        order: dict[str, int] = {label: n for n, label in enumerate(LABELS)}
        return {mid: MessageScore(message_id=mid, language=lang,
                                  scores=dict(sorted(scores.items(), key=lambda kv: order.get(kv[0], 99))),
                                  thresholds=thresholds,
                                  findings=tuple(findings.get(mid, ())), model_version=model_version,
                                  threshold_version=threshold_version, language_note=note)
                for mid, (lang, note, scores, thresholds, _) in parts.items()}

    @staticmethod
    def save_scores_in(s: Session, scores: Sequence[MessageScore]) -> None:
        """`save_scores` inside the caller's transaction `s`."""
        if not scores:
            return
        ids = [x.message_id for x in scores]
        # a purged message keeps the scores it had: scores made from a copy of its text read again are dropped
        purged = {i for chunk in _chunks(ids, 500) for i in s.scalars(
            select(t.MessageRow.id).where(t.MessageRow.id.in_(chunk), t.MessageRow.purged_at.is_not(None)))}
        if purged:
            scores = [x for x in scores if x.message_id not in purged]
            ids = [x.message_id for x in scores]
        for chunk in _chunks(ids, 500):
            # Findings already reviewed are kept (their history matters); others are replaced.
            reviewed = select(t.ReviewRow.finding_id)
            s.execute(delete(t.FindingRow).where(t.FindingRow.message_id.in_(chunk),
                                                 t.FindingRow.id.not_in(reviewed)))
            s.execute(delete(t.MessageScoreRow).where(t.MessageScoreRow.message_id.in_(chunk)))
        now = t.utcnow()
        score_rows, finding_rows = [], []
        for x in scores:
            for label, value in x.scores.items():
                thr = x.thresholds.get(label, 1.0)
                score_rows.append({"message_id": x.message_id, "label": label, "score": float(value),
                                   "threshold": float(thr), "flagged": float(value) >= thr,
                                   "model_version": x.model_version,
                                   "threshold_version": x.threshold_version, "scored_at": now})
            for f in x.findings:
                finding_rows.append({
                    "message_id": f.message_id, "label": f.label, "score": float(f.score),
                    "start": f.start, "end": f.end, "evidence": f.evidence, "detector": f.detector,
                    "detector_version": f.detector_version, "threshold_version": x.threshold_version,
                    "rule": f.rule, "explanation": f.explanation, "suggestion": f.suggestion,
                    "flagged": float(f.score) >= x.thresholds.get(f.label, 1.0), "status": "open",
                    "created_at": now})
        if score_rows:
            s.execute(insert(t.MessageScoreRow), score_rows)
        if finding_rows:
            s.execute(insert(t.FindingRow), finding_rows)
        # one executemany statement (Core: the ORM's bulk update costs more than the update itself)
        s.execute(_MARK_SCORED, [{"mid": x.message_id, "version": x.model_version, "lang": x.language,
                                  "note": x.language_note[:300] if x.language_note else None} for x in scores])


def _chunks(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _scorer_view(rows: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Agent message id -> (text, customer context): what the scorer reads, from one conversation's rows."""
    shown = sorted((r for r in rows if not r["internal"]), key=lambda r: (r["seq"], r["sent_at"], r["id"]))
    texts = {r["id"]: r["text"] for r in shown}
    return {mid: (texts[mid], ctx) for mid, ctx in agent_contexts((r["id"], r["role"], r["text"]) for r in shown)
            .items()}


def _scorer_view_changes(before: Mapping[str, Mapping[str, Any]], update: Mapping[str, Mapping[str, Any]]
                         ) -> list[str]:
    """The stored agent messages of one conversation whose text or customer context `update` changes."""
    old, new = _scorer_view(before.values()), _scorer_view({**before, **update}.values())
    return [mid for mid, view in new.items() if mid in before and old.get(mid) != view]


def as_utc(value: datetime) -> datetime:
    """A datetime read back from SQLite (naive) made timezone-aware UTC."""
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def summary(store: Store) -> dict[str, Any]:
    """Counts for the CLI summary: interactions, agent messages, and flagged findings per label and language."""
    from sqlalchemy import func

    with store.session() as s:
        interactions = s.scalar(select(func.count()).select_from(t.InteractionRow)) or 0
        agent_messages = s.scalar(select(func.count()).select_from(t.MessageRow)
                                  .where(t.MessageRow.role == "agent", t.MessageRow.internal.is_(False))) or 0
        rows = s.execute(select(t.MessageScoreRow.label, t.MessageRow.language, func.count())
                         .join(t.MessageRow, t.MessageRow.id == t.MessageScoreRow.message_id)
                         .where(t.MessageScoreRow.flagged.is_(True))
                         .group_by(t.MessageScoreRow.label, t.MessageRow.language)).all()
        quarantined = s.scalar(select(func.count()).select_from(t.RawPayloadRow)
                               .where(t.RawPayloadRow.status == "quarantined")) or 0
    flags: dict[str, dict[str, int]] = {}
    for label, language, n in rows:
        flags.setdefault(label, {})[language or "unknown"] = int(n)
    return {"interactions": int(interactions), "agent_messages": int(agent_messages), "flags": flags,
            "quarantined": int(quarantined)}
