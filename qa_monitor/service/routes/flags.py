"""The review queue: GET /flags, GET /flags/{flag_id}, POST /flags/{flag_id}/review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from qa_monitor.service import queries
from qa_monitor.service.auth import ManagerUser, ReaderUser
from qa_monitor.service.errors import error_responses
from qa_monitor.service.routes.deps import GET_AGENT, GET_FLAG, GET_INTERACTION, REVIEW_FLAG, StoreDep, leads_to
from qa_monitor.service.schemas import FlagDetailOut, FlagPageOut, FlagStatus, IsoDateTime, LabelName, ReviewIn

router = APIRouter(tags=["flags"], responses=error_responses(401, 403, 404, 422))
FlagId = Annotated[int, Path(ge=1, le=queries.MAX_FLAG_ID, description="the flag's id (a finding id)")]


@router.get("/flags", response_model=FlagPageOut, responses=leads_to(
    GetFlag=(GET_FLAG, {"flag_id": "$response.body#/items/0/id"}),
    ReviewFlag=(REVIEW_FLAG, {"flag_id": "$response.body#/items/0/id"}),
    GetInteraction=(GET_INTERACTION, {"interaction_id": "$response.body#/items/0/interaction_id"})))
def list_flags(
    store: StoreDep, user: ReaderUser,
    team: Annotated[str | None, Query(max_length=64)] = None,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    label: LabelName | None = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    status: FlagStatus | None = None,
    since: Annotated[IsoDateTime | None, Query(description="message sent at or after (ISO 8601)")] = None,
    until: Annotated[IsoDateTime | None, Query(description="message sent before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> FlagPageOut:
    """Flags by severity (score weighted by label, highest first) with spans and surrounding turns."""
    f = queries.FlagFilters(team=team, agent=agent, label=label, language=language, channel=channel,
                            status=status, since=since, until=until)
    return queries.list_flags(store, user, f, limit, cursor)


@router.get("/flags/{flag_id}", response_model=FlagDetailOut, responses=leads_to(
    ReviewFlag=(REVIEW_FLAG, {"flag_id": "$response.body#/id"}),
    GetInteraction=(GET_INTERACTION, {"interaction_id": "$response.body#/interaction_id"}),
    GetAgent=(GET_AGENT, {"agent_id": "$response.body#/agent_id"})))
def get_flag(store: StoreDep, user: ReaderUser, flag_id: FlagId) -> FlagDetailOut:
    """One flag with its context and every review it received."""
    return queries.get_flag(store, user, flag_id)


@router.post("/flags/{flag_id}/review", response_model=FlagDetailOut, responses=leads_to(
    GetFlag=(GET_FLAG, {"flag_id": "$response.body#/id"})))
def review_flag(store: StoreDep, user: ManagerUser, flag_id: FlagId, review: ReviewIn) -> FlagDetailOut:
    """Record a verdict (confirmed or dismissed) with a note; earlier verdicts stay in the history."""
    return queries.review_flag(store, user, flag_id, review.verdict, review.note)
