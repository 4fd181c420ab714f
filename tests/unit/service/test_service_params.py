"""Query parameters and JSON bodies at the edges: every time, week and cursor parameter and every JSON body
route answers a clear 422 naming what is wrong, never a 500."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi import routing
from fastapi.routing import APIRoute

from qa_monitor.config import Settings
from qa_monitor.service.app import create_app
from tests.support.service_env import Env


def _api_routes() -> list[Any]:
    app = create_app(Settings(database_url="sqlite://"))
    return [c for c in routing.iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


ROUTES = _api_routes()
# (path, parameter) of every query parameter holding a moment or a week, found by introspection
TIME_PARAMS = sorted({(c.path, q.name) for c in ROUTES for q in c.dependant.query_params
                      if "datetime" in str(q.field_info.annotation) or q.name == "week"})
CURSOR_PARAMS = sorted({(c.path, q.name) for c in ROUTES for q in c.dependant.query_params if q.name == "cursor"})
# routes whose body FastAPI parses as JSON (webhooks read their raw bytes themselves)
JSON_BODY_ROUTES = sorted({(m, c.path) for c in ROUTES if c.dependant.body_params
                           for m in c.methods - {"HEAD", "OPTIONS"}})


def test_the_parameter_lists_cover_the_service() -> None:
    assert {("/interactions", "since"), ("/interactions", "until"), ("/flags", "since"), ("/flags", "until"),
            ("/trends", "since"), ("/trends", "until"), ("/reports/weekly", "week")} <= set(TIME_PARAMS)
    assert CURSOR_PARAMS == [("/flags", "cursor")]
    assert {("POST", "/flags/{flag_id}/review"), ("POST", "/calibration")} <= set(JSON_BODY_ROUTES)


# moments whose UTC equivalent falls before year 1 or after year 9999, and weeks outside the report's range
EDGE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]
EDGE_WEEKS = ["0001-W01", "9999-W52"]


@pytest.mark.parametrize(("path", "param"), TIME_PARAMS, ids=[f"{p} {q}" for p, q in TIME_PARAMS])
def test_a_time_at_the_calendar_edge_is_a_clear_422(any_env: Env, path: str, param: str) -> None:
    c, h = any_env.client, any_env.h(any_env.tokens.admin)
    for value in EDGE_WEEKS if param == "week" else EDGE_TIMES:
        r = c.get(path, headers=h, params={param: value})
        assert r.status_code == 422, (value, r.text)
        assert param in r.json()["error"]["message"], r.text
    if param != "week":
        # the first and last moments that exist in UTC are valid bounds
        for value in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00-14:00"]:
            r = c.get(path, headers=h, params={param: value})
            assert r.status_code == 200, (value, r.text)


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


BAD_CURSORS = {
    "huge float id": _cursor([0.5, 1e30]),
    "huge int id": _cursor([0.5, 10**30]),
    "id over 32 bits": _cursor([0.5, 2**31]),
    "negative id": _cursor([0.5, -1]),
    "fractional id": _cursor([0.5, 1.5]),
    "boolean id": _cursor([0.5, True]),
    "text severity": _cursor(["0.5", 1]),
    "NaN severity": base64.urlsafe_b64encode(b"[NaN, 1]").decode(),
    "infinite severity": base64.urlsafe_b64encode(b"[Infinity, 1]").decode(),
    "overflowing severity": base64.urlsafe_b64encode(b"[1e400, 1]").decode(),
    "one item": _cursor([0.5]),
    "three items": _cursor([0.5, 1, 2]),
    "an object": _cursor({"1": 0.5, "2": 1}),
    "a string": _cursor("ab"),
    "not base64 JSON": "garbage!",
    "deep nesting": base64.urlsafe_b64encode(b"[" * 70 + b"]" * 70).decode(),
}


@pytest.mark.parametrize(("path", "param"), CURSOR_PARAMS)
@pytest.mark.parametrize("cursor", list(BAD_CURSORS.values()), ids=list(BAD_CURSORS))
def test_a_crafted_cursor_is_a_clear_422(any_env: Env, path: str, param: str, cursor: str) -> None:
    r = any_env.client.get(path, headers=any_env.h(any_env.tokens.admin), params={param: cursor})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_cursor" and param in r.json()["error"]["message"]


@pytest.mark.parametrize(("method", "path"), JSON_BODY_ROUTES, ids=[f"{m} {p}" for m, p in JSON_BODY_ROUTES])
@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_a_deeply_nested_body_is_a_clear_422(env: Env, method: str, path: str, depth: int) -> None:
    filled = path.replace("{flag_id}", "1")
    headers = {**env.h(env.tokens.admin), "Content-Type": "application/json"}
    for body in ("[" * depth + "]" * depth, '{"note": ' + "[" * depth + "]" * depth + "}"):
        r = env.client.request(method, filled, headers=headers, content=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"] == {"code": "body_too_deep", "message": "the body is nested too deeply"}
