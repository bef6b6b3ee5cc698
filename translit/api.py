"""translit's library API: translate, summarise and brief German news articles.

Everything the CLI does is available here::

    import translit
    result = translit.translate(open("article.de.txt").read(), model="opus-mt-de-en")
    print(result.text)
    print(translit.brief(german_text).text)
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from translit.cache import TranslationCache, chunk_key
from translit.engine import DecodeOptions, EngineOutput, TranslationEngine, load_marian
from translit.errors import InputError
from translit.registry import Registry, load_registry, resolve_model_dir, verify_checksums
from translit.segment import Article, Chunk, chunk_paragraphs, join_chunks, parse_article, split_sentences
from translit.summarize import ExtractiveSummarizer, Summarizer, Summary

log = logging.getLogger("translit")

# How often a chunk whose output ran into the length limit is split and retried.
MAX_SPLIT_DEPTH = 2


@dataclass
class Translation:
    """The translation of one article, paragraph for paragraph."""

    model: str
    source_paragraphs: list[str]
    chunks: list[Chunk]
    chunk_translations: list[str]
    paragraphs: list[str]
    removed_boilerplate: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    guarded_chunks: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The translation, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of everything in the result."""
        return {
            "model": self.model,
            "source_paragraphs": self.source_paragraphs,
            "chunks": [asdict(c) for c in self.chunks],
            "chunk_translations": self.chunk_translations,
            "translations": self.paragraphs,
            "removed_boilerplate": self.removed_boilerplate,
            "degenerate_chunks": self.guarded_chunks,
            "timings": self.timings,
        }


@dataclass
class Brief:
    """A short English brief of a German article, with the translation it came from."""

    headline: str | None
    summary: Summary
    translation: Translation

    @property
    def text(self) -> str:
        """The brief as one paragraph."""
        return self.summary.text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: the translation's fields plus headline and brief."""
        data = self.translation.to_dict()
        data["headline"] = self.headline
        data["brief"] = self.summary.sentences
        data["brief_method"] = self.summary.method
        return data


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
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    registry = registry or load_registry()
    model_id, directory = resolve_model_dir(model, registry, "translation")
    spec = registry.models.get(model_id)
    if spec is not None:
        verify_checksums(spec, directory)
    if engine in ("auto", "ctranslate2"):
        from translit import ct2

        converted = ct2.find_converted(directory, quantization)
        if converted is None and engine == "ctranslate2":
            log.warning("converting %s for CTranslate2 (%s); this happens once", model_id, quantization)
            converted = ct2.convert(directory, quantization)
        if converted is not None and (engine == "ctranslate2" or ct2.available()):
            return ct2.load_ct2(converted, model_id, threads=threads)
    if threads:
        import torch

        torch.set_num_threads(threads)
    return load_marian(directory, model_id)


# Decoding settings for a retry of a chunk whose output looped.
GUARD_NGRAM = 3
GUARD_PENALTY = 1.3


def is_degenerate(source: str, output: str) -> bool:
    """Does ``output`` look like a decoding loop ("poor, poor, poor, …") rather than a translation?

    Flags an output far longer than its source (in words or characters), a short unit
    repeated eight times in a row, a word or phrase repeated four times in a row (more
    than the source itself does), or a phrase of three or more words recurring much more
    often than in the source.
    """
    out_words = re.findall(r"\w+", output.lower())
    src_words = re.findall(r"\w+", source.lower())
    if len(out_words) > 3 * len(src_words) + 10 or len(output) > 3 * len(source) + 30:
        return True
    # Loops inside a "word" ("tivtivtiv…", "____…"): a short unit eight times in a row.
    looping = _SHORT_LOOP.search(output)
    if looping and looping.group(0) not in source:
        return True
    for n in (1, 2, 3, 4):
        # A source that itself repeats ("sehr, sehr, sehr") may be translated that way.
        if _longest_run(out_words, n) >= max(4, _longest_run(src_words, n) + 2):
            return True
    for n in (3, 4):
        counts = Counter(tuple(out_words[i : i + n]) for i in range(len(out_words) - n + 1))
        gram, count = counts.most_common(1)[0] if counts else ((), 0)
        if count >= 4 and count > 2 * _count_in(src_words, gram) + 1:
            return True
    return False


_SHORT_LOOP = re.compile(r"(.{1,12}?)\1{7,}", re.DOTALL)


def _count_in(words: list[str], gram: tuple[str, ...]) -> int:
    n = len(gram)
    return sum(1 for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == gram)


def _longest_run(words: list[str], n: int) -> int:
    """Most consecutive repetitions of any n-gram (1 when nothing repeats)."""
    best = 1 if words else 0
    for offset in range(n):
        run = 1
        for i in range(offset + n, len(words) - n + 1, n):
            run = run + 1 if words[i : i + n] == words[i - n : i] else 1
            best = max(best, run)
    return best


@dataclass
class _ChunkRun:
    texts: list[str]
    unresolved: int
    guarded: list[int]  # chunks re-decoded because their output looped or ran to the limit


def _translate_chunks(
    engine: TranslationEngine, texts: list[str], options: DecodeOptions, depth: int = 0
) -> _ChunkRun:
    """Translate chunks, guarding against loops and cut-off outputs.

    A chunk whose output looks degenerate (see :func:`is_degenerate`) is decoded again with
    ``no_repeat_ngram_size`` and a repetition penalty. A chunk whose output (still) reached
    the length limit is halved at a sentence or word boundary and each half translated on
    its own, since a cut-off output would silently lose the end of the chunk.
    """
    outputs: list[EngineOutput] = engine.translate_batch(texts, options)
    guarded: list[int] = []
    if options.force_ratio is None and options.no_repeat_ngram_size is None:
        suspects = [i for i, o in enumerate(outputs) if is_degenerate(texts[i], o.text)]
        if suspects:
            safer = replace(options, no_repeat_ngram_size=GUARD_NGRAM, repetition_penalty=GUARD_PENALTY)
            for i, output in zip(
                suspects, engine.translate_batch([texts[i] for i in suspects], safer), strict=True
            ):
                outputs[i] = output
            guarded = suspects
    results = [o.text for o in outputs]
    retry = [i for i, o in enumerate(outputs) if o.hit_limit]
    halves = {i: _halve(texts[i]) for i in retry}
    splittable = [i for i in retry if len(halves[i]) == 2] if depth < MAX_SPLIT_DEPTH else []
    unresolved = len(retry) - len(splittable)
    if splittable:
        flat = [half for i in splittable for half in halves[i]]
        redone = _translate_chunks(engine, flat, options, depth + 1)
        unresolved += redone.unresolved
        for n, i in enumerate(splittable):
            results[i] = redone.texts[2 * n].strip() + " " + redone.texts[2 * n + 1].strip()
    return _ChunkRun(results, unresolved, guarded)


def _cached_translate(
    engine: TranslationEngine, texts: list[str], options: DecodeOptions, cache: TranslationCache | None
) -> _ChunkRun:
    """:func:`_translate_chunks` behind the persistent cache (when one is given)."""
    if cache is None:
        return _translate_chunks(engine, texts, options)
    options_key = f"beams={options.beams}|max_length={options.max_length}|force={options.force_ratio}"
    keys = [chunk_key(engine.cache_key, options_key, t) for t in texts]
    found = cache.get_many(keys)
    missing = [i for i, key in enumerate(keys) if key not in found]
    # The same chunk twice in one run (a repeated paragraph) is translated once.
    unique = list(dict.fromkeys(texts[i] for i in missing))
    run = _translate_chunks(engine, unique, options) if unique else _ChunkRun([], 0, [])
    new = dict(zip(unique, run.texts, strict=True))
    cache.put_many({keys[i]: new[texts[i]] for i in missing})
    cache.stats.hits += len(texts) - len(missing)
    cache.stats.misses += len(missing)
    merged = [found[key] if key in found else new[text] for key, text in zip(keys, texts, strict=True)]
    guarded_texts = {unique[i] for i in run.guarded}
    return _ChunkRun(merged, run.unresolved, [i for i, t in enumerate(texts) if t in guarded_texts])


def _halve(text: str) -> list[str]:
    """Split a text in two near its middle, preferring a sentence boundary."""
    sentences = split_sentences(text)
    if len(sentences) > 1:
        middle = len(sentences) // 2
        return [" ".join(sentences[:middle]), " ".join(sentences[middle:])]
    words = text.split()
    if len(words) > 1:
        middle = len(words) // 2
        return [" ".join(words[:middle]), " ".join(words[middle:])]
    return [text]


def _segment(
    text: str, engine: TranslationEngine, max_chunk_tokens: int | None
) -> tuple[Article, list[Chunk]]:
    article = parse_article(text)
    budget = engine.max_input_tokens
    if max_chunk_tokens is not None:
        budget = max(1, min(budget, max_chunk_tokens))
    return article, chunk_paragraphs(article.paragraphs, engine.count_tokens, budget)


def translate_many(
    texts: Sequence[str],
    model: str | Path | None = None,
    *,
    beams: int | None = None,
    batch_size: int = 16,
    max_batch_tokens: int | None = None,
    max_chunk_tokens: int | None = None,
    engine: TranslationEngine | None = None,
    registry: Registry | None = None,
    options: DecodeOptions | None = None,
    cache: TranslationCache | None = None,
) -> list[Translation]:
    """Translate several German articles, sharing length-sorted batches across all of them.

    Chunks of every article are pooled, so short and long articles fill batches together;
    results come back per article, in the given order. ``max_batch_tokens`` bounds each
    batch by padded source tokens. ``options`` (advanced) replaces the decoding options
    built from the other arguments. With a ``cache``, chunks translated before (same
    model files, engine and options) are served from it and new ones are stored.
    """
    started = time.perf_counter()
    articles = [parse_article(t) for t in texts]
    if not any(a.paragraphs for a in articles):
        model_id = engine.model_id if engine else str(model or "")
        return [Translation(model_id, [], [], [], [], a.removed, {"total": 0.0}) for a in articles]
    load_start = time.perf_counter()
    engine = engine or get_engine(model, registry=registry)
    load_seconds = time.perf_counter() - load_start
    segment_start = time.perf_counter()
    segmented = [_segment(t, engine, max_chunk_tokens) for t in texts]
    segment_seconds = time.perf_counter() - segment_start
    pooled = [c.text for _, chunks in segmented for c in chunks]
    translate_start = time.perf_counter()
    options = options or DecodeOptions(beams=beams, batch_size=batch_size, max_batch_tokens=max_batch_tokens)
    run = _cached_translate(engine, pooled, options, cache)
    translated, unresolved = run.texts, run.unresolved
    guarded = set(run.guarded)
    translate_seconds = time.perf_counter() - translate_start
    if unresolved:
        log.warning(
            "%d chunk(s) still reached the model's length limit after splitting; "
            "their output may be incomplete or repetitive",
            unresolved,
        )
    results = []
    offset = 0
    share = 1 / max(1, len(texts))
    for article, chunks in segmented:
        chunk_texts = translated[offset : offset + len(chunks)]
        flagged = [i - offset for i in range(offset, offset + len(chunks)) if i in guarded]
        offset += len(chunks)
        timings = {
            "load": load_seconds * share,
            "segment": segment_seconds * share,
            "translate": translate_seconds * share,
            "total": (time.perf_counter() - started) * share,
        }
        results.append(
            Translation(
                model=engine.model_id,
                source_paragraphs=article.paragraphs,
                chunks=chunks,
                chunk_translations=chunk_texts,
                paragraphs=join_chunks(chunks, chunk_texts, len(article.paragraphs)),
                removed_boilerplate=article.removed,
                timings={k: round(v, 4) for k, v in timings.items()},
                guarded_chunks=flagged,
            )
        )
    if guarded:
        log.warning(
            "%d chunk(s) looked degenerate (repetition or overlong) and were decoded again", len(guarded)
        )
    return results


def translate(
    text: str,
    model: str | Path | None = None,
    *,
    beams: int | None = None,
    batch_size: int = 16,
    max_chunk_tokens: int | None = None,
    engine: TranslationEngine | None = None,
    registry: Registry | None = None,
) -> Translation:
    """Translate a German article into English, one output paragraph per input paragraph.

    ``model`` is a name from models.toml or a MarianMT folder; ``engine`` may be passed
    instead (a loaded :class:`~translit.engine.TranslationEngine`, see :func:`get_engine`).
    ``max_chunk_tokens`` lowers (never raises) the model's own per-chunk budget.
    """
    return translate_many(
        [text],
        model,
        beams=beams,
        batch_size=batch_size,
        max_chunk_tokens=max_chunk_tokens,
        engine=engine,
        registry=registry,
    )[0]


def check_language(text: str, name: str, *, strict: bool = False) -> None:
    """Warn (or, with ``strict``, refuse) when ``text`` is clearly not German."""
    from translit.language import guess_language

    guess = guess_language(text)
    if guess.clearly_not_german:
        message = f"{name}: looks like '{guess.language}', not German"
        if strict:
            raise InputError(message + " (refused by --strict-lang)")
        log.warning("%s; translating anyway", message)


def get_summarizer(name: str | Path | None = None, *, registry: Registry | None = None) -> Summarizer:
    """The summariser ``name``: ``None``/``"extractive"`` (built in), a models.toml name, or a folder.

    Abstractive models are loaded offline, once per process.
    """
    if name in (None, "extractive"):
        return ExtractiveSummarizer()
    registry = registry or load_registry()
    spec = registry.models.get(str(name))
    if spec is not None and spec.builtin:
        return ExtractiveSummarizer()
    model_id, directory = resolve_model_dir(name, registry, "summarization")
    from translit.abstractive import load_abstractive

    return load_abstractive(directory, model_id)


def summarize(
    text: str, sentences: int | None = 3, *, words: int | None = None, summarizer: Summarizer | None = None
) -> Summary:
    """Summarise English text in at most ``sentences`` sentences and ``words`` words.

    The default summariser chooses sentences of the text and keeps them in order.
    """
    return (summarizer or get_summarizer()).summarize(text, sentences, words=words)


def looks_like_headline(paragraph: str) -> bool:
    """A short first paragraph without final punctuation reads as a headline."""
    stripped = paragraph.strip()
    return 0 < len(stripped.split()) <= 20 and not stripped.endswith((".", "!", "?", ":", "…", "“", '"'))


def brief(
    text: str,
    model: str | Path | None = None,
    *,
    sentences: int = 3,
    beams: int | None = None,
    batch_size: int = 16,
    engine: TranslationEngine | None = None,
    summarizer: Summarizer | None = None,
    registry: Registry | None = None,
) -> Brief:
    """Translate a German article and condense the English into a brief of ``sentences`` sentences."""
    translation = translate(text, model, beams=beams, batch_size=batch_size, engine=engine, registry=registry)
    return brief_from_translation(translation, sentences, summarizer=summarizer)


def brief_from_translation(
    translation: Translation,
    sentences: int | None = 3,
    *,
    words: int | None = None,
    summarizer: Summarizer | None = None,
) -> Brief:
    """Condense an existing translation into a brief (the headline is left out of the choice)."""
    body = translation.paragraphs
    headline = None
    # Judge the headline on the German side: the source's shape does not depend on the model.
    if len(body) > 1 and looks_like_headline(translation.source_paragraphs[0]):
        headline, body = body[0], body[1:]
    started = time.perf_counter()
    summary = summarize("\n\n".join(body), sentences, words=words, summarizer=summarizer)
    translation.timings["summarize"] = round(time.perf_counter() - started, 4)
    return Brief(headline=headline, summary=summary, translation=translation)
