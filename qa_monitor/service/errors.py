"""Every error the service returns is JSON `{"error": {"code", "message"}}` with a stable code."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_monitor.errors import NotFoundError, QAMonitorError
from qa_monitor.service.headers import SECURITY_HEADERS

log = logging.getLogger(__name__)

# Stable codes for plain HTTP errors raised by the framework (unknown route, wrong method ...).
_HTTP_CODES = {400: "bad_request", 401: "auth_required", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "body_too_large",
               415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests",
               503: "unavailable"}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class ApiError(Exception):
    """An error with an HTTP status, a stable code and a human message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error response for a status, code and message."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the error body for the given statuses."""
    return {s: {"model": ErrorOut, "description": _HTTP_CODES.get(s, "error")} for s in statuses}


def json_error_location(body: bytes) -> str | None:
    """Where a body stops being valid JSON ('line L, column C: reason'), or None when it parses."""
    try:
        json.loads(body)
    except json.JSONDecodeError as e:
        return f"line {e.lineno}, column {e.colno}: {e.msg}"
    except UnicodeDecodeError as e:
        return f"byte {e.start}: not UTF-8 text"
    return None


def _describe_validation(exc: RequestValidationError) -> tuple[str, str]:
    errors = exc.errors()
    for err in errors:
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            return "malformed_json", f"the body is not valid JSON ({ctx.get('error', 'invalid JSON')}, " \
                                     f"at character {err.get('loc', ['', '?'])[-1]})"
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "invalid_request", "; ".join(parts) or "the request is invalid"


def install_error_handlers(app: FastAPI) -> None:
    """Map project, HTTP and validation errors to the JSON error body; anything unexpected to a logged 500."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return error_response(404, "not_found", str(exc))

    @app.exception_handler(QAMonitorError)
    async def _project(_: Request, exc: QAMonitorError) -> JSONResponse:
        return error_response(400, "bad_request", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 400 and message == "There was an error parsing the body":
            # FastAPI's wording for any failure of json.loads other than a syntax error; the cause says which
            if isinstance(exc.__cause__, RecursionError):
                return error_response(422, "body_too_deep", "the body is nested too deeply")
            return error_response(422, "malformed_json", "the body is not valid JSON (not UTF-8 text)")
        return error_response(exc.status_code, _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}"),
                              message, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        code, message = _describe_validation(exc)
        if code == "malformed_json":
            where = json_error_location(await request.body())  # the body is cached on the request
            if where:
                message = f"the body is not valid JSON: {where}"
        return error_response(422, code, message)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # a value the database cannot represent (NUL bytes in PostgreSQL text, out-of-range numbers)
        log.info("rejected a value the database cannot store on %s %s", request.method, request.url.path)
        return error_response(422, "invalid_value", "a parameter holds a value the database cannot store")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # answered outside every middleware (Starlette's ServerErrorMiddleware), so the headers are added here
        return error_response(500, "internal_error", "an unexpected error occurred; see the service log",
                              SECURITY_HEADERS)


class BodyLimitMiddleware:
    """Refuse bodies over `limit` bytes with 413: by Content-Length up front, and while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_large = f"the request body is larger than the limit of {self.limit} bytes"
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await error_response(400, "bad_request", "Content-Length is not a number")(scope, receive, send)
                return
            if size > self.limit:
                await error_response(413, "body_too_large", too_large)(scope, receive, send)
                return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # an HTTPException passes FastAPI's body parsing untouched and reaches the handlers
                    raise StarletteHTTPException(413, too_large)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except StarletteHTTPException as e:
            if started or e.status_code != 413:
                raise
            await error_response(413, "body_too_large", too_large)(scope, receive, send)
