"""translit's library API: translate, summarise and brief German news articles.

Everything the CLI does is available here::

    import translit
    result = translit.translate(open("article.de.txt").read(), model="opus-mt-de-en")
    print(result.text)
    print(translit.brief(german_text).text)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from translit.engine import DecodeOptions, EngineOutput, TranslationEngine, load_marian
from translit.errors import InputError
from translit.registry import Registry, load_registry, resolve_model_dir
from translit.segment import Article, Chunk, chunk_paragraph, join_chunks, parse_article, split_sentences
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


def _translate_chunks(
    engine: TranslationEngine, texts: list[str], options: DecodeOptions, depth: int = 0
) -> tuple[list[str], int]:
    """Translate chunks; one whose output hit the length limit is split and redone.

    A cut-off output would silently lose the end of the chunk, so such a chunk is
    halved at a sentence or word boundary and each half translated on its own. Returns
    the texts and how many chunks still ended at the limit after that.
    """
    outputs: list[EngineOutput] = engine.translate_batch(texts, options)
    results = [o.text for o in outputs]
    retry = [i for i, o in enumerate(outputs) if o.hit_limit]
    halves = {i: _halve(texts[i]) for i in retry}
    splittable = [i for i in retry if len(halves[i]) == 2] if depth < MAX_SPLIT_DEPTH else []
    unresolved = len(retry) - len(splittable)
    if splittable:
        flat = [half for i in splittable for half in halves[i]]
        redone, still = _translate_chunks(engine, flat, options, depth + 1)
        unresolved += still
        for n, i in enumerate(splittable):
            results[i] = redone[2 * n].strip() + " " + redone[2 * n + 1].strip()
    return results, unresolved


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
    chunks: list[Chunk] = []
    for index, paragraph in enumerate(article.paragraphs):
        chunks.extend(chunk_paragraph(paragraph, index, engine.count_tokens, budget))
    return article, chunks


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
) -> list[Translation]:
    """Translate several German articles, sharing length-sorted batches across all of them.

    Chunks of every article are pooled, so short and long articles fill batches together;
    results come back per article, in the given order. ``max_batch_tokens`` bounds each
    batch by padded source tokens. ``options`` (advanced) replaces the decoding options
    built from the other arguments.
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
    translated, unresolved = _translate_chunks(engine, pooled, options)
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
            )
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


def get_summarizer(name: str | None = None) -> Summarizer:
    """The summariser called ``name`` (``None`` or ``"extractive"``: the built-in one)."""
    if name in (None, "extractive"):
        return ExtractiveSummarizer()
    from translit.errors import ModelError

    raise ModelError(f"unknown summariser '{name}' (available: extractive)")


def summarize(text: str, sentences: int = 3, *, summarizer: Summarizer | None = None) -> Summary:
    """Summarise English text in ``sentences`` sentences (chosen from the text, in order)."""
    return (summarizer or get_summarizer()).summarize(text, sentences)


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
    body = translation.paragraphs
    headline = None
    # Judge the headline on the German side: the source's shape does not depend on the model.
    if len(body) > 1 and looks_like_headline(translation.source_paragraphs[0]):
        headline, body = body[0], body[1:]
    started = time.perf_counter()
    summary = summarize("\n\n".join(body), sentences, summarizer=summarizer)
    translation.timings["summarize"] = round(time.perf_counter() - started, 4)
    return Brief(headline=headline, summary=summary, translation=translation)
