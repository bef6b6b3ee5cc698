"""The request bodies of the service's routes, described for ``/docs`` and ``/openapi.json``.

The routes read JSON and form data alike (as LibreTranslate does), so they parse the request
themselves; these pydantic models only *describe* each field — type, default, limits — and are
attached to the routes' OpenAPI entries as both content types.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from translit.formats import BY_EXTENSION


class TranslateRequest(BaseModel):
    """``POST /translate``: LibreTranslate's fields, and translit's extras."""

    q: str | list[str] = Field(description="The text, or a list of texts (a batch).")
    source: str = Field(description="The source language: `de`, or `auto` to detect it.", examples=["de"])
    target: str = Field(description="The target language: `en`.", examples=["en"])
    format: str = Field(
        "text",
        description="`text`, `html` (markup kept), and translit's `markdown` and `page` (a saved web page).",
    )
    alternatives: int = Field(0, ge=0, description="Other renderings per text, from the n-best list.")
    api_key: str | None = Field(None, description="The API key, when the service requires keys.")
    details: bool = Field(False, description="translit: add the per-unit JSON of `translate --format json`.")
    glossary: list[list[str]] | None = Field(
        None, description="translit: `[[source, target], …]` terms for this request (`[term]`: keep)."
    )
    keep: list[str] | None = Field(None, description="translit: terms never to translate, for this request.")


class BriefRequest(BaseModel):
    """``POST /brief`` (translit): an article translated and condensed."""

    q: str | list[str] = Field(description="The German article, or a list of them.")
    format: str = Field("text", description="`text`, `markdown`, `html` or `page`.")
    sentences: int | None = Field(None, ge=1, description="Sentences in the brief (default 3).")
    words: int | None = Field(None, ge=1, description="At most this many words (at least one sentence).")
    api_key: str | None = Field(None, description="The API key, when the service requires keys.")
    glossary: list[list[str]] | None = Field(None, description="Terms for this request.")
    keep: list[str] | None = Field(None, description="Terms never to translate.")


class DetectRequest(BaseModel):
    """``POST /detect``: the language of a text."""

    q: str = Field(description="The text.")
    api_key: str | None = Field(None, description="The API key, when the service requires keys.")


class FileRequest(BaseModel):
    """``POST /translate_file`` and ``POST /jobs``: a document upload (multipart)."""

    file: bytes = Field(description=f"The document: {', '.join(BY_EXTENSION)}.")
    source: str | None = Field(None, description="`de` (optional here).")
    target: str | None = Field(None, description="`en` (optional here).")
    api_key: str | None = Field(None, description="The API key, when the service requires keys.")


def body(model: type[BaseModel], multipart: bool = False) -> dict[str, Any]:
    """The ``openapi_extra`` that describes a route's body as JSON and form data (or multipart)."""
    schema = model.model_json_schema()
    if multipart:
        content = {"multipart/form-data": {"schema": schema}}
    else:
        content = {
            "application/json": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": schema},
        }
    return {"requestBody": {"required": True, "content": content}}
