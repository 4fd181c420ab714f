"""The report's SQL aggregates against the same numbers counted in Python from the stored rows, on random data."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from qa_monitor.records import LABELS, Interaction, Message, MessageScore, Participant
from qa_monitor.reports.period import Week
from qa_monitor.reports.weekly import NO_KEY, SPARK_WEEKS, _Queries, build_weekly, rate
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store, as_utc
from tests.support.factories import numbered_pipeline

WEEK = Week.parse("2026-W47")


def seed_random(store: Store, chats: int = 300, seed: int = 3) -> None:
    """Chats over the 13 weeks up to WEEK: customers, internal notes, unknown agents, unscored messages."""
    rng = random.Random(seed)
    store.sync_directory(numbered_pipeline("test", teams=3, agents=6))
    first = WEEK.shift(-(SPARK_WEEKS)).start
    interactions, scores = [], []
    for n in range(chats):
        start = first + timedelta(minutes=rng.randrange(13 * 7 * 24 * 60))
        iid = f"src:{n}"
        messages = []
        for k in range(rng.randint(1, 6)):
            who = rng.choice(["a0", "a1", "a2", "a3", "a4", "a5", "stranger", None])  # stranger: not in the directory
            author = Participant(who, "agent", who, who) if who else Participant("cust", "customer", "Customer")
            mid = f"{iid}#{k}"
            internal = who is not None and rng.random() < 0.1
            messages.append(Message(mid, iid, k, author, start + timedelta(hours=rng.randrange(30)), f"text {mid}",
                                    internal=internal, language=rng.choice(["en", "es", None])))
            if who and rng.random() < 0.8:  # some agent messages are not scored yet
                per_label = {lab: rng.choice([0.1, 0.9]) if rng.random() < 0.3 else 0.1 for lab in LABELS}
                scores.append(MessageScore(mid, rng.choice(["en", "pl"]), per_label, {lab: 0.5 for lab in LABELS}, (),
                                           "m", "t"))
        interactions.append(Interaction(iid, "src", str(n), rng.choice(["chat", "email", "call"]), start,
                                        tuple(messages)))
    # at the edges of the week and of the week before, where an off-by-one hour or week would show
    edges = [WEEK.start - timedelta(seconds=1), WEEK.start, WEEK.end - timedelta(seconds=1), WEEK.end,
             WEEK.shift(-1).start - timedelta(seconds=1), WEEK.shift(-1).start]
    agent = Participant("a0", "agent", "a0", "a0")
    interactions.append(Interaction("src:edges", "src", "edges", "chat", edges[0], tuple(
        Message(f"src:edges#{k}", "src:edges", k, agent, when, "edge") for k, when in enumerate(edges))))
    scores += [MessageScore(f"src:edges#{k}", "en", {lab: 0.9 for lab in LABELS}, {lab: 0.5 for lab in LABELS}, (),
                            "m", "t") for k in range(len(edges))]
    store.upsert_interactions(interactions)
    store.save_scores(scores)


def counted(store: Store, teams: list[str] | None) -> dict[str, Any]:
    """The report's counts, computed in Python from every stored row."""
    with store.session() as s:
        team_of_agent = dict(s.execute(select(t.AgentRow.id, t.AgentRow.team_id)).all())
        channel_of = dict(s.execute(select(t.InteractionRow.id, t.InteractionRow.channel)).all())
        flags: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for mid, label, flagged in s.execute(select(t.MessageScoreRow.message_id, t.MessageScoreRow.label,
                                                    t.MessageScoreRow.flagged)):
            flags[mid].append((label, flagged))
        msgs = [m for m in s.scalars(select(t.MessageRow))
                if m.role == "agent" and not m.internal and (teams is None or team_of_agent.get(m.agent_id) in teams)]
    week_of = {m.id: Week.containing(as_utc(m.sent_at)) for m in msgs}
    this = [m for m in msgs if week_of[m.id] == WEEK]

    def counts(rows: list[t.MessageRow]) -> tuple[int, int, int, int]:
        return (len({m.interaction_id for m in rows}), len(rows), sum(1 for m in rows if flags[m.id]),
                sum(1 for m in rows if any(f for _, f in flags[m.id])))

    keys = {"team": lambda m: team_of_agent.get(m.agent_id), "agent": lambda m: m.agent_id,
            "channel": lambda m: channel_of[m.interaction_id], "language": lambda m: m.language or "unknown"}
    volume = {}
    for dim, key in keys.items():
        groups = defaultdict(list)
        for m in this:
            groups[key(m)].append(m)
        volume[dim] = {(k if k is not None else NO_KEY): counts(rows) for k, rows in groups.items()}
    labels = {}
    for k in range(SPARK_WEEKS):
        wk = WEEK.shift(k - SPARK_WEEKS + 1)
        for label in LABELS:
            rows = [f for m in msgs if week_of[m.id] == wk for lab, f in flags[m.id] if lab == label]
            labels[(k, label)] = rate(sum(rows), len(rows))
    agents = defaultdict(list)
    for m in this:
        if m.agent_id is not None:
            agents[m.agent_id].append(m)
    hours = {a: len({as_utc(m.sent_at).replace(minute=0, second=0, microsecond=0) for m in rows})
             for a, rows in agents.items()}
    before = defaultdict(list)
    for m in msgs:
        if m.agent_id is not None and week_of[m.id] == WEEK.shift(-1):
            before[m.agent_id].append(m)
    return {"totals": counts(this), "volume": volume, "labels": labels,
            "workload": {a: (counts(rows)[1:], hours[a]) for a, rows in agents.items()},
            "rates": {a: {w: counts(rows)[2:] for w, rows in (("now", agents.get(a, [])), ("before", before[a]))
                          if rows} for a in set(agents) | set(before)}}


@pytest.mark.parametrize("teams", [None, ["t0", "t2"]])
def test_aggregates_match_a_count_of_the_stored_rows(store: Store, teams: list[str] | None) -> None:
    seed_random(store)
    want = counted(store, teams)
    report = build_weekly(store, WEEK, teams)
    assert want["totals"][1] > 20  # the seed puts enough messages into the week for the comparison to mean something
    tot = report.totals
    assert (tot.interactions, tot.messages, tot.scored, tot.flagged) == want["totals"]
    for dim, rows in report.volume.items():
        assert {r.key: (r.interactions, r.messages, r.scored, r.flagged) for r in rows} == want["volume"][dim], dim
    for trend in report.labels:
        assert trend.sparkline == [want["labels"][(k, trend.label)] for k in range(SPARK_WEEKS)], trend.label
    assert {w.agent_id: ((w.messages, w.scored, w.flagged), w.agent_hours) for w in report.workload} == want["workload"]
    with store.session() as s:
        got_rates = _Queries(s, teams).agent_rates(WEEK)
    assert got_rates == want["rates"]
