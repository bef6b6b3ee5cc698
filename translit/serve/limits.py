"""What the service allows: API keys, size limits, requests in flight, and a rate per key."""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translit.errors import InputError
from translit.options import OptionInfo, command_option, declared_options
from translit.userfiles import KEYS_FILE, read_user_text


@dataclass(frozen=True)
class ServeConfig:
    """The service's limits and keys — each ``translit serve`` option declared once, here.

    ``keys`` empty: no key is needed. Limits of 0 mean none. ``rate`` is requests per
    minute per key (per client address without keys). A field with a flag is a command-line
    option (:func:`serve_options`); its default, help and range come from this declaration.
    """

    keys: frozenset[str] = frozenset()  # read from the --api-keys file by the command
    host: str = command_option("127.0.0.1", "--host", "Address to listen on (default: this machine only).")
    port: int = command_option(5000, "--port", "Port to listen on.", 1, 65535, aliases=("-p",))
    api_keys: str = command_option(
        "", "--api-keys", "File of API keys, one per line; requests need one of them.", metavar="FILE"
    )
    pooled: bool = command_option(
        True,
        "--one-at-a-time",
        "Translate one request at a time, as LibreTranslate does (for comparison only).",
        negates=True,
    )
    cors: tuple[str, ...] = command_option(
        (),
        "--cors",
        "Allow browsers only from this origin (default: any, as LibreTranslate); repeatable.",
        metavar="ORIGIN",
        aliases=("--cors-origin",),
    )
    ui: bool = command_option(True, "--no-ui", "Serve the API alone, without the page at /.", negates=True)
    char_limit: int = command_option(
        20_000, "--char-limit", "Characters per request (0: no limit).", 0, None, "N"
    )
    batch_limit: int = command_option(
        64, "--batch-limit", "Texts (q items) per request (0: no limit).", 0, None, "N"
    )
    body_limit: int = command_option(
        1 << 20, "--body-limit", "Bytes of a request body (0: no limit).", 0, None, "N"
    )
    max_concurrent: int = command_option(
        64, "--max-concurrent", "Requests in flight at once (0: no limit).", 0, None, "N"
    )
    rate: int = command_option(
        0, "--rate", "Requests per minute per API key (per address without keys; 0: none).", 0, None, "N"
    )
    timeout: float = command_option(120.0, "--timeout", "Seconds a request may take.", 1, None, "SECONDS")
    window: float = command_option(
        0.005, "--window", "Seconds to wait for other requests before a batch.", 0, 1, "SECONDS"
    )
    round_tokens: int = command_option(
        1024,
        "--round-tokens",
        "Source tokens per engine call (smaller: short requests wait less).",
        1,
        1_000_000,
        "N",
    )
    alternatives_limit: int = command_option(
        8, "--alternatives-limit", "Alternatives a request may ask for.", 0, 64, "N"
    )
    file_limit: int = command_option(
        50 << 20, "--file-limit", "Bytes of one uploaded document (0: no limit).", 0, None, "N"
    )
    file_ttl: float = command_option(
        600.0, "--file-ttl", "Seconds a translated file waits to be fetched.", 1, None, "SECONDS"
    )
    metrics: bool = command_option(
        False, "--metrics", "Prometheus metrics at /metrics (with keys on, a key is needed)."
    )
    access_log: bool = command_option(
        False, "--access-log", "One JSON line per request on stderr (time, client, path, status)."
    )
    jobs_per_client: int = command_option(
        4,
        "--jobs-per-client",
        "Jobs one key (or address) may have queued or running (0: no limit).",
        0,
        None,
        "N",
    )
    forwarded_allow_ips: str = command_option(
        "",
        "--forwarded-allow-ips",
        "Proxies whose X-Forwarded-For is trusted for the client's address (comma-separated; "
        "default: none, the client is the connection's peer).",
        None,
        None,
        "IPS",
    )
    suggestions: bool = command_option(
        False,
        "--suggestions",
        "Take corrections (POST /suggest, the page's edits) into the translation memory: used at "
        "once with API keys, else held for 'translit memory review'.",
    )
    public_url: str = command_option(
        "",
        "--public-url",
        "The service's address as clients reach it (behind a proxy: https://translit.example): "
        "the base of the addresses it answers with; default: the address it listens on.",
        None,
        None,
        "URL",
    )


def serve_options() -> dict[str, tuple[OptionInfo, Any]]:
    """The ServeConfig fields that are ``translit serve`` flags: name → (declaration, default)."""
    return declared_options(ServeConfig)


def read_keys(path: Path) -> frozenset[str]:
    """API keys from a file: one per line; blank lines and ``#`` comments ignored."""
    text = read_user_text(path, KEYS_FILE)
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
