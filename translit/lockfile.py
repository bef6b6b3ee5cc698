"""The lock file that ``translit models pull`` writes: which commit and files each model is.

``$XDG_CONFIG_HOME/translit/models.lock.json``::

    {"models": {"opus-mt-de-en": {"repo": "...", "revision": "main", "commit": "…",
                                  "files": {"config.json": "<sha256>", …}, "pulled": "…"}}}

Read by model lookup (a pulled model is found at its recorded commit) and by ``pull`` and
``verify``; written only by ``pull``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from translit.atomic import write_atomic
from translit.config import config_dir


def lock_path() -> Path:
    """``models.lock.json`` beside the user's models.toml."""
    return config_dir() / "models.lock.json"


def read_lock() -> dict[str, Any]:
    """The lock file's models (empty when there is none or it is unreadable)."""
    try:
        data = json.loads(lock_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    models = data.get("models") if isinstance(data, dict) else None
    return models if isinstance(models, dict) else {}


def locked_entry(name: str, repo: str | None) -> dict[str, Any] | None:
    """What a pull recorded for model ``name`` (when its repo still matches)."""
    entry = read_lock().get(name)
    if isinstance(entry, dict) and entry.get("repo") == repo:
        return entry
    return None


def locked_commit(name: str, repo: str | None) -> str | None:
    """The commit a pull recorded for model ``name`` (when its repo still matches)."""
    entry = locked_entry(name, repo)
    if entry is not None and isinstance(entry.get("commit"), str):
        return str(entry["commit"])
    return None


def write_lock(models: dict[str, Any]) -> None:
    """Replace the lock file's models, atomically."""
    write_atomic(lock_path(), json.dumps({"models": models}, indent=1, sort_keys=True) + "\n")
