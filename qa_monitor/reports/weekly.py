"""The weekly quality report's numbers, computed with SQL aggregates on SQLite or PostgreSQL."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, case, distinct, func, literal, null, select, text, union_all
from sqlalchemy.orm import Session

from qa_monitor.records import LABELS
from qa_monitor.redaction import Redactor
from qa_monitor.reports.period import Week, epoch_hour_of, epoch_hours
from qa_monitor.storage import tables as t
from qa_monitor.storage.scope import owned_by
from qa_monitor.storage.store import Store, as_utc

SPARK_WEEKS = 12
MIN_SCORED = 3  # an agent's flag rate is compared week on week only with this many scored messages in each week
TOP_AGENTS = 3
EXAMPLES_PER_AGENT = 3
TOP_PHRASES = 10
CONTEXT_CHARS = 160
NO_KEY = "(none)"
DIMENSIONS = ("team", "agent", "channel", "language")


@dataclass(frozen=True)
class VolumeRow:
    """Agent messages in one group: how many, how many scored, how many flagged for any label."""

    key: str
    name: str
    interactions: int
    messages: int
    scored: int
    flagged: int
    flag_rate: float | None


@dataclass(frozen=True)
class LabelTrend:
    """One label's flag rate this week, last week, the change in points, and the last 12 weeks (oldest first)."""

    label: str
    scored: int
    flagged: int
    rate: float | None
    previous_rate: float | None
    change: float | None
    sparkline: list[float | None]
    sparkline_weeks: list[str]


@dataclass(frozen=True)
class Example:
    """A real flagged message, redacted, split around the flagged span."""

    finding_id: int
    message_id: str
    interaction_id: str
    label: str
    score: float
    week: str
    before: str
    span: str
    after: str
    explanation: str
    suggestion: str | None


@dataclass(frozen=True)
class AgentHighlight:
    """An agent who improved most or needs coaching, with examples."""

    agent_id: str
    name: str
    team_id: str | None
    scored: int
    flagged: int
    rate: float | None
    previous_rate: float | None
    change: float | None
    examples: list[Example]


@dataclass(frozen=True)
class Phrase:
    """Wording that keeps earning flags: the normalised evidence, how often, by how many agents."""

    label: str
    phrase: str
    rules: list[str]
    count: int
    agents: int
    suggestion: str | None


@dataclass(frozen=True)
class ReviewRate:
    """Reviewers' verdicts (the latest per flag, given this week): how many confirmed the flag."""

    key: str
    reviewed: int
    confirmed: int
    rate: float | None


@dataclass(frozen=True)
class WorkloadPoint:
    """One agent's workload (messages per active hour and per shift) against their flag rate."""

    agent_id: str
    name: str
    messages: int
    agent_hours: int
    shifts: int
    per_hour: float
    per_shift: float
    scored: int
    flagged: int
    flag_rate: float | None


@dataclass(frozen=True)
class WeeklyReport:
    """Everything the weekly report shows, ready for rendering."""

    week: str
    start: str
    end: str
    teams: list[str] | None
    generated_at: str
    totals: VolumeRow
    volume: dict[str, list[VolumeRow]]
    labels: list[LabelTrend]
    improved: list[AgentHighlight]
    coaching: list[AgentHighlight]
    phrases: list[Phrase]
    reviews: ReviewRate
    reviews_by_label: list[ReviewRate]
    reviews_by_reviewer: list[ReviewRate]
    workload: list[WorkloadPoint]
    correlation_per_hour: float | None
    correlation_per_shift: float | None
    notes: list[str] = field(default_factory=list)
    latest_data_week: str | None = None  # for a week without agent messages: the latest week that has some

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def rate(part: int, whole: int) -> float | None:
    """part/whole, or None when there is nothing to divide."""
    return part / whole if whole else None


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r, or None with fewer than three points or no spread."""
    if len(xs) < 3:
        return None
    try:
        return statistics.correlation(xs, ys)
    except statistics.StatisticsError:
        return None


def build_weekly(store: Store, week: Week, teams: Collection[str] | None = None,
                 now: datetime | None = None) -> WeeklyReport:
    """The weekly report for one ISO week, limited to the messages of the given teams' agents (None: all)."""
    team_list = sorted(teams) if teams is not None else None
    with store.session() as s:
        q = _Queries(s, team_list)
        volume = {dim: q.volume(dim, week) for dim in DIMENSIONS}
        totals = q.totals(week)
        labels = q.label_trends(week)
        improved, coaching = q.highlights(week)
        phrases = q.phrases(week)
        reviews, by_label, by_reviewer = q.reviews(week)
        workload = q.workload(week)
        latest = q.latest_week() if totals.messages == 0 else None  # a scan of the whole history: only when needed
    points = [w for w in workload if w.flag_rate is not None]
    notes = []
    if totals.messages == 0:
        where = f"{week.label} for the selected teams" if team_list is not None else week.label
        notes.append(f"No agent messages in {where}. " + (f"The latest week with agent messages is {latest}."
                                                          if latest else "No week has any yet."))
    return WeeklyReport(
        week=week.label, start=week.start.isoformat(), end=week.end.isoformat(), teams=team_list,
        generated_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"), totals=totals, volume=volume,
        labels=labels, improved=improved, coaching=coaching, phrases=phrases, reviews=reviews,
        reviews_by_label=by_label, reviews_by_reviewer=by_reviewer, workload=workload,
        correlation_per_hour=pearson([p.per_hour for p in points], [p.flag_rate or 0.0 for p in points]),
        correlation_per_shift=pearson([p.per_shift for p in points], [p.flag_rate or 0.0 for p in points]),
        notes=notes, latest_data_week=latest)


def scored_flagged(flagged: Any) -> tuple[Any, Any]:
    """Aggregates of base's `flagged` column: how many messages are scored, and how many of those flagged."""
    return func.count(flagged), func.coalesce(func.sum(flagged), 0)


class _Queries:
    """The report's SQL, for one session and team selection."""

    def __init__(self, session: Session, teams: list[str] | None) -> None:
        self.s = session
        self.teams = teams
        self._redactor = Redactor()
        self.dialect = session.get_bind().dialect.name
        if self.dialect == "postgresql":
            # Each query reads some ten thousand rows per week: PostgreSQL's JIT compilation, which its cost
            # estimates switch on from a few weeks of history, takes seconds and saves milliseconds here.
            session.execute(text("SET LOCAL jit = off"))
        self._groups: dict[Week, dict[tuple[str, str | None], tuple[int, int, int, int, int]]] = {}
        self.team_names = dict(session.execute(select(t.TeamRow.id, t.TeamRow.name)).all())
        self.agent_names = dict(session.execute(select(t.AgentRow.id, t.AgentRow.name)).all())
        self.agent_teams = dict(session.execute(select(t.AgentRow.id, t.AgentRow.team_id)).all())

    # Computed keys are selected in an inner query and grouped on in an outer one: PostgreSQL cannot match a
    # GROUP BY expression holding bound parameters to the same expression in the select list.
    def agent_messages(self, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
        """Conditions on `messages` for customer-facing agent messages of the selected teams sent in [start, end)."""
        m = t.MessageRow
        where = [m.role == "agent", m.internal.is_(False), m.sent_at >= start, m.sent_at < end]
        if self.teams is not None:  # a message belongs to its agent's team
            where.append(owned_by(m.agent_id, teams=self.teams))
        return where

    def sent(self, start: datetime, end: datetime) -> Select[*tuple[Any, ...]]:
        """Customer-facing agent messages sent in [start, end) with their agent's team, channel and hour."""
        m, i, a = t.MessageRow, t.InteractionRow, t.AgentRow
        return (select(m.id.label("message_id"), m.agent_id.label("agent"), i.id.label("interaction_id"),
                       a.team_id.label("team"), i.channel.label("channel"),
                       func.coalesce(m.language, "unknown").label("language"),
                       epoch_hours(m.sent_at, self.dialect).label("hour"))
                .select_from(m).join(i, i.id == m.interaction_id).outerjoin(a, a.id == m.agent_id)
                .where(*self.agent_messages(start, end)))

    def base(self, start: datetime, end: datetime) -> CTE:
        """`sent` with each message's flag status (`flagged`: 1 if any label is flagged, 0 if scored and none
        is, NULL if not scored; `scored_flagged` counts them)."""
        m, ms = t.MessageRow, t.MessageScoreRow
        # A correlated lookup by message_scores' key, so only the window's messages are looked up (grouping
        # the whole table instead costs time in proportion to the history, not the week). MATERIALIZED runs
        # it once per message: inlined, each aggregate of `flagged` would repeat it.
        worst = (select(func.max(case((ms.flagged.is_(True), 1), else_=0))).where(ms.message_id == m.id)
                 .correlate(m).scalar_subquery())
        return self.sent(start, end).add_columns(worst.label("flagged")).cte("am").prefix_with("MATERIALIZED")

    def latest_week(self) -> str | None:
        """The latest week holding agent messages of these teams (the report's own selection); None if none does."""
        # the newest sent_at, read from the end of the report's index rather than converting every stored time
        latest = self.s.execute(select(func.max(t.MessageRow.sent_at)).where(
            *self.agent_messages(datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)))).scalar()
        return None if latest is None else Week.containing(as_utc(latest)).label

    def _name(self, dim: str, key: str | None) -> str:
        if key is None:
            return NO_KEY
        if dim == "team":
            return self.team_names.get(key, key)
        if dim == "agent":
            return self.agent_names.get(key, key)
        return key

    def groups(self, week: Week) -> dict[tuple[str, str | None], tuple[int, int, int, int, int]]:
        """Per (grouping, key): interactions, messages, scored, flagged and distinct active hours. The groupings
        are "all" (key None) and each of DIMENSIONS for the week, and "before" (per agent) for the week before."""
        if week not in self._groups:
            prev = week.shift(-1)
            b = self.base(prev.start, week.end)
            this_week = b.c.hour >= epoch_hour_of(week.start)
            # One statement, so that the week's messages are looked up and their flags computed once for all.
            parts = [("all", None, this_week), ("before", b.c.agent, ~this_week),
                     *((dim, b.c[dim], this_week) for dim in DIMENSIONS)]
            q = union_all(*(select(literal(name).label("grouping"), (null() if key is None else key).label("key"),
                                   func.count(distinct(b.c.interaction_id)), func.count(),
                                   *scored_flagged(b.c.flagged), func.count(distinct(b.c.hour)))
                            .where(where).group_by(*(() if key is None else (key,))) for name, key, where in parts))
            self._groups[week] = {(g, k): (int(n_i), int(n), int(sc), int(fl), int(h))
                                  for g, k, n_i, n, sc, fl, h in self.s.execute(q)}
        return self._groups[week]

    def totals(self, week: Week) -> VolumeRow:
        """All agent messages of the week."""
        n_i, n, sc, fl, _ = self.groups(week).get(("all", None), (0, 0, 0, 0, 0))
        return VolumeRow("all", "All", n_i, n, sc, fl, rate(fl, sc))

    def volume(self, dim: str, week: Week) -> list[VolumeRow]:
        """Agent messages per team, agent, channel or language."""
        out = [VolumeRow(k if k is not None else NO_KEY, self._name(dim, k), n_i, n, sc, fl, rate(fl, sc))
               for (g, k), (n_i, n, sc, fl, _) in self.groups(week).items() if g == dim]
        return sorted(out, key=lambda r: (-r.messages, r.key))

    def label_trends(self, week: Week) -> list[LabelTrend]:
        """Per label: flag rate this week, last week, and over the last 12 weeks."""
        first = week.shift(-(SPARK_WEEKS - 1))
        ms = t.MessageScoreRow
        counts: dict[tuple[int, str], tuple[int, int]] = {}
        # One query per week: grouping one week's score rows by label is quick, while grouping twelve weeks'
        # by week and label sorts them all at once and takes several times as long on SQLite.
        for k in range(SPARK_WEEKS):
            rows = self.s.execute(select(ms.label, func.count(), func.sum(case((ms.flagged.is_(True), 1), else_=0)))
                                  .join(t.MessageRow, t.MessageRow.id == ms.message_id)
                                  .where(*self.agent_messages(first.shift(k).start, first.shift(k).end))
                                  .group_by(ms.label))
            counts.update({(k, label): (int(n), int(f)) for label, n, f in rows})
        weeks = [first.shift(k).label for k in range(SPARK_WEEKS)]
        out = []
        for label in LABELS:
            series = [rate(counts.get((k, label), (0, 0))[1], counts.get((k, label), (0, 0))[0])
                      for k in range(SPARK_WEEKS)]
            n, f = counts.get((SPARK_WEEKS - 1, label), (0, 0))
            now, before = series[-1], series[-2]
            out.append(LabelTrend(label, n, f, now, before, _change(now, before), series, weeks))
        return out

    def agent_rates(self, week: Week) -> dict[str, dict[str, tuple[int, int]]]:
        """Per agent: (scored, flagged) in this week ("now") and the previous one ("before")."""
        out: dict[str, dict[str, tuple[int, int]]] = {}
        for (g, agent), (_, _, sc, fl, _) in self.groups(week).items():
            if g in ("agent", "before") and agent is not None:
                out.setdefault(agent, {})["now" if g == "agent" else "before"] = (sc, fl)
        return out

    def highlights(self, week: Week) -> tuple[list[AgentHighlight], list[AgentHighlight]]:
        """The agents whose flag rate fell most, and those with the highest flag rate, with examples."""
        stats = []
        for agent, by_week in self.agent_rates(week).items():
            sc, fl = by_week.get("now", (0, 0))
            psc, pfl = by_week.get("before", (0, 0))
            stats.append((agent, sc, fl, rate(fl, sc), psc, rate(pfl, psc)))
        improved_rows = sorted(
            (x for x in stats if x[1] >= MIN_SCORED and x[4] >= MIN_SCORED and (x[3] or 0) < (x[5] or 0)),
            key=lambda x: ((x[3] or 0) - (x[5] or 0), x[0]))[:TOP_AGENTS]
        taken = {x[0] for x in improved_rows}
        coaching_rows = sorted((x for x in stats if x[2] > 0 and x[0] not in taken),
                               key=lambda x: (-(x[3] or 0), -x[2], x[0]))[:TOP_AGENTS]

        def highlight(x: tuple[str, int, int, float | None, int, float | None]) -> AgentHighlight:
            agent, sc, fl, now, _psc, before = x
            examples = self.examples(agent, week.start, week.end)
            if len(examples) < 2:  # an agent who improved may have few flags left: show last week's too
                seen = {e.message_id for e in examples}
                examples += [e for e in self.examples(agent, week.shift(-1).start, week.start)
                             if e.message_id not in seen]
            return AgentHighlight(agent, self.agent_names.get(agent, agent), self.agent_teams.get(agent), sc, fl,
                                  now, before, _change(now, before), examples[:EXAMPLES_PER_AGENT])

        return [highlight(x) for x in improved_rows], [highlight(x) for x in coaching_rows]

    def examples(self, agent: str, start: datetime, end: datetime) -> list[Example]:
        """An agent's highest-scoring flagged findings in [start, end), one per message, redacted."""
        f, m = t.FindingRow, t.MessageRow
        q = (select(f.id, f.message_id, f.label, f.score, f.start, f.end, f.explanation, f.suggestion, m.text,
                    m.sent_at, m.interaction_id)
             .join(m, m.id == f.message_id)
             .where(f.flagged.is_(True), m.agent_id == agent, m.role == "agent", m.internal.is_(False),
                    m.purged_at.is_(None), m.sent_at >= start, m.sent_at < end,
                    owned_by(m.agent_id, teams=self.teams))
             .order_by(f.score.desc(), f.id).limit(50))
        out: list[Example] = []
        seen: set[str] = set()
        for r in self.s.execute(q):
            if r.message_id in seen:
                continue
            seen.add(r.message_id)
            text = r.text
            a, z = max(0, min(r.start, len(text))), max(0, min(r.end, len(text)))
            before, after = text[:a], text[z:]
            if len(before) > CONTEXT_CHARS:
                before = "…" + before[-CONTEXT_CHARS:]
            if len(after) > CONTEXT_CHARS:
                after = after[:CONTEXT_CHARS] + "…"
            # Each part is redacted on its own so the highlight stays on the flagged words.
            redact = self._redactor.redact
            out.append(Example(r.id, r.message_id, r.interaction_id, r.label, float(r.score),
                               Week.containing(as_utc(r.sent_at)).label, redact(before)[0], redact(text[a:z])[0],
                               redact(after)[0], r.explanation, r.suggestion))
            if len(out) == EXAMPLES_PER_AGENT:
                break
        return out

    def phrases(self, week: Week) -> list[Phrase]:
        """Flagged wording that recurs this week, grouped by label and normalised evidence text."""
        b = self.sent(week.start, week.end).subquery("am")  # no flag status needed: inlined, the planner sees messages
        f, m = t.FindingRow, t.MessageRow
        evidence = func.coalesce(func.nullif(f.evidence, ""), func.substr(m.text, f.start + 1, f.end - f.start))
        inner = (select(f.label.label("label"), func.coalesce(f.rule, "").label("rule"),
                        evidence.label("phrase"), b.c.agent, f.suggestion.label("suggestion"))
                 .select_from(f).join(b, b.c.message_id == f.message_id).join(m, m.id == f.message_id)
                 .where(f.flagged.is_(True)).subquery("ph"))
        rows = self.s.execute(select(inner.c.label, inner.c.rule, inner.c.phrase, inner.c.agent, func.count(),
                                     func.max(inner.c.suggestion))
                              .group_by(inner.c.label, inner.c.rule, inner.c.phrase, inner.c.agent)).all()
        # Case and spacing differ between languages in ways SQL's lower() does not handle (Cyrillic on SQLite):
        # the grouped rows are folded once more here.
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for label, rule, phrase, agent, n, suggestion in rows:
            key = (label, normalise_phrase(phrase or ""))
            if not key[1]:
                continue
            g = groups.setdefault(key, {"phrase": (phrase or "").strip(), "rules": set(), "count": 0,
                                        "agents": set(), "suggestion": None})
            g["count"] += int(n)
            if rule:
                g["rules"].add(rule)
            if agent:
                g["agents"].add(agent)
            g["suggestion"] = g["suggestion"] or suggestion
        out = [Phrase(label, self._redactor.redact(g["phrase"])[0], sorted(g["rules"]), g["count"], len(g["agents"]),
                      g["suggestion"]) for (label, _), g in groups.items() if g["count"] >= 2]
        return sorted(out, key=lambda p: (-p.count, p.label, p.phrase))[:TOP_PHRASES]

    def reviews(self, week: Week) -> tuple[ReviewRate, list[ReviewRate], list[ReviewRate]]:
        """Reviewers' confirmation rate overall, per label and per reviewer (latest verdict per flag this week)."""
        r, f, m, u = t.ReviewRow, t.FindingRow, t.MessageRow, t.UserRow
        latest = (select(func.max(r.id).label("id")).where(r.created_at >= week.start, r.created_at < week.end)
                  .group_by(r.finding_id).subquery("latest"))
        q = (select(f.label.label("label"), func.coalesce(u.name, "(unknown)").label("reviewer"),
                    case((r.verdict == "confirmed", 1), else_=0).label("confirmed"))
             .select_from(r).join(latest, latest.c.id == r.id).join(f, f.id == r.finding_id)
             .join(m, m.id == f.message_id).outerjoin(u, u.id == r.reviewer_id)
             .where(r.verdict.in_(["confirmed", "dismissed"]), owned_by(m.agent_id, teams=self.teams)))
        inner = q.subquery("rv")
        rows = self.s.execute(select(inner.c.label, inner.c.reviewer, func.count(), func.sum(inner.c.confirmed))
                              .group_by(inner.c.label, inner.c.reviewer)).all()
        by_label: dict[str, list[int]] = {}
        by_reviewer: dict[str, list[int]] = {}
        total = [0, 0]
        for label, reviewer, n, c in rows:
            for acc in (by_label.setdefault(label, [0, 0]), by_reviewer.setdefault(reviewer, [0, 0]), total):
                acc[0] += int(n)
                acc[1] += int(c)

        def rr(key: str, v: list[int]) -> ReviewRate:
            return ReviewRate(key, v[0], v[1], rate(v[1], v[0]))

        return (rr("all", total), [rr(k, by_label[k]) for k in sorted(by_label)],
                [rr(k, by_reviewer[k]) for k in sorted(by_reviewer)])

    def workload(self, week: Week) -> list[WorkloadPoint]:
        """Per agent: messages, distinct active hours, shifts (runs of consecutive active hours in a UTC day)."""
        per_agent = [(k, n, n_hours, sc, fl) for (g, k), (_, n, sc, fl, n_hours) in self.groups(week).items()
                     if g == "agent" and k is not None]
        b = self.sent(week.start, week.end).subquery("am")
        hours = select(b.c.agent, b.c.hour, (b.c.hour // 24).label("day")).where(b.c.agent.is_not(None)) \
            .distinct().subquery("hrs")
        # Gaps and islands: within a day, consecutive hours share hour - row_number().
        islands = select(hours.c.agent, hours.c.day, (hours.c.hour - func.row_number().over(
            partition_by=[hours.c.agent, hours.c.day], order_by=hours.c.hour)).label("grp")).subquery("isl")
        blocks = select(islands.c.agent, islands.c.day, islands.c.grp).distinct().subquery("blk")
        shifts: dict[str, int] = {a: int(n) for a, n in
                                  self.s.execute(select(blocks.c.agent, func.count()).group_by(blocks.c.agent))}
        out = []
        for agent, n, n_hours, sc, fl in per_agent:
            n_shifts = int(shifts.get(agent, 0))
            out.append(WorkloadPoint(agent, self.agent_names.get(agent, agent), int(n), int(n_hours), n_shifts,
                                     int(n) / int(n_hours), int(n) / n_shifts if n_shifts else 0.0, int(sc),
                                     int(fl), rate(int(fl), int(sc))))
        return sorted(out, key=lambda w: (-w.per_hour, w.agent_id))


_SPACES = re.compile(r"\s+")


def normalise_phrase(text: str) -> str:
    """Evidence text folded for grouping: NFKC, case-folded, single spaces, no surrounding punctuation."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return text.strip(" .,;:!?¡¿\"'«»“”()-–—…")
