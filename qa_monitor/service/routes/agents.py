"""GET /agents and GET /agents/{agent_id}: who the caller may read, and one agent's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qa_monitor.service import trends
from qa_monitor.service.auth import ReaderUser
from qa_monitor.service.errors import error_responses
from qa_monitor.service.routes.deps import IdPath, StoreDep
from qa_monitor.service.schemas import AgentOut, AgentSummaryOut, Period

router = APIRouter(tags=["agents"], responses=error_responses(401, 403, 404, 422))


@router.get("/agents", response_model=list[AgentSummaryOut])
def list_agents(store: StoreDep, user: ReaderUser,
                team: Annotated[str | None, Query(max_length=64)] = None) -> list[AgentSummaryOut]:
    """The agents the caller may read: a manager's teams' agents, an agent themselves."""
    return trends.list_agents(store, user, team)


@router.get("/agents/{agent_id}", response_model=AgentOut)
def get_agent(store: StoreDep, user: ReaderUser, agent_id: IdPath, period: Period = "week") -> AgentOut:
    """One agent's profile: strengths, recurring issues with examples, and the trend per period."""
    return trends.agent_profile(store, user, agent_id, period)
