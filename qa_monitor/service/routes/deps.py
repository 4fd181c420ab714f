"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request

from qa_monitor.records import MAX_INTERACTION_ID, MAX_SHORT_ID
from qa_monitor.storage.store import Store


def get_store(request: Request) -> Store:
    """The store the lifespan opened."""
    return request.app.state.store


def get_app_state(request: Request) -> Any:
    """The application state (scorer, worker, pipeline)."""
    return request.app.state


StoreDep = Annotated[Store, Depends(get_store)]
StateDep = Annotated[Any, Depends(get_app_state)]
# as long as the store keeps each kind of id: whatever was stored can be fetched
InteractionIdPath = Annotated[str, Path(max_length=MAX_INTERACTION_ID, description="the interaction's id")]
AgentIdPath = Annotated[str, Path(max_length=MAX_SHORT_ID, description="the agent's id")]
JobIdPath = Annotated[str, Path(max_length=MAX_SHORT_ID, description="the job's id")]

# operationIds (FastAPI's, from function name, path and method) that OpenAPI links lead to
GET_INTERACTION = "get_interaction_interactions__interaction_id__get"
GET_FLAG = "get_flag_flags__flag_id__get"
REVIEW_FLAG = "review_flag_flags__flag_id__review_post"
GET_AGENT = "get_agent_agents__agent_id__get"
LIST_FLAGS = "list_flags_flags_get"


def leads_to(*statuses: int, **links: tuple[str, dict[str, str]]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries saying which operations a response's values lead to (OpenAPI links), so that
    clients and the stateful contract test can follow them: name=(operationId, {parameter: expression})."""
    body = {"links": {name: {"operationId": op, "parameters": params} for name, (op, params) in links.items()}}
    return {status: body for status in statuses or (200,)}
