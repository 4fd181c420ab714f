"""`create_app(settings)`: the one way the service is built (tests, `serve`, uvicorn factory)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from qa_monitor import __version__
from qa_monitor.config import PipelineSpec, Settings, load_pipeline
from qa_monitor.service.errors import BodyLimitMiddleware, install_error_handlers
from qa_monitor.service.headers import SecurityHeadersMiddleware
from qa_monitor.service.scoring import ScorerLike, load_scorer
from qa_monitor.storage.store import Store

log = logging.getLogger(__name__)

ScorerFactory = Callable[[Settings, PipelineSpec | None, Store], "ScorerLike | None"]


def create_app(settings: Settings | None = None, store: Store | None = None,
               scorer_factory: ScorerFactory | None = None) -> FastAPI:
    """Build the service for the given settings; the lifespan opens the store and loads the scorer once."""
    settings = settings or Settings()
    factory: ScorerFactory = scorer_factory or load_scorer

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from qa_monitor.service.jobs import JobWorker

        own = store is None
        app.state.store = store or Store(settings.database_url)
        if own:
            app.state.store.migrate()
        # SQLite has a single writer: webhook writes queue on this lock instead of retrying on a busy database
        app.state.write_lock = threading.Lock() if app.state.store.engine.dialect.name == "sqlite" else None
        app.state.score_lock = threading.Lock()
        app.state.pipeline = load_pipeline(settings.pipeline_file) if settings.pipeline_file else None
        app.state.scorer_factory = factory
        app.state.scorer = factory(settings, app.state.pipeline, app.state.store)
        app.state.worker = JobWorker(app)
        await app.state.worker.start()
        try:
            yield
        finally:
            await app.state.worker.stop()
            if own:
                app.state.store.close()

    # /docs and /redoc would load Swagger UI and ReDoc from a CDN at run time: off; /openapi.json stays
    app = FastAPI(title="qa-monitor", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Flags rude, condescending and unclear agent language; review queue, trends, "
                              "webhooks and weekly reports. Every route except /health needs "
                              "`Authorization: Bearer <token>`; every error is `{\"error\": {\"code\", \"message\"}}`.")
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)  # added last: outermost, so the 413s above get them too

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__}

    # --- routers (each feature adds its include line here) ---
    from qa_monitor.service.routes import agents, calibration, flags, interactions, jobs, reports, trends, ui, webhooks

    app.include_router(interactions.router)
    app.include_router(flags.router)
    app.include_router(agents.router)
    app.include_router(trends.router)
    app.include_router(calibration.router)
    app.include_router(webhooks.router)
    app.include_router(jobs.router)
    app.include_router(reports.router)
    app.include_router(ui.router)

    return app
