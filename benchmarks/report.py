"""Weekly report benchmark: build and render the report over a generated year of help desk history.

Generates the history (bulk inserts; COPY on PostgreSQL), then prints the time to build the report (all SQL
aggregates) and, as a baseline run in the same process, the time to merely read the week's agent messages into
Python, with their ratio. Without --database-url it runs on a SQLite file and on a throwaway PostgreSQL cluster
started the way the test fixtures start theirs; with one, on that (empty) database only. --explain prints the
query plan of the slowest aggregate.

    PYTHONPATH=. python benchmarks/report.py [--messages 1000000] [--weeks 52] [--agents 40] [--explain]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select, text

from qa_monitor.records import LABELS
from qa_monitor.reports.period import Week
from qa_monitor.reports.render import render
from qa_monitor.reports.weekly import _Queries, build_weekly
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.factories import numbered_pipeline
from tests.support.servers import postgres_cluster, postgres_database

WEEK = Week.parse("2026-W47")
PHRASES = ["Read the FAQ.", "As I already explained", "Obviously you need to", "Not our problem.", "Calm down."]
TEXTS = ["Thanks for waiting, the refund is on its way.", "Please restart the router.", *PHRASES]
LANGUAGES = ["en", "es", "pl", "ru", "lv"]
PER_CHAT = 4  # agent replies per chat
BATCH = 20000  # chats written per round trip


def generate(store: Store, messages: int, agents: int, weeks: int, seed: int = 7) -> None:
    """Chats spread over the `weeks` weeks up to WEEK, PER_CHAT agent replies each, some flagged, a few reviewed."""
    rng = random.Random(seed)
    store.sync_directory(numbered_pipeline("bench", teams=4, agents=agents))
    with store.session() as s:
        s.add(t.UserRow(name="reviewer", role="manager"))
    first = WEEK.shift(-(weeks - 1)).start
    minutes = weeks * 7 * 24 * 60
    now = t.utcnow()
    finding_id = 0
    rows: dict[str, list[dict[str, Any]]] = {}
    # in the order a help desk stores them: oldest first
    starts = sorted(first + timedelta(minutes=rng.randrange(minutes)) for _ in range(messages // PER_CHAT))
    for n, start in enumerate(starts):
        agent = f"a{rng.randrange(agents)}"
        iid = f"bench:{n}"
        rows.setdefault("interactions", []).append({
            "id": iid, "source": "bench", "native_id": str(n), "channel": rng.choice(["chat", "email", "call"]),
            "subject": None, "started_at": start, "team_id": f"t{int(agent[1:]) % 4}", "meta": {},
            "created_at": now, "updated_at": now, "purged_at": None})
        for k in range(PER_CHAT):
            mid = f"{iid}#{k}"
            sent = start + timedelta(minutes=7 * k)
            body = rng.choice(TEXTS) + f" Ticket {n}-{k}."
            rows.setdefault("messages", []).append({
                "id": mid, "interaction_id": iid, "seq": k, "role": "agent", "author_id": agent,
                "author_name": agent, "agent_id": agent, "role_guessed": False, "sent_at": sent, "text": body,
                "internal": False, "language": rng.choice(LANGUAGES), "meta": {}, "scored_version": "m",
                "language_note": None, "purged_at": None})
            for label in LABELS:
                score = rng.uniform(0.5, 1.0) if rng.random() < 0.08 else 0.0
                rows.setdefault("message_scores", []).append({
                    "message_id": mid, "label": label, "score": score, "threshold": 0.5, "flagged": score >= 0.5,
                    "model_version": "m", "threshold_version": "t", "scored_at": now})
                if score:
                    finding_id += 1
                    rows.setdefault("findings", []).append({
                        "id": finding_id, "message_id": mid, "label": label, "score": score, "start": 0,
                        "end": min(len(body), 14), "evidence": body[:14], "detector": "markers",
                        "detector_version": "1.0", "threshold_version": "t", "rule": "rule",
                        "explanation": f"{label} wording", "suggestion": "Try a kinder way.", "flagged": True,
                        "status": "open", "created_at": sent})
                    if rng.random() < 0.05:
                        rows.setdefault("reviews", []).append({
                            "finding_id": finding_id, "verdict": rng.choice(["confirmed", "dismissed"]),
                            "note": None, "reviewer_id": 1, "created_at": sent + timedelta(hours=rng.randrange(48))})
        if (n + 1) % BATCH == 0:
            _write(store, rows)
            rows = {}
    _write(store, rows)
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as c:
            c.execute(text("SELECT setval('findings_id_seq', (SELECT coalesce(max(id), 1) FROM findings))"))
            c.commit()


def _write(store: Store, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Rows per table in one transaction, parents first: COPY on PostgreSQL, executemany on SQLite."""
    tables: dict[str, Table] = {tb.name: tb for tb in t.Base.metadata.sorted_tables}
    with store.engine.begin() as c:
        for name in ("interactions", "messages", "message_scores", "findings", "reviews"):
            batch = rows.get(name)
            if not batch:
                continue
            cols = ", ".join(f'"{col}"' for col in batch[0])  # "end" is a keyword
            raw: Any = c.connection.driver_connection
            if c.dialect.name == "postgresql":
                with raw.cursor().copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
                    for r in batch:
                        copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in r.values()])
                continue
            # the column types' own conversions, as SQLAlchemy would apply them, without its per-row overhead
            procs = [tables[name].c[col].type.dialect_impl(c.dialect).bind_processor(c.dialect) for col in batch[0]]
            raw.executemany(f"INSERT INTO {name} ({cols}) VALUES ({', '.join('?' * len(procs))})",
                            [[p(v) if p else v for p, v in zip(procs, r.values(), strict=True)] for r in batch])


def best_of(n: int, fn: Callable[[], object]) -> float:
    """The shortest of n timed runs, in seconds."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def time_methods(store: Store) -> None:
    """Print the time of each of the report's query methods, slowest first (each with a fresh query object)."""
    timings = {}
    methods = ("groups", "label_trends", "highlights", "phrases", "reviews", "workload")
    with store.session() as s:
        for name in methods:
            def call(name: str = name) -> None:
                q = _Queries(s, None)
                if name == "workload":  # its per-agent counts come from groups, timed on their own
                    q.groups(WEEK)
                    t0 = time.perf_counter()
                    q.workload(WEEK)
                    timings[name] = min(timings.get(name, 1e9), time.perf_counter() - t0)
                    return
                t0 = time.perf_counter()
                getattr(q, name)(WEEK)
                timings[name] = min(timings.get(name, 1e9), time.perf_counter() - t0)
            for _ in range(3):
                call()
    for name, took in sorted(timings.items(), key=lambda x: -x[1]):
        print(f"  {name:13} {took * 1000:7.0f} ms")


@contextmanager
def _capture_sql(store: Store) -> Iterator[list[tuple[str, Any]]]:
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", before)


def explain(store: Store) -> None:
    """Print the plan of the report's slowest SQL statement, each statement timed again on its own."""
    with _capture_sql(store) as seen:
        build_weekly(store, WEEK)
    with store.session() as s:
        _Queries(s, None)  # the report's session settings
        timed = []
        for statement, params in seen:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):  # the session's settings
                continue
            t0 = time.perf_counter()
            s.connection().exec_driver_sql(statement, params).all()
            timed.append((time.perf_counter() - t0, statement, params))
        took, statement, params = max(timed, key=lambda x: x[0])
        prefix = "EXPLAIN ANALYZE " if store.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        print(f"query plan of the slowest of the report's {len(timed)} statements ({took * 1000:.0f} ms):")
        print(statement)
        for row in s.connection().exec_driver_sql(prefix + statement, params).all():
            print("  " + (row[0] if len(row) == 1 else f"{row[0]:>3} {row[1]:>3} {row[3]}"))  # PostgreSQL, SQLite


def run(url: str, args: argparse.Namespace) -> None:
    """Generate the history into an empty database at `url`, then time the report against the baseline."""
    store = Store(url)
    store.migrate()
    t0 = time.perf_counter()
    generate(store, args.messages, args.agents, args.weeks)
    # Fresh statistics and (PostgreSQL) a visibility map, as autovacuum leaves a table after bulk inserts.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE" if c.dialect.name == "postgresql" else "ANALYZE"))
    print(f"[{store.engine.dialect.name}] generated {args.messages} agent messages over {args.weeks} weeks, "
          f"{args.agents} agents: {time.perf_counter() - t0:.1f} s")

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
    if args.explain:
        print("the report's query methods, slowest first:")
        time_methods(store)
        explain(store)
    if args.render:
        for fmt in ("json", "csv", "html", "pdf"):
            took = best_of(1 if fmt == "pdf" else 3, lambda f=fmt: render(report, f))  # type: ignore[misc]
            print(f"render {fmt:4}: {took * 1000:7.0f} ms")
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--weeks", type=int, default=52, help="weeks of history up to the reported week")
    ap.add_argument("--agents", type=int, default=40)
    ap.add_argument("--database-url", help="an empty database to use instead of SQLite and a throwaway PostgreSQL")
    ap.add_argument("--explain", action="store_true", help="print the query plan of the slowest aggregate")
    ap.add_argument("--render", action="store_true", help="also time rendering each format")
    args = ap.parse_args()
    if args.database_url:
        run(args.database_url, args)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", args)
        with postgres_cluster() as server, postgres_database(server) as url:
            run(url, args)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
