"""Readers: turn an input (plain text, a web page, Markdown) into paragraphs to translate.

Every reader takes the decoded text of one input and returns a :class:`Document`: the body
paragraphs, what was stripped, metadata, and — for formats whose structure is kept — a
way to write the translated paragraphs back in that format. Heavy parsers (trafilatura,
markdown-it-py) are imported only when their reader is used.

* :mod:`translit.readers.text` — plain text (breadcrumb and tag-line cleaning)
* :mod:`translit.readers.html` — web pages through trafilatura
* :mod:`translit.readers.markdown` — Markdown through markdown-it-py, structure kept
"""

from __future__ import annotations

import re
from pathlib import PurePath

from translit.errors import InputError
from translit.readers.base import Document, Reader, Rebuilt

__all__ = ["FORMATS", "Document", "Reader", "Rebuilt", "detect_format", "get_reader", "read_document"]

FORMATS = ("auto", "text", "html", "markdown")
_EXTENSIONS = {".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown", ".markdown": "markdown"}
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S
)


def detect_format(text: str, name: str | None = None) -> str:
    """``html``, ``markdown`` or ``text``: by file extension first, then by content."""
    if name:
        suffix = PurePath(name).suffix.lower()
        if suffix in _EXTENSIONS:
            return _EXTENSIONS[suffix]
    if _HTML_START.match(text[:4096]):
        return "html"
    return "text"


def get_reader(input_format: str) -> Reader:
    """The reader for ``input_format`` (``text``, ``html`` or ``markdown``)."""
    if input_format == "text":
        from translit.readers.text import TextReader

        return TextReader()
    if input_format == "html":
        from translit.readers.html import HtmlReader

        return HtmlReader()
    if input_format == "markdown":
        from translit.readers.markdown import MarkdownReader

        return MarkdownReader()
    raise InputError(f"unknown input format '{input_format}' (choose from {', '.join(FORMATS)})")


def read_document(text: str, input_format: str = "auto", name: str | None = None) -> Document:
    """Read one input as ``input_format`` (``auto``: :func:`detect_format`)."""
    chosen = detect_format(text, name) if input_format == "auto" else input_format
    return get_reader(chosen).read(text, name or "<input>")
