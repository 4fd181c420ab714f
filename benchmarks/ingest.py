"""Ingestion throughput and memory: messages/s and peak memory for generated exports at two sizes.

    PYTHONPATH=. python benchmarks/ingest.py [--small 10000] [--large 40000] [--emails 20000]

Each measurement runs in a fresh process (so ru_maxrss is that run's own peak) and ingests into a new SQLite file:
- JSONL (the generic format) and an Intercom conversations export at a small and a large size (messages);
- 20,000 generated e-mails in one mbox, when the mbox adapter (qa_monitor.adapters.email) is installed.
Printed per run: messages/s for the full ingest (parse + store), messages/s for parsing alone (the baseline, the
same adapter with no store, in the same process), and from a second ingest into a fresh database (tracemalloc slows
what it watches) the tracemalloc peak, with the process's ru_maxrss. Memory should stay flat between
the two sizes because files are streamed and stored batch by batch; the last lines print the large/small ratios.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

AGENT_LINES = [
    "Thanks for waiting. I have refunded the duplicate charge; it reaches your card in 3-5 working days.",
    "Como ya le expliqué, el técnico irá el jueves entre las 9 y las 13 h.",
    "Dzień dobry, zmieniłem adres na fakturze. Kolejna faktura przyjdzie już z nowym adresem.",
    "Здравствуйте! Проверьте, пожалуйста, что роутер подключён к розетке и горит зелёный индикатор.",
    "Labdien! Rēķinu nosūtīju vēlreiz; ja tas nepienāk, pārbaudiet mapi “Mēstules”.",
]
CUSTOMER_LINES = [
    "My router keeps dropping the connection every evening around 8pm.",
    "Me han cobrado dos veces la cuota de este mes.",
    "Nie działa mi internet od rana, router miga na pomarańczowo.",
    "Не приходит СМС с кодом подтверждения.",
    "Novembra rēķins nav atnācis uz e-pastu.",
]
T0 = 1762164000


def _turns(i: int, rng: random.Random) -> list[tuple[str, str]]:
    lang = i % 5
    n = 2 + rng.randrange(4)
    return [("customer" if k % 2 == 0 else "agent", (CUSTOMER_LINES if k % 2 == 0 else AGENT_LINES)[lang])
            for k in range(n)]


def write_jsonl(path: Path, messages: int) -> int:
    """A generic JSONL export with about `messages` messages; returns the exact count."""
    rng, written, i = random.Random(7), 0, 0
    with path.open("w", encoding="utf-8") as f:
        while written < messages:
            for k, (role, text) in enumerate(_turns(i, rng)):
                f.write(json.dumps({"interaction_id": f"c{i}", "message_id": str(k), "author": f"{role}-{i % 97}",
                                    "role": role, "sent_at": T0 + i * 60 + k, "text": text,
                                    "channel": "chat"}, ensure_ascii=False) + "\n")
                written += 1
            i += 1
    return written


def write_intercom(path: Path, messages: int) -> int:
    """An Intercom `conversation.list` export with about `messages` messages; returns the exact count."""
    rng, written, i = random.Random(7), 0, 0
    with path.open("w", encoding="utf-8") as f:
        f.write('{"type": "conversation.list", "conversations": [')
        while written < messages:
            turns = _turns(i, rng)
            author = {"customer": {"type": "user", "id": f"u{i % 97}", "name": "Customer"},
                      "agent": {"type": "admin", "id": "814", "name": "James Carter"}}
            conv = {"type": "conversation", "id": str(i), "created_at": T0 + i * 60, "title": None,
                    "source": {"type": "conversation", "id": f"s{i}", "body": f"<p>{turns[0][1]}</p>",
                               "author": author["customer"]},
                    "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [
                        {"type": "conversation_part", "id": f"p{i}-{k}", "part_type": "comment",
                         "body": f"<p>{text}</p>", "created_at": T0 + i * 60 + k, "author": author[role]}
                        for k, (role, text) in enumerate(turns[1:], start=1)]}}
            f.write(("," if i else "") + json.dumps(conv, ensure_ascii=False))
            written += len(turns)
            i += 1
        f.write("]}")
    return written


def write_mbox(path: Path, emails: int) -> int:
    """An mbox of `emails` messages in threads of two to four, customers and agents alternating."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as f:
        n, thread = 0, 0
        while n < emails:
            turns = _turns(thread, rng)
            for k, (role, text) in enumerate(turns):
                if n >= emails:
                    break
                sender = "james.carter@help.nordlink.example" if role == "agent" else f"c{thread}@example.net"
                mid = f"<t{thread}.{k}@bench.example>"
                ref = f"In-Reply-To: <t{thread}.{k - 1}@bench.example>\n" if k else ""
                date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(T0 + thread * 60 + k))
                f.write(f"From {sender} {time.asctime(time.gmtime(T0))}\nFrom: {sender}\n"
                        f"To: support@help.nordlink.example\nSubject: {'Re: ' if k else ''}Ticket {thread}\n"
                        f"Date: {date}\nMessage-ID: {mid}\n{ref}MIME-Version: 1.0\n"
                        f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}\n\n")
                n += 1
            thread += 1
    return n


def measure(fmt: str, size: int) -> dict[str, float]:
    """One run in this process: generate, parse alone (baseline), then ingest into a new SQLite file."""
    from sqlalchemy import func, select

    from qa_monitor.adapters.base import build_adapter
    from qa_monitor.config import AgentSpec, PipelineSpec, SourceSpec, TeamSpec
    from qa_monitor.ingest import ingest_pipeline
    from qa_monitor.storage.store import Store
    from qa_monitor.storage.tables import MessageRow

    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        d = Path(tmp)
        writer, adapter, name = {"jsonl": (write_jsonl, "jsonl", "export.jsonl"),
                                 "intercom": (write_intercom, "intercom", "export.json"),
                                 "mbox": (write_mbox, "mbox", "export.mbox")}[fmt]
        count = writer(d / name, size)
        spec = PipelineSpec(name="bench", agent_domains=["help.nordlink.example"],
                            teams=[TeamSpec(id="t", name="T")],
                            agents=[AgentSpec(id="james", name="James Carter", team="t", handles=["814"],
                                              emails=["james.carter@help.nordlink.example"])],
                            sources=[SourceSpec(name="bench", adapter=adapter,
                                                options={"path": str(d / name), "batch_size": 200})])
        warm = build_adapter(spec.sources[0], spec)  # imports and first-use setup stay out of the timings
        next(iter(warm.fetch(since=None)), None)
        t = time.perf_counter()
        parsed = sum(len(i.messages) for b in build_adapter(spec.sources[0], spec).fetch(since=None)
                     for i in b.interactions)
        parse_s = time.perf_counter() - t
        store = Store(f"sqlite:///{d / 'bench.db'}")
        store.migrate()
        t = time.perf_counter()
        [report] = ingest_pipeline(store, spec)
        ingest_s = time.perf_counter() - t
        with store.session() as s:  # distinct stored messages (e-mail threads may be re-sent across batches)
            stored = s.scalar(select(func.count()).select_from(MessageRow)) or 0
        store.close()
        # memory in a second run into a fresh database: tracemalloc slows the run it watches
        store = Store(f"sqlite:///{d / 'bench-mem.db'}")
        store.migrate()
        tracemalloc.start()
        ingest_pipeline(store, spec)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        store.close()
        if report.messages != parsed or report.quarantined or stored != count:
            raise SystemExit(f"{fmt}: {stored} stored of {count} written, {report.messages} of {parsed} parsed "
                             f"({report.quarantined} quarantined)")
        return {"messages": stored, "written": count, "file_mb": (d / name).stat().st_size / 2**20,
                "ingest_per_s": stored / ingest_s, "parse_per_s": parsed / parse_s,
                "tracemalloc_mb": peak / 2**20, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(fmt: str, size: int) -> dict[str, float] | None:
    out = subprocess.run([sys.executable, __file__, "--one", fmt, str(size)], capture_output=True, text=True,
                         cwd=ROOT)
    if out.returncode != 0:
        print(f"{fmt} {size}: failed: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ''}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    """Run every measurement in its own process and print the table and the memory ratios."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", type=int, default=10_000, help="messages in the small chat exports")
    ap.add_argument("--large", type=int, default=40_000, help="messages in the large chat exports")
    ap.add_argument("--emails", type=int, default=20_000, help="e-mails in the mbox")
    ap.add_argument("--one", nargs=2, metavar=("FORMAT", "SIZE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    runs: list[tuple[str, int]] = [(f, n) for f in ("jsonl", "intercom") for n in (args.small, args.large)]
    try:
        import qa_monitor.adapters.email as email_adapters

        if hasattr(email_adapters, "MboxAdapter"):
            runs += [("mbox", args.emails // 4), ("mbox", args.emails)]
    except ImportError:
        print("mbox: skipped (qa_monitor.adapters.email is not installed)")
    print(f"{'format':<9}{'messages':>9}{'file MB':>9}{'ingest msg/s':>14}{'parse msg/s':>13}{'ingest/parse':>13}"
          f"{'tracemalloc MB':>16}{'maxrss MB':>11}")
    results: dict[tuple[str, int], dict[str, float]] = {}
    for fmt, n in runs:
        r = _child(fmt, n)
        if r is None:
            continue
        results[(fmt, n)] = r
        print(f"{fmt:<9}{int(r['messages']):>9}{r['file_mb']:>9.1f}{r['ingest_per_s']:>14.0f}"
              f"{r['parse_per_s']:>13.0f}{r['ingest_per_s'] / r['parse_per_s']:>13.2f}"
              f"{r['tracemalloc_mb']:>16.1f}{r['maxrss_mb']:>11.0f}", flush=True)
    for fmt in ("jsonl", "intercom", "mbox"):
        sizes = sorted(n for f, n in results if f == fmt)
        if len(sizes) == 2:
            a, b = results[(fmt, sizes[0])], results[(fmt, sizes[1])]
            print(f"{fmt}: input x{b['messages'] / a['messages']:.1f} -> tracemalloc peak "
                  f"x{b['tracemalloc_mb'] / a['tracemalloc_mb']:.2f}, maxrss x{b['maxrss_mb'] / a['maxrss_mb']:.2f}")


if __name__ == "__main__":
    main()
