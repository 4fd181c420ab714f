"""Every response carries the security headers (no framing, no sniffing, a strict Content-Security-Policy), and
no page the service serves loads anything from another host."""

from __future__ import annotations

import re
from typing import Any

import pytest

from qa_monitor.service import queries
from qa_monitor.service.routes.ui import FILES
from tests.support.service_env import Env

EXPECTED = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def _requests(env: Env) -> dict[str, tuple[Any, int]]:
    c, admin = env.client, env.h(env.tokens.admin)
    too_big = b"[" + b"1," * 1_100_000 + b"1]"
    return {
        "health": (lambda: c.get("/health"), 200),
        "dashboard": (lambda: c.get("/ui"), 200),
        "dashboard script": (lambda: c.get("/ui/static/app.js"), 200),
        "openapi": (lambda: c.get("/openapi.json"), 200),
        "api": (lambda: c.get("/interactions", headers=admin), 200),
        "report html": (lambda: c.get("/reports/weekly", headers=admin, params={"week": "2026-W42",
                                                                               "format": "html"}), 200),
        "no token": (lambda: c.get("/interactions"), 401),
        "unknown route": (lambda: c.get("/nope"), 404),
        "wrong method": (lambda: c.post("/health"), 405),
        "invalid parameter": (lambda: c.get("/interactions", headers=admin, params={"limit": 0}), 422),
        "body too large": (lambda: c.post("/calibration", headers={**admin, "Content-Type": "application/json"},
                                          content=too_big), 413),
    }


@pytest.mark.parametrize("name", ["health", "dashboard", "dashboard script", "openapi", "api", "report html",
                                  "no token", "unknown route", "wrong method", "invalid parameter",
                                  "body too large", "unexpected error"])
def test_every_response_has_the_security_headers(env: Env, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if name == "unexpected error":
        def fail(*_: object) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(queries, "list_interactions", fail)
        r = env.client.get("/interactions", headers=env.h(env.tokens.admin))
        assert r.status_code == 500
    else:
        call, status = _requests(env)[name]
        r = call()
        assert r.status_code == status, (name, r.text[:200])
    for header, value in EXPECTED.items():
        assert r.headers.get(header) == value, (name, r.status_code, dict(r.headers))
    policy = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert "'unsafe-eval'" not in r.headers["content-security-policy"]
    assert "script-src" not in policy  # scripts fall back to default-src 'self': no inline script runs


# a reference that makes a browser fetch from another host: an absolute or protocol-relative URL in an attribute
# that loads something, in CSS url() or @import, or as a string in a script (XML namespace names load nothing)
_HOST_URL = r"(?:https?:)?//[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_LOADING = re.compile(rf"""(?:\b(?:src|href|action|data|poster|srcset)\s*=\s*["']?\s*{_HOST_URL}"""
                      rf"""|url\(\s*["']?\s*{_HOST_URL}|@import\s+["']?\s*{_HOST_URL}|["'`]{_HOST_URL})""", re.I)
_NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", "http://www.w3.org/1999/xlink")


def external_references(text: str) -> list[str]:
    """Every place in a page, stylesheet or script that would load from another host."""
    for ns in _NAMESPACES:
        text = text.replace(ns, "")
    return [m.group(0) for m in _LOADING.finditer(text)]


def test_the_scan_finds_external_references() -> None:
    assert external_references('<script src="https://cdn.example.com/x.js"></script>')
    assert external_references("<link rel=stylesheet href=//cdn.example.com/x.css>")
    assert external_references("body { background: url('https://img.example.com/a.png') }")
    assert external_references('@import "https://fonts.example.com/f.css";')
    assert external_references('fetch("https://api.example.com/v1")')
    assert not external_references('document.createElementNS("http://www.w3.org/2000/svg", "svg") // the chart')
    assert not external_references('<a href="/ui#/queue">queue</a> <img src="data:image/png;base64,AA">')


def test_no_served_page_loads_from_another_host(env: Env) -> None:
    c, admin = env.client, env.h(env.tokens.admin)
    pages = {"/ui": c.get("/ui"), **{f"/ui/static/{name}": c.get(f"/ui/static/{name}") for name in FILES},
             "weekly report": c.get("/reports/weekly", headers=admin, params={"week": "2026-W42", "format": "html"})}
    for name, r in pages.items():
        assert r.status_code == 200, name
        assert external_references(r.text) == [], name
    # Swagger UI and ReDoc would load their scripts from a CDN: not served; the OpenAPI document is
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        assert c.get(path).status_code == 404, path
    assert c.get("/openapi.json").json()["info"]["title"] == "qa-monitor"
