"""Shared record helpers."""

from __future__ import annotations

from qa_monitor.records import customer_context


def test_customer_context_is_the_customer_turns_since_the_last_agent_turn() -> None:
    turns = [("customer", "Hi"), ("agent", "Hello"), ("customer", "My parcel?"), ("system", "assigned"),
             ("customer", "Anyone?")]
    assert customer_context(turns) == "My parcel?\n\nAnyone?"
    assert customer_context(turns[:2]) == ""
    assert customer_context([]) == ""
