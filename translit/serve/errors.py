"""Every answer that is not a success: ``{"error": message}`` with its status, as LibreTranslate's.

A route raises :class:`ApiError`; :func:`install_error_handlers` answers it, Starlette's HTTP
errors and validation errors alike. Our own faults take one path, the request guard
(:class:`translit.serve.middleware.GuardMiddleware`): logged with their traceback, answered in
one line.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


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
    """Answer :class:`ApiError`, Starlette's HTTP errors and validation errors alike."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(400, "Invalid request")
