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
