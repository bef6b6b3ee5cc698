"""Readers: turn an input (plain text, a web page, Markdown) into paragraphs to translate.

Every reader takes the bytes of one input (or text already decoded) and returns a
:class:`Document`: the body paragraphs, what was stripped, metadata, and — for formats whose
structure is kept — a plain-data layout from which the reader writes the translated
paragraphs back in that format (:func:`rebuild`). Heavy parsers (trafilatura, markdown-it-py)
are imported only when their reader is used.

:data:`READERS` is the one table of formats: their names, file extensions, reader classes
and the suffix of their translations; ``--input-format``, format detection and the files a
batch picks up all read it. A new format is one row here and one module.

* :mod:`translit.readers.text` — plain text (breadcrumb and tag-line cleaning)
* :mod:`translit.readers.html` — web pages through trafilatura
* :mod:`translit.readers.markdown` — Markdown through markdown-it-py, structure kept
"""

from __future__ import annotations

import codecs
import importlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

from translit.errors import InputError
from translit.options import InputFormat
from translit.readers.base import Document, Reader, Rebuilt
from translit.textio import BinaryInputError

__all__ = [
    "FORMATS",
    "READERS",
    "Document",
    "Reader",
    "ReaderInfo",
    "Rebuilt",
    "detect_format",
    "get_reader",
    "input_extensions",
    "read_document",
    "rebuild",
    "translation_suffix",
]


@dataclass(frozen=True)
class ReaderInfo:
    """One input format: what it is called, which files are it, who reads it."""

    name: str
    description: str
    extensions: tuple[str, ...]
    reader: str  # "module:Class", imported when first used
    output_suffix: str  # of a batch's translation output


READERS: tuple[ReaderInfo, ...] = (
    ReaderInfo("text", "plain text", (".txt",), "translit.readers.text:TextReader", ".en.txt"),
    ReaderInfo(
        "html", "web pages", (".html", ".htm", ".xhtml"), "translit.readers.html:HtmlReader", ".en.txt"
    ),
    ReaderInfo(
        "markdown", "Markdown", (".md", ".markdown"), "translit.readers.markdown:MarkdownReader", ".en.md"
    ),
)
_BY_NAME = {info.name: info for info in READERS}
_BY_EXTENSION = {ext: info for info in READERS for ext in info.extensions}
FORMATS = tuple(f.value for f in InputFormat)
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
    return tuple(_BY_EXTENSION)


def formats_hint() -> str:
    """What translit reads, for messages: ``plain text (.txt), web pages (.html, …), …``."""
    return ", ".join(f"{info.description} ({', '.join(info.extensions)})" for info in READERS)


def format_of_name(name: str | None) -> str | None:
    """The format a file name's extension says (None when it says nothing known)."""
    if not name:
        return None
    info = _BY_EXTENSION.get(PurePath(name).suffix.lower())
    return info.name if info else None


def translation_suffix(name: str) -> str:
    """The suffix of a translation of file ``name`` in a batch: ``.en.md`` for Markdown, else ``.en.txt``."""
    info = _BY_EXTENSION.get(PurePath(name).suffix.lower())
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


@cache
def get_reader(input_format: str) -> Reader:
    """The reader for ``input_format`` (``text``, ``html`` or ``markdown``)."""
    info = _BY_NAME.get(str(input_format))
    if info is None:
        raise InputError(f"unknown input format '{input_format}' (choose from {', '.join(FORMATS)})")
    module, _, cls = info.reader.partition(":")
    reader: Reader = getattr(importlib.import_module(module), cls)()
    return reader


def read_document(data: bytes | str, input_format: str = "auto", name: str | None = None) -> Document:
    """Read one input as ``input_format`` (``auto``: :func:`detect_format`)."""
    chosen = detect_format(data, name) if str(input_format) == "auto" else str(input_format)
    try:
        document = get_reader(chosen).read(data, name or "<input>")
    except BinaryInputError as exc:
        raise InputError(f"{exc}; translit reads {formats_hint()}") from None
    document.name = name or "<input>"
    return document


def rebuild(document: Document, translated: list[str]) -> Rebuilt | None:
    """``translated`` (one text per paragraph) written back into the document's own format.

    None for formats whose structure is not kept (plain text, web pages).
    """
    if document.layout is None:
        return None
    return get_reader(document.input_format).rebuild(document, translated)
