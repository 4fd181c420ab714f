"""A 50 MB export is streamed: JSONL line by line, with memory bounded by the batch, not the file."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from qa_monitor.ingest import ingest_pipeline
from qa_monitor.storage import tables as t
from tests.support.ingest import count, pipeline, source, sqlite_store

pytestmark = pytest.mark.integration


def test_fifty_megabyte_jsonl_streams_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    body = ("Dzień dobry, sprawdziłem Pana zamówienie i paczka wyjdzie jutro rano. " * 70)[:4900]
    n = 0
    with path.open("w", encoding="utf-8") as f:
        while f.tell() < 50 * 1024 * 1024:
            n += 1
            role = "agent" if n % 2 else "customer"
            f.write(json.dumps({"interaction_id": f"c{n // 2}", "message_id": str(n), "author": role,
                                "role": role, "sent_at": 1762164000 + n, "text": body}, ensure_ascii=False) + "\n")
            if n == 5000:
                f.write('{"interaction_id": "c-broken", "text": "cut\n')
    assert path.stat().st_size >= 50 * 1024 * 1024
    store = sqlite_store(tmp_path)
    spec = pipeline(tmp_path, source("big", "jsonl", path, batch_size=50))
    tracemalloc.start()
    [report] = ingest_pipeline(store, spec)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (report.messages, report.quarantined) == (n, 1)
    assert count(store, t.MessageRow) == n
    # streamed: the peak is a few batches, nowhere near the file's size
    assert peak < path.stat().st_size / 5, peak


def test_fifty_megabyte_transcript_over_the_limit_is_kept_quarantined(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    cue = "00:00:01.000 --> 00:00:02.000\n<v Agent>Thank you for calling Nordlink, how can I help?\n\n"
    big = calls / "call-2026-11-10T10-00.vtt"
    with big.open("w", encoding="utf-8") as f:
        f.write("WEBVTT\n\n")
        while f.tell() < 50 * 1024 * 1024:
            f.write(cue * 1000)
    store = sqlite_store(tmp_path)
    [report] = ingest_pipeline(store, pipeline(tmp_path, source("calls", "webvtt", calls, max_file_mb=20)))
    assert (report.interactions, report.quarantined) == (0, 1)
    [row] = store.quarantined()
    assert row.size == big.stat().st_size
    assert "MB is over the 20 MB limit for one transcript (options.max_file_mb)" in (row.reason or "")
