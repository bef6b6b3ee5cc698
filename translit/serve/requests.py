"""Reading requests: bodies within their limits, JSON and form data alike, uploads, and the fields.

LibreTranslate reads JSON, urlencoded and multipart bodies alike (its clients send all three),
so do these functions; :mod:`translit.serve.schema` describes the same fields for ``/docs``.
The bodies come from the gate (:meth:`translit.serve.gate.Gate.admit`), read within their limits.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from starlette.datastructures import FormData

from translit.serve.errors import ApiError
from translit.serve.limits import ServeConfig

NAME_CHARS = 255  # the longest upload name kept (a longer one is cut, its extension kept)
SOURCES = ("de",)
TARGETS = ("en",)
# LibreTranslate's formats, then translit's own.
# LibreTranslate's format=html is HTML whose markup is kept; "page" is a saved web page (its main text).
FORMATS = {"text": "text", "html": "html-markup", "markdown": "markdown", "page": "html"}


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


def content_type(request: Request) -> str:
    """The request's media type, lower case, without parameters."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def parse_form(request: Request, body: bytes, max_part_size: int) -> FormData:
    """A multipart body already read, parsed by Starlette's parser (the request is not read again)."""
    from starlette.formparsers import MultiPartParser

    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        return await MultiPartParser(request.headers, once(), max_part_size=max_part_size).parse()
    except Exception as exc:
        if "header size" in str(exc.__cause__ or ""):
            # python-multipart allows a part's header 4 KiB: a longer one is a file name of
            # thousands of characters, which no file system holds.
            raise ApiError(
                400, "Invalid request: a file name or field name is too long (4,000 characters at most)"
            ) from None
        raise ApiError(400, "Invalid request: the form data cannot be read") from None


async def parameters(request: Request, body: bytes, limit: int) -> dict[str, Any]:
    """The parameters in a request's ``body``: a JSON object, or form data (urlencoded or
    multipart, no part over ``limit`` bytes)."""
    kind = content_type(request)
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
        form = await parse_form(request, body, limit or 1 << 20)
        return {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise ApiError(400, "Invalid request: form data is not UTF-8") from None
    # LibreTranslate reads one value per field from forms; line endings become "\n".
    return {k: "\n".join(v[-1].splitlines()) if k == "q" else v[-1] for k, v in fields.items()}


def short_name(name: str) -> str:
    """An upload's name as kept: its last path part, at most :data:`NAME_CHARS` characters (a
    longer one cut before its extension, which says its format)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1] or "document"
    if len(name) <= NAME_CHARS:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 16:
        return name[:NAME_CHARS]
    return stem[: NAME_CHARS - len(suffix) - 1] + "." + suffix


async def upload(request: Request, body: bytes, limit: int) -> tuple[str, bytes, dict[str, Any]]:
    """A multipart upload's file (name, bytes) and its other fields, the file within ``limit``."""
    if content_type(request) != "multipart/form-data":
        raise ApiError(400, "Invalid request: send the file as multipart/form-data in a 'file' field")
    form = await parse_form(request, body, limit or 1 << 40)
    file = form.get("file")
    if file is None or isinstance(file, str):
        raise ApiError(400, "Invalid request: missing file parameter")
    data = await file.read()
    if limit and len(data) > limit:
        raise ApiError(413, f"Invalid request: the file exceeds the limit ({limit} bytes)")
    return (
        short_name(file.filename or "document"),
        data,
        {k: v for k, v in form.items() if isinstance(v, str)},
    )


# --- the fields --------------------------------------------------------------------------------


def check_chars(config: ServeConfig, chars: int) -> None:
    """Refuse ``chars`` characters over the limit."""
    if config.char_limit and chars > config.char_limit:
        raise ApiError(400, f"Invalid request: request ({chars}) exceeds text limit ({config.char_limit})")


def texts(config: ServeConfig, q: str | list[str], count_chars: bool = True) -> tuple[list[str], bool]:
    """``q`` as a list, and whether it was one (a batch); checked against the limits."""
    if q == "" or q == []:
        raise ApiError(400, "Invalid request: missing q parameter")
    batch = isinstance(q, list)
    items = q if isinstance(q, list) else [q]
    if batch and config.batch_limit and len(items) > config.batch_limit:
        raise ApiError(
            400, f"Invalid request: request ({len(items)}) exceeds text limit ({config.batch_limit})"
        )
    if count_chars:
        check_chars(config, sum(len(item) for item in items))
    return items, batch


def languages(source: str | None, target: str | None) -> str:
    """Check ``source`` and ``target``; returns the source (``de`` or ``auto``)."""
    if not source:
        raise ApiError(400, "Invalid request: missing source parameter")
    if not target:
        raise ApiError(400, "Invalid request: missing target parameter")
    if source not in (*SOURCES, "auto"):
        raise ApiError(400, f"{source} is not supported (translit translates German to English)")
    if target not in TARGETS:
        raise ApiError(400, f"{target} is not supported (translit translates German to English)")
    return source


def text_format(chosen: str) -> str:
    """``format`` as one of :data:`FORMATS`."""
    if chosen not in FORMATS:
        raise ApiError(400, f"{chosen} format is not supported (choose from {', '.join(FORMATS)})")
    return chosen


def alternatives(config: ServeConfig, asked: int) -> int:
    """``alternatives`` within the limit (a negative number is none)."""
    count = max(0, asked)
    if count > config.alternatives_limit:
        raise ApiError(400, f"Invalid request: alternatives parameter must be <= {config.alternatives_limit}")
    return count
