"""Shared fixtures: a Store on SQLite and on a real PostgreSQL server started for the test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_monitor.storage.store import Store
from tests.support.servers import missing, postgres_binaries, postgres_cluster, postgres_database


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL: QA_MONITOR_TEST_POSTGRES_URL if set, else a throwaway cluster on a free port."""
    env_url = os.environ.get("QA_MONITOR_TEST_POSTGRES_URL")
    if env_url:
        yield env_url
        return
    if not postgres_binaries():
        missing("PostgreSQL server binaries not found (install the Debian package 'postgresql')")
        return
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres,
                                                                     pytest.mark.integration])])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a fresh database on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'qa.db'}"
        return
    with postgres_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated Store on each database backend."""
    s = Store(db_url)
    s.migrate()
    yield s
    s.close()
