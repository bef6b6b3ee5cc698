"""The translation-engine interface and the transformers (MarianMT) implementation.

An engine turns a batch of source chunks into target texts. It also tells the segmenter
how to count tokens and how many tokens one chunk may have, both read from the loaded
model, never assumed.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from translit.errors import ModelError
from translit.registry import fingerprint

log = logging.getLogger("translit")

REQUIRED_MARIAN_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings; ``None`` means the model's own generation_config decides.

    ``max_batch_tokens`` bounds a batch by padded source tokens instead of by count;
    ``force_ratio`` (benchmarks only) makes every output of a batch exactly
    ``ceil(force_ratio × longest source in the batch)`` tokens, so that engines compared
    on random weights do identical work.
    """

    beams: int | None = None
    batch_size: int = 16
    max_length: int | None = None
    max_batch_tokens: int | None = None
    force_ratio: float | None = None
    no_repeat_ngram_size: int | None = None
    repetition_penalty: float | None = None


def forced_length(ratio: float, source_lengths: Sequence[int]) -> int:
    """Output length for a forced-length (benchmark) batch."""
    return max(1, math.ceil(ratio * max(source_lengths)))


def plan_batches(
    lengths: Sequence[int], batch_size: int, max_batch_tokens: int | None = None
) -> list[list[int]]:
    """Group item indices into length-sorted batches (longest first).

    Sorting by length keeps padding small; a batch closes when it holds ``batch_size``
    items or, with ``max_batch_tokens``, when its padded size would exceed that.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        width = lengths[current[0]] if current else lengths[index]
        too_many = len(current) >= max(1, batch_size) and not max_batch_tokens
        too_big = bool(max_batch_tokens) and current and (len(current) + 1) * width > (max_batch_tokens or 0)
        if current and (too_many or too_big):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


@dataclass(frozen=True)
class EngineOutput:
    """One translated chunk; ``hit_limit`` is True when generation stopped at the length limit."""

    text: str
    tokens: int
    hit_limit: bool


class TranslationEngine(Protocol):
    """What translit needs from a translation backend."""

    model_id: str
    max_input_tokens: int
    cache_key: str
    """Identity of the model files and engine settings, for the translation cache."""

    def count_tokens(self, text: str) -> int:
        """Number of source tokens of ``text``, without the end-of-sentence token."""
        ...

    def translate_batch(self, texts: Sequence[str], options: DecodeOptions) -> list[EngineOutput]:
        """Translate ``texts`` in order."""
        ...


def pickle_allowed() -> bool:
    """Whether pickled ``pytorch_model.bin`` weights may be loaded ($TRANSLIT_ALLOW_PICKLE=1)."""
    return os.environ.get("TRANSLIT_ALLOW_PICKLE", "") not in ("", "0", "false", "no")


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
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{directory / 'config.json'}: unreadable ({exc})") from None
    if not isinstance(config, dict):
        raise ModelError(f"{directory / 'config.json'}: not a JSON object")
    if "auto_map" in config:
        raise ModelError(
            f"{directory / 'config.json'}: asks for remote code (auto_map); translit never runs it"
        )
    if config.get("model_type") != "marian":
        raise ModelError(
            f"{directory / 'config.json'}: model_type is {config.get('model_type')!r}, expected 'marian'"
        )
    if not (directory / "model.safetensors").is_file() and not pickle_allowed():
        raise ModelError(
            f"{directory / 'pytorch_model.bin'}: pickled weights are refused; convert them to "
            "model.safetensors, or pass --allow-pickle (loaded weights-only)"
        )


def position_limit(tokenizer_max: int | None, config_max: int | None) -> int:
    """The longest sequence the model accepts: the smaller of the tokenizer's and the config's."""
    limits = [n for n in (tokenizer_max, config_max) if n and 0 < n < 1_000_000]
    if not limits:
        raise ModelError("the model declares no maximum length (model_max_length, max_position_embeddings)")
    return min(limits)


def decode_limit(options: DecodeOptions, configured: int | None, limit: int) -> int:
    """Longest decoder sequence (start token and ``</s>`` included) for one generate call.

    The caller's ``max_length`` wins over the model's generation config; both are capped
    by the decoder's position limit.
    """
    wanted = options.max_length or configured or limit
    return max(2, min(int(wanted), limit))


def input_budget(limit: int) -> int:
    """Source tokens one chunk may have under a position limit.

    One position goes to the end-of-sentence token; one more is kept so that an output as
    long as its input (plus the decoder's start token) still fits the decoder.
    """
    return max(1, limit - 2)


_LOAD_LOCK = threading.Lock()
_LOADED: dict[tuple[str, str, str], MarianEngine] = {}


def load_marian(directory: Path, model_id: str | None = None, device: str | None = None) -> MarianEngine:
    """Load a MarianMT folder once per process (later calls reuse it)."""
    key = (str(directory.resolve()), model_id or str(directory), device or "auto")
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = MarianEngine(directory, model_id or str(directory), device)
        return _LOADED[key]


class MarianEngine:
    """MarianMT through Hugging Face ``transformers``, loaded offline from a local folder."""

    def __init__(self, directory: Path, model_id: str, device: str | None = None) -> None:
        check_model_dir(directory)
        started = time.perf_counter()
        import torch
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.model_id = model_id
        self.directory = directory
        self.tokenizer: Any
        self.model: Any
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        use_safetensors = (directory / "model.safetensors").is_file()
        try:
            with warnings.catch_warnings():
                # MarianTokenizer recommends sacremoses; translit does without it.
                warnings.simplefilter("ignore")
                self.tokenizer = MarianTokenizer.from_pretrained(str(directory), local_files_only=True)
                self.model = MarianMTModel.from_pretrained(
                    str(directory),
                    local_files_only=True,
                    use_safetensors=use_safetensors,
                    trust_remote_code=False,
                )
        except Exception as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            weights = "model.safetensors" if use_safetensors else "pytorch_model.bin"
            raise ModelError(f"{directory / weights}: cannot load the model ({first_line[:200]})") from None
        self.model.to(self.device)
        self.model.eval()
        self.generation_config = self.model.generation_config
        self.limit = position_limit(
            getattr(self.tokenizer, "model_max_length", None),
            getattr(self.model.config, "max_position_embeddings", None),
        )
        self.max_input_tokens = input_budget(self.limit)
        self.cache_key = f"transformers|{fingerprint(directory)}|{self.device}"
        self.load_seconds = time.perf_counter() - started
        self._torch = torch

    def count_tokens(self, text: str) -> int:
        """Source tokens of ``text`` (sentencepiece pieces), without ``</s>``."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(self.tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])

    def translate_batch(self, texts: Sequence[str], options: DecodeOptions) -> list[EngineOutput]:
        """Translate ``texts`` in length-sorted batches and return them in the given order."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        results: list[EngineOutput | None] = [None] * len(texts)
        size = max(1, options.batch_size)
        for start in range(0, len(order), size):
            indices = order[start : start + size]
            for index, output in zip(
                indices, self._generate([texts[i] for i in indices], options), strict=True
            ):
                results[index] = output
        return [r for r in results if r is not None]

    def _generate(self, texts: list[str], options: DecodeOptions) -> list[EngineOutput]:
        torch = self._torch
        max_length = decode_limit(options, getattr(self.generation_config, "max_length", None), self.limit)
        # No forced </s> at the limit: an output that runs into it must stay recognisable.
        kwargs: dict[str, Any] = {"max_length": max_length, "forced_eos_token_id": None}
        if options.beams is not None:
            kwargs["num_beams"] = options.beams
        if options.no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = options.no_repeat_ngram_size
        if options.repetition_penalty:
            kwargs["repetition_penalty"] = options.repetition_penalty
        if options.force_ratio is not None:
            forced = forced_length(options.force_ratio, [self.count_tokens(t) + 1 for t in texts])
            kwargs = {**kwargs, "max_length": None, "min_new_tokens": forced, "max_new_tokens": forced}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            batch = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=False).to(self.device)
            width = batch["input_ids"].shape[1]
            if width > self.limit:
                raise ModelError(
                    f"internal: a chunk of {width} tokens exceeds the model's limit {self.limit}"
                )
            with torch.inference_mode():
                generated = self.model.generate(**batch, **kwargs)
        eos = self.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos])
        outputs = []
        for row in generated.tolist():
            # row[0] is the decoder start token; the content runs to the first </s>.
            end = next((i for i, t in enumerate(row[1:], start=1) if t in eos_ids), None)
            used = len(row) if end is None else end + 1
            text = self.tokenizer.decode(row, skip_special_tokens=True)
            hit = end is None and options.force_ratio is None
            outputs.append(EngineOutput(text=text, tokens=used - 2, hit_limit=hit))
        return outputs
