"""Shared record helpers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from qa_monitor.errors import ParseError
from qa_monitor.records import Interaction, Message, Participant, RawPayload, customer_context, fit_for_store


def test_customer_context_is_the_customer_turns_since_the_last_agent_turn() -> None:
    turns = [("customer", "Hi"), ("agent", "Hello"), ("customer", "My parcel?"), ("system", "assigned"),
             ("customer", "Anyone?")]
    assert customer_context(turns) == "My parcel?\n\nAnyone?"
    assert customer_context(turns[:2]) == ""
    assert customer_context([]) == ""


def _interaction(**message: Any) -> Interaction:
    m = Message(id="s:1#m1", interaction_id="s:1", seq=0, author=Participant(id="ann", role="customer", name="Ann"),
                sent_at=datetime(2026, 11, 10, tzinfo=UTC), text="Where is my order?", meta={"tags": ["a"]})
    return Interaction(id="s:1", source="s", native_id="1", channel="chat", started_at=m.sent_at,
                       messages=(replace(m, **message),), meta={"status": "open"})


def test_fit_for_store_leaves_a_storable_interaction_as_it_is() -> None:
    item = _interaction()
    assert fit_for_store(item) is item  # no copy in the common case


def test_fit_for_store_replaces_lone_surrogates_and_nul_one_for_one_wherever_text_is() -> None:
    item = _interaction(text="cut \ud83d", author=Participant(id="a\x00b", role="customer", name="\udfffAnn"),
                        meta={"k\ud800": ["v\x00", {"w": "\udc80"}]})
    [m] = fit_for_store(item).messages
    assert (m.text, m.author.id, m.author.name) == ("cut \ufffd", "a\ufffdb", "\ufffdAnn")
    assert m.meta == {"k\ufffd": ["v\ufffd", {"w": "\ufffd"}]}


@pytest.mark.parametrize("change,reason", [
    ({"author": Participant(id="ann", role="customer", name="n" * 301)}, "author name is 301 characters long"),
    ({"language": "english-as-spoken"}, "language is 17 characters long; at most 16 can be stored"),
    ({"seq": 2**31}, "position 2147483648 is not a 32-bit integer"),
    ({"meta": {"score": float("nan")}}, "meta holds nan, which JSON cannot store"),
    ({"meta": {"when": datetime(2026, 1, 1)}}, "meta holds a datetime, which JSON cannot store"),
    ({"author": Participant(id="ann", role="customer", name={"first": "Ann"})}, "author name is dict, not text"),  # type: ignore[arg-type]
])
def test_fit_for_store_names_what_the_store_cannot_hold(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(ParseError) as e:
        fit_for_store(_interaction(**change))
    assert str(e.value).startswith("interaction s:1: message ") and reason in str(e.value)


def test_raw_payload_ref_and_reason_are_storable_text() -> None:
    raw = RawPayload(id="s:x", source="s", kind="jsonl.lines", ref="caf\udce9.jsonl:3", content=b"\xff",
                     status="quarantined", reason="role '\x00' is not agent")
    assert (raw.ref, raw.reason, raw.content) == ("caf\ufffd.jsonl:3", "role '\ufffd' is not agent", b"\xff")
