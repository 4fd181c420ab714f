"""GET /trends: volume, flag rate per label and quality index per group and period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qa_monitor.service import trends
from qa_monitor.service.auth import ReaderUser
from qa_monitor.service.errors import error_responses
from qa_monitor.service.routes.deps import StoreDep
from qa_monitor.service.schemas import GroupBy, IsoDateTime, Period, TrendOut

router = APIRouter(tags=["trends"], responses=error_responses(401, 403, 404, 422))


@router.get("/trends", response_model=TrendOut)
def get_trends(
    store: StoreDep, user: ReaderUser,
    group_by: GroupBy = "team", period: Period = "week",
    team: Annotated[str | None, Query(max_length=64)] = None,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    since: Annotated[IsoDateTime | None, Query(description="messages sent at or after (ISO 8601)")] = None,
    until: Annotated[IsoDateTime | None, Query(description="messages sent before (ISO 8601)")] = None,
) -> TrendOut:
    """Buckets per group and period with the change against the group's previous period."""
    f = trends.TrendFilters(team=team, agent=agent, channel=channel, language=language, since=since, until=until)
    return trends.trends(store, user, group_by, period, f)
