"""GET /agents and GET /agents/{agent_id}: who the caller may read, and one agent's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qa_monitor.service import trends
from qa_monitor.service.auth import ManagerUser
from qa_monitor.service.errors import error_responses
from qa_monitor.service.routes.deps import AgentIdPath, StoreDep
from qa_monitor.service.schemas import AgentOut, AgentSummaryOut, Period

router = APIRouter(tags=["agents"], responses=error_responses(401, 403, 422))


@router.get("/agents", response_model=list[AgentSummaryOut])
def list_agents(store: StoreDep, user: ManagerUser,
                team: Annotated[str | None, Query(max_length=64)] = None) -> list[AgentSummaryOut]:
    """Agents of the teams the caller may read."""
    return trends.list_agents(store, user, team)


@router.get("/agents/{agent_id}", response_model=AgentOut, responses=error_responses(404))
def get_agent(store: StoreDep, user: ManagerUser, agent_id: AgentIdPath, period: Period = "week") -> AgentOut:
    """One agent's profile: strengths, recurring issues with examples, and the trend per period."""
    return trends.agent_profile(store, user, agent_id, period)
