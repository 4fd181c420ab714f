"""Weekly report benchmark: build and render the report over a generated help desk in SQLite.

Prints the time to build the report (all SQL aggregates), to render each format, and, as a baseline run in the
same process, the time to merely read the week's agent messages into Python.

    PYTHONPATH=. python benchmarks/report.py [--messages 20000] [--agents 40]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from qa_monitor.config import AgentSpec, PipelineSpec, TeamSpec
from qa_monitor.records import LABELS, Finding, Interaction, Message, MessageScore, Participant
from qa_monitor.reports.period import Week
from qa_monitor.reports.render import render
from qa_monitor.reports.weekly import build_weekly
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store

WEEK = Week.parse("2026-W47")
PHRASES = ["Read the FAQ.", "As I already explained", "Obviously you need to", "Not our problem.", "Calm down."]


def generate(store: Store, messages: int, agents: int, seed: int = 7) -> None:
    """Chats spread over the 13 weeks up to WEEK, 4 agent replies each, some flagged."""
    rng = random.Random(seed)
    store.sync_directory(PipelineSpec(
        name="bench", teams=[TeamSpec(id=f"t{i}", name=f"Team {i}") for i in range(4)],
        agents=[AgentSpec(id=f"a{i}", name=f"Agent {i}", team=f"t{i % 4}") for i in range(agents)]))
    first = WEEK.shift(-12).start
    per_chat = 4
    batch_i: list[Interaction] = []
    batch_s: list[MessageScore] = []
    for n in range(messages // per_chat):
        agent = f"a{rng.randrange(agents)}"
        start = first + timedelta(minutes=rng.randrange(13 * 7 * 24 * 60))
        iid = f"bench:{n}"
        msgs = []
        for k in range(per_chat):
            mid = f"{iid}#{k}"
            text = rng.choice(["Thanks for waiting, the refund is on its way.", "Please restart the router.",
                               *PHRASES]) + f" Ticket {n}-{k}."
            author = Participant(agent, "agent", agent, agent)
            msgs.append(Message(mid, iid, k, author, start + timedelta(minutes=7 * k), text,
                                language=rng.choice(["en", "es", "pl", "ru", "lv"])))
            findings = []
            for label in LABELS:
                if rng.random() < 0.08:
                    findings.append(Finding(mid, label, rng.uniform(0.5, 1.0), 0, min(len(text), 14), "markers",
                                            "1.0", f"{label} wording", "Try a kinder way.", "rule", text[:14]))
            scores = {lab: max([f.score for f in findings if f.label == lab], default=0.0) for lab in LABELS}
            batch_s.append(MessageScore(mid, "en", scores, {lab: 0.5 for lab in LABELS}, tuple(findings), "m", "t"))
        batch_i.append(Interaction(iid, "bench", str(n), rng.choice(["chat", "email", "call"]), start, tuple(msgs)))
        if len(batch_i) == 500:
            store.upsert_interactions(batch_i)
            store.save_scores(batch_s)
            batch_i, batch_s = [], []
    store.upsert_interactions(batch_i)
    store.save_scores(batch_s)


def best_of(n: int, fn: object) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--agents", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        store.migrate()
        t0 = time.perf_counter()
        generate(store, args.messages, args.agents)
        print(f"generated {args.messages} agent messages over 13 weeks, {args.agents} agents: "
              f"{time.perf_counter() - t0:.1f} s")

        def baseline() -> None:
            with store.session() as s:
                s.execute(select(t.MessageRow.id, t.MessageRow.agent_id, t.MessageRow.sent_at, t.MessageRow.language)
                          .where(t.MessageRow.sent_at >= WEEK.start, t.MessageRow.sent_at < WEEK.end)).all()

        base = best_of(3, baseline)
        build = best_of(3, lambda: build_weekly(store, WEEK))
        report = build_weekly(store, WEEK)
        print(f"week {WEEK}: {report.totals.messages} agent messages, {report.totals.flagged} flagged")
        print(f"baseline (read the week's messages into Python): {base * 1000:.0f} ms")
        print(f"build_weekly (every SQL aggregate):              {build * 1000:.0f} ms  ({build / base:.1f}x baseline)")
        for fmt in ("json", "csv", "html", "pdf"):
            took = best_of(1 if fmt == "pdf" else 3, lambda f=fmt: render(report, f))  # type: ignore[misc]
            print(f"render {fmt:4}: {took * 1000:7.0f} ms")
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        store.close()


if __name__ == "__main__":
    sys.exit(main())
