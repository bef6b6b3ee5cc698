"""The request bodies of the service's routes: typed models that parse them *and* describe them.

Every route reads its fields through :func:`parsed`, which validates the request's parameters
(a JSON object, or form data: see :mod:`translit.serve.requests`) into the route's model; the
same models are attached to the routes' OpenAPI entries (:func:`body`), so what ``/docs`` says
and what the service accepts cannot drift apart. Types are lenient where LibreTranslate is:
form fields arrive as strings ("3", "true"), and an empty field is an absent one.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from translit.formats import BY_EXTENSION
from translit.serve.errors import ApiError

_KEY = "The API key, when the service requires keys."
_GLOSSARY = "translit: `[[source, target], …]` terms for this request (`[term]`: keep)."
_KEEP = "translit: terms never to translate, for this request."
_TERMS = "Invalid request: glossary is a list of [source, target], keep a list of terms"


class RequestModel(BaseModel):
    """A route's fields. Unknown fields are ignored (as LibreTranslate does) and empty ones are
    absent; ``invalid`` words the 400 of a field whose value has the wrong type."""

    model_config = ConfigDict(extra="ignore")
    invalid: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != ""}
        return data


def settings_fields() -> dict[str, Any]:
    """Pydantic fields for the Settings a request may set (declared ``request=True`` in
    :mod:`translit.options`): type, help and range from the same declaration as their flags."""
    from translit.options import option_info, option_type, request_options

    made: dict[str, Any] = {}
    for name in request_options():
        info = option_info(name)
        kind = next(k for k in option_type(name) if k is not type(None))
        numeric = kind in (int, float)
        low, high = (info.minimum, info.upper()) if numeric else (None, None)
        made[name] = (kind | None, Field(None, description=f"translit: {info.help}", ge=low, le=high))
    return made


def settings_given(fields: BaseModel) -> dict[str, Any]:
    """The Settings a parsed request sets (those it gives)."""
    from translit.options import request_options

    return {name: value for name in request_options() if (value := getattr(fields, name, None)) is not None}


class _TranslateFields(RequestModel):
    """``POST /translate``: LibreTranslate's fields, and translit's extras."""

    q: str | list[str] = Field(description="The text, or a list of texts (a batch).")
    source: str = Field(description="The source language: `de`, or `auto` to detect it.", examples=["de"])
    target: str = Field(description="The target language: `en`.", examples=["en"])
    format: str = Field(
        "text",
        description="`text`, `html` (markup kept), and translit's `markdown` and `page` (a saved web page).",
    )
    alternatives: int = Field(0, description="Other renderings per text, from the n-best list.")
    api_key: str | None = Field(None, description=_KEY)
    details: bool = Field(False, description="translit: add the per-unit JSON of `translate --format json`.")
    glossary: list[list[str]] | None = Field(None, description=_GLOSSARY)
    keep: list[str] | None = Field(None, description=_KEEP)

    invalid: ClassVar[dict[str, str]] = {
        "q": "Invalid request: q must be a string or a list of strings",
        "alternatives": "Invalid request: alternatives parameter is not a number",
        "glossary": _TERMS,
        "keep": _TERMS,
    }


TranslateRequest = create_model("TranslateRequest", __base__=_TranslateFields, **settings_fields())
"""``POST /translate``: LibreTranslate's fields, translit's extras, and the Settings a request may set."""


class _BriefFields(RequestModel):
    """``POST /brief`` (translit): an article translated and condensed."""

    q: str | list[str] = Field(description="The German article, or a list of them.")
    format: str = Field("text", description="`text`, `markdown`, `html` or `page`.")
    sentences: int | None = Field(None, ge=1, description="Sentences in the brief (default 3).")
    words: int | None = Field(None, ge=1, description="At most this many words (at least one sentence).")
    api_key: str | None = Field(None, description=_KEY)
    glossary: list[list[str]] | None = Field(None, description=_GLOSSARY)
    keep: list[str] | None = Field(None, description=_KEEP)

    invalid: ClassVar[dict[str, str]] = {
        "q": "Invalid request: q must be a string or a list of strings",
        "glossary": _TERMS,
        "keep": _TERMS,
    }


BriefRequest = create_model("BriefRequest", __base__=_BriefFields, **settings_fields())
"""``POST /brief``: its fields, and the Settings a request may set."""


class DetectRequest(RequestModel):
    """``POST /detect``: the language of a text."""

    q: str = Field(description="The text.")
    api_key: str | None = Field(None, description=_KEY)

    invalid: ClassVar[dict[str, str]] = {"q": "Invalid request: q must be a string"}


class SuggestRequest(RequestModel):
    """``POST /suggest``: a better translation of a text the service translated (LibreTranslate's)."""

    q: str = Field(description="The German text.")
    s: str = Field(description="Its better English translation.")
    source: str | None = Field(None, description="`de`.")
    target: str | None = Field(None, description="`en`.")
    origin: str | None = Field(
        None, description="translit: `page` when the page sends it (default `suggest`)."
    )
    api_key: str | None = Field(None, description=_KEY)

    invalid: ClassVar[dict[str, str]] = {
        "q": "Invalid request: q must be a string",
        "s": "Invalid request: s must be a string",
    }


class FileRequest(RequestModel):
    """``POST /translate_file`` and ``POST /jobs``: a document upload (multipart)."""

    file: bytes = Field(description=f"The document: {', '.join(BY_EXTENSION)}.")
    source: str | None = Field(None, description="`de` (optional here).")
    target: str | None = Field(None, description="`en` (optional here).")
    api_key: str | None = Field(None, description=_KEY)


Model = TypeVar("Model", bound=RequestModel)


def parsed(model: type[Model], params: dict[str, Any]) -> Model:
    """``params`` as ``model``; a missing field is LibreTranslate's "missing X parameter", a wrong
    one the model's ``invalid`` line (else the field and what is wrong), each a 400."""
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "body"
        if error["type"] == "missing":
            raise ApiError(400, f"Invalid request: missing {field} parameter") from None
        raise ApiError(400, model.invalid.get(field) or f"Invalid request: {field}: {error['msg']}") from None


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
