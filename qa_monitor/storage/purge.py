"""Retention and erasure: text past a pipeline's `retention_days`, or everything about one customer, is removed.

What is removed is emptied in place and marked `purged_at` rather than deleted: a message keeps its agent, time,
language and scores (the trends and the weekly report count it as before), and a raw payload keeps its id (a hash
of its bytes), so the same message or bytes read again from the source stay empty and are never scored again.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, Text, cast, delete, exists, false, func, or_, select, update
from sqlalchemy.orm import Session

from qa_monitor.config import PipelineSpec
from qa_monitor.errors import ConfigError
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store

log = logging.getLogger(__name__)

ERASED = "[erased]"
WEBHOOK_PREFIX = "webhook-"  # raw payloads of webhook deliveries are stored under the source "webhook-<provider>"
# keys of a stored webhook response or job result that quote message text
TEXT_KEYS = frozenset({"text", "evidence", "explanation", "suggestion", "subject"})
# keys under which ticket and chat payloads name a person by id
ID_KEYS = ("author", "author_id", "requester_id", "submitter_id", "user", "user_id", "customer_id", "contact_id")
# a customer's own text is looked for in raw payloads only from this length: shorter ones ("Thanks!") match others'
MIN_TEXT_NEEDLE = 20
CHUNK = 500


@dataclass
class PurgeReport:
    """Rows changed per table: `emptied` (text removed, the row kept for the counts) and `deleted`."""

    emptied: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    cutoff: datetime | None = None

    def rows(self) -> list[tuple[str, int, int]]:
        """(table, emptied, deleted) for every table with a change, by table name."""
        names = sorted(n for n in set(self.emptied) | set(self.deleted) if self.emptied[n] or self.deleted[n])
        return [(n, self.emptied[n], self.deleted[n]) for n in names]


def purge_expired(store: Store, spec: PipelineSpec, *, webhooks: bool = False, now: datetime | None = None,
                  dry_run: bool = False) -> PurgeReport:
    """Empty the message text, conversation subjects and raw payloads of the pipeline's sources (and of webhook
    deliveries, with `webhooks`) older than its `retention_days`; nothing without `retention_days`."""
    report = PurgeReport()
    if spec.retention_days is None:
        return report
    now = (now or t.utcnow()).astimezone(UTC)
    report.cutoff = cutoff = now - timedelta(days=spec.retention_days)
    M, IT, P, L = t.MessageRow, t.InteractionRow, t.RawPayloadRow, t.InteractionPayloadRow
    sources = sorted({x.name for x in spec.sources})
    payload_scope = P.source.in_(sources) | (P.source.startswith(WEBHOOK_PREFIX) if webhooks else false())
    scope = IT.source.in_(sources) | (IT.id.in_(select(L.interaction_id).join(P, P.id == L.raw_payload_id)
                                                .where(P.source.startswith(WEBHOOK_PREFIX))) if webhooks else false())
    with _transaction(store, dry_run) as s:
        expired = s.scalars(select(M.id).join(IT, IT.id == M.interaction_id)
                            .where(scope, M.sent_at < cutoff, M.purged_at.is_(None))).all()
        _purge_messages(s, report, expired, now)
        # a conversation loses its subject and meta once every message of it is purged
        done = s.scalars(select(IT.id).where(scope, IT.purged_at.is_(None), exists().where(M.interaction_id == IT.id),
                                            ~exists().where(M.interaction_id == IT.id, M.purged_at.is_(None)))).all()
        _purge_interactions(s, report, done, now)
        # raw payloads go when received before the cutoff, or as soon as every conversation built from them is
        # purged (an archive imported today of mail from years ago)
        live = select(L.raw_payload_id).join(IT, IT.id == L.interaction_id).where(IT.purged_at.is_(None))
        payloads = s.scalars(select(P.id).where(payload_scope, P.purged_at.is_(None), or_(
            P.received_at < cutoff,
            exists().where(L.raw_payload_id == P.id) & P.id.not_in(live)))).all()
        _purge_payloads(s, report, payloads, now)
    log.info("purged %s before %s: %s", spec.name, cutoff.isoformat(), dict(report.emptied))
    return report


def erase_customer(store: Store, *, emails: Iterable[str] = (), ids: Iterable[str] = (),
                   now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Remove one customer, named by e-mail address and/or by their id in a source, from every table: their
    conversations are emptied (scores kept), raw payloads and quarantined copies holding them emptied, and their
    address replaced by "[erased]" wherever else it is written."""
    addrs = sorted({e.strip().lower() for e in emails if e.strip()})
    idents = sorted({i.strip() for i in ids if i.strip()})
    if not addrs and not idents:
        raise ConfigError("name the customer: an e-mail address (--customer) or an id (--customer-id)")
    now = (now or t.utcnow()).astimezone(UTC)
    report = PurgeReport()
    M, IT, L = t.MessageRow, t.InteractionRow, t.InteractionPayloadRow
    with _transaction(store, dry_run) as s:
        own = s.execute(select(M.id, M.interaction_id, M.agent_id, M.text).where(
            or_(func.lower(M.author_id).in_(addrs), M.author_id.in_(idents)))).all()
        agents = sorted({r.agent_id for r in own if r.agent_id})
        if agents:
            raise ConfigError(f"that address or id wrote as the configured agent(s) {', '.join(agents)}: "
                              "purge --customer erases customers, not agents")
        # every conversation they took part in or that names their address is emptied whole: the agents'
        # replies answer them and may repeat what they wrote
        touched = {r.interaction_id for r in own}
        for a in addrs:
            touched |= set(s.scalars(select(M.interaction_id).where(or_(
                _contains(M.text, a), _contains(M.author_name, a), _contains(M.meta, a)))))
            touched |= set(s.scalars(select(IT.id).where(or_(_contains(IT.subject, a), _contains(IT.meta, a)))))
        # an id that holds the address (an e-mail thread named after its first Message-ID) cannot stay, even emptied
        doomed = sorted({i for a in addrs for i in s.scalars(select(IT.id).where(_contains(IT.id, a)))})
        doomed_messages = sorted({i for a in addrs for i in s.scalars(
            select(M.id).where(_contains(M.id, a), M.interaction_id.not_in(doomed)))})
        kept = sorted(touched - set(doomed))
        payloads = {p for chunk in _chunks(sorted(touched | set(doomed)), CHUNK)
                    for p in s.scalars(select(L.raw_payload_id).where(L.interaction_id.in_(chunk)))}
        payloads |= set(_payloads_holding(s, _needle(addrs, idents, [r.text for r in own])))
        _purge_payloads(s, report, sorted(payloads), now)
        _purge_messages(s, report, [m for chunk in _chunks(kept, CHUNK)
                                    for m in s.scalars(select(M.id).where(M.interaction_id.in_(chunk)))], now)
        _purge_interactions(s, report, kept, now)
        _delete(s, report, doomed, doomed_messages)
        for a in addrs:
            _scrub(s, report, a)
    log.info("erased a customer: %d own messages, %d conversations, %d raw payloads", len(own), len(touched),
             len(payloads))
    return report


# --- the steps, inside the caller's transaction ------------------------------------------------------------


@contextmanager
def _transaction(store: Store, dry_run: bool) -> Iterator[Session]:
    """One transaction, committed on success, rolled back on error or for a dry run."""
    with Session(store.engine) as s:
        s.begin()
        try:
            yield s
        except BaseException:
            s.rollback()
            raise
        if dry_run:
            s.rollback()
        else:
            s.commit()


def _chunks(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _contains(column: Any, needle: str) -> Any:
    """Case-insensitive `needle in column` in SQL, for text and JSON columns alike (LIKE wildcards escaped)."""
    return cast(column, Text).icontains(needle, autoescape=True)


def _purge_messages(s: Session, report: PurgeReport, ids: Sequence[str], now: datetime) -> None:
    """Empty messages' text and meta (and a customer's name and id), their findings' quotes and reviews' notes."""
    M, F, R = t.MessageRow, t.FindingRow, t.ReviewRow
    quiet = {"synchronize_session": False}
    for chunk in _chunks(ids, CHUNK):
        report.emptied["messages"] += _count(s.execute(
            update(M).where(M.id.in_(chunk), M.purged_at.is_(None)).values(text="", meta={}, purged_at=now)
            .execution_options(**quiet)))
        # who wrote stays known for the configured agents only: the counts per agent need it
        s.execute(update(M).where(M.id.in_(chunk), M.agent_id.is_(None)).values(author_id="", author_name=None)
                  .execution_options(**quiet))
        report.emptied["findings"] += _count(s.execute(
            update(F).where(F.message_id.in_(chunk), or_(F.evidence != "", F.explanation != "",
                                                        F.suggestion.is_not(None)))
            .values(evidence="", explanation="", suggestion=None).execution_options(**quiet)))
        report.emptied["reviews"] += _count(s.execute(
            update(R).where(R.finding_id.in_(select(F.id).where(F.message_id.in_(chunk))), R.note.is_not(None))
            .values(note=None).execution_options(**quiet)))


def _purge_interactions(s: Session, report: PurgeReport, ids: Sequence[str], now: datetime) -> None:
    """Empty conversations' subject and meta."""
    IT = t.InteractionRow
    for chunk in _chunks(ids, CHUNK):
        report.emptied["interactions"] += _count(s.execute(
            update(IT).where(IT.id.in_(chunk), IT.purged_at.is_(None)).values(subject=None, meta={}, purged_at=now)
            .execution_options(synchronize_session=False)))


def _purge_payloads(s: Session, report: PurgeReport, ids: Sequence[str], now: datetime) -> None:
    """Empty raw payloads (quarantined ones leave the quarantine), and the text the webhook deliveries and jobs
    made from them kept in their stored responses."""
    P, D, J = t.RawPayloadRow, t.WebhookDeliveryRow, t.JobRow
    for chunk in _chunks(ids, CHUNK):
        report.emptied["raw_payloads"] += _count(s.execute(
            update(P).where(P.id.in_(chunk), P.purged_at.is_(None))
            .values(content=b"", size=0, reason=None, status="purged", purged_at=now)
            .execution_options(synchronize_session=False)))
        for key, response in s.execute(select(D.id, D.response).where(D.raw_payload_id.in_(chunk),
                                                                       D.response.is_not(None))).all():
            stripped = _strip(response)
            if stripped != response:
                s.execute(update(D).where(D.id == key).values(response=stripped))
                report.emptied["webhook_deliveries"] += 1
    wanted = set(ids)
    for key, params, result in s.execute(select(J.id, J.params, J.result).where(J.result.is_not(None))).all():
        if (params or {}).get("raw_payload_id") in wanted and _strip(result) != result:
            s.execute(update(J).where(J.id == key).values(result=_strip(result)))
            report.emptied["jobs"] += 1


def _strip(value: Any) -> Any:
    """A stored response with every text-quoting field emptied."""
    if isinstance(value, dict):
        return {k: ("" if k in TEXT_KEYS and isinstance(v, str) else _strip(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _needle(addrs: Sequence[str], idents: Sequence[str], texts: Sequence[str]) -> re.Pattern[bytes] | None:
    """One pattern for raw bytes that hold the customer: an address, an id as the value of a person key in
    JSON, or one of their own texts (long enough not to match somebody else's), as UTF-8 or JSON-escaped."""
    parts = [re.escape(a.encode()) for a in addrs]
    keys = b"|".join(re.escape(k.encode()) for k in ID_KEYS)
    parts += [rb'"(?:' + keys + rb')"\s*:\s*"?' + re.escape(i.encode()) + rb'"?\s*[,}\]]' for i in idents]
    for text in {x.strip() for x in texts if len(x.strip()) >= MIN_TEXT_NEEDLE}:
        forms = {text.encode(), json.dumps(text)[1:-1].encode(), json.dumps(text, ensure_ascii=False)[1:-1].encode()}
        parts += [re.escape(f) for f in sorted(forms)]
    return re.compile(b"|".join(parts), re.IGNORECASE) if parts else None


def _payloads_holding(s: Session, needle: re.Pattern[bytes] | None) -> list[str]:
    """Ids of the raw payloads not purged yet whose bytes match (every status: quarantined and skipped too)."""
    if needle is None:
        return []
    P = t.RawPayloadRow
    rows = s.execute(select(P.id, P.content).where(P.purged_at.is_(None)).execution_options(yield_per=200))
    return [pid for pid, content in rows if needle.search(content)]


def _delete(s: Session, report: PurgeReport, interactions: Sequence[str], messages: Sequence[str]) -> None:
    """Delete conversations and messages with everything hanging from them, children first."""
    M, S, F, R, L, IT = (t.MessageRow, t.MessageScoreRow, t.FindingRow, t.ReviewRow, t.InteractionPayloadRow,
                        t.InteractionRow)
    mids = list(messages) + [m for chunk in _chunks(interactions, CHUNK)
                             for m in s.scalars(select(M.id).where(M.interaction_id.in_(chunk)))]
    for chunk in _chunks(mids, CHUNK):
        fids = select(F.id).where(F.message_id.in_(chunk))
        report.deleted["reviews"] += _count(s.execute(delete(R).where(R.finding_id.in_(fids))))
        report.deleted["findings"] += _count(s.execute(delete(F).where(F.message_id.in_(chunk))))
        report.deleted["message_scores"] += _count(s.execute(delete(S).where(S.message_id.in_(chunk))))
        report.deleted["messages"] += _count(s.execute(delete(M).where(M.id.in_(chunk))))
    for chunk in _chunks(interactions, CHUNK):
        report.deleted["interaction_payloads"] += _count(s.execute(delete(L).where(L.interaction_id.in_(chunk))))
        report.deleted["interactions"] += _count(s.execute(delete(IT).where(IT.id.in_(chunk))))


def _scrub(s: Session, report: PurgeReport, addr: str) -> None:
    """Replace the address by "[erased]" in every other text and JSON column of every table (job parameters,
    cursors, delivery records, notes, payload references...), so a table added later is covered too."""
    pattern = re.compile(re.escape(addr), re.IGNORECASE)
    for table in t.Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        cols = [c for c in table.columns
                if not (c.primary_key or c.foreign_keys) and isinstance(c.type, String | JSON)]
        if not cols:
            continue
        # one pass over the table, whichever of its columns holds the address
        rows = s.execute(select(*keys, *cols).where(or_(*[_contains(c, addr) for c in cols]))).all()
        for row in rows:
            values = dict(zip([c.name for c in cols], row[len(keys):], strict=True))
            s.execute(update(table).where(*[k == v for k, v in zip(keys, row[:len(keys)], strict=True)])
                      .values({name: _replace(v, pattern) for name, v in values.items()}))
        report.emptied[table.name] += len(rows)


def _replace(value: Any, pattern: re.Pattern[str]) -> Any:
    """The value (text, or JSON data) with every match of the pattern replaced by "[erased]"."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, dict):
        return {_replace(k, pattern): _replace(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern) for v in value]
    return value


def _count(result: Any) -> int:
    """Rows an UPDATE or DELETE touched."""
    return int(result.rowcount or 0)
