"""Who a message belongs to: the team of the message's agent (`messages.agent_id` -> `agents.team_id`).

The one rule every reader applies, the API's routes and the weekly report alike: a reader limited to some teams sees
the messages of those teams' agents, a reader limited to one agent sees that agent's messages. A message with no
known agent (a customer's or system turn, an agent the directory does not know) belongs to no team.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, select, true

from qa_monitor.storage import tables as t


def owned_by(agent_column: Any, teams: Collection[str] | None = None, agent: str | None = None
             ) -> ColumnElement[bool]:
    """SQL over an agent id column: true where the agent is `agent`, else one of `teams`' agents (None: any)."""
    if agent is not None:
        return agent_column == agent
    if teams is None:
        return true()
    return agent_column.in_(select(t.AgentRow.id).where(t.AgentRow.team_id.in_(sorted(teams))))
