"""A model shipped to machines that do not have it: its files read once, written once per node.

The Ray runner puts a :class:`ShippedModel` into the object store; every node writes it to a
local folder keyed by the model's fingerprint (:func:`materialise`) and loads it from there,
so a cluster needs neither the Hugging Face cache nor shared storage for the model, and every
node runs exactly the driver's model.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from translit.errors import ModelError

log = logging.getLogger("translit")


@dataclass(frozen=True)
class ShippedModel:
    """A model folder's files, to be put into the object store once."""

    model_id: str
    kind: str  # "ctranslate2" or "transformers"
    fingerprint: str
    files: dict[str, bytes]
    normalization: str
    flag_below: float | None


def prepare_model(model: str | None, engine: str = "auto", models_file: Path | None = None) -> ShippedModel:
    """Resolve and (for CTranslate2) convert the model on the driver; read its files."""
    from translit.engines import ct2
    from translit.registry import fingerprint, load_registry, resolve_model_dir, spec_for_directory

    registry = load_registry(models_file)
    model_id, directory = resolve_model_dir(model, registry, "translation")
    spec = registry.models.get(model_id) or spec_for_directory(registry, directory)
    kind = "transformers"
    folder = directory
    if engine != "transformers" and ct2.available():
        try:
            converted = ct2.find_converted(directory) or ct2.convert(directory)
            kind, folder = "ctranslate2", converted
        except ModelError as exc:
            if engine == "ctranslate2":
                raise
            log.warning("%s; the workers use the transformers engine instead", exc)
    elif engine == "ctranslate2":
        raise ModelError("the ctranslate2 package is not installed (pip install ctranslate2)")
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    return ShippedModel(
        model_id=model_id,
        kind=kind,
        fingerprint=fingerprint(folder),
        files=files,
        normalization=spec.normalize if spec else "none",
        flag_below=spec.flag_below if spec else None,
    )


def materialise(model: ShippedModel) -> Path:
    """Write a shipped model's files once per node (under a lock) and return the folder."""
    import fcntl
    import tempfile

    root = Path(tempfile.gettempdir()) / "translit-ray-models"
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{model.fingerprint}-{model.kind}"
    with open(root / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").is_file():
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
            for name, data in model.files.items():
                (staging / name).write_bytes(data)
            (staging / ".complete").write_text("ok\n")
            if target.exists():
                import shutil

                shutil.rmtree(target)
            os.replace(staging, target)
    return target
