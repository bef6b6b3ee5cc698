"""The state behind the routes: one translator, one scheduler, files and jobs, the gate.

The routers (:mod:`translit.serve.libretranslate`, :mod:`~translit.serve.documents`, …) get
the :class:`Service` through :func:`service_of` and keep to parsing a request, calling it and
answering; what translating a request's texts or a document takes is here.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from translit.errors import TranslitError
from translit.formats import format_info
from translit.glossary import glossary_from_pairs
from translit.language import rank_languages
from translit.memory import TranslationMemory, writable_memory
from translit.normalize import get_normalizer
from translit.pipeline import decode_options
from translit.pipeline.alternatives import alternative_inputs, alternatives_options, joined_alternatives
from translit.readers.child import stoppable
from translit.results import Translation
from translit.serve.errors import ApiError
from translit.serve.files import FileStore, Job, Jobs, output_name, supported_extensions, upload_format
from translit.serve.gate import Gate
from translit.serve.limits import ServeConfig
from translit.serve.requests import FORMATS, languages
from translit.serve.scheduler import Scheduler
from translit.serve.schema import FileRequest, settings_given
from translit.serve.suggestions import Translated
from translit.translator import Translator
from translit.userfiles import human_size

FILE_SLICE = 64  # units of a document sent to the scheduler at a time (progress, fairness)
FILE_TIMEOUT = 3600.0  # seconds one slice of a job's document may wait (a job is not held to --timeout)


def stop_if_cancelled(job: Job | None) -> None:
    """End a job's work between its steps once it is cancelled (DELETE)."""
    if job is not None and job.cancelled:
        raise ApiError(499, "the job was cancelled")


def detected(text: str) -> dict[str, Any]:
    """LibreTranslate's ``detectedLanguage``: the likeliest language and its confidence (0-100)."""
    ranked = rank_languages(text, top=1)
    language, probability = ranked[0] if ranked else ("de", 0.0)
    return {"language": language, "confidence": round(probability * 100, 1)}


class Service:
    """One translator, one scheduler, the files and jobs, and the gate (keys, rates, requests in flight)."""

    def __init__(self, translator: Translator, config: ServeConfig) -> None:
        # With --suggestions the service writes to the memory it translates with, so that a
        # correction is used from the next request on.
        self.memory: TranslationMemory | None = None
        if config.suggestions:
            self.memory = writable_memory(translator.settings.memory)
            translator = translator.with_memory(self.memory)
        self.translated = Translated()
        self.translator = translator
        self.config = config
        self.scheduler = Scheduler(
            translator.engine,
            translator.cache,
            window=config.window,
            round_tokens=config.round_tokens,
            pooled=config.pooled,
        )
        self.gate = Gate(config)
        engine = translator.engine
        resolved = translator.settings.for_model(engine.normalization, engine.flag_below)
        self.options = decode_options(resolved)
        self.normalize = get_normalizer(resolved.normalize.value)
        self.files = FileStore(config.file_ttl)
        self.jobs = Jobs(config.file_ttl)
        self.background: set[Any] = set()  # running jobs (a task must be referenced to live)
        self.metrics: Any = None
        if config.metrics:
            from translit.serve.metrics import Metrics

            self.metrics = Metrics(self.scheduler)
        self.started = time.time()

    def count_characters(self, items: list[str]) -> None:
        """Add a request's characters to the metrics."""
        if self.metrics is not None:
            self.metrics.characters.inc(sum(len(item) for item in items))

    # --- translation ---------------------------------------------------------------------------

    async def wait(
        self, request: Request | None, future: Any, timeout: float | None = None, job: Job | None = None
    ) -> Any:
        """The scheduler's answer to ``future``, through the gate (which ends it when the client
        leaves, the job is cancelled or the time is over)."""
        return await self.gate.wait(request, future, self.scheduler.cancel, timeout, job)

    async def translate_upload(
        self, request: Request | None, name: str, data: bytes, fields: FileRequest, job: Job | None = None
    ) -> tuple[str, bytes]:
        """A document translated into its own format (text for a PDF): its new name and bytes.

        Its units go to the shared scheduler in slices, so a job shows progress and short
        requests from others are served in between. A request (``/translate_file``) is held to
        ``--timeout`` as a whole; a job to :data:`FILE_TIMEOUT` per slice.
        """
        chosen = upload_format(name)
        if chosen is None:
            raise ApiError(
                400,
                f"{name}: files of this type are not supported "
                f"(choose from {', '.join(supported_extensions())})",
            )
        info = format_info(chosen)
        limit = self.translator.settings.byte_limit
        if info is not None and not info.binary and limit is not None and len(data) > limit:
            # A text's limit is the CLI's (--max-bytes): a document's images are not its text,
            # but a text file is all text to translate.
            raise ApiError(
                413,
                f"{name}: {human_size(len(data))} is more than the {human_size(limit)} limit for one text",
            )
        if fields.source or fields.target:
            languages(fields.source or "de", fields.target or "en")
        translator = self.translator
        deadline = time.monotonic() + self.config.timeout

        def read() -> Any:
            # A job cancelled while its document is read stops the reading (a parser in a
            # child process is killed; see translit.readers.child).
            with stoppable(lambda: job is not None and job.cancelled):
                return translator.read(data, name, input_format=chosen)

        try:
            document = await run_in_threadpool(read)
        except TranslitError as exc:
            stop_if_cancelled(job)
            raise ApiError(400, str(exc)) from None
        stop_if_cancelled(job)
        prepared = await run_in_threadpool(translator.prepare, [document])
        stop_if_cancelled(job)
        if job is not None:
            job.status, job.units = "running", len(prepared.inputs)
        outcomes: list[Any] = []
        for start in range(0, len(prepared.inputs), FILE_SLICE):
            future = self.scheduler.submit(
                prepared.inputs[start : start + FILE_SLICE],
                prepared.options,
                prepared.cache_options,
                glossary=prepared.glossary,
            )
            left = FILE_TIMEOUT if job is not None else max(0.001, deadline - time.monotonic())
            outcomes += await self.wait(request, future, left, job)
            if job is not None:
                job.done = len(outcomes)
        stop_if_cancelled(job)
        (translation,) = await run_in_threadpool(translator.assemble, prepared, outcomes)
        self.translated.record([translation])
        written = translation.written(marks=translator.settings.marks)
        if written is None:
            from translit.render import translation_text

            written = (translation_text(translation, marks=translator.settings.marks) + "\n").encode("utf-8")
        return output_name(name, chosen), written

    def translator_for(self, pairs: list[list[str]] | None, keep: list[str] | None) -> Translator:
        """The translator of a request: the server's, with the request's glossary added.

        ``pairs`` are ``[source, target]`` (``[term]``: never translated), ``keep`` terms never
        to translate; they add to, and win over, the server's.
        """
        pairs, keep = pairs or [], keep or []
        if not pairs and not keep:
            return self.translator
        for entry in [*pairs, *keep]:
            terms = entry if isinstance(entry, list) else [entry]
            if any(any(c in t for c in "\r\n\t") for t in terms):
                raise ApiError(400, "Invalid request: a glossary term holds a line break or a tab")
        try:
            extra = glossary_from_pairs([*pairs, *([k] for k in keep)], "glossary")
        except TranslitError as exc:
            raise ApiError(400, f"Invalid request: {exc}") from None
        return self.translator.with_glossary(self.translator.glossary.merged(extra))

    def with_request_settings(self, translator: Translator, fields: BaseModel) -> Translator:
        """``translator`` with the Settings a request gives (``beams``, ``unit``, …), checked."""
        given = settings_given(fields)
        if not given:
            return translator
        try:
            return translator.with_settings(**given)
        except ValueError as exc:
            raise ApiError(400, f"Invalid request: {exc}") from None

    async def translate_documents(
        self, request: Request, documents: list[Any], translator: Translator | None = None
    ) -> list[Translation]:
        """Translate read documents, their units pooled with every other request's."""
        translator = translator or self.translator
        prepared = await run_in_threadpool(translator.prepare, documents)
        future = self.scheduler.submit(
            prepared.inputs, prepared.options, prepared.cache_options, glossary=prepared.glossary
        )
        outcomes = await self.wait(request, future)
        translations = await run_in_threadpool(translator.assemble, prepared, outcomes)
        self.translated.record(translations)
        return translations

    async def alternatives_of(
        self, request: Request, translations: list[Translation], count: int
    ) -> list[list[str]]:
        """Up to ``count`` other renderings of each text (:mod:`translit.pipeline.alternatives`),
        their units decoded in the shared scheduler's rounds, never cached."""
        inputs = alternative_inputs(translations, self.normalize)
        future = self.scheduler.submit(inputs, alternatives_options(self.options, count), "", use_cache=False)
        return joined_alternatives(translations, await self.wait(request, future), count)

    async def read(self, items: list[str], chosen: str) -> list[Any]:
        """Each text read as ``chosen`` (a LibreTranslate or translit format)."""

        def read_all() -> list[Any]:
            return [
                self.translator.read(item, f"q[{i}]", input_format=FORMATS[chosen])
                for i, item in enumerate(items)
            ]

        try:
            return await run_in_threadpool(read_all)
        except TranslitError as exc:
            raise ApiError(400, str(exc)) from None


def service_of(request: Request) -> Service:
    """The service of the app a request came to (a dependency of every route)."""
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(service_of)]
"""A route's parameter for its service: ``service: ServiceDep``."""
