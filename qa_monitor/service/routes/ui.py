"""The managers' dashboard at /ui: static HTML, CSS and JS shipped in the package, a client of the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from qa_monitor.service.errors import error_response

STATIC = Path(__file__).resolve().parent.parent / "static"
FILES = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
         "app.css": "text/css; charset=utf-8"}
# the security headers (Content-Security-Policy ...) come with every response: service/headers.py
HEADERS = {"Cache-Control": "no-cache"}


def _file(name: str) -> Response:
    return FileResponse(STATIC / name, media_type=FILES[name], headers=HEADERS)


async def dashboard(request: Request) -> Response:
    """The single page of the dashboard (sign-in, review queue, conversations, agents, weekly report)."""
    if request.url.path.endswith("/"):
        return RedirectResponse("/ui", status_code=307)
    return _file("index.html")


async def asset(request: Request) -> Response:
    """One of the dashboard's own files (a fixed list: nothing else on disk is reachable)."""
    name = request.path_params["name"]
    if name not in FILES:
        return error_response(404, "not_found", f"no dashboard asset '{name}'")
    return _file(name)


# Plain routes, not API routes: the page and its assets hold no data and need no token (the page asks for one,
# and every call it makes goes to the authenticated API).
router = APIRouter()
router.add_route("/ui", dashboard, methods=["GET"], include_in_schema=False)
router.add_route("/ui/", dashboard, methods=["GET"], include_in_schema=False)
router.add_route("/ui/static/{name}", asset, methods=["GET"], include_in_schema=False)
