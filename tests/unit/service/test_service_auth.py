"""Every route of the app: 401 without a token, 403 for a wrong role, and who may see what.

The rule: a message belongs to the team of its agent. A manager sees the flags, scores and trends of their teams'
agents' messages, and an agent those of their own messages; an interaction is visible with one such message in it,
showing the customer's turns and the caller's messages only. Anything else answers exactly as an unknown id does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import routing
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from qa_monitor.config import Settings
from qa_monitor.errors import NotFoundError, QAMonitorError
from qa_monitor.service.app import create_app
from qa_monitor.service.auth import authenticate, create_token, create_user, hash_token, is_public, list_users, revoke
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.service_env import Env
from tests.support.service_seed import ANNA_MARKER, BRUNO_MARKER, PIPELINE, SHARED_ID, TECH_MARKER, seed_shared

# path parameters that name an owned object
OBJECT_PARAMS = ("interaction_id", "flag_id", "agent_id", "job_id")
MARKERS = {"chen": TECH_MARKER, "anna": ANNA_MARKER, "bruno": BRUNO_MARKER}
NAMES = {a.id: a.name for a in PIPELINE.agents}


def route_contexts(app: Any) -> list[Any]:
    """Every API route of the app with its effective path and dependencies (routers included)."""
    return [c for c in routing.iter_route_contexts(app.routes)
            if isinstance(c.original_route, APIRoute) and not is_public(c.path)]


def role_dependency(dependant: Any) -> set[str] | None:
    """The roles a route admits, read from its dependency (so a new route needs no test change)."""
    for dep in dependant.dependencies:
        roles = getattr(dep.call, "allowed_roles", None)
        if roles is not None:
            return set(roles)
        found = role_dependency(dep)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    roles: frozenset[str]
    takes_team: bool

    @property
    def has_object(self) -> bool:
        return any("{" + name + "}" in self.path for name in OBJECT_PARAMS)


def app_routes() -> list[Route]:
    """Every API route the app has, found by introspection, with the roles it admits."""
    app = create_app(Settings(database_url="sqlite://"))
    out = []
    for c in route_contexts(app):
        roles = role_dependency(c.dependant)
        assert roles is not None, f"{c.path} has no role dependency: every non-public route must require a role"
        takes_team = any(q.name == "team" for q in c.dependant.query_params)
        out += [Route(m, c.path, frozenset(roles), takes_team) for m in sorted(c.methods - {"HEAD", "OPTIONS"})]
    return out


ROUTES = app_routes()
READERS = [r for r in ROUTES if r.roles & {"manager", "agent"}]


def ids(routes: list[Route]) -> list[str]:
    return [f"{r.method} {r.path}" for r in routes]


@pytest.fixture
def shared(env: Env) -> Env:
    """The seeded app with the ticket both teams answer."""
    seed_shared(env.store)
    return env


def test_route_list_covers_the_service() -> None:
    paths = {r.path for r in ROUTES}
    assert {"/interactions", "/flags", "/flags/{flag_id}/review", "/trends", "/agents/{agent_id}",
            "/calibration", "/webhooks/zendesk", "/jobs/{job_id}", "/reports/weekly"} <= paths


def objects_of(env: Env, owner: str) -> dict[str, str]:
    """Path parameter values naming one agent's objects ('missing': ids that do not exist)."""
    if owner == "missing":
        return {"interaction_id": "seed:no-such-ticket", "flag_id": "2147483000", "agent_id": "nobody",
                "job_id": "no-such-job"}
    F, M = t.FindingRow, t.MessageRow
    with env.store.session() as s:
        # the flag on the agent's reply in the shared ticket, where another team's agents answer too
        flag = s.scalar(select(F.id).join(M, M.id == F.message_id)
                        .where(M.agent_id == owner, M.interaction_id == SHARED_ID, F.flagged.is_(True)))
    alone = next(i.id for i in env.interactions if set(i.agent_ids) == {owner})
    return {"interaction_id": alone, "flag_id": str(flag), "agent_id": owner, "job_id": "no-such-job"}


def call(env: Env, route: Route, token: str | None, objects: dict[str, str] | None = None, **params: Any) -> Any:
    filled = route.path
    for name in [seg[1:-1] for seg in route.path.split("/") if seg.startswith("{")]:
        filled = filled.replace("{" + name + "}", (objects or {}).get(name, "x"))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"verdict": "dismissed"} if route.path.endswith("/review") else {}
    return env.client.request(route.method, filled, headers=headers, params=params,
                              json=body if route.method in ("POST", "PUT", "PATCH") else None)


@pytest.mark.parametrize("route", ROUTES, ids=ids(ROUTES))
def test_route_requires_token_and_role(env: Env, route: Route) -> None:
    r = call(env, route, None)
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "auth_required"
    r = call(env, route, "qam_not-a-real-token")
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    by_role = {"admin": env.tokens.admin, "manager": env.tokens.tech, "webhook": env.tokens.webhook,
               "agent": env.tokens.agent}
    for role, token in by_role.items():
        if role not in route.roles:
            r = call(env, route, token)
            assert r.status_code == 403, (role, r.text)
            assert r.json()["error"]["code"] == "forbidden_role"


# (who calls, their token's field, whose objects they own, whose they must never get)
VIEWERS = [("billing manager", "billing", "manager", "anna", ("chen",)),
           ("tech manager", "tech", "manager", "chen", ("anna", "bruno")),
           ("agent anna", "agent", "agent", "anna", ("chen", "bruno"))]


def same_as_unknown(r: Any, unknown: Any, real: dict[str, str], fake: dict[str, str]) -> None:
    """A response to an existing object that must read exactly as the one to an unknown id."""
    assert r.status_code == 404 == unknown.status_code, r.text
    message = r.json()["error"]["message"]
    for name in OBJECT_PARAMS:
        message = message.replace(real[name], fake[name])
    assert (r.json()["error"]["code"], message) == (unknown.json()["error"]["code"],
                                                    unknown.json()["error"]["message"])


@pytest.mark.parametrize("route", [r for r in READERS if r.has_object or r.takes_team],
                         ids=ids([r for r in READERS if r.has_object or r.takes_team]))
@pytest.mark.parametrize(("who", "token_name", "role", "own", "foreign"), VIEWERS, ids=[v[0] for v in VIEWERS])
def test_objects_out_of_scope_answer_as_unknown_ones(shared: Env, route: Route, who: str, token_name: str,
                                                     role: str, own: str, foreign: tuple[str, ...]) -> None:
    if role not in route.roles:
        assert call(shared, route, getattr(shared.tokens, token_name)).status_code == 403
        return
    token = getattr(shared.tokens, token_name)
    missing = objects_of(shared, "missing")
    if route.has_object:
        unknown = call(shared, route, token, missing)
        for owner in foreign:
            real = objects_of(shared, owner)
            same_as_unknown(call(shared, route, token, real), unknown, real, missing)
        mine = call(shared, route, token, objects_of(shared, own))
        assert mine.status_code == 200, mine.text
        # the shared ticket itself is visible to everyone with a reply in it
        assert call(shared, route, token, {**objects_of(shared, own), "interaction_id": SHARED_ID}
                    ).status_code == 200
    if route.takes_team:
        unknown = call(shared, route, token, objects_of(shared, own), team="no-such-team")
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found", unknown.text
        for team in {"billing", "tech"} - ({PIPELINE_TEAM[own]} if role == "manager" else set()):
            r = call(shared, route, token, objects_of(shared, own), team=team)
            assert r.status_code == 404, r.text
            assert r.json()["error"] == {**unknown.json()["error"],
                                         "message": unknown.json()["error"]["message"].replace("no-such-team", team)}
        admin = call(shared, route, shared.tokens.admin, objects_of(shared, own), team="no-such-team")
        assert admin.json() == unknown.json()
    with shared.store.session() as s:  # nobody reviewed what they may not see
        reviewed = set(s.scalars(select(t.MessageRow.agent_id).join(
            t.FindingRow, t.FindingRow.message_id == t.MessageRow.id).join(
            t.ReviewRow, t.ReviewRow.finding_id == t.FindingRow.id)))
    assert not reviewed & set(foreign)


PIPELINE_TEAM = {a.id: a.team for a in PIPELINE.agents}


@dataclass(frozen=True)
class Foreign:
    """What one caller must never receive: other agents' message and finding ids, words, names and teams."""

    message_ids: frozenset[str]
    finding_ids: frozenset[int]
    words: frozenset[str]
    teams: frozenset[str]


def foreign_of(env: Env, agents: tuple[str, ...], teams: set[str]) -> Foreign:
    F, M = t.FindingRow, t.MessageRow
    with env.store.session() as s:
        msgs = frozenset(s.scalars(select(M.id).where(M.agent_id.in_(agents))))
        findings = frozenset(s.scalars(select(F.id).where(F.message_id.in_(msgs))))
    return Foreign(msgs, findings, frozenset([MARKERS[a] for a in agents] + [NAMES[a] for a in agents]),
                   frozenset(teams))


def assert_clean(value: Any, foreign: Foreign, where: str = "$") -> None:
    """No part of a JSON value names or quotes a message, finding, agent or team the caller may not see."""
    if isinstance(value, dict):
        for key, v in value.items():
            if key in ("message_id",):
                assert v not in foreign.message_ids, f"{where}.{key}"
            if key in ("finding_id", "flag_id"):
                assert v not in foreign.finding_ids, f"{where}.{key}"
            if key == "id" and {"label", "score"} <= set(value):        # a finding or a flag
                assert v not in foreign.finding_ids, f"{where}.{key}"
            if key == "id" and {"seq", "role"} <= set(value):            # a message
                assert v not in foreign.message_ids, f"{where}.{key}"
            if key in ("agent_id", "group", "agent_ids", "key"):
                assert not ({v} if isinstance(v, str) else set(v or [])) & foreign_agents(foreign), f"{where}.{key}"
            if key in ("group", "team_id") and "period_start" in value:  # a trend bucket
                assert v not in foreign.teams, f"{where}.{key}"
            assert_clean(v, foreign, f"{where}.{key}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            assert_clean(v, foreign, f"{where}[{i}]")
    elif isinstance(value, str):
        assert not any(w in value for w in foreign.words), f"{where}: {value[:200]}"


def foreign_agents(foreign: Foreign) -> set[str]:
    return {a for a, name in NAMES.items() if name in foreign.words}


# the query parameters each list route is read with (one request per entry)
QUERIES: dict[str, list[dict[str, Any]]] = {
    "/interactions": [{"limit": 200}, {"flagged": True, "limit": 200}, {"agent": "chen"}, {"agent": "bruno"}],
    "/flags": [{"limit": 200}, {"agent": "chen"}, {"agent": "bruno"}, {"label": "unclear", "limit": 200}],
    "/trends": [{"group_by": g} for g in ("team", "agent", "channel", "language")] + [{"agent": "chen"}],
    "/agents": [{}],
    "/reports/weekly": [{"week": "2026-W41", "format": f} for f in ("json", "csv", "html")],
    "/agents/{agent_id}": [{"period": p} for p in ("day", "week", "month")],
}
GETS = [r for r in READERS if r.method == "GET"]


@pytest.mark.parametrize("route", GETS, ids=ids(GETS))
@pytest.mark.parametrize(("who", "token_name", "role", "own", "foreign"), VIEWERS, ids=[v[0] for v in VIEWERS])
def test_no_route_gives_a_caller_what_others_wrote(shared: Env, route: Route, who: str, token_name: str,
                                                   role: str, own: str, foreign: tuple[str, ...]) -> None:
    other_teams = {"billing", "tech"} - {PIPELINE_TEAM[own]}
    forbidden = foreign_of(shared, foreign, other_teams)
    token = getattr(shared.tokens, token_name)
    objects = {**objects_of(shared, own), "interaction_id": SHARED_ID}
    for params in QUERIES.get(route.path, [{}]):
        r = call(shared, route, token, objects, **params)
        if role not in route.roles:
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role"
            continue
        assert r.status_code == 200, (params, r.text)
        body = r.json() if r.headers["content-type"].startswith("application/json") else r.text
        assert_clean(body, forbidden)
        if not isinstance(body, str):
            assert_clean(json.dumps(body, ensure_ascii=False), forbidden)


def messages_shown(env: Env, token: str) -> list[str]:
    r = env.client.get(f"/interactions/{SHARED_ID}", headers=env.h(token))
    assert r.status_code == 200, r.text
    return [m["id"] for m in r.json()["messages"]]


def test_a_shared_ticket_shows_the_customer_and_the_callers_own_replies(shared: Env) -> None:
    customer, chen, anna, bruno, thanks = (f"{SHARED_ID}#{k}" for k in range(5))
    assert messages_shown(shared, shared.tokens.admin) == [customer, chen, anna, bruno, thanks]
    assert messages_shown(shared, shared.tokens.billing) == [customer, anna, bruno, thanks]
    assert messages_shown(shared, shared.tokens.tech) == [customer, chen, thanks]
    assert messages_shown(shared, shared.tokens.agent) == [customer, anna, thanks]
    detail = shared.client.get(f"/interactions/{SHARED_ID}", headers=shared.h(shared.tokens.billing)).json()
    assert detail["agent_ids"] == ["anna", "bruno"] and detail["flagged_messages"] == 2
    assert detail["message_count"] == 4
    assert {f["evidence"] for m in detail["messages"] for f in m["findings"]} == {ANNA_MARKER, BRUNO_MARKER}
    # the billing manager finds the ticket in their list, by one of their agents' flags
    listed = shared.client.get("/interactions", headers=shared.h(shared.tokens.billing),
                               params={"flagged": True, "label": "unclear", "limit": 200}).json()["items"]
    assert [(i["id"], i["flagged_messages"]) for i in listed if i["id"] == SHARED_ID] == [(SHARED_ID, 2)]
    flags = shared.client.get("/flags", headers=shared.h(shared.tokens.billing),
                              params={"label": "unclear", "limit": 200}).json()["items"]
    shared_flags = [f for f in flags if f["interaction_id"] == SHARED_ID]
    assert {(f["agent_id"], f["team_id"]) for f in shared_flags} == {("anna", "billing"), ("bruno", "billing")}
    for f in shared_flags:  # the context around a flag holds the customer and the manager's agents only
        assert chen not in [turn["message_id"] for turn in f["context"]]


def test_flags_and_trends_count_a_message_for_its_agents_team(shared: Env) -> None:
    h = shared.h(shared.tokens.admin)
    tech = shared.client.get("/flags", headers=h, params={"team": "tech", "limit": 200}).json()["items"]
    assert {f["agent_id"] for f in tech} == {"chen"} and {f["team_id"] for f in tech} == {"tech"}
    buckets = {(b["group"], b["period_start"]): b for b in shared.client.get(
        "/trends", headers=h, params={"group_by": "team", "period": "week"}).json()["buckets"]}
    # week 1: tech 3 replies + Chen's in the shared ticket; billing 5 + Anna's and Bruno's
    assert buckets[("tech", "2026-10-05")]["volume"] == 4 and buckets[("billing", "2026-10-05")]["volume"] == 7
    agents = shared.client.get("/interactions", headers=h, params={"team": "billing", "limit": 200}).json()
    assert SHARED_ID in {i["id"] for i in agents["items"]}


def test_a_manager_reviews_only_their_agents_flags(shared: Env) -> None:
    chen_flag = objects_of(shared, "chen")["flag_id"]
    r = shared.client.post(f"/flags/{chen_flag}/review", headers=shared.h(shared.tokens.billing),
                           json={"verdict": "dismissed"})
    assert r.status_code == 404 and r.json()["error"] == {"code": "not_found", "message": f"no flag {chen_flag}"}
    with shared.store.session() as s:
        row = s.get(t.FindingRow, int(chen_flag))
        assert row is not None and row.status == "open"
        assert s.scalar(select(func.count()).select_from(t.ReviewRow)) == 0
    anna_flag = objects_of(shared, "anna")["flag_id"]
    r = shared.client.post(f"/flags/{anna_flag}/review", headers=shared.h(shared.tokens.tech),
                           json={"verdict": "dismissed"})
    assert r.status_code == 404
    ok = shared.client.post(f"/flags/{anna_flag}/review", headers=shared.h(shared.tokens.billing),
                            json={"verdict": "dismissed"})
    assert ok.status_code == 200 and ok.json()["status"] == "dismissed"


def test_an_agent_sees_their_own_messages_only(shared: Env) -> None:
    h = shared.h(shared.tokens.agent)
    flags = shared.client.get("/flags", headers=h, params={"limit": 200}).json()["items"]
    assert flags and {f["agent_id"] for f in flags} == {"anna"}
    assert [a["id"] for a in shared.client.get("/agents", headers=h).json()] == ["anna"]
    profile = shared.client.get("/agents/anna", headers=h).json()
    assert profile["messages"] == 10 and all(s["team_flag_rate"] is None for s in profile["strengths"])
    inters = shared.client.get("/interactions", headers=h, params={"limit": 200}).json()
    assert inters["total"] == 10 and SHARED_ID in {i["id"] for i in inters["items"]}
    groups = shared.client.get("/trends", headers=h, params={"group_by": "agent"}).json()["buckets"]
    assert {b["group"] for b in groups} == {"anna"}
    for path, body in [(f"/flags/{flags[0]['id']}/review", {"verdict": "dismissed"}), ("/calibration", {})]:
        r = shared.client.post(path, headers=h, json=body)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role"
    r = shared.client.get("/reports/weekly", headers=h)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role"


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


def test_tokens_are_stored_hashed_and_revocable(sqlite_store: Store) -> None:
    sqlite_store.sync_directory(PIPELINE)
    uid, token = create_user(sqlite_store, "mia", "manager", ["billing"])
    with sqlite_store.session() as s:
        hashes = list(s.scalars(select(t.ApiTokenRow.token_hash)))
    assert hashes == [hash_token(token)] and token not in hashes[0]
    p = authenticate(sqlite_store, token)
    assert p is not None and p.role == "manager" and p.teams == frozenset({"billing"})
    second = create_token(sqlite_store, "mia")
    assert authenticate(sqlite_store, second) is not None
    assert revoke(sqlite_store, token_prefix=token[:12]) == 1
    assert authenticate(sqlite_store, token) is None and authenticate(sqlite_store, second) is not None
    assert revoke(sqlite_store, user_name="mia") == 1
    assert authenticate(sqlite_store, second) is None
    assert [u.disabled for u in list_users(sqlite_store)] == [True]
    with pytest.raises(NotFoundError):
        create_token(sqlite_store, "mia")


def test_an_agent_user_is_linked_to_one_agent(sqlite_store: Store) -> None:
    sqlite_store.sync_directory(PIPELINE)
    _, token = create_user(sqlite_store, "anna-self", "agent", agent="anna")
    p = authenticate(sqlite_store, token)
    assert p is not None and (p.role, p.agent_id, p.teams) == ("agent", "anna", frozenset())
    assert [(u.name, u.role, u.agent_id) for u in list_users(sqlite_store)] == [("anna-self", "agent", "anna")]


@pytest.mark.parametrize(("role", "teams", "agent", "message"), [
    ("boss", [], None, "unknown role"), ("manager", [], None, "at least one --team"),
    ("admin", ["billing"], None, "managers only"), ("manager", ["nope"], None, "unknown team"),
    ("agent", [], None, "needs --agent"), ("agent", [], "nobody", "unknown agent"),
    ("manager", ["billing"], "anna", "agent users only"), ("agent", ["billing"], "anna", "managers only"),
])
def test_create_user_refuses_bad_input(sqlite_store: Store, role: str, teams: list[str], agent: str | None,
                                       message: str) -> None:
    sqlite_store.sync_directory(PIPELINE)
    with pytest.raises(QAMonitorError, match=message):
        create_user(sqlite_store, "x", role, teams, agent=agent)


def test_a_job_is_read_by_whoever_queued_it_and_admins(env_with: Any) -> None:
    from test_service_webhooks import example, post

    env = env_with(sync_message_limit=3)
    r = post(env, "zendesk", example("zendesk"))
    assert r.status_code == 202, r.text
    job_url = r.json()["job_url"]
    other = create_user(env.store, "freshdesk-hook", "webhook")[1]
    unknown = env.client.get("/jobs/no-such-job", headers=env.h(other))
    theirs = env.client.get(job_url, headers=env.h(other))
    assert theirs.status_code == 404 == unknown.status_code
    assert theirs.json()["error"]["message"] == f"no job '{job_url.rsplit('/', 1)[1]}'"
    assert env.client.get(job_url, headers=env.h(env.tokens.webhook)).status_code == 200
    assert env.client.get(job_url, headers=env.h(env.tokens.admin)).status_code == 200
    # a second token of the same user reads it too
    again = create_token(env.store, "zendesk-hook")
    assert env.client.get(job_url, headers=env.h(again)).status_code == 200
