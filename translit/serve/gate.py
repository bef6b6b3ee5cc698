"""The one gate every request passes: its API key, its client, its rate, and its place among the
requests in flight (``--max-concurrent``; a job keeps its place until it ends).

The client is the peer the connection comes from — never a header a client writes
(``X-Forwarded-For``: ``translit serve`` runs uvicorn without proxy headers, so that a header
cannot move a request to another bucket). A wrong key counts against its client on every route
(``/translate`` and ``/health`` and ``/metrics`` alike): at most :data:`GUESSES_PER_MINUTE`
wrong keys a minute, then 429, whatever ``--rate`` says.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from translit.serve.errors import ApiError
from translit.serve.limits import RateLimiter, ServeConfig, key_is_valid

GUESSES_PER_MINUTE = 10
"""Wrong API keys one client may send in a minute before it is answered 429."""


def key_of(request: Request, params: dict[str, Any]) -> Any:
    """The request's API key: its ``api_key`` field, else an ``Authorization: Bearer`` header."""
    key = params.get("api_key")
    header = request.headers.get("authorization", "")
    if not key and header.lower().startswith("bearer "):
        key = header[7:].strip()
    return key


def address(request: Request) -> str:
    """The client a request counts against when it has no key: the connection's peer."""
    return f"ip:{request.client.host if request.client else '-'}"


class Gate:
    """Keys, rates and the requests in flight of one service."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.rate = RateLimiter(config.rate)
        # Never more guesses than --rate allows requests.
        self.guesses = RateLimiter(
            min(config.rate, GUESSES_PER_MINUTE) if config.rate else GUESSES_PER_MINUTE
        )
        self.in_flight = 0  # requests (and jobs) counted against --max-concurrent
        self.served = 0

    # --- requests in flight ----------------------------------------------------------------------

    def enter(self, request: Request) -> None:
        """Count a request whose body is in against ``--max-concurrent`` (429 when full)."""
        if request.scope.get("translit.counted"):
            return
        if self.config.max_concurrent and self.in_flight >= self.config.max_concurrent:
            raise ApiError(
                429, f"Slowdown: {self.config.max_concurrent} requests are in flight", {"Retry-After": "1"}
            )
        self.in_flight += 1
        request.scope["translit.counted"] = True

    def leave(self, scope: dict[str, Any]) -> None:
        """The end of a request counted by :meth:`enter` (a job's request hands its place to the job)."""
        if scope.get("translit.counted"):
            self.ended()

    def ended(self) -> None:
        """One request or job less in flight."""
        self.in_flight -= 1
        self.served += 1

    # --- keys --------------------------------------------------------------------------------------

    def _wrong_key(self, request: Request) -> None:
        """Count a wrong key against its client: 429 once it has guessed too often."""
        if not self.guesses.allow(address(request)):
            raise ApiError(
                429,
                f"Slowdown: more than {self.guesses.per_minute} wrong API keys per minute",
                {"Retry-After": "60"},
            )

    def authorise(self, request: Request, params: dict[str, Any]) -> str:
        """Check the API key and the rate; returns who the request counts against."""
        key = key_of(request, params)
        if self.config.keys:
            if not isinstance(key, str) or not key:
                raise ApiError(403, "Please contact the server operator to get an API key")
            if not key_is_valid(key, self.config.keys):
                self._wrong_key(request)
                raise ApiError(403, "Invalid API key")
        client = f"key:{key}" if self.config.keys else address(request)
        if not self.rate.allow(client):
            raise ApiError(429, f"Slowdown: more than {self.config.rate} requests per minute")
        return client

    def operator(self, request: Request) -> bool:
        """Whether a request may see the operator's figures (``/health`` in full, ``/metrics``):
        always without keys; with keys, when it gives a valid one (a wrong one is counted)."""
        if not self.config.keys:
            return True
        key = key_of(request, dict(request.query_params))
        if key_is_valid(key, self.config.keys):
            return True
        if key:
            self._wrong_key(request)
        return False
