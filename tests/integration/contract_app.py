"""The app the contract test serves under uvicorn: the real scorer when its model files load, else the
phrase scorer of the service tests (the contract is about HTTP shapes, not detection quality)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "service"))

from fastapi import FastAPI  # noqa: E402
from service_seed import PhraseScorer  # noqa: E402

from qa_monitor.config import PipelineSpec, Settings  # noqa: E402
from qa_monitor.service.app import create_app  # noqa: E402
from qa_monitor.service.scoring import load_scorer  # noqa: E402
from qa_monitor.storage.store import Store  # noqa: E402


def _scorer(settings: Settings, pipeline: PipelineSpec | None, store: Store) -> Any:
    return load_scorer(settings, pipeline, store) or PhraseScorer(store)


def make_app() -> FastAPI:
    """uvicorn factory: settings from the environment."""
    return create_app(Settings(), scorer_factory=_scorer)
