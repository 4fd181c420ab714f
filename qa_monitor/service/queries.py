"""The service layer for reading: interactions, the review queue, reviews, agents. Routes stay thin."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session

from qa_monitor.service.auth import Principal
from qa_monitor.service.errors import ApiError
from qa_monitor.service.schemas import (
    FindingOut,
    FlagDetailOut,
    FlagOut,
    FlagPageOut,
    InteractionOut,
    InteractionPageOut,
    InteractionSummaryOut,
    LabelScoreOut,
    MessageOut,
    ReviewOut,
    SpanOut,
    TurnOut,
)
from qa_monitor.storage import tables as t
from qa_monitor.storage.scope import owned_by
from qa_monitor.storage.store import Store, as_utc

# Severity orders the review queue: a rude flag outranks a condescending one of the same score, which
# outranks an unclear one (a manager acts on hostility first).
LABEL_WEIGHT = {"rude": 1.0, "condescending": 0.9, "unclear": 0.7}
CONTEXT_BEFORE, CONTEXT_AFTER = 2, 1
MAX_FLAG_ID = 2_147_483_647  # findings.id is a 32-bit integer on PostgreSQL


def utc_naive(value: datetime | None) -> datetime | None:
    """A filter bound in UTC (naive values are taken as UTC)."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


# Who may see what (the rule is `storage.scope.owned_by`, through `Principal.owns`): a principal sees the flags,
# scores and findings of the messages it owns; an interaction when it holds one of those, and then its customer
# and system turns besides. Whatever it may not see answers 404 exactly as an id that does not exist, so that a
# response never tells another team's objects from missing ones.


def check_team(s: Session, principal: Principal, team: str | None) -> None:
    """404 for a team filter naming a team the principal may not read, as for a team that does not exist."""
    if team is not None and (not principal.can_see_team(team) or s.get(t.TeamRow, team) is None):
        raise ApiError(404, "not_found", f"no team '{team}'")


def shown(principal: Principal) -> ColumnElement[bool]:
    """SQL: the messages of a visible interaction a principal is shown: customer and system turns, and its own."""
    M = t.MessageRow
    if principal.sees_all:
        return true()
    return or_(and_(M.role != "agent", M.agent_id.is_(None)), principal.owns(M.agent_id))


def visible_interaction(principal: Principal) -> ColumnElement[bool]:
    """SQL over interactions: those holding a message the principal owns."""
    if principal.sees_all:
        return true()
    M = t.MessageRow
    return exists().where(M.interaction_id == t.InteractionRow.id, principal.owns(M.agent_id))


# --- interactions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InteractionFilters:
    """Filters of GET /interactions."""

    flagged: bool | None = None
    label: str | None = None
    language: str | None = None
    agent: str | None = None
    team: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_interactions(store: Store, p: Principal, f: InteractionFilters, limit: int, offset: int
                      ) -> InteractionPageOut:
    """A page of interactions visible to the principal, newest first; filters apply to the messages it owns."""
    IT, M, S = t.InteractionRow, t.MessageRow, t.MessageScoreRow
    mine = p.owns(M.agent_id)
    where: list[ColumnElement[bool]] = [visible_interaction(p)]
    if f.team:
        where.append(exists().where(M.interaction_id == IT.id, mine, owned_by(M.agent_id, teams=[f.team])))
    if f.channel:
        where.append(IT.channel == f.channel)
    if f.since:
        where.append(IT.started_at >= utc_naive(f.since))
    if f.until:
        where.append(IT.started_at < utc_naive(f.until))
    if f.agent:
        where.append(exists().where(M.interaction_id == IT.id, M.agent_id == f.agent, mine))
    if f.language:
        where.append(exists().where(M.interaction_id == IT.id, M.language == f.language, shown(p)))
    if f.flagged is not None or f.label:
        cond = [M.interaction_id == IT.id, S.message_id == M.id, S.flagged.is_(True), mine]
        if f.label:
            cond.append(S.label == f.label)
        has = exists().where(*cond)
        where.append(~has if f.flagged is False else has)
    with store.session() as s:
        check_team(s, p, f.team)
        total = s.scalar(select(func.count()).select_from(IT).where(*where)) or 0
        rows = s.scalars(select(IT).where(*where).order_by(IT.started_at.desc(), IT.id).limit(limit).offset(offset)
                         ).all()
        items = _summaries(s, p, rows)
    return InteractionPageOut(items=items, total=total, limit=limit, offset=offset)


def _summaries(s: Session, p: Principal, rows: Sequence[t.InteractionRow]) -> list[InteractionSummaryOut]:
    """Counts over the messages the principal is shown; flagged ones among those it owns."""
    ids = [r.id for r in rows]
    M, S = t.MessageRow, t.MessageScoreRow
    counts = dict(s.execute(select(M.interaction_id, func.count()).where(M.interaction_id.in_(ids), shown(p))
                            .group_by(M.interaction_id)).all()) if ids else {}
    flagged = dict(s.execute(select(M.interaction_id, func.count(func.distinct(M.id)))
                             .join(S, S.message_id == M.id)
                             .where(M.interaction_id.in_(ids), S.flagged.is_(True), p.owns(M.agent_id))
                             .group_by(M.interaction_id)).all()) if ids else {}
    langs: dict[str, list[str]] = {}
    if ids:
        for iid, lang in s.execute(select(M.interaction_id, M.language).distinct()
                                   .where(M.interaction_id.in_(ids), M.language.isnot(None), shown(p))
                                   .order_by(M.interaction_id, M.language)):
            langs.setdefault(iid, []).append(str(lang))
    return [InteractionSummaryOut(id=r.id, source=r.source, channel=r.channel, subject=r.subject,
                                  started_at=as_utc(r.started_at), team_id=r.team_id,
                                  message_count=counts.get(r.id, 0), flagged_messages=flagged.get(r.id, 0),
                                  languages=langs.get(r.id, [])) for r in rows]


def get_interaction(store: Store, p: Principal, interaction_id: str) -> InteractionOut:
    """One interaction with the messages the principal is shown, and the scores and findings (spans) of its own."""
    M = t.MessageRow
    with store.session() as s:
        row = s.scalar(select(t.InteractionRow).where(t.InteractionRow.id == interaction_id, visible_interaction(p)))
        if row is None:
            raise ApiError(404, "not_found", f"no interaction '{interaction_id}'")
        summary = _summaries(s, p, [row])[0]
        msgs = s.scalars(select(M).where(M.interaction_id == row.id, shown(p)).order_by(M.seq)).all()
        ids = list(s.scalars(select(M.id).where(M.interaction_id == row.id, p.owns(M.agent_id))))
        scores: dict[str, dict[str, LabelScoreOut]] = {}
        for sc in s.scalars(select(t.MessageScoreRow).where(t.MessageScoreRow.message_id.in_(ids))):
            scores.setdefault(sc.message_id, {})[sc.label] = LabelScoreOut(
                score=sc.score, threshold=sc.threshold, flagged=sc.flagged, model_version=sc.model_version,
                threshold_version=sc.threshold_version)
        findings: dict[str, list[FindingOut]] = {}
        for fr in s.scalars(select(t.FindingRow).where(t.FindingRow.message_id.in_(ids))
                            .order_by(t.FindingRow.start, t.FindingRow.id)):
            findings.setdefault(fr.message_id, []).append(_finding_out(fr))
        agents = list(dict.fromkeys(m.agent_id for m in msgs if m.agent_id))
        messages = [MessageOut(id=m.id, seq=m.seq, role=m.role, author_name=m.author_name, agent_id=m.agent_id,
                               sent_at=as_utc(m.sent_at), text=m.text, internal=m.internal, language=m.language,
                               language_note=m.language_note, scores=scores.get(m.id, {}),
                               findings=findings.get(m.id, [])) for m in msgs]
    return InteractionOut(**summary.model_dump(), agent_ids=agents, messages=messages)


def _finding_out(fr: t.FindingRow) -> FindingOut:
    return FindingOut(id=fr.id, label=fr.label, score=fr.score, start=fr.start, end=fr.end, evidence=fr.evidence,
                      detector=fr.detector, detector_version=fr.detector_version,
                      threshold_version=fr.threshold_version, rule=fr.rule, explanation=fr.explanation,
                      suggestion=fr.suggestion, flagged=fr.flagged, status=fr.status)


# --- the review queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagFilters:
    """Filters of GET /flags."""

    team: str | None = None
    agent: str | None = None
    label: str | None = None
    language: str | None = None
    channel: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def severity_expr() -> Any:
    """The SQL expression ranking flags: score times the label's weight."""
    F = t.FindingRow
    return F.score * case(*[(F.label == lab, w) for lab, w in LABEL_WEIGHT.items()], else_=0.5)


def encode_cursor(severity: float, flag_id: int) -> str:
    """An opaque cursor after one flag of the queue."""
    return base64.urlsafe_b64encode(json.dumps([severity, flag_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, int]:
    """The (severity, id) a cursor points after; 422 for anything else."""
    invalid = ApiError(422, "invalid_cursor", "cursor: not one this service returned (pass next_cursor as given)")
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise invalid from None
    # only the exact shape encode_cursor writes: a finite severity and a flag id the database can hold
    if not (isinstance(value, list) and len(value) == 2):
        raise invalid
    sev, fid = value
    if (type(sev) is not float or not math.isfinite(sev)
            or type(fid) is not int or not 1 <= fid <= MAX_FLAG_ID):
        raise invalid
    return sev, fid


def _flag_query(p: Principal) -> Any:
    """Flagged findings on the messages the principal owns, with the message, its agent's team and the channel."""
    F, M, IT, A = t.FindingRow, t.MessageRow, t.InteractionRow, t.AgentRow
    sev = severity_expr().label("severity")
    return (select(F, M, IT.channel, A.team_id, A.name.label("agent_name"), sev)
            .join(M, M.id == F.message_id).join(IT, IT.id == M.interaction_id)
            .outerjoin(A, A.id == M.agent_id)
            .where(F.flagged.is_(True), p.owns(M.agent_id)))


def list_flags(store: Store, p: Principal, f: FlagFilters, limit: int, cursor: str | None) -> FlagPageOut:
    """The review queue: flagged findings by severity (highest first), cursor-paginated."""
    F, M, IT, A = t.FindingRow, t.MessageRow, t.InteractionRow, t.AgentRow
    sev = severity_expr()
    q = _flag_query(p)
    for value, column in [(f.team, A.team_id), (f.agent, M.agent_id), (f.label, F.label),
                          (f.language, M.language), (f.channel, IT.channel), (f.status, F.status)]:
        if value:
            q = q.where(column == value)
    if f.since:
        q = q.where(M.sent_at >= utc_naive(f.since))
    if f.until:
        q = q.where(M.sent_at < utc_naive(f.until))
    if cursor:
        after_sev, after_id = decode_cursor(cursor)
        q = q.where(or_(sev < after_sev, and_(sev == after_sev, F.id > after_id)))
    q = q.order_by(sev.desc(), F.id).limit(limit + 1)
    with store.session() as s:
        check_team(s, p, f.team)
        rows = s.execute(q).all()
        more = len(rows) > limit
        rows = rows[:limit]
        items = _flags_out(s, p, rows)
    next_cursor = encode_cursor(rows[-1].severity, rows[-1][0].id) if more and rows else None
    return FlagPageOut(items=items, next_cursor=next_cursor)


def _flags_out(s: Session, p: Principal, rows: Sequence[Any]) -> list[FlagOut]:
    F, M = t.FindingRow, t.MessageRow
    msg_ids = sorted({r[1].id for r in rows})
    spans: dict[str, list[SpanOut]] = {}
    if msg_ids:
        for fr in s.scalars(select(F).where(F.message_id.in_(msg_ids), F.flagged.is_(True))
                            .order_by(F.start, F.id)):
            spans.setdefault(fr.message_id, []).append(_span(fr))
    # the surrounding turns: a few before and after each flagged message, in one query per interaction set
    turns: dict[str, list[t.MessageRow]] = {}
    inter_ids = sorted({r[1].interaction_id for r in rows})
    if inter_ids:
        for m in s.scalars(select(M).where(M.interaction_id.in_(inter_ids), shown(p))
                           .order_by(M.interaction_id, M.seq)):
            turns.setdefault(m.interaction_id, []).append(m)
    out = []
    for r in rows:
        fr, msg = r[0], r[1]
        conv = turns.get(msg.interaction_id, [])
        pos = next((i for i, m in enumerate(conv) if m.id == msg.id), 0)
        around = conv[max(0, pos - CONTEXT_BEFORE):pos + CONTEXT_AFTER + 1]
        out.append(FlagOut(
            id=fr.id, label=fr.label, score=fr.score, severity=float(r.severity), status=fr.status,
            message_id=msg.id, interaction_id=msg.interaction_id, agent_id=msg.agent_id, agent_name=r.agent_name,
            team_id=r.team_id, channel=r.channel, language=msg.language, language_note=msg.language_note,
            sent_at=as_utc(msg.sent_at),
            text=msg.text, span=_span(fr), spans=spans.get(msg.id, [_span(fr)]),
            context=[TurnOut(message_id=m.id, seq=m.seq, role=m.role, author_name=m.author_name,
                             sent_at=as_utc(m.sent_at), text=m.text, internal=m.internal, current=m.id == msg.id)
                     for m in around]))
    return out


def _span(fr: t.FindingRow) -> SpanOut:
    return SpanOut(finding_id=fr.id, label=fr.label, score=fr.score, start=fr.start, end=fr.end,
                   evidence=fr.evidence, explanation=fr.explanation, suggestion=fr.suggestion, rule=fr.rule)


def _load_flag(s: Session, p: Principal, flag_id: int) -> Any:
    row = s.execute(_flag_query(p).where(t.FindingRow.id == flag_id)).first()
    if row is None:
        raise ApiError(404, "not_found", f"no flag {flag_id}")
    return row


def get_flag(store: Store, p: Principal, flag_id: int) -> FlagDetailOut:
    """One flag with its context and its full review history (oldest first)."""
    with store.session() as s:
        row = _load_flag(s, p, flag_id)
        flag = _flags_out(s, p, [row])[0]
        history = _history(s, flag_id)
    return FlagDetailOut(**flag.model_dump(), history=history)


def _history(s: Session, flag_id: int) -> list[ReviewOut]:
    R, U = t.ReviewRow, t.UserRow
    return [ReviewOut(id=r.id, verdict=r.verdict, note=r.note, reviewer=name, created_at=as_utc(r.created_at))
            for r, name in s.execute(select(R, U.name).outerjoin(U, U.id == R.reviewer_id)
                                     .where(R.finding_id == flag_id).order_by(R.created_at, R.id))]


def review_flag(store: Store, p: Principal, flag_id: int, verdict: str, note: str | None) -> FlagDetailOut:
    """Append a verdict to a flag's history and set its current status."""
    with store.session() as s:
        row = _load_flag(s, p, flag_id)
        s.add(t.ReviewRow(finding_id=flag_id, verdict=verdict, note=note, reviewer_id=p.user_id))
        row[0].status = verdict
    return get_flag(store, p, flag_id)

