"""Word documents (DOCX): every paragraph translated whole, its formatting put back on the words.

python-docx opens and saves the package; the paragraphs are read at the XML level, because a
sentence in Word is cut into *runs* (a bold word, a link, a spell-check boundary) and
translating runs one by one — as LibreTranslate's file path does — translates fragments.

* **What is translated**: every paragraph with words in the body, tables (every cell), text
  boxes, headers and footers, footnotes and endnotes — each paragraph one segment.
* **Runs become spans**: consecutive runs with the same properties are one span whose payload
  says which run's properties (``w:rPr``) to copy; the paragraph's most common formatting is
  the base, so only the bold, italic, underlined, styled words are spans. A hyperlink, a smart
  tag, custom XML, a bidirectional embedding and an inline content control are spans too: the
  element is rebuilt round the English words (its target, tag and properties kept), with the
  fields and marks inside it back inside it. :mod:`translit.placement` puts each on the words.
* **What is left exactly as it was**: styles, numbering, section layout, images and drawings,
  fields (page numbers, dates: each run of a complex field from ``begin`` to ``end`` is an atom;
  its result is never translated, its instruction never touched), comments and their anchors,
  bookmarks, footnote marks, soft hyphens — each an atom, the element itself moved, never
  rewritten, with the source's spaces round it. Tabs and line breaks are atoms that stand for
  whitespace: the model sees a space, and the element goes back in place of the English space
  there (a break between lines of a list is a unit boundary, see :func:`~translit.readers.base.collapse`).
* **Tracked changes** are read as accepted: inserted text is translated, deleted text is left
  out, and the translated document has the changes accepted (README says so).
* **Doubt**: a unit to check gets ``[?]`` after it, highlighted yellow, so it is found in Word
  the way it is found in text output (search for ``[?]``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from translit.errors import InputError
from translit.readers.base import LINE_BREAK, Document, RawAtom, library
from translit.readers.package import open_package, restore
from translit.readers.runs import (
    Chain,
    ElementPath,
    Moved,
    Piece,
    PlacedRuns,
    RunAtom,
    RunSegment,
    RunSpan,
    RunXml,
    Syntax,
    rewrite,
    segment_of,
)

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "body",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "body",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml": "header",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml": "footer",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml": "note",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml": "note",
}
_TEXT = {f"{{{W}}}t": "text", f"{{{W}}}noBreakHyphen": "\u2011"}
_BLANKS = {f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr"}
_WRAPPERS = {f"{{{W}}}{name}" for name in ("hyperlink", "smartTag", "customXml", "dir", "bdo")}
"""Elements round runs that are rebuilt round the English words (spans); content controls too."""
_PROPERTIES = {f"{{{W}}}pPr", f"{{{W}}}smartTagPr", f"{{{W}}}customXmlPr"}
_SKIPPED_IN_RUN = {f"{{{W}}}rPr", f"{{{W}}}lastRenderedPageBreak"}
_MARKS_IN_RUN = {f"{{{W}}}softHyphen"}
"""Inside a word and invisible: an atom where it stood (in a sentence given back unchanged, at its
own letter; else by its word), written back once."""


def _highlight(properties: Element) -> None:
    from lxml import etree

    etree.SubElement(properties, w("highlight")).set(w("val"), "yellow")


SYNTAX = Syntax(
    W,
    "pPr",
    wrappers=frozenset({"hyperlink", "smartTag", "customXml", "dir", "bdo", "sdt"}),
    preserve_space=True,
    characters=(("\u2011", "noBreakHyphen"),),
    noise=lambda name: "rsid" in name,
    highlight=_highlight,
)


def w(tag: str) -> str:
    """The Clark name of a WordprocessingML tag."""
    return f"{{{W}}}{tag}"


def _open(data: bytes, source: str) -> Any:
    docx = library("docx", "reading Word documents", "python-docx", "documents")
    return open_package(data, source, "Word (.docx)", docx.Document, "not a Word (.docx) document")


def _parts(document: Any) -> list[tuple[Any, str, Element]]:
    """Each part with paragraphs to translate: (part, kind, root element), body first."""
    found = []
    for part in document.part.package.iter_parts():
        kind = _PARTS.get(part.content_type)
        if kind is None:
            continue
        root = getattr(part, "_element", None)
        if root is None:
            from lxml import etree

            from translit.readers.package import safe_xml_parser

            root = etree.fromstring(part.blob, safe_xml_parser())
            part._translit_root = root
        found.append((part, kind, root))
    found.sort(key=lambda item: item[1] != "body")
    return found


def _paragraphs(root: Element) -> list[Element]:
    return list(root.iter(w("p")))


@dataclass
class ParagraphPlan:
    """How one paragraph is written back: where it is, its base run, its links."""

    part: str
    index: int
    base: ElementPath | None  # the run whose properties the unformatted words get
    kind: str


@dataclass
class Skeleton:
    """The original package and, per segment, where its paragraph is."""

    data: bytes
    plans: list[ParagraphPlan] = field(default_factory=list)


def _textual(run: Element) -> bool:
    """Whether a run holds only text, tabs and breaks (else it is kept whole: a drawing, a mark …)."""
    return all(
        c.tag in _TEXT or c.tag in _BLANKS or c.tag in _SKIPPED_IN_RUN or c.tag in _MARKS_IN_RUN for c in run
    )


def _read_paragraph(p: Element) -> tuple[list[Piece], list[RawAtom[RunAtom]]]:
    """A paragraph's text pieces and its atoms ((text offset, payload)), in order.

    Runs are read wherever they are: in the paragraph, in a hyperlink, a smart tag, custom XML or
    a content control (each a wrapper: a span, rebuilt round the English), or in a tracked
    insertion (read as accepted). Payloads: :class:`Moved` keeps the element at its path (child
    indexes from the paragraph) as it is — a field's runs from ``begin`` to ``end``, a drawing, a
    footnote mark, a bookmark; :class:`RunXml` is a tab, a break or a soft hyphen inside a run.
    """
    pieces: list[Piece] = []
    atoms: list[RawAtom[RunAtom]] = []
    length = 0
    in_field = 0

    def add_run(run: Element, path: ElementPath, chain: Chain) -> None:
        nonlocal length
        for child in run:
            if child.tag in _SKIPPED_IN_RUN:
                continue
            if child.tag in _MARKS_IN_RUN:
                from lxml import etree

                atoms.append((length, RunXml(etree.tostring(child, encoding="unicode"), path)))
                continue
            if child.tag in _BLANKS:
                # A tab or a break reads as a space (the model sees two words) and is written back
                # as itself in place of the translation's space there, with its run's properties.
                from lxml import etree

                pieces.append(Piece(" " if child.tag == w("tab") else LINE_BREAK, path, chain))
                atoms.append((length, RunXml(etree.tostring(child, encoding="unicode"), path), 1))
                length += 1
                continue
            if child.tag == w("t"):
                text = child.text or ""
            elif child.tag in _TEXT:
                text = _TEXT[child.tag]
            else:
                continue
            if text:
                pieces.append(Piece(text, path, chain))
                length += len(text)

    def walk(container: Element, prefix: ElementPath, chain: Chain) -> None:
        nonlocal in_field
        for k, child in enumerate(container):
            path = (*prefix, k)
            tag = child.tag
            if tag in _PROPERTIES:
                continue
            if tag == w("r"):
                chars = [c for c in child.iter() if c.tag == w("fldChar")]
                begins = sum(1 for c in chars if c.get(w("fldCharType")) == "begin")
                ends = sum(1 for c in chars if c.get(w("fldCharType")) == "end")
                if in_field or begins or not _textual(child):
                    atoms.append((length, Moved(path)))  # a field, a drawing, a footnote mark …
                else:
                    add_run(child, path, chain)
                in_field = max(0, in_field + begins - ends)
            elif tag in _WRAPPERS and not in_field:
                walk(child, path, (*chain, path))
            elif tag == w("sdt") and not in_field and (content := child.find(w("sdtContent"))) is not None:
                if any(c.tag == w("p") for c in content.iter()):
                    atoms.append((length, Moved(path)))  # a block control inside a paragraph
                else:
                    walk(content, (*path, list(child).index(content)), (*chain, path))
            elif tag in (w("ins"), w("moveTo")) and not in_field:  # tracked changes: read as accepted
                walk(child, path, chain)
            elif tag in (w("del"), w("moveFrom")):
                continue  # deleted text: left out (the changes are accepted)
            else:
                atoms.append((length, Moved(path)))  # bookmarks, comment anchors, math …

    walk(p, (), ())
    return pieces, atoms


WordDocument = Document[Skeleton, RunSpan, RunAtom]
"""A Word document as read: its package, and paragraphs of runs."""


class DocxReader:
    """Word documents (see the module docstring)."""

    name = "docx"

    def read(self, data: bytes | str, source: str) -> WordDocument:
        """One segment per paragraph with words, formatting as spans, everything else as atoms."""
        if isinstance(data, str):
            raise InputError(f"{source}: a Word document is read from its bytes, not text")
        document = _open(data, source)
        segments: list[RunSegment] = []
        plans: list[ParagraphPlan] = []
        for part, kind, root in _parts(document):
            for index, p in enumerate(_paragraphs(root)):
                segment_kind = kind
                if kind == "body":
                    style = p.find(f"{w('pPr')}/{w('pStyle')}")
                    name = (style.get(w("val")) if style is not None else "") or ""
                    in_cell = any(a.tag == w("tc") for a in p.iterancestors())
                    segment_kind = (
                        "heading"
                        if name.lower().startswith(("heading", "title"))
                        else ("cell" if in_cell else "paragraph")
                    )
                pieces, atoms = _read_paragraph(p)
                segment, base = segment_of(p, pieces, atoms, segment_kind, SYNTAX)
                if segment is None:
                    continue
                segments.append(segment)
                plans.append(ParagraphPlan(str(part.partname), index, base, segment_kind))
        return Document(segments, input_format="docx", skeleton=Skeleton(data, plans))


class DocxWriter:
    """Writes each translated paragraph back into a copy of the original package."""

    def write(self, document: WordDocument, segments: list[PlacedRuns], marks: bool = True) -> bytes:
        """The Word document with every paragraph's runs rebuilt on the English."""
        skeleton = document.kept()
        word = _open(skeleton.data, document.name)
        parts = {str(part.partname): (part, _paragraphs(root), root) for part, _kind, root in _parts(word)}
        for plan, placed in zip(skeleton.plans, segments, strict=True):
            part, paragraphs, _root = parts[plan.part]
            rewrite(paragraphs[plan.index], plan.base, placed, marks, SYNTAX)
        from lxml import etree

        for part, _found, root in parts.values():
            if getattr(part, "_element", None) is None:
                part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        out = io.BytesIO()
        word.save(out)
        return restore(out.getvalue(), skeleton.data)  # the images the library never loaded


Reader = DocxReader
Writer = DocxWriter
