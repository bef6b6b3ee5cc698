"""Connections with a deadline for their headers: a client that sends them a byte at a time
(the "slowloris" attack) is closed after :data:`HEADER_SECONDS`, instead of holding a
connection for ever (uvicorn limits the idle time between requests, not a request's headers).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_SECONDS = 10.0
"""Seconds from a connection's start (or a request's first byte) until its headers are in."""


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools connection, closed when a request's headers do not arrive in time."""

    header_seconds = HEADER_SECONDS
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.header_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: Any) -> None:
        """A new connection: its first request's headers are due."""
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        """A request begins (the next one on a kept-alive connection): its headers are due."""
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        """The headers are in: the body has its own limit (the routes' body timeout)."""
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Closed: nothing more is due."""
        self._disarm()
        super().connection_lost(exc)


def server_config(
    app: Any, host: str, port: int, graceful_seconds: float, trusted_proxies: str = "", **extra: Any
) -> Any:
    """The uvicorn settings the service runs with, from ``translit serve`` or a test alike.

    The client is the connection's peer — no ``X-Forwarded-For`` moves a request to another
    rate bucket — unless ``trusted_proxies`` (``--forwarded-allow-ips``) names the proxies
    whose header is believed; a request's headers have :data:`HEADER_SECONDS` to arrive.
    """
    import uvicorn

    settings: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": False,
        "timeout_graceful_shutdown": int(graceful_seconds),
        "lifespan": "off",
        "proxy_headers": bool(trusted_proxies),
        "forwarded_allow_ips": trusted_proxies or None,
        "http": HeaderDeadlineProtocol,
        **extra,
    }
    return uvicorn.Config(app, **settings)
