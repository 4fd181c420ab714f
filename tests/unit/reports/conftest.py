"""Fixtures for the report tests: the hand-counted help desk on SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_monitor.storage.store import Store
from tests.support.report_seed import seed
from tests.support.servers import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.integration])])
def report_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store holding the hand-counted help desk (PostgreSQL: a fresh database, dropped afterwards)."""
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'report.db'}")
        seed(store)
        yield store
        store.close()
        return
    with postgres_database(request.getfixturevalue("postgres_server")) as url:
        store = Store(url)
        try:
            seed(store)
            yield store
        finally:
            store.close()
