"""Schemathesis against the live service (uvicorn on 127.0.0.1, seeded SQLite or PostgreSQL): every route and the
OpenAPI links between them (the stateful phase), called as an admin, as a manager of another team and as an agent.
No 5xx, responses conform to api/openapi.json, and no response quotes words the caller may not see."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa_monitor.service.auth import create_user
from qa_monitor.storage.store import Store
from tests.support.servers import free_port
from tests.support.service_seed import ANNA_MARKER, BRUNO_MARKER, TECH_MARKER, seed, seed_shared

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "negative_data_rejection,no_foreign_words")
# Who calls, and the markers (planted in seed_shared's ticket, which is tech's) their responses must never hold:
# tech's manager may not read what billing's agents wrote in it, and the agent Anna neither the tech agent's words
# nor her teammate Bruno's.
CALLERS: dict[str, tuple[str, ...]] = {"admin": (), "other-team-manager": (ANNA_MARKER, BRUNO_MARKER),
                                       "agent": (TECH_MARKER, BRUNO_MARKER)}


@pytest.fixture
def live(tmp_path: Path, db_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """uvicorn serving the app over a seeded database; yields (base URL, a token per caller of CALLERS)."""
    url = db_url
    store = Store(url)
    store.migrate()
    seed(store)
    seed_shared(store)
    tokens = {"admin": create_user(store, "contract-admin", "admin")[1],
              "other-team-manager": create_user(store, "contract-tech", "manager", ["tech"])[1],
              "agent": create_user(store, "contract-anna", "agent", agent="anna")[1]}
    store.close()
    port = free_port()
    env = {**os.environ, "QA_MONITOR_DATABASE_URL": url, "PYTHONPATH": str(ROOT),
           **{f"QA_MONITOR_{p.upper()}_WEBHOOK_SECRET": f"{p}-contract-secret"
              for p in ("zendesk", "freshdesk", "jira", "generic")}}
    log = (tmp_path / "uvicorn.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "tests.support.contract_app:make_app",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
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
        yield base, tokens
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        server_log = (tmp_path / "uvicorn.log").read_text(errors="replace")
        assert "Traceback" not in server_log, server_log[-4000:]


def schemathesis(base: str, token: str, forbidden: tuple[str, ...], tmp_path: Path, *options: str
                 ) -> subprocess.CompletedProcess[str]:
    """Run the Schemathesis CLI against the live service with one caller's token and the contract hooks."""
    st = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    if not Path(st).exists():
        pytest.skip("schemathesis is not installed (pip install -e .[dev])")
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.support.contract_hooks",
           "QA_MONITOR_CONTRACT_FORBIDDEN": ",".join(forbidden), "PYTHONPATH": str(ROOT)}
    cmd = [st, "--config-file", str(ROOT / "tests" / "integration" / "schemathesis.toml"), "run",
           f"{base}/openapi.json", "-H", f"Authorization: Bearer {token}", "--checks", CHECKS,
           "--seed", "20261126", "--workers", "1", "--no-color", "--request-timeout", "30", *options]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=tmp_path, env=env)


@pytest.mark.parametrize("caller", CALLERS)
def test_schemathesis_finds_no_server_errors_schema_violations_or_leaks(live: tuple[str, dict[str, str]],
                                                                         tmp_path: Path, caller: str) -> None:
    base, tokens = live
    r = httpx.get(f"{base}/flags", headers={"Authorization": f"Bearer {tokens[caller]}"})
    assert r.status_code == 200 and r.json()["items"]
    examples = os.environ.get("QA_MONITOR_CONTRACT_EXAMPLES", "20")
    result = schemathesis(base, tokens[caller], CALLERS[caller], tmp_path, "--phases",
                          "examples,coverage,fuzzing,stateful", "--max-examples", examples,
                          "--report", "junit", "--report-dir", str(tmp_path / "reports"))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-12000:]
    assert "Server error" not in out and "5xx" not in out.replace("No 5xx", "")
    followed = re.search(r"API Links:\s+(\d+) covered", out)  # the stateful phase followed links between routes
    assert followed and int(followed.group(1)) > 0, out[-4000:]


def test_the_leak_check_fails_on_words_the_caller_may_read(live: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    # a control: tech's manager reads the tech agent's flags, so forbidding his marker must fail the run
    base, tokens = live
    result = schemathesis(base, tokens["other-team-manager"], (TECH_MARKER,), tmp_path, "--phases", "coverage",
                          "--include-path-regex", "^/flags$", "--max-examples", "3")
    out = result.stdout + result.stderr
    assert result.returncode != 0 and "written by an agent the caller may not read" in out, out[-4000:]
