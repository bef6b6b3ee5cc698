"""``translit models pull`` and ``verify``: the only network access translit has.

A pull downloads a model's files from the Hugging Face hub (``$HF_ENDPOINT`` for a mirror)
into the Hugging Face cache, with huggingface_hub (which resumes interrupted downloads).
It then records, in a lock file beside the user's models.toml, the commit the revision
resolved to and the sha256 of every file. A later pull fetches exactly that commit and
refuses files that differ; ``translit models verify`` checks the files on disk; and lookup
finds the model at that commit.

Lock file: ``$XDG_CONFIG_HOME/translit/models.lock.json``::

    {"models": {"opus-mt-de-en": {"repo": "...", "revision": "main", "commit": "…",
                                  "files": {"config.json": "<sha256>", …}, "pulled": "…"}}}
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from translit.errors import ModelError, NetworkError
from translit.lockfile import read_lock, write_lock
from translit.registry import ModelSpec, hf_cache_dir, locate, repo_cache_dir, sha256_of, verify_checksums


def _file_digests(folder: Path) -> dict[str, str]:
    return {p.name: sha256_of(p) for p in sorted(folder.iterdir()) if p.is_file()}


def _check_against(expected: dict[str, str], folder: Path, what: str) -> int:
    """Compare files with recorded digests; raise :class:`ModelError` on the first mismatch."""
    checked = 0
    for name, digest in sorted(expected.items()):
        file = folder / name
        if not file.is_file():
            raise ModelError(f"{file}: missing (recorded by {what})")
        actual = sha256_of(file)
        if actual != digest:
            raise ModelError(
                f"{file}: sha256 mismatch with {what} (expected {digest[:12]}…, got {actual[:12]}…)"
            )
        checked += 1
    return checked


# Refused before it is fetched: no model file of translit's is this large.
MAX_FILE_BYTES = 8 << 30
# A pull that averages less than this after its first minute is given up (a slow drip).
MIN_BYTES_PER_SECOND = 20_000
_COMMIT = re.compile(r"[0-9a-f]{40}")
_WEB_PAGE = re.compile(rb"\A\s*(?:<!doctype\s+html|<html|<\?xml[^>]*>\s*<html)", re.I)


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`_TooSlow` in this (the main) thread after ``seconds``; elsewhere, no limit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _hub_name() -> str:
    endpoint = os.environ.get("HF_ENDPOINT")
    return f"the mirror {endpoint}" if endpoint else "the Hugging Face hub"


def offline_hint(spec: ModelSpec) -> str:
    """What to do without a connection: which files, where a Hugging Face cache goes, a mirror."""
    cache = repo_cache_dir(spec.repo) if spec.repo else None
    weights = [f for f in spec.files if f in ("model.safetensors", "pytorch_model.bin")]
    others = [f for f in spec.files if f not in weights]
    if len(weights) > 1:  # either one is enough
        others.append(" or ".join(weights))
    else:
        others += weights
    files = ", ".join(others) if spec.files else "the model's files"
    mirror = (
        f"the mirror in HF_ENDPOINT ({os.environ['HF_ENDPOINT']}) did not answer"
        if os.environ.get("HF_ENDPOINT")
        else "HF_ENDPOINT=URL names a mirror"
    )
    copy = f"copy a Hugging Face cache that holds it to {cache}, or " if cache else ""
    return f"without a connection, {copy}put {files} in a folder and use --model DIR; {mirror}"


def _check_content(folder: Path) -> None:
    """Every file is what its name says, not an error page served with status 200."""
    for file in sorted(folder.iterdir()):
        if not file.is_file():
            continue
        with file.open("rb") as handle:
            head = handle.read(512)
        if _WEB_PAGE.match(head):
            raise NetworkError(
                f"{_hub_name()} answered {file.name} with a web page, not the file; try again later"
            )
        try:
            if file.suffix == ".json":
                json.loads(file.read_text(encoding="utf-8"))
            elif file.suffix == ".safetensors":
                size = int.from_bytes(head[:8], "little")
                if not 0 < size < 100 << 20:
                    raise ValueError("no safetensors header")
                json.loads(file.read_bytes()[8 : 8 + size])
        except (ValueError, UnicodeDecodeError) as exc:
            raise NetworkError(f"{_hub_name()} sent a broken {file.name} ({exc}); try again") from None


def _remove_snapshot(folder: Path | None) -> None:
    """Take a snapshot that failed its checks out of the cache, so that it is never used."""
    if folder is not None and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def pull(spec: ModelSpec, progress: bool = True, patience: float = 60.0) -> Path:
    """Download ``spec`` into the Hugging Face cache, check it, and record it in the lock file.

    ``progress`` shows huggingface_hub's progress bars (for a person at a terminal). Files are
    fetched one after another in this thread, so Ctrl-C stops the pull at once; a pull that
    stalls (below :data:`MIN_BYTES_PER_SECOND`), a file over :data:`MAX_FILE_BYTES`, a name that
    leaves the snapshot, an error page served as a file, or a file that differs from the lock
    ends it with one line (exit 4, or 3 for a file the lock refuses) and leaves no snapshot
    that lookup would use. ``patience``: seconds before the minimum rate applies.
    """
    if spec.builtin:
        raise ModelError(f"model '{spec.name}' is built in; nothing to download")
    if not spec.repo:
        raise ModelError(f"model '{spec.name}' has no 'repo' in models.toml; nothing to download")
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.utils.tqdm import disable_progress_bars, enable_progress_bars

    if progress:
        enable_progress_bars()
    else:
        disable_progress_bars()
    lock = read_lock()
    entry = lock.get(spec.name) if isinstance(lock.get(spec.name), dict) else None
    if entry is not None and entry.get("repo") != spec.repo:
        entry = None
    revision = str(entry["commit"]) if entry and entry.get("commit") else spec.revision
    where = f"{spec.repo}@{revision}"
    folder: Path | None = None
    fresh = False
    try:
        api = HfApi()
        with _deadline(2 * patience):
            info = api.model_info(spec.repo, revision=revision)
        commit = str(info.sha or "")
        if not _COMMIT.fullmatch(commit):
            raise NetworkError(f"cannot download {where}: {_hub_name()} gave {commit[:60]!r} as the commit")
        folder = repo_cache_dir(spec.repo) / "snapshots" / commit
        fresh = not folder.exists()
        listed = {s.rfilename for s in info.siblings or []}
        names = [n for n in (spec.files or sorted(listed)) if n in listed]
        for name in names:
            if "/" in name or "\\" in name or name.startswith("."):
                raise NetworkError(f"cannot download {where}: refusing the file name {name!r}")
        sizes: dict[str, int] = {}
        with _deadline(2 * patience):
            for item in api.list_repo_tree(spec.repo, revision=commit):
                size = getattr(item, "size", None)
                if size is not None:
                    sizes[item.path] = int(size)
        too_big = [n for n in names if sizes.get(n, 0) > MAX_FILE_BYTES]
        if too_big:
            raise NetworkError(
                f"cannot download {where}: {too_big[0]} says it is {sizes[too_big[0]]:,} bytes"
            )
        budget = patience + sum(sizes.get(n, 0) for n in names) / MIN_BYTES_PER_SECOND
        with _deadline(budget):
            for name in names:
                hf_hub_download(spec.repo, name, revision=commit, cache_dir=str(hf_cache_dir()))
        _check_content(folder)
        verify_checksums(spec, folder)
        if entry is not None and isinstance(entry.get("files"), dict):
            _check_against(entry["files"], folder, "the lock file (an earlier pull)")
    except _TooSlow:
        _remove_snapshot(folder if fresh else None)
        raise NetworkError(
            f"cannot download {where}: {_hub_name()} is too slow (or stalled); try again"
        ) from None
    except (ModelError, NetworkError):
        # A file refused by the lock or its checksum, an error page: the snapshot holds it now.
        _remove_snapshot(folder)
        raise
    except KeyboardInterrupt:
        _remove_snapshot(folder if fresh else None)
        raise
    except Exception as exc:
        _remove_snapshot(folder if fresh else None)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise NetworkError(
            f"cannot download {where} from {_hub_name()} ({type(exc).__name__}: {first}); "
            + offline_hint(spec)
        ) from None
    lock[spec.name] = {
        "repo": spec.repo,
        "revision": spec.revision,
        "commit": folder.name,
        "files": _file_digests(folder),
        "pulled": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    write_lock(lock)
    return folder


def verify(spec: ModelSpec) -> int:
    """Check the model's files against the lock file and models.toml; returns how many were checked."""
    folder = locate(spec)
    if folder is None:
        raise ModelError(
            f"model '{spec.name}' is not on this machine; run 'translit models pull {spec.name}'"
        )
    entry = read_lock().get(spec.name)
    checked = 0
    if isinstance(entry, dict) and isinstance(entry.get("files"), dict) and entry.get("repo") == spec.repo:
        checked += _check_against(entry["files"], folder, "the lock file")
    if spec.sha256:
        verify_checksums(spec, folder)
        checked += len(spec.sha256)
    if not checked:
        raise ModelError(
            f"model '{spec.name}': nothing to verify against (pull it with 'translit models pull "
            f"{spec.name}', or pin sha256 in models.toml)"
        )
    return checked
