"""The CTranslate2 engine: converted MarianMT models, int8 on CPU, no torch at run time.

Conversion (``translit models convert``) needs transformers and torch once; afterwards
translation loads only ``ctranslate2`` and ``sentencepiece``, which is what keeps start-up
fast and memory low. A converted model lives in translit's cache under a name derived from
the source folder's identity and the quantisation, so later runs find it again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from translit.config import cache_root
from translit.engines.base import (
    DecodeOptions,
    EngineOutput,
    check_model_dir,
    decode_limit,
    default_threads,
    forced_length,
    input_budget,
    plan_batches,
    position_limit,
    read_json_object,
    spread_batches,
)
from translit.errors import ModelError
from translit.registry import fingerprint

log = logging.getLogger("translit")

QUANTIZATIONS = ("int8", "int16", "float32", "int8_float32")
# Files copied next to the converted weights so the engine needs nothing else.
_TOKENIZER_FILES = (
    "source.spm",
    "target.spm",
    "vocab.json",
    "tokenizer_config.json",
    "generation_config.json",
)


def available() -> bool:
    """Whether the ctranslate2 package can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


def converted_dir(model_dir: Path, quantization: str) -> Path:
    """Where the CTranslate2 conversion of ``model_dir`` at ``quantization`` lives."""
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_dir.resolve().name)
    return cache_root() / "ctranslate2" / f"{slug}-{fingerprint(model_dir)}-{quantization}"


def find_converted(model_dir: Path, preferred: str = "int8") -> Path | None:
    """An existing conversion of ``model_dir``, preferring ``preferred`` quantisation."""
    for quantization in (preferred, *QUANTIZATIONS):
        candidate = converted_dir(model_dir, quantization)
        if (candidate / "model.bin").is_file():
            return candidate
    return None


def convert(model_dir: Path, quantization: str = "int8", force: bool = False) -> Path:
    """Convert a Hugging Face MarianMT folder for CTranslate2 (once; atomically).

    The conversion is built in a temporary folder and renamed into place, under a lock, so
    a failed or interrupted one leaves nothing behind and two processes converting the
    same model at once do the work once.
    """
    if quantization not in QUANTIZATIONS:
        raise ModelError(f"unknown quantization '{quantization}' (choose from {', '.join(QUANTIZATIONS)})")
    check_model_dir(model_dir)
    target = converted_dir(model_dir, quantization)
    if (target / "model.bin").is_file() and not force:
        return target
    if not available():
        raise ModelError("the ctranslate2 package is not installed (pip install ctranslate2)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"{target.parent}: cannot create the conversion folder ({exc.strerror})") from None
    with _conversion_lock(target):
        if (target / "model.bin").is_file() and not force:
            return target  # another process converted it while we waited
        return _convert_locked(model_dir, quantization, target)


@contextlib.contextmanager
def _conversion_lock(target: Path) -> Iterator[None]:
    """An exclusive lock on ``target``'s conversion, shared by all translit processes."""
    import fcntl

    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _convert_locked(model_dir: Path, quantization: str, target: Path) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        import warnings

        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        converter = _Float32Converter(str(model_dir), low_cpu_mem_usage=True)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            converter.convert(str(staging / "model"), quantization=quantization, force=True)
        for name in _TOKENIZER_FILES:
            if (model_dir / name).is_file():
                shutil.copy(model_dir / name, staging / "model" / name)
        shutil.copy(model_dir / "config.json", staging / "model" / "hf_config.json")
        (staging / "model" / "translit.json").write_text(
            json.dumps({"source": str(model_dir.resolve()), "quantization": quantization}) + "\n"
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging / "model", target)  # atomic: a half-written conversion is never found
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(
            f"{model_dir}: conversion to CTranslate2 failed ({type(exc).__name__}: {exc})"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _float32_converter_class() -> type:
    """CTranslate2's converter, loading the model in float32 whatever its checkpoint's dtype.

    The converter loads a model in the dtype its config names; for a float16 checkpoint the
    sinusoidal position encodings would then be computed in float16 and stored so, and
    CTranslate2's outputs would drift from transformers' (which computes them in float32).
    Weights are upcast exactly; quantisation happens afterwards, as asked.
    """
    import ctranslate2.converters
    import torch

    class Float32Converter(ctranslate2.converters.TransformersConverter):
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            kwargs["dtype"] = torch.float32
            return super().load_model(model_class, model_name_or_path, **kwargs)

    return Float32Converter


def _Float32Converter(*args: Any, **kwargs: Any) -> Any:
    return _float32_converter_class()(*args, **kwargs)


class MarianPieces:
    """MarianTokenizer's work without transformers: sentencepiece pieces mapped by vocab.json."""

    def __init__(self, directory: Path) -> None:
        import sentencepiece as spm

        self.source = spm.SentencePieceProcessor(model_file=str(directory / "source.spm"))
        self.target = spm.SentencePieceProcessor(model_file=str(directory / "target.spm"))
        vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        self.vocab: set[str] = set(vocab)
        self.specials = {"</s>", "<unk>", "<pad>"}

    def encode(self, text: str) -> list[str]:
        """Source pieces of ``text`` (unknown pieces become ``<unk>``), without ``</s>``."""
        return [p if p in self.vocab else "<unk>" for p in self.source.encode(text, out_type=str)]

    def decode(self, pieces: Sequence[str]) -> str:
        """Text of target pieces, special tokens dropped."""
        return str(self.target.decode_pieces([p for p in pieces if p not in self.specials])).strip()


_LOAD_LOCK = threading.Lock()
_LOADED: dict[tuple[str, str, str, int, str, str, float | None], CTranslate2Engine] = {}


def load_ct2(
    converted: Path,
    model_id: str,
    *,
    compute_type: str = "default",
    threads: int | None = None,
    device: str = "auto",
    normalization: str = "none",
    flag_below: float | None = None,
) -> CTranslate2Engine:
    """Load a converted model once per process.

    ``threads`` defaults to all usable cores, whatever the model's width: on CPU each is a
    single-threaded worker (see :class:`CTranslate2Engine`), so the small-model rule of
    :func:`~translit.engines.base.model_threads`, which is about threads inside one matrix
    product, does not apply.
    """
    threads = threads or default_threads()
    key = (str(converted), model_id, compute_type, threads, device, normalization, flag_below)
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = CTranslate2Engine(
                converted,
                model_id,
                compute_type=compute_type,
                threads=threads,
                device=device,
                normalization=normalization,
                flag_below=flag_below,
            )
        return _LOADED[key]


class CTranslate2Engine:
    """MarianMT through CTranslate2 (a converted folder from :func:`convert`)."""

    name = "ctranslate2"

    def __init__(
        self,
        converted: Path,
        model_id: str,
        *,
        compute_type: str = "default",
        threads: int = 1,
        device: str = "auto",
        normalization: str = "none",
        flag_below: float | None = None,
    ) -> None:
        started = time.perf_counter()
        self.normalization = normalization
        self.flag_below = flag_below
        try:
            import ctranslate2
        except ImportError:
            raise ModelError("the ctranslate2 package is not installed (pip install ctranslate2)") from None
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        # On CPU, one single-threaded worker per thread, sharing the weights: sentence batches
        # are small, and 2 workers x 1 thread translated the sample article about twice as fast
        # as 1 worker x 2 threads (bench/engines.py), whose OpenMP threads mostly wait on each
        # other at these matrix sizes. A GPU runs one worker.
        self.workers = max(1, threads) if device == "cpu" else 1
        try:
            self.translator: Any = ctranslate2.Translator(
                str(converted),
                device=device,
                compute_type=compute_type,
                intra_threads=1 if device == "cpu" else threads,
                inter_threads=self.workers,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"{converted}: cannot load the CTranslate2 model ({exc})") from None
        self.model_id = model_id
        self.directory = converted
        recorded = read_json_object(converted / "translit.json").get("source")
        # The Hugging Face folder this was converted from (for resume markers).
        self.source_directory = Path(recorded) if isinstance(recorded, str) else converted
        self.device = device
        self.cache_key = f"ctranslate2|{fingerprint(converted)}|{compute_type}|{device}"
        self.pieces = MarianPieces(converted)
        hf_config = read_json_object(converted / "hf_config.json", required=True)
        tok_config = read_json_object(converted / "tokenizer_config.json")
        self.generation = read_json_object(converted / "generation_config.json")
        self.limit = position_limit(
            tok_config.get("model_max_length", 512), hf_config.get("max_position_embeddings")
        )
        self.max_input_tokens = input_budget(self.limit)
        self.load_seconds = time.perf_counter() - started

    def count_tokens(self, text: str) -> int:
        """Source tokens of ``text``, without ``</s>``."""
        return len(self.pieces.encode(text))

    def translate_batch(self, texts: Sequence[str], options: DecodeOptions) -> list[EngineOutput]:
        """Translate ``texts`` in order; CTranslate2 sorts by length inside its own batches."""
        if not texts:
            return []
        max_length = decode_limit(options, self.generation.get("max_length"), self.limit)
        beams = options.beams or int(self.generation.get("num_beams") or 1)
        sources = [[*self.pieces.encode(t), "</s>"] for t in texts]
        lengths = [len(s) for s in sources]
        batch_size, max_batch_tokens = spread_batches(lengths, options, self.workers)
        if options.force_ratio is not None:
            # Benchmarks: batch like the transformers engine so both do identical work, and
            # submit every batch at once so that the workers run them in parallel.
            results: list[Any] = [None] * len(sources)
            pending = []
            for indices in plan_batches(lengths, batch_size, max_batch_tokens):
                forced = forced_length(options.force_ratio, [lengths[i] for i in indices])
                batch = self.translator.translate_batch(
                    [sources[i] for i in indices],
                    beam_size=beams,
                    max_decoding_length=forced,
                    min_decoding_length=forced,
                    return_end_token=True,
                    return_scores=True,
                    asynchronous=True,
                )
                pending.append((indices, batch))
            for indices, batch in pending:
                for i, result in zip(indices, batch, strict=True):
                    results[i] = result.result()
        else:
            guard: dict[str, Any] = {}
            if options.no_repeat_ngram_size:
                guard["no_repeat_ngram_size"] = options.no_repeat_ngram_size
            if options.repetition_penalty:
                guard["repetition_penalty"] = options.repetition_penalty
            results = self.translator.translate_batch(
                sources,
                **guard,
                beam_size=beams,
                # transformers' max_length counts the decoder start and </s>; CTranslate2's
                # limit counts generated tokens including </s>.
                max_decoding_length=max_length - 1,
                # CTranslate2 sorts by length, cuts batches of this size and hands them to
                # its workers in parallel.
                max_batch_size=max_batch_tokens or batch_size,
                batch_type="tokens" if max_batch_tokens else "examples",
                # With the end token returned, a natural ending is told apart from the limit.
                return_end_token=True,
                # The mean log-probability per token, </s> included (CTranslate2 divides the
                # cumulated log-probability by the length).
                return_scores=True,
            )
        outputs = []
        for result in results:
            hypothesis = result.hypotheses[0]
            ended = bool(hypothesis) and hypothesis[-1] == "</s>"
            tokens = hypothesis[:-1] if ended else hypothesis
            hit = not ended and options.force_ratio is None
            score = float(result.scores[0]) if result.scores else None
            outputs.append(EngineOutput(self.pieces.decode(tokens), len(tokens), hit, score))
        return outputs
