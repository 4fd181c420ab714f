"""Fixtures for the report tests: the hand-counted help desk on SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_seed import seed
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qa_monitor.storage.store import Store

PG_ENV = "QA_MONITOR_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgres"])
def seeded_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store holding the hand-counted help desk (PostgreSQL: a fresh database, dropped afterwards)."""
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'report.db'}")
        seed(store)
        yield store
        store.close()
        return
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)")
    name = f"qam_report_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    store = Store(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        seed(store)
        yield store
    finally:
        store.close()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
