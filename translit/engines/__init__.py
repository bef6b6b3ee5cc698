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

from translit.engines.base import (
    DEFAULT_MAX_BATCH_TOKENS,
    DecodeOptions,
    EngineOutput,
    TranslationEngine,
    check_model_dir,
)
from translit.errors import NOTE, InputError, ModelError
from translit.registry import Registry, load_registry, resolve_model_dir, spec_for_directory, verify_checksums

__all__ = [
    "DEFAULT_MAX_BATCH_TOKENS",
    "ENGINES",
    "DecodeOptions",
    "EngineOutput",
    "TranslationEngine",
    "get_engine",
]

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

    ``engine="auto"`` (the default) uses CTranslate2 when the package is installed,
    converting the model once on first use (with a note on stderr; the conversion is kept
    in translit's cache), and falls back to transformers with a warning if that fails.
    ``engine="ctranslate2"`` does the same but fails instead of falling back;
    ``engine="transformers"`` is the reference engine.
    The model's input normalisation and confidence threshold come from models.toml.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    registry = registry or load_registry()
    model_id, directory = resolve_model_dir(model, registry, "translation")
    check_model_dir(directory)  # a folder that is no MarianMT model fails here, once, clearly
    spec = registry.models.get(model_id) or spec_for_directory(registry, directory)
    if spec is not None:
        verify_checksums(spec, directory)
    loaded: TranslationEngine | None = None
    if engine in ("auto", "ctranslate2"):
        loaded = _load_ctranslate2(
            model_id, directory, quantization, threads, required=engine == "ctranslate2"
        )
    if loaded is None:
        from translit.engines.marian import load_marian

        loaded = load_marian(directory, model_id, threads=threads)
        reason = _FALLBACK_REASONS.pop(str(directory), None)
        if reason:
            log.warning("%s; using the transformers engine instead", reason)
    if spec is not None:
        loaded.normalization = spec.normalize
        loaded.flag_below = spec.flag_below
    return loaded


def _load_ctranslate2(
    model_id: str, directory: Path, quantization: str, threads: int | None, required: bool
) -> TranslationEngine | None:
    """The CTranslate2 engine, converting the model on first use.

    With ``required`` (``--engine ctranslate2``) a failure is an error; otherwise (``auto``)
    it is a warning, and the caller falls back to transformers.
    """
    import time

    from translit.engines import ct2

    if not ct2.available():
        if required:
            raise ModelError("the ctranslate2 package is not installed (pip install ctranslate2)")
        return None
    try:
        converted = ct2.find_converted(directory, quantization)
        if converted is None:
            started = time.perf_counter()
            converted = ct2.convert(directory, quantization)
            log.log(
                NOTE,
                "converted %s for the CTranslate2 engine (%s) in %.1f s; later runs reuse it "
                "(--engine transformers skips it)",
                model_id,
                quantization,
                time.perf_counter() - started,
            )
        return ct2.load_ct2(converted, model_id, threads=threads)
    except ModelError as exc:
        if required:
            raise
        _FALLBACK_REASONS[str(directory)] = str(exc)
        return None


# Why auto fell back to transformers, reported once the fallback has loaded (a model that
# transformers cannot load either is reported by transformers' own error alone).
_FALLBACK_REASONS: dict[str, str] = {}
