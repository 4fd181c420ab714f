"""`create_app(settings)`: the one way the service is built (tests, `serve`, uvicorn factory)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from qa_monitor import __version__
from qa_monitor.config import Settings
from qa_monitor.storage.store import Store


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the service for the given settings; the lifespan opens the store and loads models once."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        app.state.store = store or Store(settings.database_url)
        yield
        if own:
            app.state.store.close()

    app = FastAPI(title="qa-monitor", version=__version__, lifespan=lifespan,
                  description="Flags rude, condescending and unclear agent language; review queue, trends, "
                              "webhooks and weekly reports.")
    app.state.settings = settings

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__}

    # --- routers (each feature adds its include line here) ---

    return app
