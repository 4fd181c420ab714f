"""Trends and agent profiles, aggregated in SQL (GROUP BY with dialect-aware date truncation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from qa_monitor.records import LABELS
from qa_monitor.service.auth import Principal
from qa_monitor.service.errors import ApiError
from qa_monitor.service.queries import check_team, utc_naive
from qa_monitor.service.schemas import (
    AgentOut,
    AgentSummaryOut,
    ExampleOut,
    IssueOut,
    StrengthOut,
    TrendBucketOut,
    TrendOut,
)
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store, as_utc

MAX_EXAMPLES = 3
MAX_ISSUES = 5


def period_start(dialect: str, period: str, column: Any) -> Any:
    """SQL for the first day ('YYYY-MM-DD', UTC) of the day, ISO week (Monday) or month of a timestamp."""
    if period not in ("day", "week", "month"):
        raise ValueError(f"unknown period {period!r}")
    if dialect == "postgresql":
        return func.to_char(func.date_trunc(period, func.timezone("UTC", column)), "YYYY-MM-DD")
    if period == "day":
        return func.date(column)
    if period == "week":
        # 'weekday 0' moves forward to Sunday (or stays), '-6 days' lands on that week's Monday
        return func.date(column, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", column)


def previous_start(period: str, start: str) -> str:
    """The first day of the period before the one starting on `start`."""
    d = date.fromisoformat(start)
    if period == "day":
        return (d - timedelta(days=1)).isoformat()
    if period == "week":
        return (d - timedelta(days=7)).isoformat()
    return (d.replace(day=1) - timedelta(days=1)).replace(day=1).isoformat()


def quality_index(volume: int, flagged: int) -> float:
    """0-100: the share of scored agent messages with no flag at all, as a percentage."""
    return round(100.0 * (1.0 - flagged / volume), 1) if volume else 100.0


@dataclass(frozen=True)
class TrendFilters:
    """Filters shared by trends and agent profiles."""

    team: str | None = None
    agent: str | None = None
    channel: str | None = None
    language: str | None = None
    since: Any = None
    until: Any = None


def _group_column(group_by: str | None) -> Any:
    M, IT, A = t.MessageRow, t.InteractionRow, t.AgentRow
    return {"agent": M.agent_id, "team": A.team_id, "channel": IT.channel, "language": M.language,
            None: literal(None)}[group_by]


def aggregate(s: Session, p: Principal, group_by: str | None, period: str | None, f: TrendFilters
              ) -> list[dict[str, Any]]:
    """Rows of (group, period_start, volume, flagged, flagged_<label>...) over the principal's scored messages;
    a message counts for its agent's team."""
    M, IT, S, A = t.MessageRow, t.InteractionRow, t.MessageScoreRow, t.AgentRow
    per_message = (select(S.message_id.label("message_id"),
                          func.max(case((S.flagged.is_(True), 1), else_=0)).label("any_flag"),
                          *[func.max(case(((S.label == lab) & S.flagged.is_(True), 1), else_=0)).label(f"f_{lab}")
                            for lab in LABELS])
                   .group_by(S.message_id).subquery())
    dialect = s.get_bind().dialect.name
    group = _group_column(group_by).label("grp")
    bucket = (period_start(dialect, period, M.sent_at) if period else literal("")).label("bucket")
    where: list[ColumnElement[bool]] = [M.role == "agent", p.owns(M.agent_id)]
    for value, column in [(f.team, A.team_id), (f.agent, M.agent_id), (f.channel, IT.channel),
                          (f.language, M.language)]:
        if value:
            where.append(column == value)
    if f.since:
        where.append(M.sent_at >= utc_naive(f.since))
    if f.until:
        where.append(M.sent_at < utc_naive(f.until))
    q = (select(group, bucket, func.count().label("volume"), func.sum(per_message.c.any_flag).label("flagged"),
                *[func.sum(per_message.c[f"f_{lab}"]).label(f"f_{lab}") for lab in LABELS])
         .select_from(M).join(IT, IT.id == M.interaction_id).outerjoin(A, A.id == M.agent_id)
         .join(per_message, per_message.c.message_id == M.id)
         .where(*where).group_by(group, bucket).order_by(group, bucket))
    return [dict(r._mapping) for r in s.execute(q)]


def _bucket_out(r: dict[str, Any]) -> TrendBucketOut:
    volume, flagged = int(r["volume"]), int(r["flagged"] or 0)
    return TrendBucketOut(group=r["grp"], period_start=str(r["bucket"]), volume=volume, flagged=flagged,
                          flag_rate={lab: round(int(r[f"f_{lab}"] or 0) / volume, 4) if volume else 0.0
                                     for lab in LABELS},
                          quality_index=quality_index(volume, flagged), change=None)


def with_changes(period: str, buckets: list[TrendBucketOut]) -> list[TrendBucketOut]:
    """Each bucket with its difference to the same group's previous period (None when that one is empty)."""
    index = {(b.group, b.period_start): b for b in buckets}
    out = []
    for b in buckets:
        prev = index.get((b.group, previous_start(period, b.period_start)))
        change = None if prev is None else {
            "volume": b.volume - prev.volume,
            "quality_index": round(b.quality_index - prev.quality_index, 1),
            "flag_rate": {lab: round(b.flag_rate[lab] - prev.flag_rate[lab], 4) for lab in LABELS}}
        out.append(b.model_copy(update={"change": change}))
    return out


def trends(store: Store, p: Principal, group_by: str, period: str, f: TrendFilters) -> TrendOut:
    """Volume, flag rate per label and quality index per group and period, with change vs the previous period."""
    with store.session() as s:
        check_team(s, p, f.team)
        rows = aggregate(s, p, group_by, period, f)
    buckets = with_changes(period, [_bucket_out(r) for r in rows])
    return TrendOut(group_by=group_by, period=period, labels=list(LABELS), buckets=buckets)  # type: ignore[arg-type]


def list_agents(store: Store, p: Principal, team: str | None) -> list[AgentSummaryOut]:
    """The agents the principal may read, by name."""
    A = t.AgentRow
    q = select(A).where(p.owns(A.id)).order_by(A.name)
    if team:
        q = q.where(A.team_id == team)
    with store.session() as s:
        check_team(s, p, team)
        return [AgentSummaryOut(id=a.id, name=a.name, team_id=a.team_id) for a in s.scalars(q)]


def agent_profile(store: Store, p: Principal, agent_id: str, period: str = "week") -> AgentOut:
    """One agent: flag rates against the team's (for a reader of the whole team), strengths, recurring issues with
    examples, and the trend."""
    with store.session() as s:
        agent = s.scalar(select(t.AgentRow).where(t.AgentRow.id == agent_id, p.owns(t.AgentRow.id)))
        if agent is None:
            raise ApiError(404, "not_found", f"no agent '{agent_id}'")
        mine = aggregate(s, p, None, None, TrendFilters(agent=agent_id))
        team_rows = (aggregate(s, p, None, None, TrendFilters(team=agent.team_id))
                     if agent.team_id and p.can_see_team(agent.team_id) else [])
        trend_rows = aggregate(s, p, "agent", period, TrendFilters(agent=agent_id))
        issues = _recurring_issues(s, p, agent_id)
    me = _bucket_out(mine[0]) if mine else None
    team = _bucket_out(team_rows[0]) if team_rows else None
    strengths = []
    if me and me.volume:
        for lab in LABELS:
            rate, team_rate = me.flag_rate[lab], team.flag_rate[lab] if team else None
            if rate == 0.0:
                note = f"never flagged as {lab} in {me.volume} scored messages"
            elif team_rate is not None and rate < team_rate:
                note = f"flagged as {lab} in {rate:.0%} of messages, below the team's {team_rate:.0%}"
            else:
                continue
            strengths.append(StrengthOut(label=lab, flag_rate=rate, team_flag_rate=team_rate, note=note))
    return AgentOut(id=agent.id, name=agent.name, team_id=agent.team_id, messages=me.volume if me else 0,
                    flag_rate=me.flag_rate if me else {lab: 0.0 for lab in LABELS},
                    quality_index=me.quality_index if me else None, strengths=strengths,
                    recurring_issues=issues, trend=with_changes(period, [_bucket_out(r) for r in trend_rows]))


def _recurring_issues(s: Session, p: Principal, agent_id: str) -> list[IssueOut]:
    F, M = t.FindingRow, t.MessageRow
    rule = func.coalesce(F.rule, "")
    base = (F.flagged.is_(True), M.agent_id == agent_id, p.owns(M.agent_id), F.status != "dismissed")
    groups = s.execute(select(F.label, rule.label("rule"), func.count().label("n"))
                       .join(M, M.id == F.message_id).where(*base)
                       .group_by(F.label, rule).order_by(func.count().desc(), F.label, rule)
                       .limit(MAX_ISSUES)).all()
    out = []
    for g in groups:
        examples = s.execute(select(F, M.interaction_id, M.sent_at).join(M, M.id == F.message_id)
                             .where(*base, F.label == g.label, rule == g.rule)
                             .order_by(F.score.desc(), F.id).limit(MAX_EXAMPLES)).all()
        out.append(IssueOut(label=g.label, rule=g.rule or None, count=int(g.n), examples=[
            ExampleOut(flag_id=fr.id, message_id=fr.message_id, interaction_id=iid, evidence=fr.evidence,
                       explanation=fr.explanation, suggestion=fr.suggestion, sent_at=as_utc(sent))
            for fr, iid, sent in examples]))
    return out
