"""GET /reports/weekly and the /ui dashboard's files, through the app with real auth."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from qa_monitor.config import Settings
from qa_monitor.reports.schedule import last_complete_week
from qa_monitor.service.app import create_app
from qa_monitor.service.auth import create_user
from qa_monitor.storage.store import Store


@pytest.fixture
def client(report_store: Store) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tokens = {role: create_user(report_store, f"{role}-user", role, teams)[1]
              for role, teams in [("admin", []), ("manager", ["t2"]), ("webhook", [])]}
    app = create_app(Settings(database_url=report_store.url), store=report_store, scorer_factory=lambda *a: None)
    with TestClient(app) as c:
        yield c, tokens


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_needs_a_manager_or_admin(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    assert c.get("/reports/weekly?week=2026-W47").status_code == 401
    r = c.get("/reports/weekly?week=2026-W47", headers=auth(tokens["webhook"]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role"


def test_manager_sees_only_their_teams(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    r = c.get("/reports/weekly?week=2026-W47", headers=auth(tokens["manager"]))
    assert r.status_code == 200
    body = r.json()
    assert body["teams"] == ["t2"] and body["totals"]["messages"] == 2
    assert [v["key"] for v in body["volume"]["agent"]] == ["a3"]
    # another team answers exactly as a team that does not exist: the response does not confirm it exists
    r = c.get("/reports/weekly?week=2026-W47&team=t1", headers=auth(tokens["manager"]))
    assert r.status_code == 404 and r.json()["error"] == {"code": "not_found", "message": "no team 't1'"}
    r = c.get("/reports/weekly?week=2026-W47&team=t9", headers=auth(tokens["manager"]))
    assert r.status_code == 404 and r.json()["error"] == {"code": "not_found", "message": "no team 't9'"}


def test_formats(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    r = c.get("/reports/weekly?week=2026-W47&format=csv", headers=auth(tokens["admin"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="qa-report-2026-W47.csv"' in r.headers["content-disposition"]
    rows = {(x["section"], x["key"], x["metric"]): x["value"] for x in csv.DictReader(io.StringIO(r.text))}
    assert rows[("totals", "all", "messages")] == "13"
    r = c.get("/reports/weekly?week=2026-W47&team=t1&team=t2&format=html", headers=auth(tokens["admin"]))
    assert r.headers["content-type"].startswith("text/html") and r.text.count('class="sparkline"') == 3
    assert "teams: Billing, Tech" in r.text


def test_default_week_and_an_empty_week_name_the_latest_week_with_data(
        client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    week = last_complete_week(datetime.now(UTC)).label   # after the seeded weeks: it holds no messages
    body = c.get("/reports/weekly", headers=auth(tokens["admin"])).json()
    assert body["week"] == week and body["totals"]["messages"] == 0 and body["latest_data_week"] == "2026-W47"
    assert body["notes"] == [f"No agent messages in {week}. The latest week with agent messages is 2026-W47."]
    r = c.get("/reports/weekly?week=2026-W46&format=html", headers=auth(tokens["manager"]))
    assert r.status_code == 200
    assert ('<p class="notice" role="note">No agent messages in 2026-W46 for the selected teams. '
            "The latest week with agent messages is 2026-W47.</p>") in r.text
    body = c.get("/reports/weekly?week=2026-W47", headers=auth(tokens["manager"])).json()
    assert body["notes"] == [] and body["latest_data_week"] is None


def test_bad_week(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    r = c.get("/reports/weekly?week=2026-W99", headers=auth(tokens["admin"]))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_week"
    assert c.get("/reports/weekly?week=last", headers=auth(tokens["admin"])).status_code == 422
    assert c.get("/reports/weekly?format=xlsx", headers=auth(tokens["admin"])).status_code == 422


def test_dashboard_files(client: tuple[TestClient, dict[str, str]]) -> None:
    c, _ = client
    r = c.get("/ui")
    assert r.status_code == 200 and "<title>qa-monitor</title>" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "http://" not in r.text and "https://" not in r.text         # nothing from outside
    js = c.get("/ui/static/app.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "sessionStorage" in js.text and "https://" not in js.text
    assert c.get("/ui/static/app.css").status_code == 200
    assert c.get("/ui/static/index.py").status_code == 404
    assert c.get("/ui/static/..%2Fui.py").status_code == 404
    assert "/ui" not in c.get("/openapi.json").json()["paths"]
