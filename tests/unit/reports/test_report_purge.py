"""After a retention purge, the weekly report and the trends count the purged weeks exactly as before."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select

from qa_monitor.config import PipelineSpec, SourceSpec
from qa_monitor.reports.period import Week
from qa_monitor.reports.weekly import WeeklyReport, build_weekly
from qa_monitor.service.auth import Principal
from qa_monitor.service.trends import TrendFilters, trends
from qa_monitor.storage import tables as t
from qa_monitor.storage.purge import purge_expired
from qa_monitor.storage.store import Store

WEEKS = [Week.parse(w) for w in ("2026-W45", "2026-W46", "2026-W47")]
ADMIN = Principal(user_id=0, name="admin", role="admin", teams=None)
NOW = datetime(2027, 1, 31, tzinfo=UTC)  # with 30 days' retention, everything the seed holds is past it


def counts(r: WeeklyReport) -> WeeklyReport:
    """The report without what quotes text (examples, phrases) and without its generation time."""
    strip = [replace(h, examples=[]) for h in r.improved], [replace(h, examples=[]) for h in r.coaching]
    return replace(r, generated_at="", improved=strip[0], coaching=strip[1], phrases=[])


def all_trends(store: Store) -> dict[str, list]:
    return {g: trends(store, ADMIN, g, "week", TrendFilters()).buckets
            for g in ("agent", "team", "channel", "language")}


def test_report_and_trends_count_a_purged_week_as_before(report_store: Store) -> None:
    before = [build_weekly(report_store, w) for w in WEEKS]
    trends_before = all_trends(report_store)
    assert before[2].totals.flagged == 6 and before[2].phrases and before[2].coaching[0].examples

    spec = PipelineSpec(name="t", sources=[SourceSpec(name="src", adapter="jsonl")], retention_days=30)
    report = purge_expired(report_store, spec, now=NOW)
    with report_store.session() as s:
        left = s.scalar(select(func.count()).select_from(t.MessageRow).where(t.MessageRow.text != ""))
        quoted = s.scalar(select(func.count()).select_from(t.FindingRow).where(t.FindingRow.evidence != ""))
    assert (left, quoted) == (0, 0)
    assert dict((n, e) for n, e, _ in report.rows())["messages"] == 5 + 2 + 6 + 3 + 4 + 3 + 1  # i1 ... i7

    after = [build_weekly(report_store, w) for w in WEEKS]
    for b, a in zip(before, after, strict=True):
        assert counts(a) == counts(b)
    assert all_trends(report_store) == trends_before
    # nothing left to quote: no phrases and no examples, rather than empty ones
    assert after[2].phrases == []
    assert all(h.examples == [] for h in after[2].improved + after[2].coaching)
