"""Translation engines: one protocol, two implementations, and the choice between them.

* :mod:`translit.engines.base` — the :class:`TranslationEngine` protocol, decoding options,
  and what both engines share (model-folder checks, length limits, batching).
* :mod:`translit.engines.marian` — the reference: ``transformers`` ``MarianMTModel``.
* :mod:`translit.engines.ct2` — the fast one: a CTranslate2 conversion (int8 on CPU), which
  needs neither torch nor transformers at run time.

:func:`get_engine` picks and loads one for a model name or folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

from translit.engines.base import DecodeOptions, EngineOutput, TranslationEngine
from translit.errors import InputError
from translit.registry import Registry, load_registry, resolve_model_dir, spec_for_directory, verify_checksums

__all__ = ["ENGINES", "DecodeOptions", "EngineOutput", "TranslationEngine", "get_engine"]

log = logging.getLogger("translit")

ENGINES = ("auto", "transformers", "ctranslate2")


def get_engine(
    model: str | Path | None = None,
    *,
    engine: str = "auto",
    quantization: str = "int8",
    threads: int | None = None,
    registry: Registry | None = None,
) -> TranslationEngine:
    """Load (once per process) a translation engine for ``model``: a registry name or a folder.

    ``engine="auto"`` uses CTranslate2 when a converted copy of the model exists (see
    ``translit models convert``) and the package is installed, else transformers.
    ``engine="ctranslate2"`` converts the model first if needed (once, with a message).
    The model's input normalisation and confidence threshold come from models.toml.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    registry = registry or load_registry()
    model_id, directory = resolve_model_dir(model, registry, "translation")
    spec = registry.models.get(model_id) or spec_for_directory(registry, directory)
    if spec is not None:
        verify_checksums(spec, directory)
    loaded: TranslationEngine | None = None
    if engine in ("auto", "ctranslate2"):
        from translit.engines import ct2

        converted = ct2.find_converted(directory, quantization)
        if converted is None and engine == "ctranslate2":
            log.warning("converting %s for CTranslate2 (%s); this happens once", model_id, quantization)
            converted = ct2.convert(directory, quantization)
        if converted is not None and (engine == "ctranslate2" or ct2.available()):
            loaded = ct2.load_ct2(converted, model_id, threads=threads)
    if loaded is None:
        from translit.engines.marian import load_marian

        if threads:
            import torch

            torch.set_num_threads(threads)
        loaded = load_marian(directory, model_id)
    if spec is not None:
        loaded.normalization = spec.normalize
        loaded.flag_below = spec.flag_below
    return loaded
