"""Every answer that is not a success: ``{"error": message}`` with its status, as LibreTranslate's.

A route raises :class:`ApiError`; :func:`install_error_handlers` gives the app the one place
where every other exception becomes such an answer too (our own faults logged with their
traceback, answered in one line).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("translit.serve")


class ApiError(Exception):
    """An answer of ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """``{"error": message}`` with ``status``."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def internal_error_message(exc: BaseException) -> str:
    """What a client is told of our own fault (the server log has the rest)."""
    return f"internal error ({type(exc).__name__}); the server log has the details"


def install_error_handlers(app: FastAPI) -> None:
    """Answer :class:`ApiError`, Starlette's HTTP errors, validation errors and our own faults alike."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(400, "Invalid request")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.error(
            "internal error on %s %s: %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            exc,
            exc_info=exc,
        )
        return error_response(500, internal_error_message(exc))
