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

import time
from pathlib import Path

from translit.errors import ModelError, NetworkError
from translit.lockfile import read_lock, write_lock
from translit.registry import ModelSpec, hf_cache_dir, locate, sha256_of, verify_checksums


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
