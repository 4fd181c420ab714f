"""The weekly report's numbers against the hand-counted help desk in conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_monitor.errors import ConfigError
from qa_monitor.records import Finding, Interaction, Message, MessageScore, Participant
from qa_monitor.reports.period import Week
from qa_monitor.reports.weekly import build_weekly, normalise_phrase
from qa_monitor.storage.store import Store
from tests.support.report_seed import at

W47 = Week.parse("2026-W47")


def by_key(rows: list) -> dict:
    return {r.key: r for r in rows}


def test_week_parsing() -> None:
    assert W47.start.isoformat() == "2026-11-16T00:00:00+00:00"
    assert W47.end.isoformat() == "2026-11-23T00:00:00+00:00"
    assert W47.shift(-1).label == "2026-W46"
    assert Week.parse("2027-W01").shift(-1).label == "2026-W53"
    with pytest.raises(ConfigError, match="ISO week"):
        Week.parse("2026-47")
    with pytest.raises(ConfigError, match="no ISO week 54"):
        Week.parse("2026-W54")
    for far in ("0001-W01", "9999-W52"):
        with pytest.raises(ConfigError, match="between 1970 and 9998"):
            Week.parse(far)


def test_volume(report_store: Store) -> None:
    r = build_weekly(report_store, W47)
    # W47 agent messages (internal note and customer turns excluded): a1 5, a2 6, a3 2 = 13, all scored.
    # Flagged for any label: a1 3 (i1#1, i1#3, i2#1), a2 1 (i3#3; i3#2 is under threshold), a3 2 = 6.
    assert (r.totals.interactions, r.totals.messages, r.totals.scored, r.totals.flagged) == (4, 13, 13, 6)
    team = by_key(r.volume["team"])
    # t1 = i1, i2, i3: 3 interactions, 5 + 6 = 11 messages, 3 + 1 = 4 flagged; t2 = i4: 1, 2, 2.
    assert (team["t1"].name, team["t1"].interactions, team["t1"].messages, team["t1"].flagged) == ("Billing", 3, 11, 4)
    assert (team["t2"].interactions, team["t2"].messages, team["t2"].flagged) == (1, 2, 2)
    agent = by_key(r.volume["agent"])
    assert {k: (v.messages, v.flagged) for k, v in agent.items()} == {"a1": (5, 3), "a2": (6, 1), "a3": (2, 2)}
    assert agent["a1"].flag_rate == pytest.approx(3 / 5)
    channel = by_key(r.volume["channel"])
    # chat = i1 (3 of a1's) + i3 (6 of a2's) = 9, flagged 2 + 1; email = i2: 2, 1; call = i4: 2, 2.
    assert {k: (v.interactions, v.messages, v.flagged) for k, v in channel.items()} == {
        "chat": (2, 9, 3), "email": (1, 2, 1), "call": (1, 2, 2)}
    language = by_key(r.volume["language"])
    assert {k: (v.messages, v.flagged) for k, v in language.items()} == {"en": (5, 3), "es": (6, 1), "ru": (2, 2)}


def test_label_trends(report_store: Store) -> None:
    r = build_weekly(report_store, W47)
    labels = {x.label: x for x in r.labels}
    # W47: 13 scored; rude = i1#1, i1#3, i4#1, i4#2 = 4; condescending = i2#1 = 1; unclear = i3#3 = 1.
    # W46: 7 scored (a1 4, a2 3); rude = i5#0, i5#1, i5#2 = 3; condescending = i5#3 = 1; unclear 0.
    assert (labels["rude"].scored, labels["rude"].flagged) == (13, 4)
    assert labels["rude"].rate == pytest.approx(4 / 13)
    assert labels["rude"].previous_rate == pytest.approx(3 / 7)
    assert labels["rude"].change == pytest.approx(4 / 13 - 3 / 7)
    assert labels["condescending"].change == pytest.approx(1 / 13 - 1 / 7)
    assert labels["unclear"].previous_rate == 0.0
    # Sparkline W36..W47: W45 holds one scored message (i7#0, unclear flagged), weeks before are empty.
    spark = labels["unclear"].sparkline
    assert labels["unclear"].sparkline_weeks[0] == "2026-W36" and labels["unclear"].sparkline_weeks[-1] == "2026-W47"
    assert spark[:9] == [None] * 9
    assert spark[9:] == [pytest.approx(1.0), 0.0, pytest.approx(1 / 13)]
    assert labels["rude"].sparkline[9] == 0.0


def test_highlights_and_examples(report_store: Store) -> None:
    r = build_weekly(report_store, W47)
    # a1: 4/4 flagged in W46 -> 3/5 in W47: improved by 0.4. a2 got worse (0/3 -> 1/6); a3 has no W46 messages.
    assert [a.agent_id for a in r.improved] == ["a1"]
    assert r.improved[0].change == pytest.approx(0.6 - 1.0)
    # Coaching: the highest W47 flag rates among the rest: a3 2/2, then a2 1/6.
    assert [a.agent_id for a in r.coaching] == ["a3", "a2"]
    ex = r.improved[0].examples
    # a1's W47 flags by score: i1#1 0.9, i1#3 0.8, i2#1 0.7.
    assert [e.message_id for e in ex] == ["src:i1#1", "src:i1#3", "src:i2#1"]
    assert ex[0].span == "Read the FAQ." and ex[0].after == " It is all there."
    assert ex[2].span == "Obviously" and "[EMAIL]" in ex[2].after and "billing@" not in ex[2].after
    assert ex[2].suggestion and ex[2].explanation == "condescending wording"
    # a2 has one W47 flag, so W46 is searched too, and has none: one example.
    assert [e.message_id for e in r.coaching[1].examples] == ["src:i3#3"]


def test_phrases(report_store: Store) -> None:
    r = build_weekly(report_store, W47)
    # Recurring in W47 (count >= 2): "Read the FAQ." + "read the  FAQ!" (a1, rule rtfm) and
    # "Не наша проблема." + "НЕ НАША ПРОБЛЕМА" (a3). a2's "read the FAQ" scored 0.2: not a flag.
    got = {(p.label, normalise_phrase(p.phrase)): (p.count, p.agents, p.rules) for p in r.phrases}
    assert got == {("rude", "read the faq"): (2, 1, ["rtfm"]), ("rude", "не наша проблема"): (2, 1, [])}


def test_reviews(report_store: Store) -> None:
    r = build_weekly(report_store, W47)
    # Latest verdict per flag reviewed in W47: i1#1 confirmed (maria, after dismissing), i4#1 confirmed (john),
    # i3#3 dismissed (john). The W46 review is outside the week.
    assert (r.reviews.reviewed, r.reviews.confirmed) == (3, 2)
    assert {x.key: (x.reviewed, x.confirmed) for x in r.reviews_by_label} == {"rude": (2, 2), "unclear": (1, 0)}
    assert {x.key: (x.reviewed, x.confirmed) for x in r.reviews_by_reviewer} == {"john": (2, 1), "maria": (1, 1)}


def test_workload(report_store: Store) -> None:
    r = build_weekly(report_store, W47)
    w = {p.agent_id: p for p in r.workload}
    # a1: Mon 09:15, 09:40, 10:05, 14:20 and Tue 09:30 -> hours Mon 9, 10, 14 and Tue 9 = 4 agent-hours;
    #     shifts: Mon 9-10, Mon 14, Tue 9 = 3. 5 messages: 1.25 per hour, 5/3 per shift, flag rate 3/5.
    # a2: Wed 08:00-10:30, hours 8, 9, 10 = 3, one shift; 6 messages: 2 per hour, 6 per shift, 1/6.
    # a3: Thu 13:00, 13:30: one hour, one shift; 2 per hour, 2 per shift, 2/2.
    assert {k: (v.messages, v.agent_hours, v.shifts) for k, v in w.items()} == {
        "a1": (5, 4, 3), "a2": (6, 3, 1), "a3": (2, 1, 1)}
    assert w["a1"].per_hour == pytest.approx(1.25) and w["a1"].per_shift == pytest.approx(5 / 3)
    # Pearson over (1.25, 0.6), (2, 1/6), (2, 1): mean x 1.75, mean y 0.5889; sum dxdy = -0.008333,
    # sum dx^2 = 0.375, sum dy^2 = 0.347407 -> r = -0.008333 / sqrt(0.375 * 0.347407) = -0.0231.
    assert r.correlation_per_hour == pytest.approx(-0.0231, abs=5e-4)
    # per shift x = 5/3, 6, 2: mean 3.2222; dx = -1.5556, 2.7778, -1.2222; sum dxdy = -0.01728 - 1.17284
    # - 0.50247 = -1.69259; sum dx^2 = 2.41975 + 7.71605 + 1.49383 = 11.62963
    # -> r = -1.69259 / sqrt(11.62963 * 0.347407) = -1.69259 / 2.01002 = -0.8421.
    assert r.correlation_per_shift == pytest.approx(-0.8421, abs=5e-4)


def test_team_filter(report_store: Store) -> None:
    r = build_weekly(report_store, W47, teams=["t2"])
    assert (r.totals.messages, r.totals.flagged) == (2, 2)
    assert [v.key for v in r.volume["agent"]] == ["a3"]
    assert (r.reviews.reviewed, r.reviews.confirmed) == (1, 1)
    assert [a.agent_id for a in r.coaching] == ["a3"] and r.improved == []
    assert [p.agent_id for p in r.workload] == ["a3"]


def test_team_filter_follows_each_messages_agent(report_store: Store) -> None:
    # a ticket Dmitri (t2) opens and Anna (t1) answers too: it is t2's ticket, but Anna's reply is t1's
    cust = Participant(id="cust", role="customer", name="Customer")
    dmitri, anna = (Participant(id=a, role="agent", name=a, agent_id=a) for a in ("a3", "a1"))
    msgs = tuple(Message(id=f"src:i9#{k}", interaction_id="src:i9", seq=k, author=who, sent_at=at(20, 9, k),
                         text=text) for k, (who, text) in enumerate([
                             (cust, "Router and invoice both broken."), (dmitri, "Router fixed."),
                             (anna, "Obviously you should read the invoice.")]))
    report_store.upsert_interactions([Interaction(id="src:i9", source="src", native_id="i9", channel="chat",
                                                  started_at=at(20, 9), messages=msgs)])
    finding = Finding("src:i9#2", "condescending", 0.9, 0, 9, "markers", "1.0", "condescending wording", None,
                      "obviously", "Obviously")
    report_store.save_scores([
        MessageScore("src:i9#1", "en", {"rude": 0.0, "condescending": 0.0, "unclear": 0.0},
                     {"rude": 0.5, "condescending": 0.5, "unclear": 0.5}, (), "markers-1.0", "th-1"),
        MessageScore("src:i9#2", "en", {"rude": 0.0, "condescending": 0.9, "unclear": 0.0},
                     {"rude": 0.5, "condescending": 0.5, "unclear": 0.5}, (finding,), "markers-1.0", "th-1")])
    tech = build_weekly(report_store, W47, teams=["t2"])
    assert (tech.totals.messages, tech.totals.flagged) == (3, 2)   # Dmitri's two calls and his reply here
    assert [v.key for v in tech.volume["agent"]] == ["a3"] and [v.key for v in tech.volume["team"]] == ["t2"]
    assert [p.agent_id for p in tech.workload] == ["a3"]
    billing = build_weekly(report_store, W47, teams=["t1"])
    assert (billing.totals.messages, billing.totals.flagged) == (11 + 1, 4 + 1)
    assert [v.key for v in billing.volume["team"]] == ["t1"]
    assert "src:i9#2" in {e.message_id for a in billing.improved + billing.coaching for e in a.examples}


def test_empty_week(report_store: Store) -> None:
    r = build_weekly(report_store, Week.parse("2025-W10"))
    assert r.totals.messages == 0 and r.workload == []
    assert all(x.rate is None for x in r.labels)
    assert r.latest_data_week == "2026-W47"
    assert r.notes == ["No agent messages in 2025-W10. The latest week with agent messages is 2026-W47."]


def test_latest_week_with_data_is_named_for_the_selected_teams(report_store: Store) -> None:
    r = build_weekly(report_store, W47)
    assert r.notes == [] and r.latest_data_week is None   # the week has messages: nothing to point to
    # t2's only messages are in W47; in W46 only t1 wrote
    r = build_weekly(report_store, W47.shift(-1), teams=["t2"])
    assert r.totals.messages == 0 and r.latest_data_week == "2026-W47"
    assert r.notes == ["No agent messages in 2026-W46 for the selected teams. "
                       "The latest week with agent messages is 2026-W47."]


def test_no_week_has_data(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    store.migrate()
    r = build_weekly(store, W47)
    store.close()
    assert r.latest_data_week is None
    assert r.notes == ["No agent messages in 2026-W47. No week has any yet."]
