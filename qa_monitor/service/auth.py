"""API tokens and roles: users with a role (teams for managers, one agent for agents); tokens stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import ColumnElement, select, update

from qa_monitor.errors import NotFoundError, QAMonitorError
from qa_monitor.service.errors import ApiError
from qa_monitor.storage import tables as t
from qa_monitor.storage.scope import owned_by
from qa_monitor.storage.store import Store

Role = Literal["admin", "manager", "agent", "webhook"]
ROLES: tuple[Role, ...] = ("admin", "manager", "agent", "webhook")
TOKEN_PREFIX = "qam_"
# Routes anyone may call: liveness, the OpenAPI document, and the dashboard's static pages (it signs in with a
# token and calls the API with it). Every other route must depend on `require_roles`; a test walks the app to check.
PUBLIC_PATHS: tuple[str, ...] = ("/health", "/openapi.json")
PUBLIC_PREFIXES: tuple[str, ...] = ("/ui",)


def is_public(path: str) -> bool:
    """True for a route that needs no token."""
    return path in PUBLIC_PATHS or any(path == p or path.startswith(p + "/") for p in PUBLIC_PREFIXES)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user with a role; `teams` is None for every team (admin), `agent_id` set for an agent."""

    user_id: int
    name: str
    role: Role
    teams: frozenset[str] | None
    agent_id: str | None = None

    @property
    def sees_all(self) -> bool:
        """True for a principal that may read every message (admin)."""
        return self.teams is None and self.agent_id is None

    def can_see_team(self, team_id: str | None) -> bool:
        """True when this principal may read a team as a whole (None = data with no team: admins only)."""
        return self.teams is None or (team_id is not None and team_id in self.teams)

    def owns(self, agent_column: Any) -> ColumnElement[bool]:
        """SQL: true for the messages (or agents) whose agent this principal may read, by the one rule."""
        return owned_by(agent_column, teams=self.teams, agent=self.agent_id)


@dataclass(frozen=True)
class UserInfo:
    """A user as `users list` shows it (never the token)."""

    id: int
    name: str
    role: str
    teams: tuple[str, ...]
    agent_id: str | None
    active_tokens: int
    token_prefixes: tuple[str, ...]
    disabled: bool
    created_at: datetime


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


_SEES = {"admin": "every team", "agent": "their own messages", "webhook": "no data"}


def create_user(store: Store, name: str, role: str, teams: Sequence[str] = (), agent: str | None = None
                ) -> tuple[int, str]:
    """Create a user with a role (teams for a manager, the agent for an agent) and a first token; (id, token)."""
    if role not in ROLES:
        raise QAMonitorError(f"unknown role '{role}' (expected one of: {', '.join(ROLES)})")
    if not name.strip():
        raise QAMonitorError("a user needs a non-empty name")
    if role == "manager" and not teams:
        raise QAMonitorError("a manager needs at least one --team")
    if role != "manager" and teams:
        raise QAMonitorError(f"teams apply to managers only ('{role}' sees {_SEES[role]})")
    if role == "agent" and not agent:
        raise QAMonitorError("an agent user needs --agent AGENT_ID (the agent whose messages they see)")
    if role != "agent" and agent:
        raise QAMonitorError("--agent applies to agent users only")
    with store.session() as s:
        if s.scalar(select(t.UserRow.id).where(t.UserRow.name == name)) is not None:
            raise QAMonitorError(f"user '{name}' already exists (use `users token {name}` for a new token)")
        known = set(s.scalars(select(t.TeamRow.id).where(t.TeamRow.id.in_(list(teams)))))
        missing = sorted(set(teams) - known)
        if missing:
            raise QAMonitorError(f"unknown team(s): {', '.join(missing)} (load them with `init-db --pipeline FILE`)")
        if agent and s.get(t.AgentRow, agent) is None:
            raise QAMonitorError(f"unknown agent '{agent}' (load agents with `init-db --pipeline FILE`)")
        user = t.UserRow(name=name, role=role, agent_id=agent)
        s.add(user)
        s.flush()
        s.add_all([t.UserTeamRow(user_id=user.id, team_id=x) for x in dict.fromkeys(teams)])
        token = _new_token()
        s.add(t.ApiTokenRow(user_id=user.id, token_hash=hash_token(token), prefix=token[:12]))
        return user.id, token


def create_token(store: Store, user_name: str) -> str:
    """Issue one more token for an existing, active user; the token is returned once and stored hashed."""
    with store.session() as s:
        user = s.scalar(select(t.UserRow).where(t.UserRow.name == user_name))
        if user is None or user.disabled_at is not None:
            raise NotFoundError(f"no active user named '{user_name}'")
        token = _new_token()
        s.add(t.ApiTokenRow(user_id=user.id, token_hash=hash_token(token), prefix=token[:12]))
        return token


def revoke(store: Store, user_name: str | None = None, token_prefix: str | None = None) -> int:
    """Revoke every token of a user (and disable the user), or the tokens starting with a prefix; returns count."""
    if bool(user_name) == bool(token_prefix):
        raise QAMonitorError("give either a user name or --token PREFIX")
    now = t.utcnow()
    with store.session() as s:
        if user_name:
            user = s.scalar(select(t.UserRow).where(t.UserRow.name == user_name))
            if user is None:
                raise NotFoundError(f"no user named '{user_name}'")
            user.disabled_at = user.disabled_at or now
            q = update(t.ApiTokenRow).where(t.ApiTokenRow.user_id == user.id, t.ApiTokenRow.revoked_at.is_(None))
        else:
            prefix = cast(str, token_prefix)
            if len(prefix) < 8:
                raise QAMonitorError("a token prefix needs at least 8 characters")
            q = update(t.ApiTokenRow).where(t.ApiTokenRow.prefix == prefix[:12], t.ApiTokenRow.revoked_at.is_(None))
        n = s.execute(q.values(revoked_at=now)).rowcount  # type: ignore[attr-defined]
        if token_prefix and not n:
            raise NotFoundError(f"no active token starts with '{token_prefix}'")
        return int(n or 0)


def list_users(store: Store) -> list[UserInfo]:
    """Every user with role, teams and active token prefixes, by name."""
    with store.session() as s:
        users = list(s.scalars(select(t.UserRow).order_by(t.UserRow.name)))
        teams: dict[int, list[str]] = {}
        for uid, team in s.execute(select(t.UserTeamRow.user_id, t.UserTeamRow.team_id)
                                   .order_by(t.UserTeamRow.team_id)):
            teams.setdefault(uid, []).append(team)
        tokens: dict[int, list[str]] = {}
        for uid, prefix in s.execute(select(t.ApiTokenRow.user_id, t.ApiTokenRow.prefix)
                                     .where(t.ApiTokenRow.revoked_at.is_(None))):
            tokens.setdefault(uid, []).append(prefix)
        return [UserInfo(u.id, u.name, u.role, tuple(teams.get(u.id, [])), u.agent_id, len(tokens.get(u.id, [])),
                         tuple(tokens.get(u.id, [])), u.disabled_at is not None, u.created_at) for u in users]


def authenticate(store: Store, token: str) -> Principal | None:
    """The principal owning an active token, or None for an unknown, revoked or disabled one."""
    with store.session() as s:
        row = s.execute(
            select(t.UserRow.id, t.UserRow.name, t.UserRow.role, t.UserRow.agent_id)
            .join(t.ApiTokenRow, t.ApiTokenRow.user_id == t.UserRow.id)
            .where(t.ApiTokenRow.token_hash == hash_token(token), t.ApiTokenRow.revoked_at.is_(None),
                   t.UserRow.disabled_at.is_(None))).first()
        if row is None:
            return None
        role = cast(Role, row.role)
        teams: frozenset[str] | None = None
        if role == "manager":
            teams = frozenset(s.scalars(select(t.UserTeamRow.team_id).where(t.UserTeamRow.user_id == row.id)))
        elif role in ("agent", "webhook"):
            teams = frozenset()  # an agent reads no team as a whole, only their own messages
        return Principal(user_id=row.id, name=row.name, role=role, teams=teams,
                         agent_id=row.agent_id if role == "agent" else None)


# Declares the bearer scheme in OpenAPI; it only reads the header (no state), so module level is fine.
_bearer_scheme = HTTPBearer(auto_error=False, description="API token from `qa-monitor users create`")


def require_roles(*roles: str) -> Callable[..., Principal]:
    """A FastAPI dependency: 401 without or with an unknown token, 403 when the role is not among `roles`."""
    allowed = frozenset(roles)

    def dependency(request: Request,
                   credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)] = None,
                   ) -> Principal:
        if credentials is None or not credentials.credentials.strip():
            raise ApiError(401, "auth_required", "send an API token as 'Authorization: Bearer <token>'",
                           {"WWW-Authenticate": "Bearer"})
        principal = authenticate(request.app.state.store, credentials.credentials.strip())
        if principal is None:
            raise ApiError(401, "invalid_token", "the API token is unknown or revoked", {"WWW-Authenticate": "Bearer"})
        if principal.role not in allowed:
            raise ApiError(403, "forbidden_role",
                           f"role '{principal.role}' may not call this route (allowed: {', '.join(sorted(allowed))})")
        request.state.principal = principal
        return principal

    dependency.__doc__ = f"The authenticated principal, with a role among {sorted(allowed)}."
    dependency.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the route-walk test
    return dependency


AdminUser = Annotated[Principal, Depends(require_roles("admin"))]
ManagerUser = Annotated[Principal, Depends(require_roles("admin", "manager"))]
ReaderUser = Annotated[Principal, Depends(require_roles("admin", "manager", "agent"))]
WebhookUser = Annotated[Principal, Depends(require_roles("admin", "webhook"))]
