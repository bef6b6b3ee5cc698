"""A model and a translation memory shipped to machines that do not have them: read once,
written once per node.

The Ray runner puts a :class:`ShippedModel` into the object store; every node writes it to a
local folder keyed by the model's fingerprint (:func:`materialise`) and loads it from there,
so a cluster needs neither the Hugging Face cache nor shared storage for the model, and every
node runs exactly the driver's model. The run's memory travels the same way
(:class:`ShippedMemory`, a consistent copy keyed by the memory's identity and version), so that
every worker uses the driver's memory and none a memory of its own node.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from translit.atomic import locked
from translit.engines import ModelChoice
from translit.errors import ModelError
from translit.memory import TranslationMemory
from translit.registry import fingerprint

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


def prepare_model(choice: ModelChoice) -> ShippedModel:
    """Prepare the engine's folder on the driver (converting for CTranslate2 once); read its files.

    As :func:`translit.engines.load` does, a CTranslate2 conversion that fails under ``auto``
    is a warning and the workers run the transformers engine.
    """
    from translit.engines import engine_folder

    kind, folder = choice.engine, choice.directory
    try:
        folder = engine_folder(choice)
    except ModelError as exc:
        if choice.required:
            raise
        log.warning("%s; the workers use the transformers engine instead", exc)
        kind = "transformers"
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    return ShippedModel(
        model_id=choice.model_id,
        kind=kind,
        fingerprint=fingerprint(folder),
        files=files,
        normalization=choice.normalization,
        flag_below=choice.flag_below,
    )


def materialise(model: ShippedModel) -> Path:
    """Write a shipped model's files once per node (under a lock) and return the folder."""
    import tempfile

    root = Path(tempfile.gettempdir()) / "translit-ray-models"
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{model.fingerprint}-{model.kind}"
    with locked(target):
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


@dataclass(frozen=True)
class ShippedMemory:
    """The run's translation memory, as a SQLite file's bytes, for workers on any node."""

    identity: str
    version: int
    data: bytes


def prepare_memory(memory: TranslationMemory) -> ShippedMemory:
    """A consistent copy of ``memory`` to ship (its identity and version travel inside it too)."""
    return ShippedMemory(memory.identity, memory.version, memory.snapshot())


def materialise_memory(memory: ShippedMemory) -> Path:
    """Write a shipped memory once per node and version (under a lock); its file's path."""
    import tempfile

    root = Path(tempfile.gettempdir()) / "translit-ray-memories"
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{memory.identity}-{memory.version}.sqlite3"
    with locked(target):
        if not target.is_file():
            staging = root / f".staging-{os.getpid()}-{target.name}"
            staging.write_bytes(memory.data)
            os.replace(staging, target)
    return target
