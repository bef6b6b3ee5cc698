"""Readers and writers: an input's bytes in, a :class:`Document` out — and the translation back.

Every format is one row of :data:`translit.formats.FORMATS` and one module here. The module's
``Reader`` turns the bytes of one input (or text already decoded) into a :class:`Document`: its
segments — plain text, with inline formatting as :class:`Span` and :class:`Atom` — what was
stripped, metadata, and the skeleton to write it back from. A format that is written back
(``writes_back`` in its row) also has a ``Writer``, which takes the document and its placed
translations (:class:`PlacedSegment`, from :mod:`translit.placement`) and returns **bytes**
(:func:`write_document`). Heavy parsers (trafilatura, markdown-it-py) are imported only when
their reader is used.

The table names each format's module (``python -m translit.formats`` prints it); the modules
that are not a format's are the shared parts: :mod:`~translit.readers.base` (the document
model), :mod:`~translit.readers.runs` (inline formatting of runs), :mod:`~translit.readers.package`
(zip packages, opened with limits), :mod:`~translit.readers.subtitles` (what SubRip and WebVTT
share) and :mod:`~translit.readers.child` (a parser in a child process, with a time limit).

**Adding a format** (say subtitles):

1. Write ``translit/readers/subtitles.py`` with a class ``Reader`` (``name``, ``read(data,
   source) -> Document``: one :class:`Segment` per piece of text, formatting as spans and
   atoms whose payloads are your own small dataclasses, and your own skeleton) and, if the
   translation goes back into the format, a class ``Writer`` (``write(document, placed,
   marks) -> bytes``). Name the types once — ``Document[Skeleton, SpanPayload, AtomPayload]``
   (``Never`` where there are no spans) — and reader, writer and placement are checked
   against them by mypy: the writer reads its payloads' fields, never an untyped tuple.
2. Add its row to :data:`translit.formats.FORMATS`: name, description, extensions, module,
   the suffix of a batch's output, ``writes_back``, ``binary``, media type, extra, magic bytes.

Nothing else changes: ``--input-format``, detection by extension and content, the files a
batch picks up, the outputs' names, the writers, the service's formats and media types, the
CLI's help and README's table all read the table (``tests/test_architecture.py`` checks that
each row's module has the ``Reader`` of that name, and a ``Writer`` when it writes back).
"""

from __future__ import annotations

import codecs
import importlib
import re
from functools import cache
from pathlib import PurePath

from translit.errors import InputError
from translit.formats import BY_EXTENSION, FORMATS, NOT_READ, FormatInfo, format_info, format_of_name
from translit.readers.base import (
    Atom,
    Document,
    PlacedSegment,
    PlacedSpan,
    Reader,
    Segment,
    Span,
    Tags,
    Writer,
)
from translit.textio import BinaryInputError

__all__ = [
    "FORMATS",
    "Atom",
    "Document",
    "FormatInfo",
    "PlacedSegment",
    "PlacedSpan",
    "Reader",
    "Segment",
    "Span",
    "Tags",
    "Writer",
    "detect_format",
    "format_of_name",
    "get_reader",
    "get_writer",
    "input_extensions",
    "read_document",
    "translation_suffix",
    "write_document",
]

_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S
)


# Markdown's marks, each a sign of its own kind; plain German text has none of them (its
# dialogue dashes and "*" footnotes are why list items and single asterisks are not signs).
_MARKDOWN_SIGNS = (
    re.compile(r"^#{1,6} \S", re.M),  # an ATX heading
    re.compile(r"\]\((?:https?://|/|\./|#)[^)\s]*\)"),  # a link or an image
    re.compile(r"^(?:```|~~~)", re.M),  # a fenced code block
    re.compile(
        r"(?<![*\w])\*\*[^*\s][^*\n]*?[^*\s]\*\*(?![*\w])|(?<![_\w])__[^_\s][^_\n]*?[^_\s]__(?![_\w])"
    ),
    re.compile(r"^\|.*\|\s*\n\|[ :|-]*-{3,}[ :|-]*\|\s*$", re.M),  # a table's header and rule
)


def looks_like_markdown(text: str) -> bool:
    """Does unnamed input (stdin, ``-t``) read as Markdown: a heading on its first line, or
    marks of two different kinds (heading, link, code fence, strong emphasis, table)?"""
    if re.match(r"\A\s*#{1,6} \S", text):
        return True
    return sum(bool(sign.search(text)) for sign in _MARKDOWN_SIGNS) >= 2


def input_extensions() -> tuple[str, ...]:
    """Every file extension a reader takes, in table order."""
    return tuple(BY_EXTENSION)


def formats_hint() -> str:
    """What translit reads, for messages: ``plain text (.txt), web pages (.html, …), …``."""
    return ", ".join(
        f"{info.description} ({', '.join(info.extensions)})" for info in FORMATS if info.extensions
    )


def translation_suffix(name: str) -> str:
    """The suffix of a batch's translation of file ``name`` (``.en.md`` for Markdown, …)."""
    info = BY_EXTENSION.get(PurePath(name).suffix.lower())
    return info.output_suffix if info else ".en.txt"


def detect_format(data: bytes | str, name: str | None = None) -> str:
    """``html``, ``markdown`` or ``text``: by file extension first, then by content.

    A ``.txt`` file may still be a saved web page; Markdown is recognised by its content
    only where there is no name to go by (stdin, ``--text``).
    """
    by_name = format_of_name(name)
    if by_name is not None and by_name != "text":
        return by_name  # ".txt" says little: a saved page is often called so
    head = data[:4096]
    if isinstance(head, bytes):
        utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        text = head.decode("utf-16" if utf16 else "utf-8", "replace")
    else:
        text = head
    if _HTML_START.match(text):
        return "html"
    if by_name is None and looks_like_markdown(text):
        return "markdown"  # a name says nothing (stdin): the content does
    return "text"


def _info(input_format: str) -> FormatInfo:
    info = format_info(input_format)
    if info is None:
        raise InputError(
            f"unknown input format '{input_format}' (choose from {', '.join(f.name for f in FORMATS)})"
        )
    return info


@cache
def get_reader(input_format: str) -> Reader:
    """The reader of ``input_format`` (a name in the formats table)."""
    reader: Reader = importlib.import_module(_info(input_format).module).Reader()
    return reader


@cache
def get_writer(input_format: str) -> Writer | None:
    """The writer of ``input_format``, or None where the format is not written back."""
    info = _info(input_format)
    if not info.writes_back:
        return None
    writer: Writer = importlib.import_module(info.module).Writer()
    return writer


def read_document(data: bytes | str, input_format: str = "auto", name: str | None = None) -> Document:
    """Read one input as ``input_format`` (``auto``: :func:`detect_format`)."""
    if str(input_format) == "auto" and name:
        refused = NOT_READ.get(PurePath(name).suffix.lower())
        if refused is not None:
            raise InputError(f"{name}: {refused}; translit reads {formats_hint()}")
    chosen = detect_format(data, name) if str(input_format) == "auto" else str(input_format)
    try:
        document = get_reader(chosen).read(data, name or "<input>")
    except BinaryInputError as exc:
        raise InputError(f"{exc}; translit reads {formats_hint()}") from None
    document.name = name or "<input>"
    return document


def write_document(document: Document, placed: list[PlacedSegment], marks: bool = True) -> bytes | None:
    """The translated document in its own format, as bytes (None: the format is not written back).

    ``placed`` has one :class:`PlacedSegment` per segment of ``document``; ``marks`` puts
    ``[?]`` after the units a reader should check.
    """
    writer = get_writer(document.input_format)
    if writer is None or document.skeleton is None:
        return None
    return writer.write(document, placed, marks)
