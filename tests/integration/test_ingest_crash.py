"""A real `qa-monitor ingest` process killed with SIGKILL mid-run: the rerun ends with every message exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa_monitor.storage import tables as t
from tests.support.ingest import count, pipeline, source, sqlite_store

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = 4_000


def _write_export(path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(CONVERSATIONS):
            for j, (role, text) in enumerate([("customer", f"Mi pedido {i} no ha llegado todavía."),
                                              ("agent", f"Lo siento, el pedido {i} sale hoy por mensajero.")]):
                f.write(json.dumps({"interaction_id": f"c{i}", "message_id": str(j), "author": f"{role}-{i % 50}",
                                    "role": role, "sent_at": 1762164000 + i * 60 + j, "text": text},
                                   ensure_ascii=False) + "\n")


def _cursor(db: Path) -> dict[str, object] | None:
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = con.execute("SELECT value FROM cursors WHERE adapter = 'orders'").fetchone()
    except sqlite3.OperationalError:  # the schema is not there yet, or the file is being created
        return None
    finally:
        con.close()
    return json.loads(row[0]) if row else None


def _ingest(db: Path, pipeline_file: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QA_MONITOR_DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "qa_monitor", "ingest", str(pipeline_file)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)


def _kill_when_past(db: Path, pipeline_file: Path, item: int) -> None:
    """Start an ingest and SIGKILL it once its committed cursor has passed `item` units."""
    proc = _ingest(db, pipeline_file)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        cur = _cursor(db)
        if cur and cur.get("file") and int(str(cur.get("item", 0))) >= item:
            break
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        time.sleep(0.01)
    assert proc.poll() is None, "ingestion finished before it could be killed; make the export bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _check_consistent(tmp_path: Path) -> int:
    """What is stored is exactly the committed batches: the cursor's units, no half batch. Returns units done."""
    store = sqlite_store(tmp_path)
    cur = store.cursor("orders")
    assert cur is not None and cur["file"] == "orders.jsonl"
    done = int(cur["item"])
    assert 0 < done < CONVERSATIONS
    assert count(store, t.InteractionRow) == done
    assert count(store, t.MessageRow) == 2 * done
    assert count(store, t.RawPayloadRow) == done
    with store.session() as s:
        ids = {r for (r,) in s.query(t.InteractionRow.native_id)}
    assert ids == {f"c{i}" for i in range(done)}
    store.close()
    return done


def test_sigkill_mid_batch_then_rerun_stores_every_message_once(tmp_path: Path) -> None:
    export = tmp_path / "orders.jsonl"
    _write_export(export)
    pipeline(tmp_path, source("orders", "jsonl", export, batch_size=25))
    db, pipeline_file = tmp_path / "qa.db", tmp_path / "pipeline.toml"
    # killed three times at different points (each resumes from the last committed batch), so at least one kill
    # is very likely to land inside a batch's transaction rather than between two
    done = 0
    for at in (300, 1200, 2400):
        _kill_when_past(db, pipeline_file, at)
        now = _check_consistent(tmp_path)
        assert now > done
        done = now

    rerun = _ingest(db, pipeline_file)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    store = sqlite_store(tmp_path)
    assert count(store, t.InteractionRow) == CONVERSATIONS
    with store.session() as s:
        msg_ids = [r for (r,) in s.query(t.MessageRow.id)]
    assert len(msg_ids) == len(set(msg_ids)) == 2 * CONVERSATIONS
    assert set(msg_ids) == {f"orders:c{i}#{j}" for i in range(CONVERSATIONS) for j in (0, 1)}
    final = store.cursor("orders")
    st = export.stat()
    assert final == {"done": {"orders.jsonl": f"{st.st_size}:{st.st_mtime_ns}"}, "file": None, "fp": None, "item": 0}
    assert count(store, t.RawPayloadRow) == CONVERSATIONS
    store.close()
