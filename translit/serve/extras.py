"""translit's own route beside LibreTranslate's: ``POST /brief``, an article translated and condensed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from translit.serve import requests
from translit.serve.errors import ApiError
from translit.serve.schema import BriefRequest, body, parsed
from translit.serve.service import ServiceDep

router = APIRouter()


@router.post("/brief", summary="Translate and brief an article (translit)", openapi_extra=body(BriefRequest))
async def brief(request: Request, service: ServiceDep) -> JSONResponse:
    """A brief of each ``q``: English sentences chosen from the translation, each with its German."""
    params = await requests.parameters(request, await service.gate.admit(request), service.config.body_limit)
    service.gate.authorise(request, params)
    fields = parsed(BriefRequest, params)
    items, batch = requests.texts(service.config, fields.q)
    service.count_characters(items)
    chosen = requests.text_format(fields.format)
    if chosen == "html":
        chosen = "page"
    overrides: dict[str, Any] = {}
    for name, value in (("sentences", fields.sentences), ("words", fields.words)):
        if value is not None:
            try:
                service.translator.settings.but(**{name: value})
            except ValueError as exc:
                raise ApiError(400, f"Invalid request: {name} {exc}") from None
            overrides[name] = value
    documents = await service.read(items, chosen)
    worker = service.with_request_settings(service.translator_for(fields.glossary, fields.keep), fields)
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
