"""The one gate every request passes: its body (within ``--body-limit`` or ``--file-limit`` and
:data:`BODY_SECONDS`), its API key, its client, its rate, its place among the requests in flight
(``--max-concurrent``; a job keeps its place until it ends) and its time (``--timeout``).
Our own faults have one path too, the middleware (:mod:`translit.serve.middleware`).

The client is the peer the connection comes from — never a header a client writes
(``X-Forwarded-For``: ``translit serve`` runs uvicorn without proxy headers, so that a header
cannot move a request to another bucket). A wrong key counts against its client on every route
(``/translate`` and ``/health`` and ``/metrics`` alike): at most :data:`GUESSES_PER_MINUTE`
wrong keys a minute, then 429, whatever ``--rate`` says.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import Request

from translit.serve.errors import ApiError
from translit.serve.limits import RateLimiter, ServeConfig, key_is_valid

if TYPE_CHECKING:
    from translit.serve.files import Job

GUESSES_PER_MINUTE = 10
"""Wrong API keys one client may send in a minute before it is answered 429."""
BODY_SECONDS = 30.0
"""Seconds a request body may take to arrive (a slow sender holds no place meanwhile)."""
UPLOAD_OVERHEAD = 65536
"""Bytes of a multipart upload besides its file (boundaries, the other fields)."""


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

    # --- bodies ------------------------------------------------------------------------------------

    async def admit(self, request: Request, *, upload: bool = False) -> bytes:
        """The request's body, within its limit (``--file-limit`` for an upload, else
        ``--body-limit``) and :data:`BODY_SECONDS`; once it is in, the request takes its place
        among those in flight (:meth:`enter`)."""
        if upload:
            limit = self.config.file_limit + UPLOAD_OVERHEAD if self.config.file_limit else 0
            status, what = 413, f"the file exceeds the limit ({self.config.file_limit} bytes)"
        else:
            limit, status = self.config.body_limit, 400
            what = f"body exceeds the limit ({limit} bytes)"
        declared = request.headers.get("content-length")
        if limit and declared and declared.isdigit() and int(declared) > limit:
            raise ApiError(status, f"Invalid request: {what}")
        body = bytearray()
        try:
            async with asyncio.timeout(BODY_SECONDS):
                async for chunk in request.stream():
                    body.extend(chunk)
                    if limit and len(body) > limit:
                        raise ApiError(status, f"Invalid request: {what}")
        except TimeoutError:
            raise ApiError(
                408, f"Invalid request: the body took longer than {BODY_SECONDS:g} s to arrive"
            ) from None
        self.enter(request)
        return bytes(body)

    # --- time --------------------------------------------------------------------------------------

    async def wait(
        self,
        request: Request | None,
        future: Any,
        cancel: Callable[[Any], None],
        timeout: float | None = None,
        job: Job | None = None,
    ) -> Any:
        """The result of work in progress (``future``), or its end (``cancel``) once the client
        has gone (499), the job is cancelled (499) or ``timeout`` (``--timeout``) is over (503)."""
        wrapped = asyncio.wrap_future(future)
        limit = self.config.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            done, _ = await asyncio.wait({wrapped}, timeout=0.05)
            if done:
                return wrapped.result()
            if (request is not None and await request.is_disconnected()) or (
                job is not None and job.cancelled
            ):
                cancel(future)
                raise ApiError(499, "the client went away" if job is None else "the job was cancelled")
            if time.monotonic() > deadline:
                cancel(future)
                raise ApiError(503, f"the translation took longer than {limit:g} s; try again")

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
