"""Threads from References / In-Reply-To, the subject fallback, and the index kept in the cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qa_monitor.adapters.mailthreads import ThreadIndex, has_reply_prefix, normalise_subject
from qa_monitor.adapters.mime import ParsedMail

T0 = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)


def mail(mid: str, subject: str = "Order 48213", refs: tuple[str, ...] = (), reply_to: str | None = None,
         minutes: int = 0) -> ParsedMail:
    return ParsedMail(message_id=mid, in_reply_to=reply_to, references=refs, subject=subject,
                      from_addr="a@b.example", from_name=None, to_addrs=(), date=T0 + timedelta(minutes=minutes),
                      text="x")


@pytest.mark.parametrize(("subject", "normal"), [
    ("Re: Order 48213", "order 48213"),
    ("RE: RE: Fwd: Order 48213", "order 48213"),
    ("AW: WG: Bestellung", "bestellung"),
    ("Odp: Reklamacja", "reklamacja"),
    ("Ответ: Не проходит оплата", "не проходит оплата"),
    ("Отв: Re: Не проходит оплата", "не проходит оплата"),
    ("Atb: Rēķins par oktobri", "rēķins par oktobri"),
    ("RV: Problema con la factura", "problema con la factura"),
    ("Re[2]: Order", "order"),
    ("[Ticket #123] Re: Order", "order"),
    ("Resumen semanal", "resumen semanal"),
])
def test_normalise_subject(subject: str, normal: str) -> None:
    assert normalise_subject(subject) == normal


def test_reply_prefix_detection() -> None:
    assert has_reply_prefix("Re: x") and has_reply_prefix("Odp: x") and has_reply_prefix("Ответ: x")
    assert not has_reply_prefix("Report for October") and not has_reply_prefix("Resumen semanal")


def test_references_and_in_reply_to_build_one_thread() -> None:
    index = ThreadIndex()
    chain = [mail("a@x"), mail("b@x", refs=("a@x",), reply_to="a@x", minutes=1),
             mail("c@x", reply_to="b@x", minutes=2),  # In-Reply-To only
             mail("d@x", refs=("b@x", "c@x"), minutes=3)]  # truncated References: nearest known ancestor
    roots = []
    for m in chain:
        roots.append(index.root_for(m))
        index.add(roots[-1], m, m.message_id)
    assert roots == ["a@x"] * 4
    assert set(index.locators("a@x")) == {"a@x", "b@x", "c@x", "d@x"}


def test_reply_seen_before_its_parent_joins_the_same_thread() -> None:
    index = ThreadIndex()
    reply = mail("b@x", refs=("a@x",), minutes=5)
    index.add(index.root_for(reply), reply, 1)
    original = mail("a@x")
    assert index.root_for(original) == "a@x" == index.root_for(reply)


def test_subject_fallback_only_for_replies_within_the_window() -> None:
    index = ThreadIndex()
    first = mail("a@x", subject="Change of delivery address")
    index.add(index.root_for(first), first, 1)
    assert index.root_for(mail("b@x", subject="Re: Change of delivery address", minutes=60)) == "a@x"
    # the same subject without a reply prefix is a new conversation
    assert index.root_for(mail("c@x", subject="Change of delivery address", minutes=60)) == "c@x"
    # too long after the thread's last activity: a new thread
    late = mail("d@x", subject="Re: Change of delivery address", minutes=60 * 24 * 90)
    assert index.root_for(late) == "d@x"


def test_index_survives_the_cursor_round_trip() -> None:
    index = ThreadIndex()
    for m in (mail("a@x", subject="Invoice"), mail("b@x", subject="Re: Invoice", refs=("a@x",), minutes=1)):
        index.add(index.root_for(m), m, ["f.mbox", 0, 10])
    again = ThreadIndex.from_cursor(index.to_cursor())
    assert again.root_for(mail("c@x", reply_to="b@x", minutes=2)) == "a@x"
    assert again.root_for(mail("d@x", subject="RE: Invoice", minutes=3)) == "a@x"
    assert again.locators("a@x") == {"a@x": ["f.mbox", 0, 10], "b@x": ["f.mbox", 0, 10]}


def test_index_is_bounded_and_evicts_the_least_recent_threads() -> None:
    index = ThreadIndex(max_threads=10)
    for i in range(25):
        m = mail(f"m{i}@x", subject=f"Question {i}", minutes=i)
        index.add(index.root_for(m), m, i)
    assert len(index.threads) <= 10
    assert "m24@x" in index.threads and "m0@x" not in index.threads
    # a reply to an evicted thread still lands on its root through References
    assert index.root_for(mail("r@x", refs=("m0@x",), minutes=30)) == "m0@x"


def test_threads_quiet_for_longer_than_the_window_are_forgotten() -> None:
    index = ThreadIndex(window_days=30)
    for day in range(120):  # ten new threads a day for four months
        for k in range(10):
            m = mail(f"d{day}-{k}@x", subject=f"Case {day}-{k}", minutes=day * 24 * 60 + k)
            index.add(index.root_for(m), m, [day, k])
    assert "d119-9@x" in index.threads and "d0-0@x" not in index.threads
    assert len(index.threads) < 2 * 31 * 10 + 1000  # the recent traffic, not the whole archive
    assert "d0-0@x" not in index.root_of


def test_a_wrong_future_date_does_not_flush_the_index() -> None:
    index = ThreadIndex(window_days=30)
    for i in range(1100):
        m = mail(f"m{i}@x", subject=f"Case {i}", minutes=i)
        index.add(index.root_for(m), m, i)
    wrong = ParsedMail(message_id="future@x", in_reply_to=None, references=(), subject="Clock", from_addr="a@b",
                       from_name=None, to_addrs=(), date=datetime(2099, 1, 1, tzinfo=UTC), text="x")
    index.add(index.root_for(wrong), wrong, 0)
    for i in range(1100, 2300):
        m = mail(f"m{i}@x", subject=f"Case {i}", minutes=i)
        index.add(index.root_for(m), m, i)
    assert "m0@x" in index.threads  # 2025 threads are within 30 days of each other: all kept
