"""Schemathesis against the live service (uvicorn on 127.0.0.1, seeded SQLite), every route authenticated:
no 5xx, responses conform to api/openapi.json."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "service"))

from service_seed import seed  # noqa: E402

from qa_monitor.service.auth import create_user  # noqa: E402
from qa_monitor.storage.store import Store  # noqa: E402
from tests.servers import free_port  # noqa: E402

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "negative_data_rejection")


@pytest.fixture
def live(tmp_path: Path, db_url: str) -> Iterator[tuple[str, str]]:
    """uvicorn serving the app over a seeded database; yields (base URL, admin token)."""
    url = db_url
    store = Store(url)
    store.migrate()
    seed(store)
    _, admin = create_user(store, "contract-admin", "admin")
    store.close()
    port = free_port()
    env = {**os.environ, "QA_MONITOR_DATABASE_URL": url, "PYTHONPATH": f"{ROOT}:{ROOT / 'tests' / 'integration'}",
           **{f"QA_MONITOR_{p.upper()}_WEBHOOK_SECRET": f"{p}-contract-secret"
              for p in ("zendesk", "freshdesk", "jira", "generic")}}
    log = (tmp_path / "uvicorn.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "contract_app:make_app", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError((tmp_path / "uvicorn.log").read_text())
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("uvicorn did not answer /health within 30 s")
        yield base, admin
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        server_log = (tmp_path / "uvicorn.log").read_text(errors="replace")
        assert "Traceback" not in server_log, server_log[-4000:]


def test_schemathesis_finds_no_server_errors_or_schema_violations(live: tuple[str, str], tmp_path: Path) -> None:
    base, token = live
    st = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    if not Path(st).exists():
        pytest.skip("schemathesis is not installed (pip install -e .[dev])")
    # every route, including the webhooks, is called with the admin token (admin may call them all)
    r = httpx.get(f"{base}/flags", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["items"]
    cmd = [st, "run", f"{base}/openapi.json", "-H", f"Authorization: Bearer {token}", "--checks", CHECKS,
           "--phases", "examples,coverage,fuzzing", "--max-examples", os.environ.get("QA_MONITOR_CONTRACT_EXAMPLES",
                                                                                     "30"),
           "--seed", "20261126", "--workers", "1", "--no-color", "--request-timeout", "30",
           "--report", "junit", "--report-dir", str(tmp_path / "reports")]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-12000:]
    assert "Server error" not in out and "5xx" not in out.replace("No 5xx", "")
