"""What the service allows: API keys, size limits, requests in flight, and a rate per key."""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from translit.errors import InputError


@dataclass(frozen=True)
class ServeConfig:
    """The service's limits and keys (``translit serve`` options).

    ``keys`` empty: no key is needed. Limits of 0 mean none. ``rate`` is requests per
    minute per key (per client address without keys).
    """

    keys: frozenset[str] = frozenset()
    char_limit: int = 20_000
    batch_limit: int = 64
    body_limit: int = 1 << 20
    max_concurrent: int = 64
    rate: int = 0
    timeout: float = 120.0
    window: float = 0.005
    round_tokens: int = 1024
    alternatives_limit: int = 8
    cors: tuple[str, ...] = ()
    file_limit: int = 50 << 20  # bytes of one uploaded document
    file_ttl: float = 600.0  # seconds a translated file waits to be fetched
    ui: bool = True  # serve the page at / (False: the API alone)
    metrics: bool = False  # Prometheus metrics at /metrics
    access_log: bool = False  # one JSON line per request on stderr
    pooled: bool = True  # False: one request at a time (for comparison; bench/serve.py)


def read_keys(path: Path) -> frozenset[str]:
    """API keys from a file: one per line; blank lines and ``#`` comments ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the API keys ({exc})") from None
    keys = frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    if not keys:
        raise InputError(f"{path}: no API keys in the file (one per line)")
    return keys


def key_is_valid(given: str | None, keys: frozenset[str]) -> bool:
    """Whether ``given`` is one of ``keys`` (compared in constant time)."""
    if not given:
        return False
    encoded = given.encode()
    return any(hmac.compare_digest(encoded, key.encode()) for key in keys)


@dataclass
class RateLimiter:
    """At most ``per_minute`` requests per client in any 60 seconds (0: no limit)."""

    per_minute: int
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> bool:
        """Count one request of ``client``; False when it is over its rate."""
        if self.per_minute <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            stamps = self._seen.setdefault(client, deque())
            while stamps and now - stamps[0] > 60:
                stamps.popleft()
            if len(stamps) >= self.per_minute:
                return False
            stamps.append(now)
            if len(self._seen) > 10_000:  # forget idle clients, so memory stays bounded
                for other in [c for c, s in self._seen.items() if not s or now - s[-1] > 60]:
                    del self._seen[other]
            return True
