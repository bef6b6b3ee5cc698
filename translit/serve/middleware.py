"""What every request passes through before its route: the count of requests, our own faults in
one line, the access log, and answers to ``OPTIONS`` that are not a browser's preflight."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from translit.serve.errors import error_response, internal_error_message

if TYPE_CHECKING:
    from translit.serve.service import Service

log = logging.getLogger("translit.serve")
# One JSON line per request (--access-log): time, client, method, path, status, seconds.
access = logging.getLogger("translit.access")

ALLOWED_METHODS = "GET, HEAD, POST, DELETE, OPTIONS"


class GuardMiddleware:
    """Counts requests in flight and answers our own faults in one line, as plain ASGI.

    Plain ASGI rather than Starlette's ``BaseHTTPMiddleware``: that one reads the client's
    messages itself, so a route never learned that its client had gone (its work went on).
    ``OPTIONS`` without ``Origin`` (not a CORS preflight, which the CORS middleware answers)
    is answered 204 with the methods the service takes, and ``HEAD`` is answered as ``GET``
    without its body, on every route, as HTTP asks.
    """

    def __init__(self, app: Any, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("method") == "OPTIONS" and not any(
            name == b"origin" for name, _ in scope.get("headers", [])
        ):
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [(b"allow", ALLOWED_METHODS.encode())],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        head = scope.get("method") == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        started = False
        status = 500
        began = time.perf_counter()

        async def watched(message: dict[str, Any]) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message.get("status", 500))
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}  # the headers of GET, Content-Length included
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:  # our fault: logged with its traceback, answered in one line
            log.error(
                "internal error on %s %s: %s: %s",
                scope.get("method"),
                scope.get("path"),
                type(exc).__name__,
                exc,
                exc_info=exc,
            )
            if not started:
                await error_response(500, internal_error_message(exc))(scope, receive, send)
        finally:
            self.service.gate.leave(scope)
            seconds = time.perf_counter() - began
            if self.service.metrics is not None:
                self.service.metrics.observe(str(scope.get("path", "")), status, seconds)
            if self.service.config.access_log:
                client = scope.get("client") or ("-", 0)
                line = {
                    "time": round(time.time(), 3),
                    "client": client[0],
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "seconds": round(seconds, 4),
                }
                access.info(json.dumps(line, separators=(",", ":")))
