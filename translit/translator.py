"""The library's front door: :class:`Translator`, one model and one set of options.

Everything that translates goes through it — the CLI, the local batch, the Ray workers and
the HTTP service — so that reading, checking, translating and briefing happen one way::

    from translit import Translator

    translator = Translator("opus-mt-de-en", beams=4)
    document = translator.read(Path("article.html"))     # bytes, text or a path: a checked Document
    print(translator.translate(document).text)
    print(translator.brief(document).text)

The model is found when first needed and loaded once (engines are cached process-wide);
nothing heavy is imported before.
"""

from __future__ import annotations

import logging
import os
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translit.cache import TranslationCache
from translit.engines import DecodeOptions, ModelChoice, TranslationEngine, load, resolve
from translit.engines.protocol import engine_name, source_directory_of
from translit.errors import NOTE, InputError
from translit.formats import DOCUMENT_MAX_BYTES, format_info
from translit.glossary import Glossary, load_glossary
from translit.language import check_german
from translit.memory import TranslationMemory, open_memory
from translit.options import Settings
from translit.pipeline import Outcome, Prepared, assemble, cached_translate, decode_options, prepare
from translit.readers import Document, format_of_name, read_document
from translit.registry import Registry, fingerprint, load_registry, resolve_model_dir
from translit.results import Brief, Translation, sentence_units
from translit.segment import looks_like_headline
from translit.summarize import ExtractiveSummarizer, Summarizer, summarize_text
from translit.textio import read_bytes

log = logging.getLogger("translit")

Source = str | bytes | os.PathLike[str] | Document
"""What the Translator takes: text, bytes (decoded as their format needs), a path, or a read Document."""


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


def engine_key(engine: TranslationEngine) -> str:
    """A loaded engine's identity for resume markers: model id, model files, engine kind."""
    source = source_directory_of(engine)
    files = fingerprint(source) if source is not None and source.is_dir() else engine.cache_key
    return f"{engine.model_id}|{files}|{engine_name(engine)}"


class Translator:
    """One model, one :class:`~translit.options.Settings`, one cache: read, translate, brief.

    ``model`` is a models.toml name or a MarianMT folder (default: ``settings.model``, else
    the registry's default); keyword options override ``settings`` (``beams=4``,
    ``unit="paragraph"`` …, see :class:`~translit.options.Settings`). ``engine`` is the
    name of the engine to run the model on (``"transformers"``), or a loaded
    :class:`~translit.engines.TranslationEngine` to use instead of a model.
    ``cache``: a :class:`~translit.cache.TranslationCache`, True/False, or None to follow
    ``settings.cache``. ``summarizer`` replaces the one ``settings.summarizer`` names;
    ``glossary`` is a :class:`~translit.glossary.Glossary`, or glossary files (the option);
    ``memory`` a :class:`~translit.memory.TranslationMemory`, False (none), or None to follow
    ``settings.memory``.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        settings: Settings | None = None,
        *,
        engine: TranslationEngine | str | None = None,
        cache: TranslationCache | bool | None = None,
        registry: Registry | None = None,
        summarizer: Summarizer | None = None,
        glossary: Glossary | Sequence[str | Path] | None = None,
        memory: TranslationMemory | bool | None = None,
        **options: Any,
    ) -> None:
        if glossary is not None and not isinstance(glossary, Glossary):
            options["glossary"] = tuple(
                str(g) for g in ([glossary] if isinstance(glossary, str | Path) else glossary)
            )
            glossary = None
        if model is not None:
            options["model"] = str(model)
        if isinstance(engine, str):  # an engine's name ("transformers"), not a loaded engine
            options["engine"] = engine
            engine = None
        try:
            self.settings = (settings or Settings()).but(**options)
        except (TypeError, ValueError) as exc:
            raise InputError(str(exc)) from None
        self._engine = engine
        self._registry = registry
        self._choice: ModelChoice | None = None
        self._summarizer = summarizer
        self._glossary = glossary
        self._own_cache = False
        if isinstance(cache, TranslationCache):
            self._cache: TranslationCache | None = cache
        elif cache is False or (cache is None and not self.settings.cache):
            self._cache = None
        else:
            self._cache = None
            self._own_cache = True  # opened when first needed
        # The memory: given, False (none), or None to follow settings.memory (opened when needed).
        self._memory = memory if isinstance(memory, TranslationMemory) else None
        self._memory_open = memory is not None
        self._own_memory = False
        self._load_seconds = 0.0

    # --- what it holds -----------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        """The model registry (models.toml and the user's overlays)."""
        if self._registry is None:
            self._registry = load_registry()
        return self._registry

    @property
    def choice(self) -> ModelChoice:
        """The model on disk and the engine that runs it (found, not loaded)."""
        if self._choice is None:
            self._choice = resolve(self.settings.model, self.settings.engine.value, self.registry)
        return self._choice

    @property
    def model_key(self) -> str:
        """The model files and engine, for resume markers (without loading the model)."""
        if self._engine is not None:
            return engine_key(self._engine)
        return self.choice.key

    @property
    def engine(self) -> TranslationEngine:
        """The loaded engine (loaded on first use)."""
        if self._engine is None:
            started = time.perf_counter()
            self._engine = load(self.choice, self.settings.threads, compute=self.settings.compute)
            self._load_seconds = time.perf_counter() - started
        return self._engine

    @property
    def cache(self) -> TranslationCache | None:
        """The translation cache (None without one)."""
        if self._cache is None and self._own_cache:
            self._cache = TranslationCache()
        return self._cache

    @property
    def memory(self) -> TranslationMemory | None:
        """The translation memory (``settings.memory``, opened read-only when first needed;
        None without one)."""
        if not self._memory_open:
            self._memory_open = True
            self._memory = open_memory(self.settings.memory)
            self._own_memory = self._memory is not None
        return self._memory

    @property
    def glossary(self) -> Glossary:
        """The glossary and do-not-translate terms (``settings.glossary`` and ``keep``, read once)."""
        if self._glossary is None:
            self._glossary = load_glossary(self.settings.glossary, self.settings.keep)
        return self._glossary

    @property
    def summarizer(self) -> Summarizer:
        """The summariser of briefs (loaded on first use)."""
        if self._summarizer is None:
            self._summarizer = get_summarizer(self.settings.summarizer, registry=self.registry)
        return self._summarizer

    def close(self) -> None:
        """Close the cache and the memory this translator opened."""
        if self._own_cache and self._cache is not None:
            self._cache.close()
            self._cache = None
        if self._own_memory and self._memory is not None:
            self._memory.close()
            self._memory = None
            self._memory_open = False

    def __enter__(self) -> Translator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading -------------------------------------------------------------------------------

    def read(self, data: Source, name: str | None = None, *, input_format: str | None = None) -> Document:
        """One input — text, bytes or a path (``-``: stdin) — read and checked as a :class:`Document`.

        The format is ``input_format`` (default: the settings'; ``auto`` decides by ``name``'s
        extension, then by content). A text that is clearly not German is translated with a
        warning (its ``language`` is set), or refused with ``strict_lang``; an empty one gives
        a warning; a web page without article text raises :class:`~translit.errors.InputError`.
        A ``str`` is always text, never a file name: pass a :class:`~pathlib.Path` to read a file.
        """
        if isinstance(data, Document):
            return data
        if isinstance(data, os.PathLike):
            limit = self.settings.byte_limit
            info = format_info(format_of_name(os.fspath(data)) or "")
            if info is not None and info.binary and limit is not None:
                limit = max(limit, DOCUMENT_MAX_BYTES)  # a document's images are not its text
            shown, data = read_bytes(os.fspath(data), limit, display=name)
            name = shown
        elif isinstance(data, str) and _names_a_file(data):
            log.warning("%r is read as text; pass a Path to read the file of that name", data[:200])
        chosen = input_format or self.settings.input_format
        document = read_document(data, chosen, name)
        if not data.strip():
            log.warning("%s: empty; nothing to translate", document.name)
        document.language = check_german(document.prose, document.name, strict=self.settings.strict_lang)
        return document

    def read_many(
        self, sources: Sequence[Source], names: Sequence[str | None] | None = None
    ) -> list[Document]:
        """:meth:`read` for each source (``names`` default to ``<text 1>``, … for texts)."""
        labels = list(names) if names is not None else [None] * len(sources)
        documents = []
        for i, (source, label) in enumerate(zip(sources, labels, strict=True)):
            if label is None and isinstance(source, str | bytes):
                label = f"<text {i + 1}>"
            documents.append(self.read(source, label))
        return documents

    # --- translating -------------------------------------------------------------------------

    def translate(self, source: Source, name: str | None = None) -> Translation:
        """Translate one German article: one English paragraph per German paragraph."""
        return self.translate_many([source], [name])[0]

    def translate_many(
        self,
        sources: Sequence[Source],
        names: Sequence[str | None] | None = None,
        *,
        options: DecodeOptions | None = None,
        report: bool = True,
    ) -> list[Translation]:
        """Translate several articles, sharing length-sorted batches across all of them.

        Results come back per source, in order. ``options`` (advanced: benchmarks) replaces
        the decoding options made from the settings; ``report=False`` leaves the warning about
        units to check to the caller (a batch says it once, in its summary).
        """
        documents = self.read_many(sources, names)
        started = time.perf_counter()
        if not any(d.paragraphs for d in documents):
            return [self._empty(d) for d in documents]
        engine = self.engine
        prepared = self.prepare(documents, options)
        began = time.perf_counter()
        outcomes = cached_translate(
            engine, prepared.inputs, prepared.options, self.cache, prepared.cache_options, prepared.glossary
        )
        results = assemble(prepared, outcomes, engine, time.perf_counter() - began, report)
        for document in documents:
            if document.removed:
                # Said where people see it, not only in JSON's removed_boilerplate.
                shown = " | ".join(textwrap.shorten(line, 80, placeholder=" …") for line in document.removed)
                log.log(NOTE, "%s: left out as boilerplate: %s", document.name, shown)
        share = 1 / max(1, len(results))
        for result in results:
            result.timings["load"] = round(self._load_seconds * share, 4)
            result.timings["total"] = round((time.perf_counter() - started) * share, 4)
        self._load_seconds = 0.0  # reported once, with the call that loaded the model
        return results

    def prepare(self, documents: Sequence[Document], options: DecodeOptions | None = None) -> Prepared:
        """Documents cut into units, with the model inputs to translate (step 1 of 3).

        :meth:`translate_many` is :meth:`prepare`, the inputs translated behind the cache,
        and :meth:`assemble`; the HTTP service translates the inputs of many requests
        together in between.
        """
        return prepare(documents, self.engine, self.settings, options, self.glossary, self.memory)

    def assemble(
        self, prepared: Prepared, outcomes: Sequence[Outcome], seconds: float = 0.0
    ) -> list[Translation]:
        """One Translation per prepared document, from the outcomes of its inputs (step 3 of 3)."""
        return assemble(prepared, outcomes, self.engine, seconds)

    def alternatives(self, translations: Sequence[Translation], count: int) -> list[list[str]]:
        """Up to ``count`` other renderings of each translation: the engine's n-best hypotheses
        of its units, joined like the translation (never cached; the translations are unchanged)."""
        from translit.normalize import get_normalizer
        from translit.pipeline.alternatives import (
            alternative_inputs,
            alternatives_options,
            joined_alternatives,
        )

        engine = self.engine
        resolved = self.settings.for_model(engine.normalization, engine.flag_below)
        inputs = alternative_inputs(translations, get_normalizer(resolved.normalize.value))
        outputs = (
            engine.translate_batch(inputs, alternatives_options(decode_options(resolved), count))
            if inputs
            else []
        )
        return joined_alternatives(translations, outputs, count)

    def with_settings(self, **changes: Any) -> Translator:
        """A translator with ``changes`` to the settings, sharing this one's engine and cache."""
        # None: the new setting's memory. Never ``self.memory or False``: an empty memory is falsy.
        memory = None if "memory" in changes else (False if self.memory is None else self.memory)
        return self._twin(
            self.settings.but(**changes), memory, keep_glossary=not {"glossary", "keep"} & set(changes)
        )

    def with_memory(self, memory: TranslationMemory | None) -> Translator:
        """A translator with this translation memory (None: none), sharing this one's engine and cache."""
        return self._twin(self.settings, False if memory is None else memory, keep_glossary=True)

    def _twin(
        self, settings: Settings, memory: TranslationMemory | bool | None, keep_glossary: bool
    ) -> Translator:
        """A translator of ``settings`` and ``memory`` sharing this one's engine, cache, registry,
        summariser and (``keep_glossary``) glossary."""
        twin = Translator(
            settings=settings,
            engine=self._engine,
            cache=self.cache or False,
            registry=self._registry,
            summarizer=self._summarizer,
            glossary=self._glossary if keep_glossary else None,
            memory=memory,
        )
        twin._choice = self._choice
        return twin

    def with_glossary(self, glossary: Glossary) -> Translator:
        """A translator with this glossary instead, sharing this one's engine and cache."""
        twin = self.with_settings()
        twin._glossary = glossary
        return twin

    def _empty(self, document: Document) -> Translation:
        return Translation(
            model=str(self.settings.model or ""),
            source_paragraphs=[],
            units=[],
            unit_results=[],
            paragraphs=[],
            removed_boilerplate=document.removed,
            timings={"total": 0.0},
            unit_mode=self.settings.unit.value,
            input_format=document.input_format,
            metadata=document.metadata,
            name=document.name,
            source=document if document.skeleton is not None else None,
            placed=[] if document.skeleton is not None else None,
        )

    def translate_html(self, markup: str, name: str = "<html>") -> Translation:
        """Translate HTML keeping its markup: block structure, attributes, untouched elements.

        Sentences are translated whole, not cut at inline tags; each inline tag goes back
        around the words the model aligned with the words it wrapped, or around its whole
        sentence (flagged ``markup``) when no alignment is found. The HTML is the result's
        :attr:`~translit.results.Translation.document`; see :mod:`translit.readers.html_markup`.
        """
        return self.translate(read_document(markup, "html-markup", name), name)

    # --- briefs ----------------------------------------------------------------------------------

    def brief(self, source: Source | Translation, name: str | None = None) -> Brief:
        """Translate an article (or take a translation) and condense the English into a brief."""
        if isinstance(source, Translation):
            return self.brief_of(source)
        return self.brief_many([source], [name])[0]

    def brief_many(
        self, sources: Sequence[Source], names: Sequence[str | None] | None = None, *, report: bool = True
    ) -> list[Brief]:
        """Briefs of several articles, translated with shared batches."""
        documents = self.read_many(sources, names)
        if any(d.paragraphs for d in documents):
            _ = self.summarizer  # both models load before any work: a missing one fails fast
        return [self.brief_of(t) for t in self.translate_many(documents, report=report)]

    def brief_of(self, translation: Translation) -> Brief:
        """Condense an existing translation into a brief (the headline is left out of the choice).

        Each brief sentence carries the units it came from (``Brief.sources``).
        """
        body = list(translation.paragraphs)
        sources = list(translation.source_paragraphs)
        headline = None
        # Judge the headline on the German side: the source's shape does not depend on the model.
        if len(body) > 1 and looks_like_headline(sources[0]):
            headline, body = body[0], body[1:]
        started = time.perf_counter()
        summarizer = self.summarizer if body else ExtractiveSummarizer()

        def doubtful(sentences: list[str]) -> set[int]:
            units = sentence_units(translation, sentences)
            return {i for i, found in enumerate(units) if any(translation.needs_check(u) for u in found)}

        summary = summarize_text(
            "\n\n".join(body),
            self.settings.brief_sentences,
            words=self.settings.words,
            summarizer=summarizer,
            doubtful=doubtful,
        )
        translation.timings["summarize"] = round(time.perf_counter() - started, 4)
        return Brief(headline, summary, translation, sentence_units(translation, summary.sentences))


def _names_a_file(text: str) -> bool:
    """A one-line text that is the name of an existing input file (a likely mistake)."""
    if "\n" in text or len(text) > 4096 or format_of_name(text) is None:
        return False
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False
