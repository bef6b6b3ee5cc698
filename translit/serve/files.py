"""Files through the service: uploads translated into their own format, kept briefly, fetched once.

``POST /translate_file`` (LibreTranslate's shape) translates an upload and answers with the
address of the translated file; translit's own job form (``POST /jobs``, then ``GET /jobs/ID``
for progress, then the file) gives a long document a sign of life while it is translated.

A translated file is kept in memory only until it is fetched, or for ``ttl`` seconds, under an
unguessable token; nothing lists them. Uploads are bounded by the service's ``file_limit``.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import PurePath

from translit.formats import BY_EXTENSION, BY_NAME, format_info


def supported_extensions() -> list[str]:
    """The file extensions ``/translate_file`` takes (from the formats table)."""
    return list(BY_EXTENSION)


def upload_format(name: str) -> str | None:
    """The input format an upload called ``name`` is read as (None: not supported)."""
    info = BY_EXTENSION.get(PurePath(name).suffix.lower())
    return (info.upload_as or info.name) if info else None


def output_name(name: str, input_format: str) -> str:
    """The translated file's name: ``bericht.docx`` → ``bericht.en.docx`` (a PDF comes back as text)."""
    path = PurePath(PurePath(name).name or "document")
    info = format_info(input_format) or BY_NAME["text"]
    suffix = path.suffix if info.writes_back else PurePath(info.output_suffix).suffix
    stem = path.stem[:-3] if path.stem.endswith(".de") else path.stem
    return f"{stem}.en{suffix}"


def media_type(name: str) -> str:
    """The Content-Type of a translated file."""
    info = BY_EXTENSION.get(PurePath(name).suffix.lower())
    return info.media_type if info else "application/octet-stream"


@dataclass
class Stored:
    """A translated file waiting to be fetched."""

    name: str
    data: bytes
    expires: float


@dataclass
class FileStore:
    """Translated files by token: each fetched once, or forgotten after ``ttl`` seconds."""

    ttl: float = 600.0
    _files: dict[str, Stored] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, name: str, data: bytes) -> str:
        """Keep ``data`` as ``name``; the token to fetch it with."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._forget_expired()
            self._files[token] = Stored(name, data, time.monotonic() + self.ttl)
        return token

    def take(self, token: str) -> Stored | None:
        """The file of ``token``, removed from the store (None: unknown, expired or fetched)."""
        with self._lock:
            self._forget_expired()
            return self._files.pop(token, None)

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for token in [t for t, s in self._files.items() if s.expires < now]:
            del self._files[token]


@dataclass
class Job:
    """A document being translated for the job form: its progress and, once done, its file."""

    name: str
    status: str = "queued"  # queued, running, done, failed, cancelled
    units: int = 0
    done: int = 0
    error: str | None = None
    token: str | None = None
    finished: float | None = None
    cancelled: bool = False
    client: str = ""  # who submitted it (its key, or its address without keys)

    def to_dict(self, url: str | None) -> dict[str, object]:
        """The job's state as ``GET /jobs/ID`` answers it."""
        data: dict[str, object] = {
            "status": self.status,
            "file": self.name,
            "units": self.units,
            "units_done": self.done,
        }
        if self.error:
            data["error"] = self.error
        if url:
            data["translatedFileUrl"] = url
        return data


@dataclass
class Jobs:
    """The job form's jobs by id; a finished job is forgotten after ``ttl`` seconds."""

    ttl: float = 600.0
    _jobs: dict[str, Job] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, job: Job, most: int = 0) -> str | None:
        """Keep ``job``; its id, or None when its client has ``most`` jobs unfinished already."""
        identifier = secrets.token_urlsafe(16)
        with self._lock:
            now = time.monotonic()
            for key in [
                k for k, j in self._jobs.items() if j.finished is not None and now - j.finished > self.ttl
            ]:
                del self._jobs[key]
            unfinished = sum(1 for j in self._jobs.values() if j.client == job.client and j.finished is None)
            if most and unfinished >= most:
                return None
            self._jobs[identifier] = job
        return identifier

    def get(self, identifier: str) -> Job | None:
        """The job ``identifier`` (None: unknown or forgotten)."""
        with self._lock:
            return self._jobs.get(identifier)
