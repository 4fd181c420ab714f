"""Helpers for the ingestion tests: fixture paths, pipeline files written into tmp_path, a SQLite file store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from qa_monitor.config import PipelineSpec, load_pipeline
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

DIRECTORY = """
name = "test"
agent_domains = ["help.nordlink.example"]

[[teams]]
id = "support"
name = "Support"

[[teams]]
id = "billing"
name = "Billing"

[[agents]]
id = "james"
name = "James Carter"
team = "support"
emails = ["james.carter@help.nordlink.example"]
handles = ["U04AGNT01", "james"]

[[agents]]
id = "carmen"
name = "Carmen Ruiz"
team = "support"
emails = ["carmen.ruiz@help.nordlink.example"]
handles = ["carmen.ruiz", "Carmen"]

[[agents]]
id = "olga"
name = "Olga Smirnova"
team = "billing"
emails = ["olga.smirnova@help.nordlink.example"]
handles = ["olga"]

[[agents]]
id = "piotr"
name = "Piotr Nowak"
team = "billing"
emails = ["piotr.nowak@help.nordlink.example"]
handles = ["77000901"]

[[agents]]
id = "anna"
name = "Anna Ozola"
team = "billing"
emails = ["anna.ozola@help.nordlink.example"]
handles = ["915", "77000900"]
"""


def pipeline(tmp_path: Path, sources: str, extra: str = "", name: str = "pipeline.toml") -> PipelineSpec:
    """Write a pipeline file (the shared directory plus the given [[sources]] tables) and load it."""
    path = tmp_path / name
    path.write_text(DIRECTORY + extra + "\n" + sources, encoding="utf-8")
    return load_pipeline(path)


def source(name: str, adapter: str, path: Path | str, **options: object) -> str:
    """A [[sources]] table in TOML."""
    opts = "".join(f"{k} = {_toml(v)}\n" for k, v in options.items())
    return f'\n[[sources]]\nname = "{name}"\nadapter = "{adapter}"\n[sources.options]\npath = "{path}"\n{opts}'


def _toml(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return str(v)


def sqlite_store(tmp_path: Path) -> Store:
    """A migrated Store on a SQLite file in tmp_path."""
    store = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    store.migrate()
    return store


def count(store: Store, row: type, *where: object) -> int:
    """Rows of a table matching the conditions."""
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(row).where(*where)) or 0)  # type: ignore[arg-type]


def messages(store: Store, interaction_id: str) -> list[t.MessageRow]:
    """An interaction's stored messages in order."""
    with store.session() as s:
        return list(s.scalars(select(t.MessageRow).where(t.MessageRow.interaction_id == interaction_id)
                              .order_by(t.MessageRow.seq)))
