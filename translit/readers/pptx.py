"""PowerPoint decks (PPTX): every text frame, table cell, grouped shape and speaker note.

python-pptx opens and saves the deck. Every DrawingML paragraph (``a:p``) with words on a slide —
in text boxes, placeholders, tables and groups at any depth — and in the slide's **speaker
notes** is one segment, its runs spans (:mod:`translit.readers.runs`); line breaks and fields
(slide numbers, dates) are atoms moved back in place. Slide layouts, masters, positions, sizes
and everything else in the package are left as they were.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from translit.errors import InputError
from translit.readers.base import LINE_BREAK, Document, RawAtom, library
from translit.readers.package import open_package, restore
from translit.readers.runs import (
    ElementPath,
    KeptText,
    Moved,
    Piece,
    PlacedRuns,
    RunAtom,
    RunSegment,
    RunSpan,
    Syntax,
    rewrite,
    segment_of,
)

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def a(tag: str) -> str:
    """The Clark name of a DrawingML tag."""
    return f"{{{A}}}{tag}"


def _highlight(properties: Element) -> None:
    from lxml import etree

    colour = etree.SubElement(properties, a("highlight"))
    etree.SubElement(colour, a("srgbClr")).set("val", "FFFF00")


SYNTAX = Syntax(
    A, "pPr", tail=("endParaRPr",), noise=lambda name: name in ("dirty", "err"), highlight=_highlight
)


def _open(data: bytes, source: str) -> Any:
    pptx = library("pptx", "reading PowerPoint", "python-pptx", "documents")
    return open_package(
        data, source, "PowerPoint (.pptx)", pptx.Presentation, "not a PowerPoint (.pptx) deck"
    )


def _roots(deck: Any) -> list[tuple[str, Element]]:
    """Each slide's and each speaker note's XML, in slide order: (kind, root)."""
    found = []
    for slide in deck.slides:
        found.append(("slide", slide._element))
        if slide.has_notes_slide:
            found.append(("note", slide.notes_slide._element))
    return found


def _read_paragraph(p: Element) -> tuple[list[Piece], list[RawAtom[RunAtom]]]:
    """A paragraph's text pieces (a piece per run) and its atoms: tabs, line breaks, fields."""
    pieces: list[Piece] = []
    atoms: list[RawAtom[RunAtom]] = []
    length = 0
    for k, child in enumerate(p):
        if child.tag in (a("pPr"), a("endParaRPr")):
            continue
        if child.tag == a("r"):
            t = child.find(a("t"))
            text = (t.text or "") if t is not None else ""
            for part in re.split(r"(\t)", text):
                if part == "\t":  # a tab: a space to the model, written back as itself
                    pieces.append(Piece(" ", (k,)))
                    atoms.append((length, KeptText("\t", (k,)), 1))
                    length += 1
                elif part:
                    pieces.append(Piece(part, (k,)))
                    length += len(part)
            continue
        if child.tag == a("br"):  # a line break: whitespace to the model, the element moved back in its place
            pieces.append(Piece(LINE_BREAK, (k,)))
            atoms.append((length, Moved((k,)), 1))
            length += 1
            continue
        atoms.append((length, Moved((k,))))  # a:fld (slide number, date) …
    return pieces, atoms


@dataclass
class Skeleton:
    """The original deck and where each segment's paragraph is: (root, paragraph, base run)."""

    data: bytes
    places: list[tuple[int, int, ElementPath | None]] = field(default_factory=list)


DeckDocument = Document[Skeleton, RunSpan, RunAtom]
"""A PowerPoint deck as read: its package, and paragraphs of runs."""


class PptxReader:
    """PowerPoint decks (see the module docstring)."""

    name = "pptx"

    def read(self, data: bytes | str, source: str) -> DeckDocument:
        """One segment per paragraph with words, on the slides and in the speaker notes."""
        if isinstance(data, str):
            raise InputError(f"{source}: a PowerPoint deck is read from its bytes, not text")
        deck = _open(data, source)
        segments: list[RunSegment] = []
        places: list[tuple[int, int, ElementPath | None]] = []
        for number, (kind, root) in enumerate(_roots(deck)):
            for index, p in enumerate(root.iter(a("p"))):
                in_table = any(x.tag == a("tc") for x in p.iterancestors())
                pieces, atoms = _read_paragraph(p)
                segment, base = segment_of(p, pieces, atoms, "cell" if in_table else kind, SYNTAX)
                if segment is not None:
                    segments.append(segment)
                    places.append((number, index, base))
        return Document(segments, input_format="pptx", skeleton=Skeleton(data, places))


class PptxWriter:
    """Writes each translated paragraph back into a copy of the original deck."""

    def write(self, document: DeckDocument, segments: list[PlacedRuns], marks: bool = True) -> bytes:
        """The deck with every paragraph's runs rebuilt on the English."""
        skeleton = document.kept()
        deck = _open(skeleton.data, document.name)
        paragraphs = [list(root.iter(a("p"))) for _kind, root in _roots(deck)]
        for (number, index, base), placed in zip(skeleton.places, segments, strict=True):
            rewrite(paragraphs[number][index], base, placed, marks, SYNTAX)
        out = io.BytesIO()
        deck.save(out)
        return restore(out.getvalue(), skeleton.data)  # the images the library never loaded


Reader = PptxReader
Writer = PptxWriter
