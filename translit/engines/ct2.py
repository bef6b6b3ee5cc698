"""The CTranslate2 engine: converted MarianMT models, int8 on CPU, no torch at run time.

Conversion (``translit models convert``) needs transformers and torch once; afterwards
translation loads only ``ctranslate2`` and ``sentencepiece``, which is what keeps start-up
fast and memory low. A converted model lives in translit's cache under a name derived from
the source folder's identity and the quantisation, so later runs find it again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from translit.alignment import Alignment
from translit.engines import conversion, shortlist
from translit.engines.batching import (
    POLL_FIRST,
    POLL_GROWTH,
    POLL_MOST,
    PROGRESS_EVERY,
    UNIT_PROGRESS,
    plan_batches,
    spread_batches,
)
from translit.engines.conversion import QUANTIZATIONS, available, converted_dir, find_converted
from translit.engines.folders import default_threads, read_json_object
from translit.engines.forced import forced_length, forced_ratio
from translit.engines.pieces import (
    alignment_from_attention,
    decode_limit,
    input_budget,
    piece_spans,
    position_limit,
    spelled_by_vocabulary,
    suppressed_pieces,
)
from translit.engines.protocol import DecodeInterrupted, DecodeOptions, EngineOutput
from translit.errors import ModelError
from translit.registry import fingerprint

__all__ = [
    "QUANTIZATIONS",
    "CTranslate2Engine",
    "MarianPieces",
    "available",
    "build_shortlist",
    "convert",
    "converted_dir",
    "find_converted",
    "load_ct2",
]

log = logging.getLogger("translit")


def convert(model_dir: Path, quantization: str = "int8", force: bool = False) -> Path:
    """:func:`translit.engines.conversion.convert`, the conversion checked with this engine."""
    return conversion.convert(model_dir, _checking_engine, quantization, force)


def build_shortlist(converted: Path, sentences: Sequence[str], **limits: int) -> shortlist.Shortlist:
    """:func:`translit.engines.shortlist.build_shortlist`, the map built and checked with this engine."""
    record = shortlist.build_shortlist(converted, sentences, _map_engine, **limits)
    forget(converted)  # engines loaded before in this process did not read the new map
    return record


def _map_engine(folder: Path, use_map: bool) -> CTranslate2Engine:
    return CTranslate2Engine(folder, "shortlist", threads=default_threads(), vocabulary_map=use_map)


def _checking_engine(folder: Path) -> CTranslate2Engine:
    return CTranslate2Engine(folder, "check", threads=1)


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
        return self.known(self.source.encode(text, out_type=str))

    def known(self, pieces: Iterable[str]) -> list[str]:
        """``pieces`` with those missing from the vocabulary as ``<unk>``."""
        return [p if p in self.vocab else "<unk>" for p in pieces]

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
    :func:`~translit.engines.folders.model_threads`, which is about threads inside one matrix
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


def forget(converted: Path) -> None:
    """Drop this process's loaded engines of ``converted`` (its shortlist changed), so that the
    next :func:`load_ct2` reads the folder again."""
    with _LOAD_LOCK:
        for key in [k for k in _LOADED if k[0] == str(converted)]:
            del _LOADED[key]


def _wait_reporting(pending: list[Any], hook: Callable[[int, int], None] | None) -> list[Any]:
    """The results of an asynchronous call, ``hook(done, total)`` told as they come in.

    Short sleeps rather than a blocking wait, so that Ctrl-C is taken at once. Only the
    first unfinished result is looked at each time (results finish out of order, so
    counting all of them is left to the progress report, every PROGRESS_EVERY seconds).
    """
    total, first, reported = len(pending), 0, -1
    delay, told = POLL_FIRST, 0.0
    while True:
        while first < total and pending[first].done():
            first += 1
        if hook is not None and (first == total or time.monotonic() - told >= PROGRESS_EVERY):
            done = first + sum(1 for result in pending[first:] if result.done())
            if done != reported:
                hook(done, total)
                reported = done
            told = time.monotonic()
        if first == total:
            return [result.result() for result in pending]
        time.sleep(delay)
        delay = min(POLL_MOST, delay * POLL_GROWTH)


def _finished(pending: list[Any]) -> dict[int, Any]:
    """The results of an asynchronous call that are done (a failed one is left out)."""
    done = {}
    for i, result in enumerate(pending):
        if result.done():
            try:
                done[i] = result.result()
            except Exception:  # on an interrupt, a unit that failed is simply not kept
                continue
    return done


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
        vocabulary_map: bool | None = None,
    ) -> None:
        """``vocabulary_map``: None uses the folder's shortlist when its check passed
        (:mod:`translit.engines.shortlist`); False never; True uses its map unchecked (the check)."""
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
                # No bound on queued batches: an asynchronous call then returns at once
                # (with the default bound it blocks until most of its batches are done),
                # so the caller can count progress and take Ctrl-C (translate_batch).
                max_queued_batches=-1,
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
        self.shortlist = False
        """Whether calls that allow it (``DecodeOptions.shortlist``) decode with the vocabulary map."""
        # Probabilities normalised over the map's pieces are higher than over the whole
        # vocabulary; its check measured by how much on average, and confidences are lowered
        # by that, so that flag thresholds keep their meaning.
        self.score_shift = 0.0
        if vocabulary_map is None:
            record = shortlist.usable_map(converted)
            if record is not None:
                self.shortlist, self.score_shift = True, record.check.confidence_shift
                # A map can change an output (rarely: it passed its check), so its units are its own.
                self.cache_key += f"|vmap:{record.digest[:16]}"
        elif vocabulary_map:
            self.shortlist = (converted / shortlist.MAP_FILE).is_file()
        self.pieces = MarianPieces(converted)
        # A conversion that kept the decoder's start token (<pad>) must never generate it,
        # as transformers does not (its generation_config bans it).
        start = read_json_object(converted / "translit.json").get("start")
        self.banned: list[list[str]] = [["<pad>"]] if start == "token" else []
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

    def represents(self, text: str) -> bool:
        """Can the source vocabulary spell ``text`` (no piece of it becomes ``<unk>``)?"""
        return spelled_by_vocabulary(self.pieces.encode(text), self.pieces.vocab)

    def align(self, pairs: Sequence[tuple[str, str]]) -> list[Alignment]:
        """Which source piece each target piece came from, by the decoder's attention.

        The target is forced as a prefix (``target_prefix``) and CTranslate2 returns the
        attention of its alignment heads for every step (see :func:`convert`).
        """
        found: list[Alignment] = [[] for _ in pairs]
        batch, where, spans = [], [], []
        for index, (source, target) in enumerate(pairs):
            src = piece_spans(self.pieces.source, source)
            tgt = piece_spans(self.pieces.target, target)
            if src and tgt and len(src) + 1 <= self.limit and len(tgt) + 1 <= self.limit:
                batch.append(
                    (
                        [*self.pieces.known(p for p, _, _ in src), "</s>"],
                        self.pieces.known(p for p, _, _ in tgt),
                    )
                )
                where.append(index)
                spans.append((src, tgt))
        if not batch:
            return found
        results = self.translator.translate_batch(
            [source for source, _ in batch],
            target_prefix=[prefix for _, prefix in batch],
            beam_size=1,
            max_decoding_length=max(len(prefix) for _, prefix in batch) + 1,
            return_attention=True,
        )
        for index, result, (src, tgt) in zip(where, results, spans, strict=True):
            attention = result.attention[0] if result.attention else []
            found[index] = alignment_from_attention(attention, src, tgt)
        return found

    def translate_batch(self, texts: Sequence[str], options: DecodeOptions) -> list[EngineOutput]:
        """Translate ``texts`` in order; CTranslate2 sorts by length inside its own batches."""
        if not texts:
            return []
        max_length = decode_limit(options, self.generation.get("max_length"), self.limit)
        beams = options.beams or int(self.generation.get("num_beams") or 1)
        sources = [[*self.pieces.encode(t), "</s>"] for t in texts]
        lengths = [len(s) for s in sources]
        batch_size, max_batch_tokens = spread_batches(lengths, options, self.workers)
        banned = self._banned(options)
        use_map = self._vmap(options, banned)
        ratio = forced_ratio(options)
        if ratio is not None:
            # Benchmarks: batch like the transformers engine so both do identical work, and
            # submit every batch at once so that the workers run them in parallel.
            results: list[Any] = [None] * len(sources)
            pending = []
            for indices in plan_batches(lengths, batch_size, max_batch_tokens):
                forced = forced_length(ratio, [lengths[i] for i in indices])
                batch = self.translator.translate_batch(
                    [sources[i] for i in indices],
                    beam_size=beams,
                    max_decoding_length=forced,
                    min_decoding_length=forced,
                    return_end_token=True,
                    return_scores=True,
                    asynchronous=True,
                    use_vmap=use_map,
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
            if options.hypotheses > 1:
                guard["num_hypotheses"] = options.hypotheses
                beams = max(beams, options.hypotheses)
            if banned:
                guard["suppress_sequences"] = banned
            hook = UNIT_PROGRESS.get()
            # In the main thread (or with a progress hook) asynchronously, then waited for
            # here: the same batches, with this thread free to count finished units and to
            # take Ctrl-C at once, where a blocking call holds it until the whole call is
            # done. Elsewhere (the HTTP service's engine thread) the plain blocking call.
            watch = hook is not None or threading.current_thread() is threading.main_thread()
            results = self.translator.translate_batch(
                sources,
                asynchronous=watch,
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
                use_vmap=use_map,
            )
            if watch:
                try:
                    results = _wait_reporting(results, hook)
                except KeyboardInterrupt:
                    done = _finished(results)
                    outputs = self._outputs(list(done.values()), options, use_map)
                    raise DecodeInterrupted(dict(zip(done, outputs, strict=True))) from None
        return self._outputs(results, options, use_map)

    def translate_with_prefix(
        self, texts: Sequence[str], prefixes: Sequence[str], options: DecodeOptions
    ) -> list[EngineOutput]:
        """Translate each text with its output forced to begin with its prefix (``target_prefix``)."""
        if not texts:
            return []
        max_length = decode_limit(options, self.generation.get("max_length"), self.limit)
        beams = options.beams or int(self.generation.get("num_beams") or 1)
        extra: dict[str, Any] = {}
        banned = self._banned(options)
        use_map = self._vmap(options, banned)
        if banned:
            extra["suppress_sequences"] = banned
        results = self.translator.translate_batch(
            [[*self.pieces.encode(t), "</s>"] for t in texts],
            target_prefix=[self.pieces.known(self.pieces.target.encode(p, out_type=str)) for p in prefixes],
            beam_size=beams,
            max_decoding_length=max_length - 1,
            return_end_token=True,
            return_scores=True,
            use_vmap=use_map,
            **extra,
        )
        outputs = self._outputs(results, options, use_map)
        # CTranslate2 scores only what it generated after the prefix; the confidence of a unit
        # is its whole output's, as everywhere else.
        targets = [[p for p in r.hypotheses[0] if p != "</s>"] for r in results]
        scored = self.translator.score_batch([[*self.pieces.encode(t), "</s>"] for t in texts], targets)
        return [
            replace(out, score=sum(s.log_probs) / max(1, len(s.log_probs)) if s.log_probs else out.score)
            for out, s in zip(outputs, scored, strict=True)
        ]

    def _vmap(self, options: DecodeOptions, banned: list[list[str]]) -> bool:
        # Never with suppressed sequences: CTranslate2 (4.x) applies their vocabulary ids to the
        # map's narrower scores, which fails, or silently suppresses another piece.
        return self.shortlist and options.shortlist and not banned

    def _banned(self, options: DecodeOptions) -> list[list[str]]:
        """Token sequences the output may not contain: the kept start token, the suppressed words."""
        words = (
            suppressed_pieces(self.pieces.target, self.pieces.vocab, options.suppress)
            if options.suppress
            else []
        )
        return self.banned + words

    def _outputs(self, results: Any, options: DecodeOptions, used_map: bool = False) -> list[EngineOutput]:
        outputs = []
        for result in results:
            hypothesis = result.hypotheses[0]
            ended = bool(hypothesis) and hypothesis[-1] == "</s>"
            tokens = hypothesis[:-1] if ended else hypothesis
            hit = not ended and forced_ratio(options) is None
            score = float(result.scores[0]) if result.scores else None
            if score is not None and used_map:
                score -= self.score_shift
            others = tuple(
                self.pieces.decode(h[:-1] if h and h[-1] == "</s>" else h) for h in result.hypotheses[1:]
            )
            outputs.append(EngineOutput(self.pieces.decode(tokens), len(tokens), hit, score, others))
        return outputs
