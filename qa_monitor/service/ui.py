"""The managers' dashboard at /ui: static HTML, CSS and JS shipped in the package, a client of the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from qa_monitor.service.errors import ApiError

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
# The report view shows the report's own HTML (inline styles, inline SVG) in a sandboxed frame.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                               "frame-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/ui")
def dashboard() -> FileResponse:
    """The single page of the dashboard (sign-in, review queue, conversations, agents, weekly report)."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/ui/")
def dashboard_slash() -> RedirectResponse:
    """/ui/ is /ui."""
    return RedirectResponse("/ui", status_code=307)


@router.get("/ui/static/{name}")
def asset(name: str) -> FileResponse:
    """One of the dashboard's own files (a fixed list: nothing else on disk is reachable)."""
    if name not in ASSETS:
        raise ApiError(404, "not_found", f"no dashboard asset '{name}'")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers=HEADERS)
