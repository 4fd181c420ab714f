"""Fixtures for the service tests: a migrated store (SQLite; PostgreSQL too when a server is available),
seeded data, the app under TestClient with its lifespan, and one token per role."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from qa_monitor.records import Interaction
from qa_monitor.storage.store import Store
from tests.support.servers import postgres_database
from tests.support.service_env import Env, Tokens, build_env, copy_db, seed_all, start_env


def _postgres_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    with postgres_database(request.getfixturevalue("postgres_server")) as db_url:
        store = Store(db_url)
        store.migrate()
        try:
            yield store
        finally:
            store.close()


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
    s = copy_db(empty_db, path)
    interactions, tokens = seed_all(s)
    s.close()
    return path, tokens, interactions


@pytest.fixture
def sqlite_store(empty_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A migrated SQLite store in tmp_path."""
    s = copy_db(empty_db, tmp_path / "qa.db")
    yield s
    s.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.integration])])
def any_store(request: pytest.FixtureRequest, tmp_path: Path, empty_db: Path) -> Iterator[Store]:
    """A migrated store on SQLite and on the PostgreSQL test server."""
    if request.param == "postgres":
        yield from _postgres_store(request)
        return
    s = copy_db(empty_db, tmp_path / "qa.db")
    yield s
    s.close()


@pytest.fixture
def seeded_store(seeded_db: tuple[Path, Tokens, list[Interaction]], tmp_path: Path) -> Iterator[Store]:
    """A copy of the seeded SQLite database."""
    s = copy_db(seeded_db[0], tmp_path / "qa.db")
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
        s = copy_db(seeded_db[0], tmp_path / "seeded-copy.db")
        try:
            yield from start_env(s, tmp_path, seeded_db[1], seeded_db[2])
        finally:
            s.close()
        return
    yield from build_env(any_store, tmp_path)


class _Recorder(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        type(self).requests.append({"method": self.command, "path": self.path,
                                    "auth": self.headers.get("Authorization"),
                                    "body": json.loads(self.rfile.read(length) or b"null")})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_PUT = do_POST = _handle

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def ticket_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local fake ticket-system API on 127.0.0.1 that records every request."""
    _Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    server.shutdown()
    server.server_close()
