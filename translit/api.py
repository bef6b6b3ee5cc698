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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from translit.engine import DecodeOptions, EngineOutput, TranslationEngine, load_marian
from translit.registry import Registry, load_registry, resolve_model_dir
from translit.segment import Chunk, chunk_paragraph, join_chunks, parse_article, split_sentences
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


def get_engine(model: str | Path | None = None, *, registry: Registry | None = None) -> TranslationEngine:
    """Load (once per process) the translation engine for ``model``: a registry name or a folder."""
    registry = registry or load_registry()
    model_id, directory = resolve_model_dir(model, registry, "translation")
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
    instead (a loaded :class:`~translit.engine.TranslationEngine`). ``max_chunk_tokens``
    lowers (never raises) the model's own per-chunk budget.
    """
    started = time.perf_counter()
    article = parse_article(text)
    timings: dict[str, float] = {}
    if not article.paragraphs:
        model_id = engine.model_id if engine else str(model or "")
        return Translation(model_id, [], [], [], [], article.removed, {"total": 0.0})
    load_start = time.perf_counter()
    engine = engine or get_engine(model, registry=registry)
    timings["load"] = time.perf_counter() - load_start
    budget = engine.max_input_tokens
    if max_chunk_tokens is not None:
        budget = max(1, min(budget, max_chunk_tokens))
    segment_start = time.perf_counter()
    chunks: list[Chunk] = []
    for index, paragraph in enumerate(article.paragraphs):
        chunks.extend(chunk_paragraph(paragraph, index, engine.count_tokens, budget))
    timings["segment"] = time.perf_counter() - segment_start
    translate_start = time.perf_counter()
    options = DecodeOptions(beams=beams, batch_size=batch_size)
    chunk_texts, unresolved = _translate_chunks(engine, [c.text for c in chunks], options)
    if unresolved:
        log.warning(
            "%d chunk(s) still reached the model's length limit after splitting; "
            "their output may be incomplete or repetitive",
            unresolved,
        )
    timings["translate"] = time.perf_counter() - translate_start
    paragraphs = join_chunks(chunks, chunk_texts, len(article.paragraphs))
    timings["total"] = time.perf_counter() - started
    return Translation(
        model=engine.model_id,
        source_paragraphs=article.paragraphs,
        chunks=chunks,
        chunk_translations=chunk_texts,
        paragraphs=paragraphs,
        removed_boilerplate=article.removed,
        timings={k: round(v, 4) for k, v in timings.items()},
    )


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
