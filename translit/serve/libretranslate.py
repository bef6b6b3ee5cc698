"""LibreTranslate's API, drop-in: ``/translate``, ``/languages``, ``/detect``, ``/suggest``,
``/frontend/settings``.

LibreTranslate's shapes (its ``app.py``): ``POST /translate`` takes JSON or form data —
``q`` (a string or a list), ``source`` (``de`` or ``auto``), ``target`` (``en``),
``format`` (``text``/``html``), ``alternatives``, ``api_key`` — and answers
``{"translatedText": …}`` (a string or a list), with ``detectedLanguage`` for ``auto`` and
``alternatives`` when asked. translit's extras never change those answers: ``"details": true``
adds ``translit``, the JSON of ``translit translate --format json`` per text; ``format`` also
takes ``markdown`` and ``page`` (a saved web page, main text extracted).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from translit.language import LANGUAGE_NAMES, rank_languages
from translit.render import translation_json
from translit.serve import requests, suggestions
from translit.serve.errors import ApiError
from translit.serve.files import supported_extensions
from translit.serve.gate import key_of
from translit.serve.schema import DetectRequest, SuggestRequest, TranslateRequest, body, parsed
from translit.serve.service import ServiceDep, detected

router = APIRouter()


@router.post(
    "/translate", summary="Translate text (LibreTranslate's API)", openapi_extra=body(TranslateRequest)
)
async def translate(request: Request, service: ServiceDep) -> JSONResponse:
    """LibreTranslate's ``/translate``; ``details: true`` adds translit's per-unit JSON."""
    config = service.config
    params = await requests.parameters(request, await service.gate.admit(request), config.body_limit)
    service.gate.authorise(request, params)
    fields = parsed(TranslateRequest, params)
    chosen = requests.text_format(fields.format)
    # A saved page is mostly markup: its bytes are bounded by the body limit, and what
    # counts against the character limit is the article text that is translated.
    items, batch = requests.texts(config, fields.q, count_chars=chosen != "page")
    service.count_characters(items)
    source = requests.languages(fields.source, fields.target)
    count = requests.alternatives(config, fields.alternatives)
    languages = [detected(item) for item in items] if source == "auto" else None
    for language in languages or []:
        if language["language"] not in requests.SOURCES and language["confidence"] >= 90:
            raise ApiError(400, f"{language['language']} is not supported (translit translates German)")
    worker = service.with_request_settings(service.translator_for(fields.glossary, fields.keep), fields)
    documents = await service.read(items, chosen)
    if chosen == "page":
        requests.check_chars(config, sum(len(p) for d in documents for p in d.paragraphs))
    translations = await service.translate_documents(request, documents, worker)
    texts = [t.text for t in translations]
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
    if fields.details:
        details = [translation_json(d.name, t) for d, t in zip(documents, translations, strict=True)]
        result["translit"] = details if batch else details[0]
    return JSONResponse(result)


@router.post("/languages", summary="Supported languages", operation_id="languages_post")
@router.get("/languages", summary="Supported languages", operation_id="languages_get")
async def languages() -> JSONResponse:
    """LibreTranslate's ``/languages``: German to English."""
    return JSONResponse(
        [
            {"code": "de", "name": "German", "targets": list(requests.TARGETS)},
            {"code": "en", "name": "English", "targets": []},
        ]
    )


@router.post("/detect", summary="Detect the language of a text", openapi_extra=body(DetectRequest))
async def detect(request: Request, service: ServiceDep) -> JSONResponse:
    """LibreTranslate's ``/detect``: candidates with a confidence of 0-100."""
    params = await requests.parameters(request, await service.gate.admit(request), service.config.body_limit)
    service.gate.authorise(request, params)
    q = parsed(DetectRequest, params).q
    requests.check_chars(service.config, len(q))
    ranked = await run_in_threadpool(rank_languages, q, 3)
    return JSONResponse([{"language": code, "confidence": round(p * 100, 1)} for code, p in ranked])


@router.post(
    "/suggest",
    summary="Suggest a better translation (LibreTranslate's API; kept in translit's memory)",
    openapi_extra=body(SuggestRequest),
)
async def suggest(request: Request, service: ServiceDep) -> JSONResponse:
    """LibreTranslate's ``/suggest`` (``q``, ``s``, ``source``, ``target``, ``api_key``), on with
    ``--suggestions``: the correction goes to the translation memory (:mod:`translit.serve.suggestions`)."""
    params = await requests.parameters(request, await service.gate.admit(request), service.config.body_limit)
    if service.memory is None:
        raise ApiError(403, "Suggestions are disabled on this server.")
    service.gate.authorise(request, params)
    fields = parsed(SuggestRequest, params)
    requests.languages(fields.source or "de", fields.target or "en")
    origin = "page" if fields.origin == "page" else "suggest"
    key = key_of(request, params)
    await run_in_threadpool(
        suggestions.suggest,
        service.memory,
        service.translated,
        fields.q,
        fields.s,
        origin=origin,
        key=key if isinstance(key, str) else None,
        trusted=bool(service.config.keys),
    )
    return JSONResponse({"success": True})


@router.get("/frontend/settings", summary="Settings for a LibreTranslate front end")
async def frontend_settings(service: ServiceDep) -> JSONResponse:
    """LibreTranslate's ``/frontend/settings``."""
    config = service.config
    return JSONResponse(
        {
            "charLimit": config.char_limit or -1,
            "frontendTimeout": 500,
            "apiKeys": bool(config.keys),
            "keyRequired": bool(config.keys),
            "suggestions": config.suggestions,
            "filesTranslation": True,
            "supportedFilesFormat": supported_extensions(),
            "language": {
                "source": {"code": "de", "name": LANGUAGE_NAMES["de"]},
                "target": {"code": "en", "name": LANGUAGE_NAMES["en"]},
            },
        }
    )
