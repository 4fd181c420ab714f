"""Fixtures for the report tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from report_seed import seed

from qa_monitor.storage.store import Store


@pytest.fixture
def seeded_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated SQLite store holding the hand-counted help desk."""
    store = Store(f"sqlite:///{tmp_path / 'report.db'}")
    seed(store)
    yield store
    store.close()
