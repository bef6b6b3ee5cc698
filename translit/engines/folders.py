"""Model folders: what a MarianMT folder must hold, its JSON files, weights, and threads to run it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from translit.errors import ModelError
from translit.options import usable_cores

REQUIRED_MARIAN_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def quiet_transformers() -> None:
    """transformers' own logging and progress bars off: translit reports loading and errors itself."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # transformers is untyped here
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def default_threads() -> int:
    """Cores this process may use (respects CPU affinity and cgroup-style pinning)."""
    return usable_cores()


# Below this model width, one torch thread is faster than several: the matrices are too small
# for the threads' synchronisation to pay (on 2 cores, the d_model-192 test translator ran
# 4x faster on one thread, opus-mt's width 512 20 % faster on two). The CTranslate2 engine
# runs one-thread workers instead and needs no such rule.
SMALL_MODEL_WIDTH = 384


def model_threads(d_model: Any) -> int:
    """torch threads when none are asked for: all usable cores, or one for a small model."""
    if isinstance(d_model, int) and d_model < SMALL_MODEL_WIDTH:
        return 1
    return default_threads()


def pickle_allowed() -> bool:
    """Whether pickled ``pytorch_model.bin`` weights may be loaded ($TRANSLIT_ALLOW_PICKLE=1)."""
    return os.environ.get("TRANSLIT_ALLOW_PICKLE", "") not in ("", "0", "false", "no")


def read_json_object(file: Path, required: bool = False) -> dict[str, Any]:
    """A model folder's JSON object, or one clear :class:`ModelError` line naming the file.

    An optional file that is absent gives ``{}``.
    """
    if not file.is_file() and not required:
        return {}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{file}: unreadable ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{file}: not a JSON object")
    return data


def check_model_dir(directory: Path) -> None:
    """Fail with one clear line when ``directory`` is not a usable MarianMT folder.

    Pickled weights (``pytorch_model.bin`` without ``model.safetensors``) are refused
    unless allowed, because unpickling can run code; when allowed they are loaded with
    torch's restricted (weights-only) unpickler.
    """
    if not directory.is_dir():
        raise ModelError(f"{directory}: model directory not found")
    missing = [name for name in REQUIRED_MARIAN_FILES if not (directory / name).is_file()]
    if not any((directory / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelError(f"{directory}: not a MarianMT model folder (missing {', '.join(missing)})")
    config = read_json_object(directory / "config.json", required=True)
    if "auto_map" in config:
        raise ModelError(
            f"{directory / 'config.json'}: asks for remote code (auto_map); translit never runs it"
        )
    if config.get("model_type") != "marian":
        raise ModelError(
            f"{directory / 'config.json'}: model_type is {config.get('model_type')!r}, expected 'marian'"
        )
    read_json_object(directory / "generation_config.json")
    if not (directory / "model.safetensors").is_file() and not pickle_allowed():
        raise ModelError(
            f"{directory / 'pytorch_model.bin'}: pickled weights are refused; convert them to "
            "model.safetensors, or pass --allow-pickle (loaded weights-only)"
        )


def first_line(exc: BaseException) -> str:
    """An exception's first line, short, for a one-line message (its type when it says nothing)."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    if "look at the above report" in line.lower() or "see the above" in line.lower():
        line = type(exc).__name__ + " (weights do not fit the config.json: a tensor of another shape)"
    return line[:200]


def weights_problem(info: dict[str, Any]) -> str | None:
    """What is wrong with loaded weights (transformers' loading info), or None.

    A missing tensor would be random numbers — three runs, three translations — and an
    unexpected one means the file is another model's.
    """
    missing = sorted(info.get("missing_keys") or ())
    unexpected = sorted(info.get("unexpected_keys") or ())
    mismatched = sorted(
        str(m[0]) if isinstance(m, tuple) else str(m) for m in info.get("mismatched_keys") or ()
    )
    for what, names in (
        ("missing", missing),
        ("of the wrong shape", mismatched),
        ("not of this model", unexpected),
    ):
        if names:
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            return f"{len(names)} tensor(s) {what} ({shown}): the weights do not belong to config.json"
    return None
