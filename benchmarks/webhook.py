"""Webhook load benchmark: N concurrent clients post signed Zendesk-shaped tickets to a real uvicorn on loopback.

    PYTHONPATH=. python benchmarks/webhook.py           # 20 clients, 60 s, a new 10-message ticket per delivery
    PYTHONPATH=. python benchmarks/webhook.py --updates # tickets re-sent on each update as they grow to 10 messages
    PYTHONPATH=. python benchmarks/webhook.py --duration 10 --clients 5

Prints requests/s, p50/p95/p99 latency, errors, checks that every delivered event is stored exactly once
(a share of deliveries is sent twice on purpose), how many messages per delivery needed the scorer, and where
the server's time goes: scoring, storage, lock waits, the rest of the app (signature, parsing, mapping,
response) and HTTP (client latency minus app time).
The scorer is the engine's (`Scorer.from_settings`) when its model files load; otherwise a phrase scorer
stands in, and the report says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-zendesk-secret"


# --- server side (runs inside uvicorn via --factory webhook:make_app) -----------------------------------


class _Timer:
    """Seconds spent per part, summed across threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.parts: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, part: str, seconds: float) -> None:
        with self.lock:
            self.parts[part] = self.parts.get(part, 0.0) + seconds
            self.counts[part] = self.counts.get(part, 0) + 1


TIMER = _Timer()


def make_app() -> Any:
    """The service with timing wrappers around the scorer and the store's writes, plus GET /bench-stats."""
    from fastapi import FastAPI

    from qa_monitor.config import PipelineSpec, Settings
    from qa_monitor.service.app import create_app
    from qa_monitor.service.scoring import load_scorer
    from qa_monitor.storage.store import Store

    class TimedStore(Store):
        """Times every transaction (reads and writes, the token lookup included) as storage."""

        @contextmanager
        def session(self) -> Iterator[Any]:
            t0 = time.perf_counter()
            try:
                with super().session() as s:
                    yield s
            finally:
                TIMER.add("storage", time.perf_counter() - t0)

    class TimedScorer:
        def __init__(self, inner: Any, kind: str) -> None:
            self.inner, self.kind = inner, kind
            self.model_version, self.threshold_version = inner.model_version, inner.threshold_version

        def score(self, items: Sequence[Any]) -> Any:
            t0 = time.perf_counter()
            out = self.inner.score(items)
            TIMER.add("scoring", time.perf_counter() - t0)
            with TIMER.lock:
                TIMER.counts["scored_messages"] = TIMER.counts.get("scored_messages", 0) + len(items)
            return out

    def factory(settings: Settings, pipeline: PipelineSpec | None, store: Store) -> Any:
        real = load_scorer(settings, pipeline, store)
        if real is not None:
            return TimedScorer(real, "engine")
        from tests.support.service_seed import PhraseScorer

        return TimedScorer(PhraseScorer(store), "phrases (engine unavailable)")

    class TimedLock:
        """One of the app's locks, measuring how long callers wait for it."""

        def __init__(self, inner: Any, part: str) -> None:
            self.inner, self.part = inner, part

        def __enter__(self) -> Any:
            t0 = time.perf_counter()
            self.inner.acquire()
            TIMER.add(self.part, time.perf_counter() - t0)
            return self

        def __exit__(self, *exc: Any) -> None:
            self.inner.release()

    settings = Settings()
    app: FastAPI = create_app(settings, store=TimedStore(settings.database_url), scorer_factory=factory)


    class AppTimer:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http" or not scope["path"].startswith("/webhooks/"):
                await self.inner(scope, receive, send)
                return
            for name, part in (("write_lock", "lock_wait"), ("score_lock", "score_wait")):
                lock = getattr(app.state, name, None)  # created by the lifespan, wrapped on first use
                if lock is not None and not isinstance(lock, TimedLock):
                    setattr(app.state, name, TimedLock(lock, part))
            t0 = time.perf_counter()
            await self.inner(scope, receive, send)
            TIMER.add("app", time.perf_counter() - t0)

    @app.get("/bench-stats", include_in_schema=False)
    def stats() -> dict[str, Any]:
        scorer = app.state.scorer
        return {"parts": TIMER.parts, "counts": TIMER.counts,
                "scorer": getattr(scorer, "kind", "none"), "model_version": getattr(scorer, "model_version", "")}

    app.add_middleware(AppTimer)
    return app


# --- client side -----------------------------------------------------------------------------------------

CUSTOMER = ["I was charged twice this month.", "The app crashes when I log in.", "Where is my refund?",
            "¿Por qué no funciona mi tarjeta?", "Nie mogę zalogować się do panelu.", "Почему не работает оплата?",
            "Mans pasūtījums vēl nav piegādāts."]
AGENT = ["Sorry about that! I refunded the second charge; it arrives in 3-5 days.",
         "As I already explained, obviously you did not read the FAQ.",
         "Not our problem. Talk to your bank.", "Fix is TBD, check the KB per the SOP.",
         "Como ya le expliqué, no es nuestro problema.", "Przepraszam za kłopot, zresetowałem sesję.",
         "Очевидно, вы не прочитали инструкцию.", "Atvainojiet, pasūtījums tiks piegādāts rīt."]


def ticket(n: int, messages: int, rng: random.Random) -> dict[str, Any]:
    """A Zendesk-shaped ticket with `messages` comments alternating customer and agent."""
    start = datetime(2026, 11, 2, 8, tzinfo=UTC) + timedelta(minutes=n)
    comments = []
    for i in range(messages):
        agent = i % 2 == 1
        comments.append({"id": n * 100 + i, "type": "Comment", "author_id": 7 if agent else 1000 + n,
                         "body": rng.choice(AGENT if agent else CUSTOMER), "public": True,
                         "created_at": (start + timedelta(minutes=3 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")})
    return {"ticket": {"id": 500000 + n, "subject": f"Bench ticket {n}", "requester_id": 1000 + n,
                       "created_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "via": {"channel": "email"}},
            "comments": comments,
            "users": [{"id": 7, "name": "Anna Berg", "email": "anna@help.example", "role": "agent"},
                      {"id": 1000 + n, "name": f"Customer {n}", "email": f"c{n}@example.net", "role": "end-user"}]}


def sign(body: bytes) -> dict[str, str]:
    """Zendesk's signature headers for the body, timestamped now."""
    from qa_monitor.service.signatures import zendesk_signature

    ts = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"X-Zendesk-Webhook-Signature": zendesk_signature(SECRET, ts, body),
            "X-Zendesk-Webhook-Signature-Timestamp": ts, "Content-Type": "application/json"}


async def run_clients(base: str, token: str, clients: int, duration: float, messages: int, dup_share: float,
                      updates: bool) -> dict[str, Any]:
    """Post tickets from `clients` concurrent loops until `duration` has passed. With `updates`, each ticket is
    posted again after every new pair of turns (customer, agent), the whole conversation each time, as ticket
    systems do on each update, until it has `messages` messages; otherwise each delivery is a new ticket."""
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    delivered: set[str] = set()
    sizes: dict[int, int] = {}  # ticket -> messages in its longest delivered version
    sent_messages = sent_agent = 0
    duplicates_sent = 0
    errors: list[str] = []
    counter = iter(range(10**9))
    deadline = time.monotonic() + duration

    async def client(cid: int) -> None:
        nonlocal duplicates_sent, sent_messages, sent_agent
        rng = random.Random(cid)
        last: tuple[bytes, str, int, int] | None = None
        current: tuple[int, dict[str, Any]] | None = None
        length = messages
        async with httpx.AsyncClient(base_url=base, timeout=60,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            while time.monotonic() < deadline:
                if last is not None and rng.random() < dup_share:
                    body, event, n, length = last  # a redelivery of the same event
                    duplicates_sent += 1
                else:
                    if current is None or not updates or length >= messages:
                        current, length = (k := next(counter), ticket(k, messages, rng)), 0
                    n, full = current
                    length = min(messages, length + 2) if updates else messages
                    event = f"bench-{n}-{length}"
                    body = json.dumps({"id": event, "type": "zen:event-type:ticket.bench",
                                       **full, "comments": full["comments"][:length]}).encode()
                    last = (body, event, n, length)
                t0 = time.perf_counter()
                try:
                    r = await http.post("/webhooks/zendesk", content=body, headers=sign(body))
                except httpx.HTTPError as e:
                    errors.append(e.__class__.__name__)
                    continue
                latencies.append(time.perf_counter() - t0)
                sent_messages += length
                sent_agent += length // 2  # agent replies are every second comment
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code == 200:
                    delivered.add(event)
                    sizes[n] = max(sizes.get(n, 0), length)
                elif len(errors) < 5:
                    errors.append(f"HTTP {r.status_code}: {r.text[:200]}")

    t0 = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return {"elapsed": time.perf_counter() - t0, "latencies": latencies, "statuses": statuses,
            "delivered": delivered, "sizes": sizes, "sent_messages": sent_messages, "sent_agent": sent_agent,
            "duplicates_sent": duplicates_sent, "errors": errors}


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q / 100 * len(s) + 0.5)) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    ap.add_argument("--messages", type=int, default=10, help="messages per ticket (default 10)")
    ap.add_argument("--duplicates", type=float, default=0.02, help="share of deliveries sent twice")
    ap.add_argument("--updates", action="store_true",
                    help="post each ticket again after every new customer turn and agent reply (the whole "
                         "conversation each time), up to --messages; default: every delivery is a new ticket")
    ap.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary folder")
    args = ap.parse_args()

    import httpx
    from sqlalchemy import func, select

    from qa_monitor.service.auth import create_user
    from qa_monitor.storage import tables as t
    from qa_monitor.storage.store import Store

    tmp = tempfile.TemporaryDirectory(prefix="qam-bench-")
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    store = Store(url)
    store.migrate()
    _, token = create_user(store, f"bench-{os.getpid()}", "webhook")
    port = free_port()
    env = {**os.environ, "QA_MONITOR_DATABASE_URL": url, "QA_MONITOR_ZENDESK_WEBHOOK_SECRET": SECRET,
           "QA_MONITOR_SYNC_MESSAGE_LIMIT": str(max(20, args.messages)), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "benchmarks"), "--factory",
                               "webhook:make_app", "--host", "127.0.0.1", "--port", str(port),
                               "--log-level", "warning", "--no-access-log"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            print("server did not start", file=sys.stderr)
            return 1
        stats0 = httpx.get(f"{base}/bench-stats").json()
        res = asyncio.run(run_clients(base, token, args.clients, args.duration, args.messages, args.duplicates,
                                      args.updates))
        stats = httpx.get(f"{base}/bench-stats").json()
    finally:
        server.terminate()
        server.wait(timeout=30)

    with store.session() as s:
        deliveries = s.scalar(select(func.count()).select_from(t.WebhookDeliveryRow)
                              .where(t.WebhookDeliveryRow.status == "done")) or 0
        interactions = s.scalar(select(func.count()).select_from(t.InteractionRow)) or 0
        messages = s.scalar(select(func.count()).select_from(t.MessageRow)) or 0
        per_delivery = s.execute(select(t.WebhookDeliveryRow.id, func.count())
                                 .group_by(t.WebhookDeliveryRow.id).having(func.count() > 1)).all()
    store.close()
    tmp.cleanup()

    lat = [x * 1000 for x in res["latencies"]]
    n = len(lat)
    ok = res["statuses"].get(200, 0)
    bad = sum(v for k, v in res["statuses"].items() if k != 200) + len([e for e in res["errors"]
                                                                          if not e.startswith("HTTP")])
    unique = len(res["delivered"])
    sizes = res["sizes"]
    exactly_once = (deliveries == unique and interactions == len(sizes) and messages == sum(sizes.values())
                    and not per_delivery)
    parts, counts = stats["parts"], stats["counts"]
    app_s = parts.get("app", 0.0)
    score_s, storage_s = parts.get("scoring", 0.0), parts.get("storage", 0.0)
    wait_s, score_wait_s = parts.get("lock_wait", 0.0), parts.get("score_wait", 0.0)
    scored = counts.get("scored_messages", 0)
    client_s = sum(res["latencies"])
    mode = "ticket updates (each delivery re-sends the conversation with one new agent reply)" if args.updates \
        else "a new ticket per delivery"
    print(f"scorer: {stats['scorer']} ({stats['model_version']}); {args.clients} clients, tickets of up to "
          f"{args.messages} messages, {mode}; {res['elapsed']:.1f} s, database {url.split(':', 1)[0]}")
    print(f"requests: {n}  ({n / res['elapsed']:.1f} req/s), 200: {ok}, errors: {bad}, "
          f"redeliveries sent: {res['duplicates_sent']}")
    print(f"latency ms: p50 {pct(lat, 50):.1f}  p95 {pct(lat, 95):.1f}  p99 {pct(lat, 99):.1f}  max "
          f"{max(lat) if lat else float('nan'):.1f}")
    print(f"stored exactly once: {'yes' if exactly_once else 'NO'} (events delivered {unique}, deliveries stored "
          f"{deliveries}, interactions {interactions}, messages {messages})")
    if n and counts.get("app"):
        per = 1000 / counts["app"]
        print("where time goes, ms per request (server threads overlap, so parts are summed work, not wall time):")
        rest = app_s - score_s - storage_s - wait_s - score_wait_s
        print(f"  per delivery: {res['sent_messages'] / n:.1f} messages, {res['sent_agent'] / n:.1f} of them agent "
              f"replies, {scored / counts['app']:.1f} scored now (the others' stored scores were current)")
        print(f"  scoring {score_s * per:.1f} | waiting for the scorer {score_wait_s * per:.1f} | storage (every "
              f"transaction, the token lookup included) {storage_s * per:.1f} | waiting for the SQLite write lock "
              f"{wait_s * per:.1f} | rest of the app (signature, parsing, mapping, response, thread pool) "
              f"{rest * per:.1f}")
        print(f"  in app total {app_s * per:.1f} | client-observed {client_s * 1000 / n:.1f} (HTTP, queueing and "
              f"event loop: {(client_s - app_s) * 1000 / n:.1f})")
    if stats0["parts"]:
        print("note: the server did work before the run", stats0["parts"])
    for e in res["errors"][:5]:
        print("error sample:", e)
    return 0 if exactly_once and not bad else 1


if __name__ == "__main__":
    raise SystemExit(main())
