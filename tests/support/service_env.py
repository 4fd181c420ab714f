"""Helpers for the service tests: settings, one token per role, the app started over a store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from qa_monitor.config import PipelineSpec, Settings
from qa_monitor.records import Interaction
from qa_monitor.service.app import create_app
from qa_monitor.service.auth import create_user
from qa_monitor.storage.store import Store
from tests.support.service_seed import PIPELINE, phrase_scorer_factory, seed

SECRETS = {"zendesk": "zd-secret-1", "freshdesk": "fd-secret-2", "jira": "jira-secret-3", "generic": "gen-secret-4"}


def copy_db(src: Path, dst: Path) -> Store:
    """A Store on a copy of a SQLite file (with its WAL files)."""
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dst}{suffix}")
    return Store(f"sqlite:///{dst}")


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for tests: webhook secrets set, database in tmp_path."""
    values: dict[str, object] = {"database_url": f"sqlite:///{tmp_path / 'qa.db'}",
                                 **{f"{k}_webhook_secret": SecretStr(v) for k, v in SECRETS.items()}}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class Tokens:
    admin: str
    billing: str   # manager of team billing
    tech: str      # manager of team tech
    webhook: str
    agent: str     # the agent user linked to Anna (team billing)


@dataclass
class Env:
    client: TestClient
    store: Store
    tokens: Tokens
    interactions: list[Interaction]

    def h(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def seed_all(store: Store) -> tuple[list[Interaction], Tokens]:
    """Seed interactions and create one user per role."""
    interactions = seed(store)
    tokens = Tokens(admin=create_user(store, "root", "admin")[1],
                    billing=create_user(store, "mia", "manager", ["billing"])[1],
                    tech=create_user(store, "tom", "manager", ["tech"])[1],
                    webhook=create_user(store, "zendesk-hook", "webhook")[1],
                    agent=create_user(store, "anna-self", "agent", agent="anna")[1])
    return interactions, tokens


def start_env(store: Store, tmp_path: Path, tokens: Tokens, interactions: list[Interaction],
              pipeline: PipelineSpec | None = PIPELINE, **settings: object) -> Iterator[Env]:
    """Start the app (with its lifespan) over a seeded store."""
    app = create_app(make_settings(tmp_path, **settings), store=store, scorer_factory=phrase_scorer_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        if pipeline is not None:
            app.state.pipeline = pipeline
        yield Env(client=client, store=store, tokens=tokens, interactions=interactions)


def build_env(store: Store, tmp_path: Path, pipeline: PipelineSpec | None = PIPELINE, **settings: object
              ) -> Iterator[Env]:
    """Seed the store, create users, start the app with its lifespan."""
    interactions, tokens = seed_all(store)
    yield from start_env(store, tmp_path, tokens, interactions, pipeline, **settings)
