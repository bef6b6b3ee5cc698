"""Converting a MarianMT folder for CTranslate2 — and checking that it still translates alike.

CTranslate2's Marian conversion starts decoding from a zero vector
(``start_from_zero_embedding``), where transformers starts from the embedding of
``decoder_start_token_id`` (``<pad>``). In opus-mt's own export that row is zero, so the two
agree; a Marian trained or fine-tuned in transformers without keeping it at zero does not,
and its conversion silently loses the first words of every sentence. So every conversion is
**checked** before it is used: a dozen probe sentences are translated greedily by the
original (transformers) and by the conversion, and the first words and the outputs (chrF)
must agree (:data:`MIN_FIRST_WORDS`, :data:`MIN_CHRF`). When they do not, the model is
converted again keeping its start token and that token's embedding (the ``<pad>`` row
stays in the vocabulary, and is never generated) and checked again. A conversion that still
disagrees is refused, with the reason recorded beside the cache so the check runs once;
``--engine auto`` then uses transformers, with one warning naming the reason.

The verdict is kept in the conversion's ``translit.json``; conversions made before the
check existed are made again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from translit.atomic import locked
from translit.config import cache_root
from translit.engines.folders import check_model_dir, quiet_transformers, read_json_object, weights_problem
from translit.engines.protocol import DecodeOptions
from translit.errors import NOTE, ModelError
from translit.registry import fingerprint

log = logging.getLogger("translit")

QUANTIZATIONS = ("int8", "int16", "float32", "int8_float32")
# Bumped when conversions change; older ones are made again.
CONVERSION_VERSION = 2
# Files copied next to the converted weights so the engine needs nothing else.
_TOKENIZER_FILES = (
    "source.spm",
    "target.spm",
    "vocab.json",
    "tokenizer_config.json",
    "generation_config.json",
)
# The probes: captions and news, short and plain, so that any de→en model translates them.
PROBES = (
    "Ein Mann fährt mit dem Fahrrad über eine Straße.",
    "Zwei Kinder spielen im Sand am Strand.",
    "Eine Frau in einem roten Kleid singt auf einer Bühne.",
    "Ein Hund rennt über eine grüne Wiese.",
    "Der Bundestag hat am Donnerstag über den Haushalt beraten.",
    "Die Regierung will die Steuern senken.",
    "Ein Junge springt in einen See.",
    "Mehrere Männer arbeiten an einem Haus.",
    "Die Polizei hat zwei Verdächtige festgenommen.",
    "Eine Gruppe von Menschen steht vor einem Gebäude.",
    "Das Wetter war am Wochenende schön.",
    "Ein kleines Mädchen isst ein Eis.",
)
# A conversion agrees with its original when at least this share of probes start with the
# same word and their outputs score at least this chrF against the original's on average.
# Measured (greedy, int8): the copy model 1.00 / 100, mt-de-en-small 1.00 / 90.5 (int8
# rounding changes later words only), a model whose start row is not zero 0.00 / 44.
MIN_FIRST_WORDS = 0.75
MIN_CHRF = 75.0


def converted_dir(model_dir: Path, quantization: str) -> Path:
    """Where the CTranslate2 conversion of ``model_dir`` at ``quantization`` lives."""
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_dir.resolve().name)
    return cache_root() / "ctranslate2" / f"{slug}-{fingerprint(model_dir)}-{quantization}"


def _rejection(target: Path) -> Path:
    return target.parent / f".{target.name}.rejected.json"


def _current(candidate: Path) -> bool:
    if not (candidate / "model.bin").is_file():
        return False
    try:
        recorded = read_json_object(candidate / "translit.json")
    except ModelError:
        return False
    return recorded.get("version") == CONVERSION_VERSION and bool(recorded.get("check", {}).get("agrees"))


def find_converted(model_dir: Path, preferred: str = "int8") -> Path | None:
    """An existing, checked conversion of ``model_dir``, preferring ``preferred`` quantisation.

    Raises :class:`ModelError` when the conversion of ``preferred`` was refused by its check
    (recorded, so that it is not made again on every run).
    """
    refused = _rejection(converted_dir(model_dir, preferred))
    if refused.is_file():
        reason = read_json_object(refused).get("reason", "it translates differently from the model")
        raise ModelError(f"{model_dir}: the CTranslate2 conversion was refused: {reason}")
    for quantization in (preferred, *QUANTIZATIONS):
        candidate = converted_dir(model_dir, quantization)
        if _current(candidate):
            return candidate
    return None


@dataclass(frozen=True)
class ConversionCheck:
    """How a conversion translated the probes next to its original."""

    first_words: float
    chrf: float
    score_difference: float
    start_row_norm: float
    start: str  # "zero" (CTranslate2's usual Marian start) or "token" (the start token kept)

    @property
    def agrees(self) -> bool:
        """Does the conversion translate like the original?"""
        return self.first_words >= MIN_FIRST_WORDS and self.chrf >= MIN_CHRF

    def describe(self) -> str:
        """For messages: what the probes showed."""
        return (
            f"{self.first_words:.0%} of probe sentences start with the original's first word, "
            f"chrF {self.chrf:.1f} against the original's output (needed: {MIN_FIRST_WORDS:.0%}, "
            f"{MIN_CHRF:g}); decoder-start embedding norm {self.start_row_norm:.2f}"
        )


ConvertedEngine = Callable[[Path], Any]
"""Opens a converted folder as an engine (CTranslate2's; given by :mod:`translit.engines.ct2`,
so that this module never imports the engine that imports it)."""


def available() -> bool:
    """Whether the ctranslate2 package can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


def check_conversion(
    model_dir: Path, converted: Path, start: str, opened: ConvertedEngine
) -> ConversionCheck:
    """Translate the probes with the original and the conversion, greedily, and compare."""
    from sacrebleu.metrics.chrf import CHRF

    from translit.engines.marian import MarianEngine

    options = DecodeOptions(beams=1)
    original = MarianEngine(model_dir, "check", threads=1)
    expected = original.translate_batch(list(PROBES), options)
    got = opened(converted).translate_batch(list(PROBES), options)
    chrf = CHRF()
    first = sum(a.text.split()[:1] == b.text.split()[:1] for a, b in zip(expected, got, strict=True))
    similarity = sum(chrf.sentence_score(b.text, [a.text]).score for a, b in zip(expected, got, strict=True))
    difference = sum(abs((a.score or 0.0) - (b.score or 0.0)) for a, b in zip(expected, got, strict=True))
    return ConversionCheck(
        first_words=first / len(PROBES),
        chrf=similarity / len(PROBES),
        score_difference=difference / len(PROBES),
        start_row_norm=original.start_row_norm(),
        start=start,
    )


def convert(
    model_dir: Path, opened: ConvertedEngine, quantization: str = "int8", force: bool = False
) -> Path:
    """Convert a Hugging Face MarianMT folder for CTranslate2 (once; atomically; checked).

    The conversion is built in a temporary folder, checked (see the module docstring) and
    renamed into place, under a lock, so a failed or interrupted one leaves nothing behind
    and two processes converting the same model at once do the work once.
    """
    if quantization not in QUANTIZATIONS:
        raise ModelError(f"unknown quantization '{quantization}' (choose from {', '.join(QUANTIZATIONS)})")
    check_model_dir(model_dir)
    target = converted_dir(model_dir, quantization)
    if _current(target) and not force:
        return target
    if not available():
        raise ModelError("the ctranslate2 package is not installed (pip install ctranslate2)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"{target.parent}: cannot create the conversion folder ({exc.strerror})") from None
    with locked(target):
        if _current(target) and not force:
            return target  # another process converted it while we waited
        _rejection(target).unlink(missing_ok=True)
        return _convert_locked(model_dir, quantization, target, opened)


def _build(model_dir: Path, quantization: str, out: Path, keep_start: bool) -> None:
    import warnings

    quiet_transformers()
    converter = _converter_class()(str(model_dir), low_cpu_mem_usage=True, keep_start=keep_start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        converter.convert(str(out), quantization=quantization, force=True)
    for name in _TOKENIZER_FILES:
        if (model_dir / name).is_file():
            shutil.copy(model_dir / name, out / name)
    shutil.copy(model_dir / "config.json", out / "hf_config.json")


def _convert_locked(model_dir: Path, quantization: str, target: Path, opened: ConvertedEngine) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        verdicts = []
        for keep_start in (False, True):
            out = staging / ("token" if keep_start else "zero")
            _build(model_dir, quantization, out, keep_start)
            verdict = check_conversion(model_dir, out, "token" if keep_start else "zero", opened)
            verdicts.append(verdict)
            if verdict.agrees:
                break
        else:
            reason = (
                f"it translates differently from the model ({verdicts[0].describe()}; "
                f"keeping the start token: {verdicts[1].first_words:.0%}, chrF {verdicts[1].chrf:.1f})"
            )
            _rejection(target).write_text(
                json.dumps({"reason": reason, "checks": [asdict(v) for v in verdicts]}) + "\n"
            )
            raise ModelError(f"{model_dir}: the CTranslate2 conversion was refused: {reason}")
        if verdict.start == "token":
            # Said once, when the conversion is made: it is handled, and nothing is asked of
            # the user; the probes' figures are for --debug.
            log.log(
                NOTE,
                "%s: converted for CTranslate2 keeping its start token, the way this model was "
                "trained; it translates like the original (checked on probe sentences) — nothing to do",
                model_dir,
            )
            log.debug("%s: the plain conversion: %s", model_dir, verdicts[0].describe())
        (out / "translit.json").write_text(
            json.dumps(
                {
                    "source": str(model_dir.resolve()),
                    "quantization": quantization,
                    "version": CONVERSION_VERSION,
                    "start": verdict.start,
                    "check": {**asdict(verdict), "agrees": verdict.agrees},
                }
            )
            + "\n"
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(out, target)  # atomic: a half-written conversion is never found
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(
            f"{model_dir}: conversion to CTranslate2 failed ({type(exc).__name__}: {exc})"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _converter_class() -> type:
    """CTranslate2's converter, in float32 whatever the checkpoint's dtype, optionally keeping the start.

    The converter loads a model in the dtype its config names; for a float16 checkpoint the
    sinusoidal position encodings would then be computed in float16 and stored so, and
    CTranslate2's outputs would drift from transformers' (which computes them in float32).
    Weights are upcast exactly; quantisation happens afterwards, as asked. With
    ``keep_start`` the Marian loader keeps ``<pad>`` in the vocabulary and starts decoding
    from its embedding, as transformers does. The alignment heads (for tags put back into
    HTML) are all heads of the last layer, averaged.
    """
    import ctranslate2.converters
    import torch
    from ctranslate2.converters import transformers as converters

    class KeepStartMarianLoader(converters.MarianMTLoader):
        def get_model_spec(self, model: Any) -> Any:
            model.config.normalize_before = False
            model.config.normalize_embedding = False
            return converters.BartLoader.get_model_spec(self, model)

        def set_config(self, config: Any, model: Any, tokenizer: Any) -> None:
            super().set_config(config, model, tokenizer)  # Marian's end and unknown tokens
            config.decoder_start_token = tokenizer.convert_ids_to_tokens(model.config.decoder_start_token_id)

        def set_decoder(self, spec: Any, decoder: Any) -> None:
            converters.BartLoader.set_decoder(self, spec, decoder)

        def get_vocabulary(self, model: Any, tokenizer: Any) -> Any:
            return converters.BartLoader.get_vocabulary(self, model, tokenizer)

    class Converter(ctranslate2.converters.TransformersConverter):
        def __init__(self, *args: Any, keep_start: bool = False, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.keep_start = keep_start

        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            kwargs["dtype"] = torch.float32
            model, info = model_class.from_pretrained(model_name_or_path, output_loading_info=True, **kwargs)
            problem = weights_problem(info)
            if problem:
                raise ModelError(f"{Path(model_name_or_path) / 'model.safetensors'}: {problem}")
            return model

        def _load(self) -> Any:
            original = converters._MODEL_LOADERS.get("MarianConfig")
            if self.keep_start:
                converters._MODEL_LOADERS["MarianConfig"] = KeepStartMarianLoader()
            try:
                spec = super()._load()
            finally:
                converters._MODEL_LOADERS["MarianConfig"] = original
            decoder = getattr(spec, "decoder", None)
            heads = getattr(decoder, "num_heads", None)
            if decoder is not None and hasattr(decoder, "alignment_heads") and heads:
                import numpy as np

                decoder.alignment_heads = np.dtype("int16").type(int(heads))
            return spec

    return Converter
