"""Abstractive summaries with a local sequence-to-sequence model (e.g. DistilBART-CNN).

Loaded offline like the translator (local folder, no remote code). A text longer than
the model's input limit is never cut: it is split at sentence boundaries into pieces
that fit, each piece is summarised (map), and the joined partial summaries are
summarised again (reduce) until one pass fits.
"""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path
from typing import Any

from translit.engines.folders import quiet_transformers, read_json_object
from translit.errors import ModelError
from translit.summarize import Summary, split_english_sentences

MAX_REDUCE_ROUNDS = 8
log = logging.getLogger("translit")


def check_summarizer_dir(directory: Path) -> None:
    """Fail with one clear line when ``directory`` is not a usable seq2seq model folder."""
    config_file = directory / "config.json"
    if not config_file.is_file():
        raise ModelError(f"{directory}: not a model folder (missing config.json)")
    if not any((directory / n).is_file() for n in ("model.safetensors", "pytorch_model.bin")):
        raise ModelError(f"{directory}: missing model.safetensors or pytorch_model.bin")
    # A JSON object or one clear line (a list here would otherwise end in a traceback below).
    config = read_json_object(config_file, required=True)
    if "auto_map" in config:
        raise ModelError(f"{config_file}: asks for remote code (auto_map); translit never runs it")
    if config.get("model_type") == "marian":
        raise ModelError(f"{directory}: a translation model (marian), not a summarization model")
    if not config.get("is_encoder_decoder", config.get("model_type") in ("bart", "pegasus", "t5")):
        raise ModelError(
            f"{config_file}: not an encoder-decoder model (model_type {config.get('model_type')!r})"
        )


def pack_sentences(sentences: list[str], count: Any, budget: int) -> list[str]:
    """Greedily pack sentences into pieces of at most ``budget`` tokens; long ones are cut by words."""
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        parts = [sentence]
        if count(sentence) > budget:
            words = sentence.split()
            parts = []
            buffer: list[str] = []
            for word in words:
                if buffer and count(" ".join([*buffer, word])) > budget:
                    parts.append(" ".join(buffer))
                    buffer = []
                buffer.append(word)
            if buffer:
                parts.append(" ".join(buffer))
        for part in parts:
            candidate = f"{current} {part}".strip()
            if current and count(candidate) > budget:
                pieces.append(current)
                current = part
            else:
                current = candidate
    if current:
        pieces.append(current)
    return pieces


class AbstractiveSummarizer:
    """A Hugging Face encoder-decoder summariser with map-reduce over long inputs."""

    def __init__(self, directory: Path, name: str, device: str | None = None) -> None:
        check_summarizer_dir(directory)
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        quiet_transformers()
        self.name = name
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.tokenizer: Any = AutoTokenizer.from_pretrained(
                    str(directory), local_files_only=True, trust_remote_code=False
                )
                self.model: Any = AutoModelForSeq2SeqLM.from_pretrained(
                    str(directory),
                    local_files_only=True,
                    trust_remote_code=False,
                    use_safetensors=(directory / "model.safetensors").is_file(),
                )
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{directory}: cannot load the summarisation model ({first_line})") from None
        self.model.to(self.device).eval()
        limits = [
            n
            for n in (
                self.tokenizer.model_max_length,
                getattr(self.model.config, "max_position_embeddings", None),
            )
            if n and 0 < n < 1_000_000
        ]
        self.limit = min(limits) if limits else 512
        # Room for the special tokens the tokenizer adds (<s> ... </s>).
        self.budget = max(8, self.limit - self.tokenizer.num_special_tokens_to_add())
        self.generate_calls: list[int] = []  # input lengths, for tests and diagnostics
        self._torch = torch

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` without special tokens."""
        return len(self.tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])

    def _generate(self, texts: list[str], max_length: int | None = None) -> list[str]:
        batch = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=False).to(self.device)
        width = int(batch["input_ids"].shape[1])
        if width > self.limit:
            raise ModelError(
                f"internal: a piece of {width} tokens exceeds the summariser's limit {self.limit}"
            )
        self.generate_calls.append(width)
        configured = int(getattr(self.model.generation_config, "max_length", 142) or 142)
        max_length = min(configured, self.limit, max_length or self.limit)
        with self._torch.inference_mode():
            output = self.model.generate(**batch, max_length=max_length)
        return [t.strip() for t in self.tokenizer.batch_decode(output, skip_special_tokens=True)]

    def summarize(self, text: str, sentences: int | None = 3, words: int | None = None) -> Summary:
        """Summarise ``text``; long inputs go through map-reduce so nothing is cut."""
        current = " ".join(text.split())
        if not current:
            return Summary([], [], self.name)
        summary = None
        for _ in range(MAX_REDUCE_ROUNDS):
            pieces = pack_sentences(split_english_sentences(current), self.count_tokens, self.budget)
            if len(pieces) <= 1:
                summary = self._generate([pieces[0] if pieces else current])[0]
                break
            # Map: one partial summary per piece, each at most half a piece long, so
            # every round at least halves the text.
            current = " ".join(self._generate(pieces, max_length=max(8, self.budget // 2)))
        if summary is None:
            log.warning("summary still longer than the model's input after %d rounds", MAX_REDUCE_ROUNDS)
            summary = current
        chosen = split_english_sentences(summary)
        if sentences is not None:
            chosen = chosen[:sentences]
        if words is not None:
            kept: list[str] = []
            used = 0
            for sentence in chosen:
                if kept and used + len(sentence.split()) > words:
                    break
                kept.append(sentence)
                used += len(sentence.split())
            chosen = kept
        return Summary(chosen, [], self.name)


_LOADED: dict[tuple[str, str], AbstractiveSummarizer] = {}
_LOCK = threading.Lock()


def load_abstractive(directory: Path, name: str) -> AbstractiveSummarizer:
    """Load a summarisation model once per process."""
    with _LOCK:
        key = (str(directory.resolve()), name)
        if key not in _LOADED:
            _LOADED[key] = AbstractiveSummarizer(directory, name)
        return _LOADED[key]
