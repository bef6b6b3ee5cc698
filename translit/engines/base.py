"""The translation-engine interface, and the helpers both engines share.

An engine turns a batch of source units into target texts, each with its mean token
log-probability. It also tells the segmenter how to count tokens and how many tokens one
unit may have, both read from the loaded model, never assumed.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from translit.errors import ModelError
from translit.options import usable_cores

log = logging.getLogger("translit")

REQUIRED_MARIAN_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
# Padded source tokens per batch. Sentence units are short and vary in length; batches bounded
# by tokens rather than by count keep similar lengths together (bench/engines.py: 768-1024
# was fastest on the sample article, 4,096 no faster on the 118-article batch).
DEFAULT_MAX_BATCH_TOKENS = 1024
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
    hypotheses: int = 1
    """How many hypotheses to return (the best first); the beam is widened to hold them."""
    suppress: tuple[str, ...] = ()
    """Words the output must not contain (as a word of their own or glued to the one before)."""
    shortlist: bool = True
    """Use the model's checked vocabulary shortlist, where its engine has one
    (:mod:`translit.engines.shortlist`)."""


def forced_length(ratio: float, source_lengths: Sequence[int]) -> int:
    """Output length for a forced-length (benchmark) batch."""
    return max(1, math.ceil(ratio * max(source_lengths)))


# Each parallel worker gets at least this many batches of a call, so that a short and a long
# batch even out; and no batch is split below this many source tokens.
BATCHES_PER_WORKER = 2
MIN_SPREAD_BATCH_TOKENS = 32


def spread_batches(lengths: Sequence[int], options: DecodeOptions, workers: int) -> tuple[int, int | None]:
    """``(batch_size, max_batch_tokens)`` for one call on an engine with ``workers`` in parallel.

    The default budget of 1,024 tokens puts a whole article into one or two batches; with
    several workers (CTranslate2's ``inter_threads``) one of them would translate it while the
    others wait. So the budget is cut to share the call's units among all workers, never
    above what ``options`` allows. With one worker nothing changes.
    """
    size, tokens = max(1, options.batch_size), options.max_batch_tokens
    if workers <= 1 or not lengths:
        return size, tokens
    parts = workers * BATCHES_PER_WORKER
    if tokens:
        share = math.ceil(sum(lengths) / parts)
        return size, max(MIN_SPREAD_BATCH_TOKENS, min(tokens, share))
    return max(1, min(size, math.ceil(len(lengths) / parts))), None


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
    """One translated unit.

    ``hit_limit`` is True when generation stopped at the length limit rather than at
    ``</s>``. ``score`` is the mean log-probability of the output's tokens, ``</s>``
    included (the model's confidence: 0 is certain, lower is less sure); None when an
    engine cannot tell.
    """

    text: str
    tokens: int
    hit_limit: bool
    score: float | None = None
    alternatives: tuple[str, ...] = ()
    """The other hypotheses, best first, when more than one was asked for."""


class DecodeInterrupted(KeyboardInterrupt):
    """Ctrl-C during :meth:`TranslationEngine.translate_batch`, with what had finished.

    ``finished`` maps a position in the call's ``texts`` to its output. An engine that can
    tell raises this instead of a bare :class:`KeyboardInterrupt` (it *is* one, so every
    caller that stops on Ctrl-C still does), so that units translated before the interrupt
    can be kept rather than translated again by the next run.
    """

    def __init__(self, finished: dict[int, EngineOutput]) -> None:
        super().__init__()
        self.finished = finished


class TranslationEngine(Protocol):
    """What translit needs from a translation backend.

    What only some engines can do is declared by small protocols of its own (:class:`Aligns`,
    :class:`Spells`) and asked through :func:`aligner_of` and :func:`speller_of`.
    """

    name: str
    """The engine's kind: ``ctranslate2``, ``transformers``."""
    model_id: str
    max_input_tokens: int
    cache_key: str
    """Identity of the model files and engine settings, for the translation cache."""
    normalization: str
    """The input normalisation the model was trained with (see :mod:`translit.normalize`)."""
    flag_below: float | None
    """Units scoring below this are marked for checking (None: translit's default)."""

    def count_tokens(self, text: str) -> int:
        """Number of source tokens of ``text``, without the end-of-sentence token."""
        ...

    def translate_batch(self, texts: Sequence[str], options: DecodeOptions) -> list[EngineOutput]:
        """Translate ``texts`` in order."""
        ...


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


Alignment = list[tuple[int, int, int, int]]
"""Aligned pieces of one (source, target) pair: source start, end, target start, end, in characters."""


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` grown to whole words and trimmed of space and edge punctuation."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def project_span(start: int, end: int, alignment: Alignment, target: str) -> tuple[int, int] | None:
    """Where the source characters ``start:end`` went in ``target``, by the alignment (or None)."""
    hits = [(ts, te) for ss, se, ts, te in alignment if ss < end and se > start and te > ts]
    if not hits:
        return None
    left, right = _word_bounds(target, min(ts for ts, _ in hits), max(te for _, te in hits))
    return (left, right) if right > left else None


def piece_spans(processor: Any, text: str) -> list[tuple[str, int, int]]:
    """The SentencePiece pieces of ``text`` with the characters each covers (space excluded)."""
    proto = processor.encode(text, return_type="proto")
    char_of_byte = {}
    position = 0
    for index, ch in enumerate(text):
        char_of_byte[position] = index
        position += len(ch.encode("utf-8"))
    char_of_byte[position] = len(text)
    spans = []
    for piece in proto.pieces:
        start = char_of_byte.get(piece.begin, 0)
        end = char_of_byte.get(piece.end, len(text))
        while start < end and text[start].isspace():
            start += 1
        spans.append((piece.piece, start, end))
    return spans


def alignment_from_attention(
    attention: Sequence[Sequence[float]],
    source: list[tuple[str, int, int]],
    target: list[tuple[str, int, int]],
) -> Alignment:
    """Each target piece aligned to the source piece it attends to most (``</s>`` left out)."""
    aligned: Alignment = []
    for row, (_piece, t_start, t_end) in zip(attention, target, strict=False):
        weights = list(row[: len(source)])
        if not weights or t_end <= t_start:
            continue
        best = max(range(len(weights)), key=weights.__getitem__)
        _p, s_start, s_end = source[best]
        if s_end > s_start:
            aligned.append((s_start, s_end, t_start, t_end))
    return aligned


def suppressed_pieces(processor: Any, vocab: Any, words: Sequence[str]) -> list[list[str]]:
    """Target piece sequences for ``words``: each word as a word of its own and glued on.

    A sequence with a piece missing from ``vocab`` is left out (it cannot be generated).
    """
    sequences: list[list[str]] = []
    for word in words:
        pieces = [str(p) for p in processor.encode(word.strip(), out_type=str)]
        if not pieces:
            continue
        variants = [pieces]
        if pieces[0].startswith("\u2581") and len(pieces[0]) > 1:
            variants.append([pieces[0][1:], *pieces[1:]])
        for variant in variants:
            if all(piece in vocab for piece in variant) and variant not in sequences:
                sequences.append(variant)
    return sequences


_BYTE_PIECE = re.compile(r"<0x[0-9A-Fa-f]{2}>")


def spelled_by_vocabulary(pieces: Sequence[str], vocab: Any, unknown: str = "<unk>") -> bool:
    """Are ``pieces`` all in ``vocab``, none of them ``unknown`` or a byte-fallback piece?

    A character that sentencepiece can only spell as raw bytes (``<0xC7>``) was too rare
    in training for the model to have learnt it; it fares no better than ``<unk>``.
    """
    return all(p in vocab and p != unknown and not _BYTE_PIECE.fullmatch(p) for p in pieces)


# Who wants to hear how far an engine call has got: ``hook(done, total)`` in units, called
# from the calling thread. Set by a front end for one long job (the CLI's progress bar);
# engines that cannot tell ignore it. A context variable, so that threads and concurrent
# calls (the HTTP service) never see another caller's hook.
UNIT_PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar("unit_progress", default=None)
# How often a waiting engine call looks whether it is done (and lets Ctrl-C in): from
# POLL_FIRST seconds, growing by POLL_GROWTH each time, to at most POLL_MOST, so that a call
# is kept waiting about a tenth of its time at most (a slow growth) and a long one costs
# almost nothing to watch (each look is at one result).
POLL_FIRST = 0.0002
POLL_GROWTH = 1.1
POLL_MOST = 0.02
# How often a progress hook is told, in seconds.
PROGRESS_EVERY = 0.1


@contextmanager
def reporting_progress(hook: Callable[[int, int], None] | None) -> Iterator[None]:
    """Engine calls inside report ``hook(done, total)`` as units finish (``None``: not at all)."""
    token = UNIT_PROGRESS.set(hook)
    try:
        yield
    finally:
        UNIT_PROGRESS.reset(token)


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


# --- what an engine can do ---------------------------------------------------------------------


@runtime_checkable
class Aligns(Protocol):
    """An engine that aligns a source with a translation (source to target characters)."""

    def align(self, pairs: Sequence[tuple[str, str]]) -> list[Alignment]:
        """One alignment per (source, target) pair."""
        ...


@runtime_checkable
class Spells(Protocol):
    """An engine that says whether its vocabulary can spell a text (no ``<unk>``)."""

    def represents(self, text: str) -> bool:
        """Whether ``text`` reaches the model without unknown pieces."""
        ...


def engine_name(engine: object) -> str:
    """An engine's kind (``ctranslate2``, ``transformers``; a double's class name)."""
    name = getattr(engine, "name", None)
    return name if isinstance(name, str) else type(engine).__name__


@runtime_checkable
class Parallel(Protocol):
    """An engine that runs several batches at once (CTranslate2's workers on CPU)."""

    workers: int
    """Batches decoded at the same time."""


def workers_of(engine: object) -> int:
    """How many batches the engine decodes at once (1 for an engine without workers)."""
    return max(1, int(engine.workers)) if isinstance(engine, Parallel) else 1


def aligner_of(engine: object) -> Callable[[Sequence[tuple[str, str]]], list[Alignment]] | None:
    """The engine's word aligner, or None when it has none."""
    return engine.align if isinstance(engine, Aligns) else None


def speller_of(engine: object) -> Callable[[str], bool] | None:
    """The engine's vocabulary check, or None when it has none."""
    return engine.represents if isinstance(engine, Spells) else None


def source_directory_of(engine: object) -> Path | None:
    """The folder an engine's model was loaded from (None for an engine without one)."""
    folder = getattr(engine, "source_directory", None)
    return Path(folder) if folder is not None else None
