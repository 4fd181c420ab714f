"""The dashboard in headless Chromium against the live service under uvicorn: sign in, filter, review, charts."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is not installed (pip install playwright)")
from playwright.sync_api import expect

from qa_monitor.config import Settings
from qa_monitor.service.app import create_app
from qa_monitor.service.auth import create_user
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.report_seed import seed
from tests.support.servers import missing

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
        "--no-first-run"]


@dataclass
class Live:
    url: str
    store: Store
    token: str
    user_id: int
    shots: Path


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """The service under uvicorn on 127.0.0.1, over a seeded SQLite database with a manager of both teams."""
    import uvicorn

    store = Store(f"sqlite:///{tmp_path / 'ui.db'}")
    seed(store)
    user_id, token = create_user(store, "lead", "manager", ["t1", "t2"])
    app = create_app(Settings(database_url=store.url), store=store, scorer_factory=lambda *a: None)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    shots = Path(os.environ.get("QA_MONITOR_TEST_OUTPUT", tmp_path)) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        yield Live(f"http://127.0.0.1:{port}", store, token, user_id, shots)
    finally:
        server.should_exit = True
        thread.join(15)
        store.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def sign_in(page: Any, live: Live) -> None:
    page.goto(f"{live.url}/ui")
    page.get_by_label("API token").fill(live.token)
    page.get_by_label("API token").press("Enter")          # the keyboard alone signs in
    page.wait_for_selector("#flags li.flag")


def test_review_flow_and_charts(live: Live, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live.url}/ui")
    # Keyboard users land in the token field; Tab reaches the sign-in button.
    expect(page.get_by_label("API token")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Sign in"
    sign_in(page, live)
    # Open flags in the seed: a1 W47 3 + a2 W47 1 + a3 W47 2 + a1 W46 4 + a2 W45 1 = 11 (all on one page).
    assert page.locator("#flags li.flag").count() == 11

    page.get_by_label("Label").select_option("rude")
    page.get_by_role("button", name="Apply filters").click()
    cards = page.locator("#flags li.flag")
    # rude flags: W47 i1#1, i1#3, i4#1, i4#2 and W46 i5#0, i5#1, i5#2
    expect(cards).to_have_count(7)
    expect(page.locator("#flags li.flag header .badge.rude")).to_have_count(7)
    assert cards.first.locator("mark.rude").count() >= 1
    first, second = (int(cards.nth(i).get_attribute("data-flag-id")) for i in (0, 1))

    cards.nth(0).get_by_placeholder("Note (optional)").fill("clearly rude")
    cards.nth(0).get_by_role("button", name="Confirm").click()
    page.wait_for_selector(f'li.flag[data-flag-id="{first}"][data-status="confirmed"]')
    cards.nth(1).get_by_role("button", name="Dismiss").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f'li.flag[data-flag-id="{second}"][data-status="dismissed"]')
    page.screenshot(path=str(live.shots / "queue-desktop.png"), full_page=False)

    with live.store.session() as s:
        reviews = {r.finding_id: (r.verdict, r.reviewer_id, r.note) for r in s.query(t.ReviewRow)
                   .filter(t.ReviewRow.finding_id.in_([first, second]))}
        status = {f.id: f.status for f in s.query(t.FindingRow).filter(t.FindingRow.id.in_([first, second]))}
    assert reviews == {first: ("confirmed", live.user_id, "clearly rude"), second: ("dismissed", live.user_id, None)}
    assert status == {first: "confirmed", second: "dismissed"}

    # The conversation behind a flag.
    cards.nth(2).get_by_role("link", name="Open conversation").click()
    page.wait_for_selector("article.turn")
    assert page.locator("article.turn").count() >= 2

    # Agent page: a1 has scored messages in W46 and W47, so the trend chart draws points for each label.
    page.goto(f"{live.url}/ui#/agent/a1")
    page.wait_for_selector("#trend-chart circle.point")
    assert page.locator("#trend-chart circle.point").count() >= 6
    assert page.locator("#trend-chart polyline").count() == 3
    page.screenshot(path=str(live.shots / "agent-desktop.png"), full_page=True)

    page.get_by_role("link", name="Weekly report").click()
    page.get_by_label("ISO week").fill("2026-W47")
    page.get_by_role("button", name="Show report").click()
    frame = page.frame_locator("iframe.report-frame")
    frame.locator("text=Weekly quality report · 2026-W47").wait_for()
    expect(frame.locator("svg.sparkline")).to_have_count(3)
    expect(frame.locator("svg.scatter circle.point")).to_have_count(6)
    page.screenshot(path=str(live.shots / "report-desktop.png"), full_page=False)
    assert errors == []


def test_phone_width(live: Live, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2)
    sign_in(page, live)
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(live.shots / "queue-phone.png"), full_page=False)
    page.goto(f"{live.url}/ui#/agent/a1")
    page.wait_for_selector("#trend-chart circle.point")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(live.shots / "agent-phone.png"), full_page=False)


def test_bad_token_is_refused(live: Live, browser: Any) -> None:
    page = browser.new_page()
    page.goto(f"{live.url}/ui")
    page.get_by_label("API token").fill("qam_not-a-real-token")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#signin-error:not(:empty)")
    assert "not valid" in page.inner_text("#signin-error")
    assert page.evaluate("sessionStorage.length") == 0
