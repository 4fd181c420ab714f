"""Fixtures for the service tests: a migrated store (SQLite; PostgreSQL too when configured), seeded data,
the app under TestClient with its lifespan, and one token per role."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from service_seed import PIPELINE, phrase_scorer_factory, postgres_database, seed

from qa_monitor.config import PipelineSpec, Settings
from qa_monitor.records import Interaction
from qa_monitor.service.app import create_app
from qa_monitor.service.auth import create_user
from qa_monitor.storage.store import Store

SECRETS = {"zendesk": "zd-secret-1", "freshdesk": "fd-secret-2", "jira": "jira-secret-3", "generic": "gen-secret-4"}
PG_ENV = "QA_MONITOR_TEST_POSTGRES_URL"


def _postgres_store() -> Iterator[Store]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)")
    with postgres_database(url) as db_url:
        store = Store(db_url)
        store.migrate()
        try:
            yield store
        finally:
            store.close()


def _copy_db(src: Path, dst: Path) -> Store:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dst}{suffix}")
    return Store(f"sqlite:///{dst}")


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file, copied by each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    s = Store(f"sqlite:///{path}")
    s.migrate()
    s.close()
    return path


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory, empty_db: Path) -> tuple[Path, Tokens, list[Interaction]]:
    """A seeded SQLite file with one user per role, copied by each test."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    s = _copy_db(empty_db, path)
    interactions, tokens = seed_all(s)
    s.close()
    return path, tokens, interactions


@pytest.fixture
def store(empty_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A migrated SQLite store in tmp_path."""
    s = _copy_db(empty_db, tmp_path / "qa.db")
    yield s
    s.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path, empty_db: Path) -> Iterator[Store]:
    """A migrated store on SQLite, and on PostgreSQL when QA_MONITOR_TEST_POSTGRES_URL is set."""
    if request.param == "postgres":
        yield from _postgres_store()
        return
    s = _copy_db(empty_db, tmp_path / "qa.db")
    yield s
    s.close()


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
                    webhook=create_user(store, "zendesk-hook", "webhook")[1])
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


@pytest.fixture
def seeded_store(seeded_db: tuple[Path, Tokens, list[Interaction]], tmp_path: Path) -> Iterator[Store]:
    """A copy of the seeded SQLite database."""
    s = _copy_db(seeded_db[0], tmp_path / "qa.db")
    yield s
    s.close()


@pytest.fixture
def env(seeded_store: Store, seeded_db: tuple[Path, Tokens, list[Interaction]], tmp_path: Path) -> Iterator[Env]:
    """The app over a seeded SQLite store, with the test pipeline's directory."""
    yield from start_env(seeded_store, tmp_path, seeded_db[1], seeded_db[2])


@pytest.fixture
def env_with(seeded_store: Store, seeded_db: tuple[Path, Tokens, list[Interaction]], tmp_path: Path) -> Any:
    """A function starting the app over a seeded SQLite store with extra settings."""
    started: list[Iterator[Env]] = []

    def start(**settings: object) -> Env:
        gen = start_env(seeded_store, tmp_path, seeded_db[1], seeded_db[2], **settings)
        started.append(gen)
        return next(gen)

    yield start
    for gen in started:
        gen.close()


@pytest.fixture
def any_env(any_store: Store, tmp_path: Path, request: pytest.FixtureRequest,
            seeded_db: tuple[Path, Tokens, list[Interaction]]) -> Iterator[Env]:
    """The app over a seeded store on SQLite and (when configured) PostgreSQL."""
    if any_store.engine.dialect.name == "sqlite":
        any_store.close()
        s = _copy_db(seeded_db[0], tmp_path / "seeded-copy.db")
        try:
            yield from start_env(s, tmp_path, seeded_db[1], seeded_db[2])
        finally:
            s.close()
        return
    yield from build_env(any_store, tmp_path)
