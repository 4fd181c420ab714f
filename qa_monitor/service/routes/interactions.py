"""GET /interactions and GET /interactions/{interaction_id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qa_monitor.service import queries
from qa_monitor.service.auth import ReaderUser
from qa_monitor.service.errors import error_responses
from qa_monitor.service.routes.deps import GET_AGENT, GET_INTERACTION, InteractionIdPath, StoreDep, leads_to
from qa_monitor.service.schemas import InteractionOut, InteractionPageOut, IsoDateTime, LabelName

router = APIRouter(tags=["interactions"], responses=error_responses(401, 403, 404, 422))


@router.get("/interactions", response_model=InteractionPageOut, responses=leads_to(
    GetInteraction=(GET_INTERACTION, {"interaction_id": "$response.body#/items/0/id"})))
def list_interactions(
    store: StoreDep, user: ReaderUser,
    flagged: Annotated[bool | None, Query(description="only interactions with (true) or without (false) a flag")]
    = None,
    label: Annotated[LabelName | None, Query(description="only interactions flagged for this label")] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    team: Annotated[str | None, Query(max_length=64)] = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    since: Annotated[IsoDateTime | None, Query(description="started at or after (ISO 8601)")] = None,
    until: Annotated[IsoDateTime | None, Query(description="started before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> InteractionPageOut:
    """Interactions visible to the caller, newest first, with message and flag counts."""
    f = queries.InteractionFilters(flagged=flagged, label=label, language=language, agent=agent, team=team,
                                   channel=channel, since=since, until=until)
    return queries.list_interactions(store, user, f, limit, offset)


@router.get("/interactions/{interaction_id}", response_model=InteractionOut, responses=leads_to(
    GetAgent=(GET_AGENT, {"agent_id": "$response.body#/agent_ids/0"})))
def get_interaction(store: StoreDep, user: ReaderUser, interaction_id: InteractionIdPath) -> InteractionOut:
    """One interaction with its messages, label scores and findings (character spans)."""
    return queries.get_interaction(store, user, interaction_id)
