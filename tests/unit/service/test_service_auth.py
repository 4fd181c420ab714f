"""Every route of the app: 401 without a token, 403 for a wrong role, 403 for another team's data."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import routing
from fastapi.routing import APIRoute
from service_env import Env

from qa_monitor.config import Settings
from qa_monitor.errors import NotFoundError, QAMonitorError
from qa_monitor.service.app import create_app
from qa_monitor.service.auth import authenticate, create_token, create_user, hash_token, is_public, list_users, revoke
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store

# path parameters that name a team-owned object, and how to find one of team billing's
OBJECT_PARAMS = ("interaction_id", "flag_id", "agent_id", "job_id")


def route_contexts(app: Any) -> list[Any]:
    """Every API route of the app with its effective path and dependencies (routers included)."""
    return [c for c in routing.iter_route_contexts(app.routes)
            if isinstance(c.original_route, APIRoute) and not is_public(c.path)]


def app_routes() -> list[tuple[str, str]]:
    """(method, path) of every API route the app has, found by introspection."""
    app = create_app(Settings(database_url="sqlite://"))
    return [(m, c.path) for c in route_contexts(app) for m in sorted(c.methods - {"HEAD", "OPTIONS"})]


ROUTES = app_routes()


def test_route_list_covers_the_service() -> None:
    paths = {p for _, p in ROUTES}
    assert {"/interactions", "/flags", "/flags/{flag_id}/review", "/trends", "/agents/{agent_id}",
            "/calibration", "/webhooks/zendesk", "/jobs/{job_id}"} <= paths


def allowed_roles(env: Env, path: str) -> set[str]:
    """The roles a route admits, read from its dependency (so a new route needs no test change)."""
    def walk(dependant: Any) -> set[str] | None:
        for dep in dependant.dependencies:
            roles = getattr(dep.call, "allowed_roles", None)
            if roles is not None:
                return set(roles)
            found = walk(dep)
            if found is not None:
                return found
        return None

    for c in route_contexts(env.client.app):
        if c.path == path:
            roles = walk(c.dependant)
            if roles is not None:
                return roles
    raise AssertionError(f"{path} has no role dependency: every non-public route must require a role")


def route_context(env: Env, path: str) -> Any:
    return next(c for c in route_contexts(env.client.app) if c.path == path)


def billing_object(env: Env, name: str) -> str:
    """A value for a path parameter that points at a billing-team object."""
    with env.store.session() as s:
        from sqlalchemy import select

        if name == "interaction_id":
            return str(s.scalar(select(t.InteractionRow.id).where(t.InteractionRow.team_id == "billing").limit(1)))
        if name == "flag_id":
            return str(s.scalar(select(t.FindingRow.id).join(t.MessageRow, t.MessageRow.id == t.FindingRow.message_id)
                                .where(t.MessageRow.agent_id == "anna", t.FindingRow.flagged.is_(True)).limit(1)))
        if name == "agent_id":
            return "anna"
        if name == "job_id":
            return "no-such-job"
    return "x"  # not a team-owned object: only the token and role checks apply


def call(env: Env, method: str, path: str, token: str | None, **params: Any) -> Any:
    filled = path
    for name in [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]:
        filled = filled.replace("{" + name + "}", billing_object(env, name))
    headers = env.h(token) if token else {}
    body = {"verdict": "confirmed"} if path.endswith("/review") else {}
    return env.client.request(method, filled, headers=headers, params=params,
                              json=body if method in ("POST", "PUT", "PATCH") else None)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_route_requires_token_role_and_team(env: Env, method: str, path: str) -> None:
    r = call(env, method, path, None)
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "auth_required"
    r = call(env, method, path, "qam_not-a-real-token")
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"

    roles = allowed_roles(env, path)
    by_role = {"admin": env.tokens.admin, "manager": env.tokens.tech, "webhook": env.tokens.webhook}
    for role, token in by_role.items():
        if role not in roles:
            r = call(env, method, path, token)
            assert r.status_code == 403, (role, r.text)
            assert r.json()["error"]["code"] == "forbidden_role"

    if "manager" in roles:
        # the tech manager must not read billing's objects nor ask for billing's team
        has_object = any("{" + name + "}" in path for name in OBJECT_PARAMS)
        takes_team = any(q.name == "team" for q in route_context(env, path).dependant.query_params)
        if has_object:
            r = call(env, method, path, env.tokens.tech)
            assert r.status_code in (403, 404), r.text
            if r.status_code == 403:
                assert r.json()["error"]["code"] == "forbidden_team"
            r_own = call(env, method, path, env.tokens.billing)
            assert r_own.status_code not in (401, 403), r_own.text
        if takes_team:
            r = call(env, method, path, env.tokens.tech, team="billing")
            assert r.status_code == 403, r.text
            assert r.json()["error"]["code"] == "forbidden_team"


def test_manager_lists_only_own_team(env: Env) -> None:
    r = env.client.get("/interactions", headers=env.h(env.tokens.tech), params={"limit": 200})
    teams = {i["team_id"] for i in r.json()["items"]}
    assert teams == {"tech"}
    r = env.client.get("/flags", headers=env.h(env.tokens.billing), params={"limit": 200})
    assert r.json()["items"] and {i["team_id"] for i in r.json()["items"]} == {"billing"}
    r = env.client.get("/agents", headers=env.h(env.tokens.billing))
    assert {a["id"] for a in r.json()} == {"anna", "bruno"}
    r = env.client.get("/trends", headers=env.h(env.tokens.tech), params={"group_by": "team"})
    assert {b["group"] for b in r.json()["buckets"]} == {"tech"}
    r = env.client.get("/interactions", headers=env.h(env.tokens.admin), params={"limit": 200})
    assert {i["team_id"] for i in r.json()["items"]} == {"billing", "tech"}


def test_tokens_are_stored_hashed_and_revocable(store: Store) -> None:
    store.sync_directory(__import__("service_seed").PIPELINE)
    uid, token = create_user(store, "mia", "manager", ["billing"])
    with store.session() as s:
        from sqlalchemy import select

        hashes = list(s.scalars(select(t.ApiTokenRow.token_hash)))
    assert hashes == [hash_token(token)] and token not in hashes[0]
    p = authenticate(store, token)
    assert p is not None and p.role == "manager" and p.teams == frozenset({"billing"})
    second = create_token(store, "mia")
    assert authenticate(store, second) is not None
    assert revoke(store, token_prefix=token[:12]) == 1
    assert authenticate(store, token) is None and authenticate(store, second) is not None
    assert revoke(store, user_name="mia") == 1
    assert authenticate(store, second) is None
    assert [u.disabled for u in list_users(store)] == [True]
    with pytest.raises(NotFoundError):
        create_token(store, "mia")


@pytest.mark.parametrize(("role", "teams", "message"), [
    ("boss", [], "unknown role"), ("manager", [], "at least one --team"), ("admin", ["billing"], "managers only"),
    ("manager", ["nope"], "unknown team"),
])
def test_create_user_refuses_bad_input(store: Store, role: str, teams: list[str], message: str) -> None:
    store.sync_directory(__import__("service_seed").PIPELINE)
    with pytest.raises(QAMonitorError, match=message):
        create_user(store, "x", role, teams)
