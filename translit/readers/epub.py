"""EPUB e-books: every chapter's XHTML translated with its markup kept, the book otherwise untouched.

An EPUB is a zip of XHTML chapters listed by the package document (``content.opf``, found
through ``META-INF/container.xml``). Each chapter in the spine is read as HTML with its markup
kept (:mod:`translit.readers.html_markup`: sentences whole, inline tags put back on the
words); every other part — styles, images, fonts, the table of contents, metadata — is copied
byte for byte, the ``mimetype`` first and stored, as the format requires.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from translit.errors import InputError
from translit.readers import html_markup
from translit.readers.base import Document, MarkupSegment, PlacedMarkup, Tags
from translit.readers.html_markup import HtmlMarkupWriter, read_markup
from translit.readers.package import check_package, safe_xml_parser

CONTAINER = "META-INF/container.xml"
_XHTML = {"application/xhtml+xml", "text/html"}


def _spine(archive: zipfile.ZipFile, source: str) -> list[str]:
    """The chapters' names in reading order."""
    from lxml import etree

    try:
        container = etree.fromstring(archive.read(CONTAINER), safe_xml_parser())
        rootfile = container.find(".//{*}rootfile")
        opf_name = rootfile.get("full-path") if rootfile is not None else None
        if not opf_name:
            raise KeyError("no rootfile")
        opf = etree.fromstring(archive.read(opf_name), safe_xml_parser())
    except (KeyError, etree.XMLSyntaxError) as exc:
        raise InputError(f"{source}: not an EPUB book ({exc})") from None
    base = posixpath.dirname(opf_name)
    items = {
        item.get("id"): posixpath.normpath(posixpath.join(base, item.get("href", "")))
        for item in opf.iter("{*}item")
        if item.get("media-type") in _XHTML
    }
    return [items[ref.get("idref")] for ref in opf.iter("{*}itemref") if ref.get("idref") in items]


@dataclass
class Skeleton:
    """The original book, and per chapter its name, raw pieces and how many segments it has."""

    data: bytes
    chapters: list[tuple[str, html_markup.Skeleton, int]] = field(default_factory=list)


EpubDocument = Document[Skeleton, Tags, Tags]
"""An EPUB book as read: its package, and every chapter's HTML pieces and segments."""


class EpubReader:
    """EPUB books (see the module docstring)."""

    name = "epub"

    def read(self, data: bytes | str, source: str) -> EpubDocument:
        """The segments of every chapter of the spine, in reading order."""
        if isinstance(data, str):
            raise InputError(f"{source}: an EPUB book is read from its bytes, not text")
        archive = check_package(data, source, "EPUB")
        segments: list[MarkupSegment] = []
        chapters = []
        for name in _spine(archive, source):
            try:
                text = archive.read(name).decode("utf-8")
            except (KeyError, UnicodeDecodeError) as exc:
                raise InputError(f"{source}: chapter {name} cannot be read ({exc})") from None
            found, skeleton = read_markup(text)
            segments += found
            chapters.append((name, skeleton, len(found)))
        return Document(segments, input_format="epub", skeleton=Skeleton(data, chapters))


class EpubWriter:
    """Writes every translated chapter back into a copy of the book."""

    def write(self, document: EpubDocument, segments: list[PlacedMarkup], marks: bool = True) -> bytes:
        """The book with English chapters; every other part as it was."""
        skeleton = document.kept()
        written: dict[str, bytes] = {}
        position = 0
        chapter_writer = HtmlMarkupWriter()
        for name, pieces, count in skeleton.chapters:
            mine = segments[position : position + count]
            position += count
            chapter: html_markup.MarkupDocument = Document([], input_format="html-markup", skeleton=pieces)
            written[name] = chapter_writer.write(chapter, mine, marks)
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(skeleton.data)) as old, zipfile.ZipFile(out, "w") as new:
            for item in old.infolist():
                new.writestr(item, written.get(item.filename, old.read(item)))
        return out.getvalue()


Reader = EpubReader
Writer = EpubWriter
