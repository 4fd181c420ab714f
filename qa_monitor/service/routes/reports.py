"""GET /reports/weekly: the weekly quality report as JSON, CSV, HTML or PDF, limited to the caller's teams."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from qa_monitor.errors import ConfigError
from qa_monitor.reports.period import Week
from qa_monitor.reports.render import MEDIA_TYPES, render
from qa_monitor.reports.schedule import last_complete_week
from qa_monitor.reports.weekly import build_weekly
from qa_monitor.service.auth import ManagerUser
from qa_monitor.service.errors import ApiError, error_responses
from qa_monitor.service.queries import check_team
from qa_monitor.service.routes.deps import StoreDep

router = APIRouter(tags=["reports"], responses=error_responses(401, 403, 404, 422))

_CONTENT: dict[int | str, dict[str, Any]] = {200: {
    "description": "the report in the requested format",
    "content": {"application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/reports/weekly", response_class=Response, responses=_CONTENT)
def weekly_report(
    store: StoreDep, user: ManagerUser,
    week: Annotated[str | None, Query(pattern=r"^\d{4}-W\d{2}$",
                                      description="ISO week, e.g. 2026-W47 (default: the last complete week)")]
    = None,
    team: Annotated[list[str] | None, Query(max_length=20, description="team id; repeat for several "
                                                                      "(default: every team you may read)")] = None,
    format: Literal["json", "csv", "html", "pdf"] = "json",  # noqa: A002 - the public query parameter's name
) -> Response:
    """The weekly quality report: volume, flag rates with 12-week sparklines, coaching, phrases, reviews, workload."""
    try:
        the_week = Week.parse(week) if week else last_complete_week(datetime.now(UTC))
    except ConfigError as e:
        raise ApiError(422, "invalid_week", str(e)) from None
    with store.session() as s:
        for x in team or []:
            check_team(s, user, x)
    teams = sorted(set(team)) if team else (sorted(user.teams) if user.teams is not None else None)
    report = build_weekly(store, the_week, teams)
    if format == "json":
        return JSONResponse(report.to_dict())
    body = render(report, format)
    disposition = "inline" if format in ("html", "pdf") else "attachment"
    return Response(body, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'{disposition}; filename="qa-report-{the_week.label}.{format}"'})
