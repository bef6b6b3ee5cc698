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

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from translit.errors import ModelError, NetworkError
from translit.registry import ModelSpec, hf_cache_dir, locate, user_config_path, verify_checksums


def lock_path() -> Path:
    """``models.lock.json`` beside the user's models.toml."""
    return user_config_path().with_name("models.lock.json")


def read_lock() -> dict[str, Any]:
    """The lock file's models (empty when there is none or it is unreadable)."""
    try:
        data = json.loads(lock_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    models = data.get("models") if isinstance(data, dict) else None
    return models if isinstance(models, dict) else {}


def locked_commit(spec: ModelSpec) -> str | None:
    """The commit a pull recorded for ``spec`` (when its repo still matches)."""
    entry = read_lock().get(spec.name)
    if isinstance(entry, dict) and entry.get("repo") == spec.repo and isinstance(entry.get("commit"), str):
        return str(entry["commit"])
    return None


def _write_lock(models: dict[str, Any]) -> None:
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed before the rename
        "w", encoding="utf-8", dir=path.parent, prefix=".models.lock.", delete=False
    )
    with handle:
        json.dump({"models": models}, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.replace(handle.name, path)


def sha256_of(file: Path) -> str:
    """The sha256 hex digest of a file, read in blocks."""
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def pull(spec: ModelSpec, progress: bool = True) -> Path:
    """Download ``spec`` into the Hugging Face cache, check it, and record it in the lock file.

    ``progress`` shows huggingface_hub's progress bars (for a person at a terminal).
    """
    if spec.builtin:
        raise ModelError(f"model '{spec.name}' is built in; nothing to download")
    if not spec.repo:
        raise ModelError(f"model '{spec.name}' has no 'repo' in models.toml; nothing to download")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    if progress:
        enable_progress_bars()
    else:
        disable_progress_bars()

    lock = read_lock()
    entry = lock.get(spec.name) if isinstance(lock.get(spec.name), dict) else None
    if entry is not None and entry.get("repo") != spec.repo:
        entry = None
    revision = str(entry["commit"]) if entry and entry.get("commit") else spec.revision
    try:
        folder = Path(
            snapshot_download(
                spec.repo,
                revision=revision,
                allow_patterns=list(spec.files) or None,
                cache_dir=str(hf_cache_dir()),
            )
        )
    except (LocalEntryNotFoundError, OSError) as exc:
        raise NetworkError(
            f"cannot download {spec.repo}@{revision}: the Hugging Face hub is not reachable "
            f"({type(exc).__name__}); copy the model folder here and use --model DIR"
        ) from None
    except HfHubHTTPError as exc:
        raise NetworkError(f"cannot download {spec.repo}@{revision}: {str(exc).splitlines()[0]}") from None
    verify_checksums(spec, folder)
    if entry is not None and isinstance(entry.get("files"), dict):
        _check_against(entry["files"], folder, "the lock file (an earlier pull)")
    lock[spec.name] = {
        "repo": spec.repo,
        "revision": spec.revision,
        "commit": folder.name,
        "files": _file_digests(folder),
        "pulled": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    _write_lock(lock)
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
