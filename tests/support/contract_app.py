"""The app the contract test serves under uvicorn: the real scorer when its model files load, else the
phrase scorer of the service tests (the contract is about HTTP shapes, not detection quality)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from qa_monitor.config import PipelineSpec, Settings
from qa_monitor.service.app import create_app
from qa_monitor.service.scoring import load_scorer
from qa_monitor.storage.store import Store
from tests.support.service_seed import PhraseScorer


def _scorer(settings: Settings, pipeline: PipelineSpec | None, store: Store) -> Any:
    return load_scorer(settings, pipeline, store) or PhraseScorer(store)


def make_app() -> FastAPI:
    """uvicorn factory: settings from the environment."""
    return create_app(Settings(), scorer_factory=_scorer)
