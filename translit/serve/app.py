"""The HTTP routes: LibreTranslate's API, drop-in, and translit's extras, opt-in.

LibreTranslate's shapes (its ``app.py``): ``POST /translate`` takes JSON or form data —
``q`` (a string or a list), ``source`` (``de`` or ``auto``), ``target`` (``en``),
``format`` (``text``/``html``), ``alternatives``, ``api_key`` — and answers
``{"translatedText": …}`` (a string or a list), with ``detectedLanguage`` for ``auto`` and
``alternatives`` when asked; ``/languages``, ``/detect``, ``/frontend/settings``; every
error is ``{"error": "…"}``.

translit's extras never change those answers: ``"details": true`` adds ``translit``, the
JSON of ``translit translate --format json`` per text (units, scores, flags, redone
reasons); ``format`` also takes ``markdown`` and ``page`` (a saved web page, main text
extracted); ``POST /brief`` makes briefs; ``/health``; OpenAPI docs at ``/docs``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from translit import __version__
from translit.engines.protocol import engine_name
from translit.errors import TranslitError
from translit.glossary import glossary_from_pairs
from translit.language import LANGUAGE_NAMES, rank_languages
from translit.normalize import get_normalizer
from translit.pipeline import decode_options
from translit.render import translation_json
from translit.results import Translation
from translit.segment import join_units
from translit.serve.files import (
    FileStore,
    Job,
    Jobs,
    media_type,
    output_name,
    supported_extensions,
    upload_format,
)
from translit.serve.limits import RateLimiter, ServeConfig, key_is_valid
from translit.serve.scheduler import Scheduler
from translit.serve.schema import BriefRequest, DetectRequest, FileRequest, TranslateRequest, body
from translit.translator import Translator

log = logging.getLogger("translit.serve")
# One JSON line per request (--access-log): time, client, method, path, status, seconds.
access = logging.getLogger("translit.access")

SOURCES = ("de",)
TARGETS = ("en",)
# LibreTranslate's formats, then translit's own.
# LibreTranslate's format=html is HTML whose markup is kept; "page" is a saved web page (its main text).
FORMATS = {"text": "text", "html": "html-markup", "markdown": "markdown", "page": "html"}


class ApiError(Exception):
    """An answer of ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


BODY_SECONDS = 30.0  # a request body must arrive within this (slow senders hold nothing meanwhile)
FILE_SLICE = 64  # units of a document sent to the scheduler at a time (progress, fairness)
FILE_TIMEOUT = 3600.0  # seconds one slice of a document may wait (a job is not held to --timeout)


# The page loads nothing from anywhere but this service, and runs no inline script.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}


def _static(name: str) -> Response:
    """One of the page's files, read from the package, with the page's security headers."""
    from importlib import resources

    data = resources.files("translit.serve").joinpath("static", name).read_bytes()
    headers = {
        "Content-Security-Policy": PAGE_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    return Response(data, media_type=STATIC_TYPES[name], headers=headers)


def check_values(data: Any, depth: int = 0) -> None:
    """Refuse what no text holds: a lone surrogate (not Unicode) and nesting deeper than 8."""
    if depth > 8:
        raise ApiError(400, "Invalid request: values nested too deep")
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(400, "Invalid request: a text is not valid Unicode (a lone surrogate)") from None
    elif isinstance(data, dict):
        for key, value in data.items():
            check_values(key, depth + 1)
            check_values(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            check_values(value, depth + 1)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class GuardMiddleware:
    """Counts requests in flight and answers our own faults in one line, as plain ASGI.

    Plain ASGI rather than Starlette's ``BaseHTTPMiddleware``: that one reads the client's
    messages itself, so a route never learned that its client had gone (its work went on).
    """

    def __init__(self, app: Any, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        status = 500
        began = time.perf_counter()

        async def watched(message: dict[str, Any]) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message.get("status", 500))
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:  # our fault: logged with its traceback, answered in one line
            log.error(
                "internal error on %s %s: %s: %s",
                scope.get("method"),
                scope.get("path"),
                type(exc).__name__,
                exc,
                exc_info=exc,
            )
            if not started:
                response = _error(
                    500, f"internal error ({type(exc).__name__}); the server log has the details"
                )
                await response(scope, receive, send)
        finally:
            self.service.leave(scope)
            seconds = time.perf_counter() - began
            if self.service.metrics is not None:
                self.service.metrics.observe(str(scope.get("path", "")), status, seconds)
            if self.service.config.access_log:
                client = scope.get("client") or ("-", 0)
                access.info(
                    json.dumps(
                        {
                            "time": round(time.time(), 3),
                            "client": client[0],
                            "method": scope.get("method"),
                            "path": scope.get("path"),
                            "status": status,
                            "seconds": round(seconds, 4),
                        },
                        separators=(",", ":"),
                    )
                )


def stop_if_cancelled(job: Job | None) -> None:
    """End a job's work between its steps once it is cancelled (DELETE)."""
    if job is not None and job.cancelled:
        raise ApiError(499, "the job was cancelled")


class Service:
    """The state behind the routes: one translator, one scheduler, the limits."""

    def __init__(self, translator: Translator, config: ServeConfig) -> None:
        self.translator = translator
        self.config = config
        self.scheduler = Scheduler(
            translator.engine,
            translator.cache,
            window=config.window,
            round_tokens=config.round_tokens,
            pooled=config.pooled,
        )
        self.rate = RateLimiter(config.rate)
        engine = translator.engine
        resolved = translator.settings.for_model(engine.normalization, engine.flag_below)
        self.options = decode_options(resolved)
        self.normalize = get_normalizer(resolved.normalize.value)
        self.in_flight = 0
        self.files = FileStore(config.file_ttl)
        self.jobs = Jobs(config.file_ttl)
        self.background: set[Any] = set()  # running jobs (a task must be referenced to live)
        self.metrics: Any = None
        if config.metrics:
            from translit.serve.metrics import Metrics

            self.metrics = Metrics(self.scheduler)
        self.started = time.time()
        self.served = 0

    # --- request parsing and checks ------------------------------------------------------------

    async def body(self, request: Request, limit: int, status: int) -> bytes:
        """The request's body, within ``limit`` bytes and :data:`BODY_SECONDS` (a slow sender
        holds no slot: requests count against ``--max-concurrent`` only once their body is in)."""
        body = bytearray()
        try:
            async with asyncio.timeout(BODY_SECONDS):
                async for chunk in request.stream():
                    body.extend(chunk)
                    if limit and len(body) > limit:
                        raise ApiError(status, f"Invalid request: body exceeds the limit ({limit} bytes)")
        except TimeoutError:
            raise ApiError(
                408, f"Invalid request: the body took longer than {BODY_SECONDS:g} s to arrive"
            ) from None
        return bytes(body)

    def enter(self, request: Request) -> None:
        """Count a request whose body is in against ``--max-concurrent`` (429 when full)."""
        if request.scope.get("translit.counted"):
            return
        if self.config.max_concurrent and self.in_flight >= self.config.max_concurrent:
            raise ApiError(
                429, f"Slowdown: {self.config.max_concurrent} requests are in flight", {"Retry-After": "1"}
            )
        self.in_flight += 1
        request.scope["translit.counted"] = True

    def leave(self, scope: dict[str, Any]) -> None:
        """The end of a request counted by :meth:`enter`."""
        if scope.get("translit.counted"):
            self.in_flight -= 1
            self.served += 1

    async def parameters(self, request: Request) -> dict[str, Any]:
        """The request's parameters: a JSON object, or form data (urlencoded or multipart)."""
        declared = request.headers.get("content-length")
        limit = self.config.body_limit
        if limit and declared and declared.isdigit() and int(declared) > limit:
            raise ApiError(400, f"Invalid request: body of {declared} bytes exceeds the limit ({limit})")
        body = await self.body(request, limit, 400)
        self.enter(request)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not body:
            return {}
        if kind == "application/json" or (not kind and body[:1] in (b"{", b"[")):
            try:
                data = json.loads(body)
            except (ValueError, UnicodeDecodeError, RecursionError):
                raise ApiError(400, "Invalid JSON format") from None
            if not isinstance(data, dict):
                raise ApiError(400, "Invalid JSON format")
            check_values(data)
            return data
        if kind == "multipart/form-data":
            request._body = bytes(body)  # starlette's form parser reads the cached body
            try:
                form = await request.form()
            except Exception:
                raise ApiError(400, "Invalid request: the form data cannot be read") from None
            return {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise ApiError(400, "Invalid request: form data is not UTF-8") from None
        # LibreTranslate reads one value per field from forms; line endings become "\n".
        return {k: "\n".join(v[-1].splitlines()) if k == "q" else v[-1] for k, v in fields.items()}

    @staticmethod
    def key_of(request: Request, params: dict[str, Any]) -> Any:
        """The request's API key: its ``api_key`` field, else an ``Authorization: Bearer`` header."""
        key = params.get("api_key")
        header = request.headers.get("authorization", "")
        if not key and header.lower().startswith("bearer "):
            key = header[7:].strip()
        return key

    def authorise(self, request: Request, params: dict[str, Any]) -> str:
        """Check the API key and the rate; returns who the request counts against."""
        key = self.key_of(request, params)
        if self.config.keys:
            if not isinstance(key, str) or not key:
                raise ApiError(403, "Please contact the server operator to get an API key")
            if not key_is_valid(key, self.config.keys):
                # A wrong key counts against its address: guessing keys is throttled too.
                address = f"ip:{request.client.host if request.client else '-'}"
                if not self.rate.allow(address):
                    raise ApiError(429, f"Slowdown: more than {self.config.rate} requests per minute")
                raise ApiError(403, "Invalid API key")
        client = f"key:{key}" if self.config.keys else f"ip:{request.client.host if request.client else '-'}"
        if not self.rate.allow(client):
            raise ApiError(429, f"Slowdown: more than {self.config.rate} requests per minute")
        return client

    def check_chars(self, chars: int) -> None:
        """Refuse ``chars`` characters over the limit."""
        if self.config.char_limit and chars > self.config.char_limit:
            raise ApiError(
                400, f"Invalid request: request ({chars}) exceeds text limit ({self.config.char_limit})"
            )

    def texts(self, params: dict[str, Any], count_chars: bool = True) -> tuple[list[str], bool]:
        """``q`` as a list, and whether it was one (a batch); checked against the limits."""
        q = params.get("q")
        if q is None or q == "" or q == []:
            raise ApiError(400, "Invalid request: missing q parameter")
        batch = isinstance(q, list)
        items = q if batch else [q]
        if not all(isinstance(item, str) for item in items):
            raise ApiError(400, "Invalid request: q must be a string or a list of strings")
        if batch and self.config.batch_limit and len(items) > self.config.batch_limit:
            raise ApiError(
                400, f"Invalid request: request ({len(items)}) exceeds text limit ({self.config.batch_limit})"
            )
        chars = sum(len(item) for item in items)
        if count_chars:
            self.check_chars(chars)
        if self.metrics is not None:
            self.metrics.characters.inc(chars)
        return items, batch

    @staticmethod
    def languages(params: dict[str, Any]) -> str:
        """Check ``source`` and ``target``; returns the source (``de`` or ``auto``)."""
        source, target = params.get("source"), params.get("target")
        if not source:
            raise ApiError(400, "Invalid request: missing source parameter")
        if not target:
            raise ApiError(400, "Invalid request: missing target parameter")
        if not isinstance(source, str) or source not in (*SOURCES, "auto"):
            raise ApiError(400, f"{source} is not supported (translit translates German to English)")
        if not isinstance(target, str) or target not in TARGETS:
            raise ApiError(400, f"{target} is not supported (translit translates German to English)")
        return source

    @staticmethod
    def text_format(params: dict[str, Any]) -> str:
        """``format`` as an input format of translit's readers."""
        chosen = params.get("format") or "text"
        if not isinstance(chosen, str) or chosen not in FORMATS:
            raise ApiError(400, f"{chosen} format is not supported (choose from {', '.join(FORMATS)})")
        return chosen

    def alternatives(self, params: dict[str, Any]) -> int:
        """``alternatives`` as a number within the limit."""
        raw = params.get("alternatives", 0)
        try:
            count = max(0, int(raw or 0))
        except (TypeError, ValueError, OverflowError):
            raise ApiError(400, "Invalid request: alternatives parameter is not a number") from None
        if count > self.config.alternatives_limit:
            raise ApiError(
                400, f"Invalid request: alternatives parameter must be <= {self.config.alternatives_limit}"
            )
        return count

    # --- translation ---------------------------------------------------------------------------

    async def wait(
        self, request: Request | None, future: Any, timeout: float | None = None, job: Job | None = None
    ) -> Any:
        """Wait for the scheduler; a client that leaves (or a cancelled job) costs nothing more,
        a slow one times out."""
        wrapped = asyncio.wrap_future(future)
        limit = self.config.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            done, _ = await asyncio.wait({wrapped}, timeout=0.05)
            if done:
                return wrapped.result()
            if (request is not None and await request.is_disconnected()) or (
                job is not None and job.cancelled
            ):
                self.scheduler.cancel(future)
                raise ApiError(499, "the client went away" if job is None else "the job was cancelled")
            if time.monotonic() > deadline:
                self.scheduler.cancel(future)
                raise ApiError(503, f"the translation took longer than {limit:g} s; try again")

    async def upload(self, request: Request) -> tuple[str, bytes, dict[str, Any]]:
        """A multipart upload's file (name, bytes) and its other fields, within the file limit."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "multipart/form-data":
            raise ApiError(400, "Invalid request: send the file as multipart/form-data in a 'file' field")
        limit = self.config.file_limit
        declared = request.headers.get("content-length")
        if limit and declared and declared.isdigit() and int(declared) > limit + 65536:
            raise ApiError(413, f"Invalid request: the file exceeds the limit ({limit} bytes)")
        request._body = await self.body(request, limit + 65536 if limit else 0, 413)
        self.enter(request)
        try:
            form = await request.form(max_part_size=limit or 1 << 40)
        except Exception:
            raise ApiError(400, "Invalid request: the form data cannot be read") from None
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(400, "Invalid request: missing file parameter")
        data = await upload.read()
        if limit and len(data) > limit:
            raise ApiError(413, f"Invalid request: the file exceeds the limit ({limit} bytes)")
        name = upload.filename or "document"
        return name, data, {k: v for k, v in form.items() if isinstance(v, str)}

    async def translate_upload(
        self, request: Request | None, name: str, data: bytes, params: dict[str, Any], job: Job | None = None
    ) -> tuple[str, bytes]:
        """A document translated into its own format (text for a PDF): its new name and bytes.

        Its units go to the shared scheduler in slices, so a job shows progress and short
        requests from others are served in between.
        """
        chosen = upload_format(name)
        if chosen is None:
            raise ApiError(
                400,
                f"{name}: files of this type are not supported "
                f"(choose from {', '.join(supported_extensions())})",
            )
        if params.get("source") or params.get("target"):
            self.languages({"source": "de", "target": "en", **params})
        translator = self.translator_for(params)
        try:
            document = await run_in_threadpool(translator.read, data, name, input_format=chosen)
        except TranslitError as exc:
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
            outcomes += await self.wait(request, future, FILE_TIMEOUT, job)
            if job is not None:
                job.done = len(outcomes)
        stop_if_cancelled(job)
        (translation,) = await run_in_threadpool(translator.assemble, prepared, outcomes)
        written = translation.written(marks=translator.settings.marks)
        if written is None:
            from translit.render import translation_text

            written = (translation_text(translation, marks=translator.settings.marks) + "\n").encode("utf-8")
        return output_name(name, chosen), written

    def translator_for(self, params: dict[str, Any]) -> Translator:
        """The translator of a request: the server's, with the request's glossary added.

        ``glossary`` is a list of ``[source, target]`` pairs (``[term]``: never translated),
        ``keep`` a list of terms never to translate; they add to, and win over, the server's.
        """
        pairs = params.get("glossary") or []
        keep = params.get("keep") or []
        if not pairs and not keep:
            return self.translator
        if (
            not isinstance(pairs, list)
            or not isinstance(keep, list)
            or not all(isinstance(k, str) for k in keep)
        ):
            raise ApiError(
                400, "Invalid request: glossary is a list of [source, target], keep a list of terms"
            )
        for entry in [*pairs, *keep]:
            terms = entry if isinstance(entry, list) else [entry]
            if any(isinstance(t, str) and any(c in t for c in "\r\n\t") for t in terms):
                raise ApiError(400, "Invalid request: a glossary term holds a line break or a tab")
        try:
            extra = glossary_from_pairs([*pairs, *([k] for k in keep)], "glossary")
        except TranslitError as exc:
            raise ApiError(400, f"Invalid request: {exc}") from None
        return self.translator.with_glossary(self.translator.glossary.merged(extra))

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
        return await run_in_threadpool(translator.assemble, prepared, outcomes)

    async def alternatives_of(
        self, request: Request, translations: list[Translation], count: int
    ) -> list[list[str]]:
        """Up to ``count`` other renderings of each text, from the engine's n-best hypotheses.

        Decoded apart from the translations themselves (not cached), so asking for
        alternatives never changes ``translatedText``.
        """
        inputs = [
            self.normalize(u.text)
            for t in translations
            for u, r in zip(t.units, t.unit_results, strict=True)
            if not r.copied
        ]
        options = replace(self.options, hypotheses=count + 1, beams=max(self.options.beams or 4, count + 1))
        future = self.scheduler.submit(inputs, options, "", use_cache=False)
        outcomes = iter(await self.wait(request, future))
        answers = []
        for translation in translations:
            per_unit = [
                (r.text,) if r.copied else (r.text, *next(outcomes).alternatives)
                for r in translation.unit_results
            ]
            texts: list[str] = []
            for k in range(1, count + 1):
                joined = join_units(
                    translation.units,
                    [hypotheses[k] if k < len(hypotheses) else hypotheses[0] for hypotheses in per_unit],
                    len(translation.source_paragraphs),
                )
                text = "\n\n".join(joined)
                if text != translation.text and text not in texts:
                    texts.append(text)
            answers.append(texts)
        return answers

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


def detected(text: str) -> dict[str, Any]:
    """LibreTranslate's ``detectedLanguage``: the likeliest language and its confidence (0-100)."""
    ranked = rank_languages(text, top=1)
    language, probability = ranked[0] if ranked else ("de", 0.0)
    return {"language": language, "confidence": round(probability * 100, 1)}


def create_app(translator: Translator, config: ServeConfig | None = None) -> FastAPI:
    """The service for ``translator`` (its engine loaded first, so a missing model fails now)."""
    config = config or ServeConfig()
    service = Service(translator, config)
    app = FastAPI(
        title="translit",
        version=__version__,
        description="Offline German→English translation with a LibreTranslate-compatible API.",
        docs_url=None,  # served below from the package: nothing is fetched from a CDN
        redoc_url=None,
    )
    app.state.service = service

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(400, "Invalid request")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.error(
            "internal error on %s %s: %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            exc,
            exc_info=exc,
        )
        return _error(500, f"internal error ({type(exc).__name__}); the server log has the details")

    app.add_middleware(GuardMiddleware, service=service)
    # Browsers on other origins may call the API, as LibreTranslate allows (any origin by
    # default; --cors ORIGIN restricts); never with credentials.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(config.cors) or ["*"],
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        allow_credentials=False,
        max_age=600,
    )

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        """Swagger UI for the API, its script and style served by this service (swagger-ui-bundle)."""
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="translit API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )

    @app.get("/docs-assets/{name}", include_in_schema=False)
    async def docs_assets(name: str) -> Response:
        """The Swagger UI files, from the swagger-ui-bundle package."""
        kinds = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in kinds or "/" in name or name.startswith("."):
            raise ApiError(404, "Not Found")
        try:
            from swagger_ui_bundle import swagger_ui_path
        except ImportError:
            raise ApiError(404, "API docs need swagger-ui-bundle (pip install 'translit[serve]')") from None
        path = Path(swagger_ui_path) / name
        if not path.is_file():
            raise ApiError(404, "Not Found")
        return Response(
            path.read_bytes(), media_type=kinds[suffix], headers={"Cache-Control": "max-age=3600"}
        )

    @app.post(
        "/translate", summary="Translate text (LibreTranslate's API)", openapi_extra=body(TranslateRequest)
    )
    async def translate(request: Request) -> JSONResponse:
        """LibreTranslate's ``/translate``; ``details: true`` adds translit's per-unit JSON."""
        params = await service.parameters(request)
        service.authorise(request, params)
        chosen = service.text_format(params)
        # A saved page is mostly markup: its bytes are bounded by the body limit, and what
        # counts against the character limit is the article text that is translated.
        items, batch = service.texts(params, count_chars=chosen != "page")
        source = service.languages(params)
        count = service.alternatives(params)
        languages = [detected(item) for item in items] if source == "auto" else None
        for language in languages or []:
            if language["language"] not in SOURCES and language["confidence"] >= 90:
                raise ApiError(400, f"{language['language']} is not supported (translit translates German)")
        worker = service.translator_for(params)
        documents = await service.read(items, chosen)
        if chosen == "page":
            service.check_chars(sum(len(p) for d in documents for p in d.paragraphs))
        translations = await service.translate_documents(request, documents, worker)
        texts = [t.text for t in translations]
        names = [d.name for d in documents]
        result: dict[str, Any] = {"translatedText": texts if batch else texts[0]}
        if languages is not None:
            result["detectedLanguage"] = languages if batch else languages[0]
        if count:
            alternatives = (
                await service.alternatives_of(request, translations, count)
                if chosen != "html"
                else [[] for _ in items]  # as LibreTranslate: none for HTML
            )
            result["alternatives"] = alternatives if batch else alternatives[0]
        if params.get("details") in (True, "true", "1"):
            details = [translation_json(n, t) for n, t in zip(names, translations, strict=True)]
            result["translit"] = details if batch else details[0]
        return JSONResponse(result)

    @app.post("/brief", summary="Translate and brief an article (translit)", openapi_extra=body(BriefRequest))
    async def brief(request: Request) -> JSONResponse:
        """A brief of each ``q``: English sentences chosen from the translation, each with its German."""
        params = await service.parameters(request)
        service.authorise(request, params)
        items, batch = service.texts(params)
        chosen = service.text_format({**params, "format": params.get("format") or "text"})
        if chosen == "html":
            chosen = "page"
        overrides: dict[str, Any] = {}
        for name in ("sentences", "words"):
            if params.get(name) not in (None, ""):
                try:
                    overrides[name] = int(params[name])
                    translator.settings.but(**{name: overrides[name]})
                except (TypeError, ValueError, OverflowError) as exc:
                    raise ApiError(400, f"Invalid request: {name} {exc}") from None
        documents = await service.read(items, chosen)
        worker = service.translator_for(params)
        translations = await service.translate_documents(request, documents, worker)
        briefer = worker.with_settings(**overrides)
        answers = []
        for translation in translations:
            made = await run_in_threadpool(briefer.brief_of, translation)
            answers.append(
                {
                    "headline": made.headline,
                    "brief": made.summary.sentences,
                    "sources": [
                        {"units": units, "source": text}
                        for units, text in zip(made.sources, made.source_texts, strict=True)
                    ],
                    "method": made.summary.method,
                }
            )
        return JSONResponse({"briefs": answers} if batch else answers[0])

    @app.post("/languages", summary="Supported languages", operation_id="languages_post")
    @app.get("/languages", summary="Supported languages", operation_id="languages_get")
    async def languages() -> JSONResponse:
        """LibreTranslate's ``/languages``: German to English."""
        return JSONResponse(
            [
                {"code": "de", "name": "German", "targets": list(TARGETS)},
                {"code": "en", "name": "English", "targets": []},
            ]
        )

    @app.post("/detect", summary="Detect the language of a text", openapi_extra=body(DetectRequest))
    async def detect(request: Request) -> JSONResponse:
        """LibreTranslate's ``/detect``: candidates with a confidence of 0-100."""
        params = await service.parameters(request)
        service.authorise(request, params)
        q = params.get("q")
        if not q or not isinstance(q, str):
            raise ApiError(400, "Invalid request: missing q parameter")
        if service.config.char_limit and len(q) > service.config.char_limit:
            raise ApiError(
                400, f"Invalid request: request ({len(q)}) exceeds text limit ({service.config.char_limit})"
            )
        ranked = await run_in_threadpool(rank_languages, q, 3)
        return JSONResponse([{"language": code, "confidence": round(p * 100, 1)} for code, p in ranked])

    @app.get("/frontend/settings", summary="Settings for a LibreTranslate front end")
    async def frontend_settings() -> JSONResponse:
        """LibreTranslate's ``/frontend/settings``."""
        return JSONResponse(
            {
                "charLimit": config.char_limit or -1,
                "frontendTimeout": 500,
                "apiKeys": bool(config.keys),
                "keyRequired": bool(config.keys),
                "suggestions": False,
                "filesTranslation": True,
                "supportedFilesFormat": supported_extensions(),
                "language": {
                    "source": {"code": "de", "name": LANGUAGE_NAMES["de"]},
                    "target": {"code": "en", "name": LANGUAGE_NAMES["en"]},
                },
            }
        )

    def file_url(request: Request, token: str, name: str) -> str:
        return f"{str(request.base_url).rstrip('/')}/download_file/{token}/{quote(name)}"

    @app.post(
        "/translate_file",
        summary="Translate a document into its own format (LibreTranslate's API)",
        openapi_extra=body(FileRequest, multipart=True),
    )
    async def translate_file(request: Request) -> JSONResponse:
        """LibreTranslate's ``/translate_file``: multipart ``file``, ``source``, ``target``, ``api_key``."""
        name, data, params = await service.upload(request)
        service.authorise(request, params)
        new_name, written = await service.translate_upload(request, name, data, params)
        token = service.files.put(new_name, written)
        return JSONResponse({"translatedFileUrl": file_url(request, token, new_name)})

    @app.get("/download_file/{token}/{name}", summary="Fetch a translated file (once)")
    async def download_file(token: str, name: str) -> Response:
        """The translated file behind a ``translatedFileUrl``; it is gone once fetched."""
        stored = service.files.take(token)
        if stored is None:
            raise ApiError(404, "No such file: it was fetched already, or it expired")
        disposition = f"attachment; filename*=UTF-8''{quote(stored.name)}"
        return Response(
            stored.data, media_type=media_type(stored.name), headers={"Content-Disposition": disposition}
        )

    @app.post(
        "/jobs",
        summary="Translate a document as a job: poll its progress, then fetch it (translit)",
        openapi_extra=body(FileRequest, multipart=True),
    )
    async def submit_job(request: Request) -> JSONResponse:
        """Start translating an uploaded document; answers 202 with the job's address."""
        name, data, params = await service.upload(request)
        service.authorise(request, params)
        job = Job(name)
        identifier = service.jobs.add(job)
        # The upload's place among --max-concurrent passes to the job: it counts until the job
        # ends, not only until the 202 is sent.
        request.scope["translit.counted"] = False

        async def run() -> None:
            try:
                new_name, written = await service.translate_upload(None, name, data, params, job)
                job.token = service.files.put(new_name, written)
                job.name = new_name
                job.status = "done"
            except ApiError as exc:
                job.status, job.error = ("cancelled", None) if job.cancelled else ("failed", exc.message)
            except Exception as exc:  # our fault: logged with its traceback, reported in one line
                log.error("job %s failed", identifier, exc_info=exc)
                job.status, job.error = "failed", f"internal error ({type(exc).__name__})"
            finally:
                job.finished = time.monotonic()
                service.in_flight -= 1
                service.served += 1

        service.background.add(task := asyncio.create_task(run()))
        task.add_done_callback(service.background.discard)
        url = f"{str(request.base_url).rstrip('/')}/jobs/{identifier}"
        return JSONResponse({"job": identifier, "status": url}, status_code=202)

    @app.get("/jobs/{identifier}", summary="A job's progress, and its file once done (translit)")
    async def job_status(request: Request, identifier: str) -> JSONResponse:
        """``status`` (queued/running/done/failed), ``units``, ``units_done``; then the file's address."""
        job = service.jobs.get(identifier)
        if job is None:
            raise ApiError(404, "No such job")
        url = file_url(request, job.token, job.name) if job.token else None
        return JSONResponse(job.to_dict(url))

    @app.delete("/jobs/{identifier}", summary="Cancel a job (translit)")
    async def cancel_job(identifier: str) -> JSONResponse:
        """Stop a job's translation; its units still waiting are dropped."""
        job = service.jobs.get(identifier)
        if job is None:
            raise ApiError(404, "No such job")
        job.cancelled = True
        return JSONResponse({"status": "cancelled" if job.status not in ("done", "failed") else job.status})

    if config.ui:

        @app.get("/", include_in_schema=False)
        async def page() -> Response:
            """The newsroom's page: paste or drop German, read the English (``--no-ui`` turns it off)."""
            return _static("index.html")

        @app.get("/static/{name}", include_in_schema=False)
        async def static(name: str) -> Response:
            """The page's script and style sheet, from the package."""
            if name not in STATIC_TYPES or name == "index.html":
                raise ApiError(404, "Not Found")
            return _static(name)

    if config.metrics:

        @app.get("/metrics", summary="Prometheus metrics (translit serve --metrics)")
        async def metrics(request: Request) -> Response:
            """Requests, latency, characters, units, cache hits, engine seconds, queue depth."""
            key = service.key_of(request, dict(request.query_params))
            if config.keys and not key_is_valid(key, config.keys):
                raise ApiError(403, "Invalid API key")
            from translit.serve.metrics import CONTENT_TYPE

            return Response(service.metrics.render(), media_type=CONTENT_TYPE)

    @app.get("/health", summary="Is the service up")
    async def health(request: Request) -> JSONResponse:
        """Up, which model, and what the scheduler has done; with keys on, only "up" without a key."""
        key = service.key_of(request, dict(request.query_params))
        if config.keys and not key_is_valid(key, config.keys):
            return JSONResponse({"status": "ok"})
        stats = service.scheduler.stats
        engine = translator.engine
        return JSONResponse(
            {
                "status": "ok",
                "model": Path(engine.model_id).name if os.sep in engine.model_id else engine.model_id,
                "engine": engine_name(engine),
                "uptime": round(time.time() - service.started, 1),
                "in_flight": service.in_flight,
                "pending_units": service.scheduler.pending_inputs(),
                "rounds": stats.rounds,
                "units_translated": stats.inputs,
                "units_from_cache": stats.cached,
                "units_shared": stats.shared,
                "engine_seconds": round(stats.busy_seconds, 3),
            }
        )

    return app
