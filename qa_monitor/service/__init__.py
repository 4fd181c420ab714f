"""The FastAPI service: `create_app(settings)` builds it; nothing is created at import."""
