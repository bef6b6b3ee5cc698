"""Translation engines: one protocol, two implementations, and the one place that chooses.

* :mod:`translit.engines.protocol` — the :class:`TranslationEngine` protocol, decoding options,
  and the capabilities only some engines have (alignment, forced prefixes, workers, …).
* :mod:`translit.engines.batching` — batches by length and token budget; progress of a call.
* :mod:`translit.engines.folders` — what a MarianMT folder must hold, its JSON, its weights.
* :mod:`translit.engines.pieces` — SentencePiece pieces, position limits, attention alignments.
* :mod:`translit.engines.conversion`, :mod:`translit.engines.shortlist` — the CTranslate2
  conversion (checked against the original) and its vocabulary shortlist.
* :mod:`translit.engines.marian` — the reference: ``transformers`` ``MarianMTModel``.
* :mod:`translit.engines.ct2` — the fast one: a CTranslate2 conversion (int8 on CPU), which
  needs neither torch nor transformers at run time.

Choosing is two steps, both here and nowhere else: :func:`resolve` finds a model on disk and
decides which engine will run it, without loading anything (a batch's resume markers need
only that); :func:`load` prepares the engine's folder (converting for CTranslate2 once) and
opens it through :data:`LOADERS`, the table from engine name to loader. An engine gets the
model's normalisation and confidence threshold when it is built and is never changed later
(engines are cached and shared process-wide).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translit.engines.folders import check_model_dir
from translit.engines.protocol import DEFAULT_MAX_BATCH_TOKENS, DecodeOptions, EngineOutput, TranslationEngine
from translit.errors import NOTE, InputError, ModelError
from translit.options import Compute, Engine
from translit.registry import (
    Registry,
    fingerprint,
    load_registry,
    resolve_model_dir,
    spec_for_directory,
    verify_checksums,
)

__all__ = [
    "DEFAULT_MAX_BATCH_TOKENS",
    "ENGINES",
    "LOADERS",
    "DecodeOptions",
    "EngineOutput",
    "ModelChoice",
    "TranslationEngine",
    "get_engine",
    "load",
    "open_engine",
    "resolve",
]

log = logging.getLogger("translit")

ENGINES = tuple(choice.value for choice in Engine)


def _open_transformers(
    folder: Path, model_id: str, threads: int | None, compute: Compute = Compute.default, **model: Any
) -> TranslationEngine:
    from translit.engines.marian import load_marian

    # PyTorch runs the model in float32 whatever ``compute`` says.
    return load_marian(folder, model_id, threads=threads, **model)


def _open_ctranslate2(
    folder: Path, model_id: str, threads: int | None, compute: Compute = Compute.default, **model: Any
) -> TranslationEngine:
    from translit.engines.ct2 import load_ct2

    return load_ct2(folder, model_id, threads=threads, compute_type=compute.value, **model)


Loader = Callable[..., TranslationEngine]
LOADERS: dict[str, Loader] = {
    Engine.transformers.value: _open_transformers,
    Engine.ctranslate2.value: _open_ctranslate2,
}
"""Engine name → loader of a folder in that engine's own format (a converted one for CTranslate2)."""


@dataclass(frozen=True)
class ModelChoice:
    """A translation model found on disk, and the engine that will run it; nothing loaded.

    ``engine`` is ``transformers`` or ``ctranslate2`` (``auto`` decided); ``required`` is
    True when the user asked for CTranslate2 by name (no fallback). ``normalization`` and
    ``flag_below`` are the model's own, from models.toml.
    """

    model_id: str
    directory: Path
    engine: str
    required: bool = False
    normalization: str = "none"
    flag_below: float | None = None

    @property
    def key(self) -> str:
        """The model files and engine, for resume markers (local and Ray runs compute it alike)."""
        return f"{self.model_id}|{fingerprint(self.directory)}|{self.engine}"


def resolve(
    model: str | Path | None = None, engine: str = "auto", registry: Registry | None = None
) -> ModelChoice:
    """Find ``model`` (a registry name or a folder) and decide its engine, loading nothing.

    ``auto`` means CTranslate2 when the package is installed, else transformers. Fails with
    one clear line when the model is missing, no MarianMT folder, or fails its checksums.
    """
    if str(engine) not in ENGINES:
        raise InputError(f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    engine = str(engine)
    registry = registry or load_registry()
    model_id, directory = resolve_model_dir(model, registry, "translation")
    check_model_dir(directory)  # a folder that is no MarianMT model fails here, once, clearly
    spec = registry.models.get(model_id) or spec_for_directory(registry, directory)
    if spec is not None:
        verify_checksums(spec, directory)
    from translit.engines import ct2

    if engine == Engine.ctranslate2 and not ct2.available():
        raise ModelError("the ctranslate2 package is not installed (pip install ctranslate2)")
    kind = Engine.transformers if engine == Engine.transformers or not ct2.available() else Engine.ctranslate2
    return ModelChoice(
        model_id,
        directory,
        kind.value,
        required=engine == Engine.ctranslate2,
        normalization=spec.normalize if spec else "none",
        flag_below=spec.flag_below if spec else None,
    )


def engine_folder(choice: ModelChoice, quantization: str = "int8") -> Path:
    """The folder ``choice.engine`` loads: the model's own, or its CTranslate2 conversion.

    A model is converted once, on first use, with a note on stderr; later runs reuse it.
    """
    if choice.engine != Engine.ctranslate2:
        return choice.directory
    import time

    from translit.engines import ct2

    converted = ct2.find_converted(choice.directory, quantization)
    if converted is None:
        started = time.perf_counter()
        converted = ct2.convert(choice.directory, quantization)
        log.log(
            NOTE,
            "converted %s for the CTranslate2 engine (%s) in %.1f s; later runs reuse it "
            "(--engine transformers skips it)",
            choice.model_id,
            quantization,
            time.perf_counter() - started,
        )
    return converted


def open_engine(
    kind: str,
    folder: Path,
    model_id: str,
    *,
    threads: int | None = None,
    compute: Compute = Compute.default,
    **model: Any,
) -> TranslationEngine:
    """Open ``folder`` (in engine ``kind``'s own format) with the loader of :data:`LOADERS`.

    ``compute`` is CTranslate2's arithmetic (:class:`~translit.options.Compute`); ``model``
    are the model's ``normalization`` and ``flag_below``.
    """
    return LOADERS[kind](folder, model_id, threads, compute, **model)


def load(
    choice: ModelChoice,
    threads: int | None = None,
    quantization: str = "int8",
    compute: Compute = Compute.default,
) -> TranslationEngine:
    """Load (once per process) the engine ``choice`` names, decoding with ``compute`` arithmetic.

    With ``auto``, a CTranslate2 conversion or load that fails is a warning, and the
    transformers engine runs instead; with ``ctranslate2`` asked for, it is an error.
    """
    model: dict[str, Any] = {
        "normalization": choice.normalization,
        "flag_below": choice.flag_below,
        "compute": compute,
    }
    if choice.engine == Engine.ctranslate2:
        try:
            folder = engine_folder(choice, quantization)
            try:
                engine: TranslationEngine = open_engine(
                    choice.engine, folder, choice.model_id, threads=threads, **model
                )
            except ModelError:
                # A damaged conversion (a truncated model.bin): made again once, not on every run.
                import shutil

                log.warning("%s: the CTranslate2 conversion cannot be loaded; converting again", folder)
                shutil.rmtree(folder, ignore_errors=True)
                folder = engine_folder(choice, quantization)
                engine = open_engine(choice.engine, folder, choice.model_id, threads=threads, **model)
            return engine
        except ModelError as exc:
            if choice.required:
                raise
            reason = f"{exc} ('translit models convert --force {choice.directory}' makes it again)"
        # A model that transformers cannot load either is reported by transformers' own error.
        engine = open_engine(Engine.transformers, choice.directory, choice.model_id, threads=threads, **model)
        log.warning("%s; using the transformers engine instead", reason)
        return engine
    return open_engine(choice.engine, choice.directory, choice.model_id, threads=threads, **model)


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
    return load(resolve(model, engine, registry), threads, quantization)
