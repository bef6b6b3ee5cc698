"""The one table of input formats: names, file extensions, the module that reads and writes each.

Plain data, on the lowest floor of the house, so that every layer — the options' choices, format
detection, the files a batch picks up, the service's formats, the writers — reads the same rows.
A new format is one row here and one module in :mod:`translit.readers` (see its docstring).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class FormatInfo:
    """One input format.

    ``module`` holds its ``Reader`` class (and, where the format is written back, ``Writer``);
    ``output_suffix`` ends the name of a batch's translation of such a file; ``writes_back``: the
    translation comes back in the input's own format (else as plain text); ``binary``: that
    format is bytes, not text (never printed to a terminal); ``media_type``: its Content-Type
    (the service's downloads); ``extra``: the pip extra that installs its parser ("" for none);
    ``magic``: how its files begin (what an article that is such a file is told it looks like);
    ``upload_as``: the format the service reads an upload of it as ("" for this one).
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    module: str
    output_suffix: str
    writes_back: bool = False
    binary: bool = False
    media_type: str = "application/octet-stream"
    extra: str = ""
    magic: bytes = b""
    upload_as: str = ""

    @property
    def globs(self) -> tuple[str, ...]:
        """The file name patterns a batch picks up for this format (``*.docx``)."""
        return tuple(f"*{ext}" for ext in self.extensions)


DOCUMENT_MAX_BYTES = 200 * 1024 * 1024
"""Largest file of a binary format (a Word file with its images); text inputs keep ``max_bytes``."""

_TEXT = "text/plain; charset=utf-8"
_HTML = "text/html; charset=utf-8"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ODT = "application/vnd.oasis.opendocument.text"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_ZIP = b"PK\x03\x04"

FORMATS: tuple[FormatInfo, ...] = (
    FormatInfo("text", "plain text", (".txt",), "translit.readers.text", ".en.txt", media_type=_TEXT),
    FormatInfo(
        "html",
        "web pages",
        (".html", ".htm", ".xhtml"),
        "translit.readers.html",
        ".en.txt",
        media_type=_HTML,
        extra="html",
        upload_as="html-markup",  # an uploaded page keeps its markup, as LibreTranslate does
    ),
    FormatInfo(
        "markdown",
        "Markdown",
        (".md", ".markdown"),
        "translit.readers.markdown",
        ".en.md",
        writes_back=True,
        media_type="text/markdown; charset=utf-8",
        extra="markdown",
    ),
    FormatInfo(
        "docx",
        "Word documents",
        (".docx",),
        "translit.readers.docx",
        ".en.docx",
        True,
        True,
        _DOCX,
        "documents",
        _ZIP,
    ),
    FormatInfo(
        "odt",
        "OpenDocument text",
        (".odt",),
        "translit.readers.odt",
        ".en.odt",
        True,
        True,
        _ODT,
        "documents",
        _ZIP,
    ),
    FormatInfo(
        "pptx",
        "PowerPoint decks",
        (".pptx",),
        "translit.readers.pptx",
        ".en.pptx",
        True,
        True,
        _PPTX,
        "documents",
        _ZIP,
    ),
    FormatInfo(
        "pdf",
        "PDF (text layer)",
        (".pdf",),
        "translit.readers.pdf",
        ".en.txt",
        False,
        True,
        "application/pdf",
        "documents",
        b"%PDF",
    ),
    FormatInfo(
        "epub",
        "EPUB books",
        (".epub",),
        "translit.readers.epub",
        ".en.epub",
        True,
        True,
        "application/epub+zip",
        "documents",
        _ZIP,
    ),
    FormatInfo(
        "srt",
        "SubRip subtitles",
        (".srt",),
        "translit.readers.subrip",
        ".en.srt",
        True,
        media_type="application/x-subrip",
        extra="documents",
    ),
    FormatInfo(
        "vtt",
        "WebVTT subtitles",
        (".vtt",),
        "translit.readers.vtt",
        ".en.vtt",
        True,
        media_type="text/vtt",
        extra="documents",
    ),
    # HTML with its markup kept (the service's format=html): never chosen by a file's extension.
    FormatInfo(
        "html-markup",
        "HTML, markup kept",
        (),
        "translit.readers.html_markup",
        ".en.html",
        True,
        media_type=_HTML,
        extra="html",
    ),
)

NOT_READ: dict[str, str] = {
    ".docm": "a macro-enabled Word document: not translated (save it as .docx without macros)",
    ".dotm": "a macro-enabled Word template: not translated (save a document as .docx)",
    ".dotx": "a Word template, not a document (open it and save a document as .docx)",
    ".pptm": "a macro-enabled PowerPoint deck: not translated (save it as .pptx without macros)",
    ".potm": "a macro-enabled PowerPoint template: not translated (save a deck as .pptx)",
    ".potx": "a PowerPoint template, not a deck (open it and save a deck as .pptx)",
    ".xlsm": "a macro-enabled Excel workbook: not translated (translit does not read spreadsheets)",
    ".xlsx": "an Excel workbook (translit does not read spreadsheets)",
    ".xls": "an old Excel workbook (translit does not read spreadsheets)",
    ".doc": "an old Word document (save it as .docx)",
    ".ppt": "an old PowerPoint deck (save it as .pptx)",
    ".rtf": "an RTF document (save it as .docx or .odt)",
}
"""Extensions of formats translit knows and does not read, with what to do instead."""

BY_NAME = {info.name: info for info in FORMATS}
BY_EXTENSION = {ext: info for info in FORMATS for ext in info.extensions}
INPUT_FORMATS = ("auto", *BY_NAME)
"""The values of ``--input-format``: ``auto`` (by extension, then content) and every format."""


def looks_like(data: bytes) -> str | None:
    """What a file that begins with ``data`` is, by the formats' magic bytes ("a .pdf file", "a
    zip archive (a .docx, .odt, .pptx or .epub is one)"); None when no format's."""
    kinds = [info for info in FORMATS if info.magic and data.startswith(info.magic)]
    if not kinds:
        return None
    if len(kinds) == 1:
        return f"a {kinds[0].extensions[0]} file"
    suffixes = [info.extensions[0] for info in kinds]
    return f"a zip archive (a {', '.join(suffixes[:-1])} or {suffixes[-1]} is one)"


def batch_globs() -> tuple[str, ...]:
    """The file name patterns a batch picks up by default: every extension in the table."""
    return tuple(glob for info in FORMATS for glob in info.globs)


def format_info(name: str) -> FormatInfo | None:
    """The row of format ``name`` (None for an unknown name)."""
    return BY_NAME.get(str(name))


def format_of_name(name: str | None) -> str | None:
    """The format a file name's extension says (None when it says nothing known)."""
    if not name:
        return None
    info = BY_EXTENSION.get(PurePath(name).suffix.lower())
    return info.name if info else None


def formats_table() -> str:
    """The table as Markdown (README's "Formats" table is this text, checked by a test)."""
    rows = [
        "| format | `--input-format` | extensions | translation comes back as | extra |",
        "|---|---|---|---|---|",
    ]
    for info in FORMATS:
        extensions = ", ".join(f"`{e}`" for e in info.extensions) or "— (chosen by name)"
        back = f"`{info.output_suffix[3:]}` (its own format)" if info.writes_back else "text"
        extra = f"`{info.extra}`" if info.extra else "—"
        rows.append(f"| {info.description} | `{info.name}` | {extensions} | {back} | {extra} |")
    return "\n".join(rows)


if __name__ == "__main__":
    import sys

    sys.stdout.write(formats_table() + "\n")
