"""Small builders for records used across tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qa_monitor.config import AgentSpec, PipelineSpec, TeamSpec
from qa_monitor.records import Batch, Interaction, Message, Participant, RawPayload


def pipeline() -> PipelineSpec:
    """A pipeline with two teams and two agents."""
    return PipelineSpec(
        name="test",
        agent_domains=["help.example"],
        teams=[TeamSpec(id="billing", name="Billing"), TeamSpec(id="tech", name="Technical")],
        agents=[AgentSpec(id="anna", name="Anna Ozola", team="billing", emails=["anna@help.example"]),
                AgentSpec(id="piotr", name="Piotr Nowak", team="tech", emails=["piotr@help.example"])],
    )


def numbered_pipeline(name: str, teams: int, agents: int) -> PipelineSpec:
    """A pipeline with teams t0, t1, ... and agents a0, a1, ..., agent ai in team t(i mod teams)."""
    return PipelineSpec(
        name=name,
        teams=[TeamSpec(id=f"t{i}", name=f"Team {i}") for i in range(teams)],
        agents=[AgentSpec(id=f"a{i}", name=f"Agent {i}", team=f"t{i % teams}") for i in range(agents)],
    )


def conversation(source: str, native: str, turns: list[tuple[str, str]],
                 start: datetime | None = None) -> tuple[Interaction, RawPayload]:
    """An interaction from (speaker, text) turns, where speaker is an agent id or 'customer'."""
    start = start or datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    raw_bytes = repr(turns).encode()
    raw = RawPayload(id=RawPayload.make_id(source, raw_bytes), source=source, kind="test", ref=native,
                     content=raw_bytes)
    iid = f"{source}:{native}"
    msgs = []
    for i, (who, text) in enumerate(turns):
        author = (Participant(id="c@cust.example", role="customer") if who == "customer"
                  else Participant(id=f"{who}@help.example", role="agent", agent_id=who))
        msgs.append(Message(id=f"{iid}#{i}", interaction_id=iid, seq=i, author=author,
                            sent_at=start + timedelta(minutes=5 * i), text=text))
    return Interaction(id=iid, source=source, native_id=native, channel="email", started_at=start,
                       messages=tuple(msgs), subject="Test", raw_payload_ids=(raw.id,)), raw


def batch(source: str, n: int, cursor_pos: int) -> Batch:
    """A batch of n two-turn conversations and a cursor."""
    items = [conversation(source, f"t{cursor_pos}-{i}", [("customer", "My invoice is wrong."),
                                                          ("anna", f"I fixed invoice {i}.")]) for i in range(n)]
    return Batch(interactions=tuple(i for i, _ in items), raw=tuple(r for _, r in items),
                 cursor={"pos": cursor_pos})
