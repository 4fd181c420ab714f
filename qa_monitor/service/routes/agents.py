"""GET /agents and GET /agents/{agent_id}: who the caller may read, and one agent's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qa_monitor.service import trends
from qa_monitor.service.auth import ReaderUser
from qa_monitor.service.errors import error_responses
from qa_monitor.service.routes.deps import (
    GET_AGENT,
    GET_FLAG,
    GET_INTERACTION,
    LIST_FLAGS,
    AgentIdPath,
    StoreDep,
    leads_to,
)
from qa_monitor.service.schemas import AgentOut, AgentSummaryOut, Period

router = APIRouter(tags=["agents"], responses=error_responses(401, 403, 404, 422))


@router.get("/agents", response_model=list[AgentSummaryOut], responses=leads_to(
    GetAgent=(GET_AGENT, {"agent_id": "$response.body#/0/id"}),
    ListFlags=(LIST_FLAGS, {"query.agent": "$response.body#/0/id"})))
def list_agents(store: StoreDep, user: ReaderUser,
                team: Annotated[str | None, Query(max_length=64)] = None) -> list[AgentSummaryOut]:
    """The agents the caller may read: a manager's teams' agents, an agent themselves."""
    return trends.list_agents(store, user, team)


@router.get("/agents/{agent_id}", response_model=AgentOut, responses=leads_to(
    GetFlag=(GET_FLAG, {"flag_id": "$response.body#/recurring_issues/0/examples/0/flag_id"}),
    GetInteraction=(GET_INTERACTION,
                    {"interaction_id": "$response.body#/recurring_issues/0/examples/0/interaction_id"})))
def get_agent(store: StoreDep, user: ReaderUser, agent_id: AgentIdPath, period: Period = "week") -> AgentOut:
    """One agent's profile: strengths, recurring issues with examples, and the trend per period."""
    return trends.agent_profile(store, user, agent_id, period)
