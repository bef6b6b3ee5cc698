"""Word documents (DOCX): every paragraph translated whole, its formatting put back on the words.

python-docx opens and saves the package; the paragraphs are read at the XML level, because a
sentence in Word is cut into *runs* (a bold word, a link, a spell-check boundary) and
translating runs one by one — as LibreTranslate's file path does — translates fragments.

* **What is translated**: every paragraph with words in the body, tables (every cell), text
  boxes, headers and footers, footnotes and endnotes — each paragraph one segment.
* **Runs become spans**: consecutive runs with the same properties are one span whose payload
  says which run's properties (``w:rPr``) to copy; the paragraph's most common formatting is
  the base, so only the bold, italic, underlined, styled words are spans. A hyperlink is a span
  too (its target kept). :mod:`translit.placement` puts each on the English words.
* **What is left exactly as it was**: styles, numbering, section layout, images and drawings,
  fields (page numbers, dates: a complex field from ``begin`` to ``end`` is one atom), comments
  and their anchors, bookmarks, footnote marks, content controls, hyperlink targets — each an
  atom that stays by the word it stood by, the element itself moved, never rewritten.
* **Tracked changes** are read as accepted: inserted text is translated, deleted text is left
  out, and the translated document has the changes accepted (README says so).
* **Doubt**: a unit to check gets ``[?]`` after it, highlighted yellow, so it is found in Word
  the way it is found in text output (search for ``[?]``).
"""

from __future__ import annotations

import copy
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from translit.errors import InputError
from translit.readers.base import (
    CHECK_MARK,
    Atom,
    Document,
    PlacedSegment,
    Segment,
    Span,
    collapse,
    place_atoms,
)
from translit.readers.package import check_package

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "body",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "body",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml": "header",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml": "footer",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml": "note",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml": "note",
}
_TEXT = {f"{{{W}}}t": "text", f"{{{W}}}tab": "\t", f"{{{W}}}noBreakHyphen": "\u2011"}
_BREAKS = {f"{{{W}}}br", f"{{{W}}}cr"}
_SKIPPED_IN_RUN = {f"{{{W}}}rPr", f"{{{W}}}lastRenderedPageBreak", f"{{{W}}}softHyphen"}


def w(tag: str) -> str:
    """The Clark name of a WordprocessingML tag."""
    return f"{{{W}}}{tag}"


def _import_docx() -> Any:
    try:
        import docx
    except ImportError as exc:
        raise InputError(
            f"reading Word documents needs python-docx (pip install 'translit[documents]'): {exc}"
        ) from None
    return docx


def _open(data: bytes, source: str) -> Any:
    check_package(data, source, "Word (.docx)")
    docx = _import_docx()
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a package that is not Word's
        raise InputError(f"{source}: not a Word (.docx) document ({type(exc).__name__}: {exc})") from None


def _parts(document: Any) -> list[tuple[Any, str, Any]]:
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


def _paragraphs(root: Any) -> list[Any]:
    return list(root.iter(w("p")))


def _properties(run: Any) -> str:
    """A run's properties as a key: its ``w:rPr`` without revision ids (which differ run to run)."""
    from lxml import etree

    rpr = run.find(w("rPr"))
    if rpr is None:
        return ""
    clean = copy.deepcopy(rpr)
    for element in clean.iter():
        for name in list(element.attrib):
            if "rsid" in name:
                del element.attrib[name]
    for noise in clean.findall(w("rsid")):
        clean.remove(noise)
    return str(etree.tostring(clean, encoding="unicode"))


@dataclass
class _Piece:
    """A piece of a paragraph's text: where it came from (its run's path) and its link."""

    text: str
    run: tuple[int, ...]
    link: int | None


@dataclass
class ParagraphPlan:
    """How one paragraph is written back: where it is, its base run, its links."""

    part: str
    index: int
    base: tuple[int, ...] | None  # the run whose properties the unformatted words get
    kind: str


@dataclass
class Skeleton:
    """The original package and, per segment, where its paragraph is."""

    data: bytes
    plans: list[ParagraphPlan] = field(default_factory=list)


def _read_paragraph(p: Any) -> tuple[list[_Piece], list[tuple[int, Any]]]:
    """A paragraph's text pieces and its atoms ((text offset, payload)), in order.

    Payloads: ``("move", k)`` keeps child ``k`` of the paragraph as it is; ``("xml", s)`` is a
    break inside a run.
    """
    pieces: list[_Piece] = []
    atoms: list[tuple[int, Any]] = []
    length = 0
    in_field = 0

    def add_run(run: Any, path: tuple[int, ...], link: int | None) -> None:
        nonlocal length
        for child in run:
            if child.tag in _SKIPPED_IN_RUN:
                continue
            if child.tag == w("t"):
                text = child.text or ""
            elif child.tag in _TEXT:
                text = _TEXT[child.tag]
            elif child.tag in _BREAKS:
                from lxml import etree

                atoms.append((length, ("xml", etree.tostring(child, encoding="unicode"))))
                continue
            else:
                continue
            if text:
                pieces.append(_Piece(text, path, link))
                length += len(text)

    for k, child in enumerate(p):
        tag = child.tag
        if tag == w("pPr"):
            continue
        if tag == w("r"):
            chars = [c for c in child.iter() if c.tag == w("fldChar")]
            begins = sum(1 for c in chars if c.get(w("fldCharType")) == "begin")
            ends = sum(1 for c in chars if c.get(w("fldCharType")) == "end")
            textual = all(c.tag in _TEXT or c.tag in _BREAKS or c.tag in _SKIPPED_IN_RUN for c in child)
            if in_field or begins or not textual:
                atoms.append((length, ("move", k)))  # a field, a drawing, a footnote mark …
            else:
                add_run(child, (k,), None)
            in_field = max(0, in_field + begins - ends)
        elif tag == w("hyperlink") and not in_field:
            for j, run in enumerate(child):
                if run.tag == w("r") and all(
                    c.tag in _TEXT or c.tag in _BREAKS or c.tag in _SKIPPED_IN_RUN for c in run
                ):
                    add_run(run, (k, j), k)
        elif tag in (w("ins"), w("moveTo")) and not in_field:  # tracked changes: read as accepted
            for j, run in enumerate(child):
                if run.tag == w("r"):
                    add_run(run, (k, j), None)
        elif tag in (w("del"), w("moveFrom")):
            continue  # deleted text: left out (the changes are accepted)
        else:
            atoms.append((length, ("move", k)))  # bookmarks, comment anchors, content controls …
    return pieces, atoms


class DocxReader:
    """Word documents (see the module docstring)."""

    name = "docx"

    def read(self, data: bytes | str, source: str) -> Document:
        """One segment per paragraph with words, formatting as spans, everything else as atoms."""
        if isinstance(data, str):
            raise InputError(f"{source}: a Word document is read from its bytes, not text")
        document = _open(data, source)
        segments: list[Segment] = []
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
                segment, base = _spans_of(p, pieces, atoms, segment_kind)
                if segment is None:
                    continue
                segments.append(segment)
                plans.append(ParagraphPlan(str(part.partname), index, base, segment_kind))
        return Document(segments, input_format="docx", skeleton=Skeleton(data, plans))


def _spans_of(
    p: Any, pieces: list[_Piece], atoms: list[tuple[int, Any]], kind: str
) -> tuple[Segment | None, tuple[int, ...] | None]:
    """The segment of a paragraph: plain text, a span per run of formatting unlike the base and
    per link, atoms where they stood; None for a paragraph without words."""
    raw = "".join(piece.text for piece in pieces)
    if not any(ch.isalnum() for ch in raw):
        return None, None

    def run_at(path: tuple[int, ...]) -> Any:
        element = p[path[0]]
        return element[path[1]] if len(path) > 1 else element

    keys = [_properties(run_at(piece.run)) for piece in pieces]
    weight: Counter[str] = Counter()
    for key, piece in zip(keys, pieces, strict=True):
        weight[key] += len(piece.text.strip())
    base_key = weight.most_common(1)[0][0]
    base = next(piece.run for key, piece in zip(keys, pieces, strict=True) if key == base_key)
    raw_spans: list[tuple[int, int, Any, int]] = []
    offset = 0
    for key, piece in zip(keys, pieces, strict=True):
        end = offset + len(piece.text)
        if key != base_key:
            last = raw_spans[-1] if raw_spans else None
            if last is not None and last[1] == offset and last[2][0] == "run" and last[2][2] == key:
                raw_spans[-1] = (last[0], end, last[2], 1)
            else:
                raw_spans.append((offset, end, ("run", piece.run, key), 1))
        offset = end
    links: dict[int, list[int]] = {}
    offset = 0
    for piece in pieces:
        if piece.link is not None:
            links.setdefault(piece.link, [offset, offset])
            links[piece.link][1] = offset + len(piece.text)
        offset += len(piece.text)
    for k, (start, end) in links.items():
        raw_spans.append((start, end, ("link", k, ""), 0))
    text, where = collapse(raw)

    import bisect

    def at(position: int) -> int:
        return bisect.bisect_left(where, position)

    spans = [
        Span(at(start), at(end), (kind_, path), True, depth)
        for start, end, (kind_, path, _key), depth in sorted(raw_spans, key=lambda s: (s[3], s[0]))
        if at(end) > at(start)
    ]
    from translit.readers.base import Tags

    placed_atoms = place_atoms(raw, where, [(o, Tags("", "")) for o, _ in atoms])
    return Segment(
        text,
        kind,
        spans,
        [Atom(a.offset, payload, a.glue) for a, (_o, payload) in zip(placed_atoms, atoms, strict=True)],
    ), base


class DocxWriter:
    """Writes each translated paragraph back into a copy of the original package."""

    def write(self, document: Document, segments: list[PlacedSegment], marks: bool = True) -> bytes:
        """The Word document with every paragraph's runs rebuilt on the English."""
        skeleton: Skeleton = document.skeleton
        word = _open(skeleton.data, document.name)
        parts = {str(part.partname): (part, _paragraphs(root), root) for part, _kind, root in _parts(word)}
        for plan, placed in zip(skeleton.plans, segments, strict=True):
            part, paragraphs, _root = parts[plan.part]
            _rewrite(paragraphs[plan.index], plan, placed, marks)
        from lxml import etree

        for part, _found, root in parts.values():
            if getattr(part, "_element", None) is None:
                part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        out = io.BytesIO()
        word.save(out)
        return out.getvalue()


def _rewrite(p: Any, plan: ParagraphPlan, placed: PlacedSegment, marks: bool) -> None:
    """Replace a paragraph's runs with runs of the translation; atoms moved back in place."""
    from lxml import etree

    children = list(p)

    def run_at(path: tuple[int, ...]) -> Any:
        element = children[path[0]]
        return element[path[1]] if len(path) > 1 else element

    def properties(path: tuple[int, ...] | None) -> Any:
        if path is None:
            return None
        rpr = run_at(path).find(w("rPr"))
        return copy.deepcopy(rpr) if rpr is not None else None

    text = placed.text
    # For every character: the run whose properties it takes and the link it is in.
    formats: list[tuple[int, ...] | None] = [plan.base] * len(text)
    link_of: list[int | None] = [None] * len(text)
    for span in sorted(placed.spans, key=lambda s: s.end - s.start, reverse=True):
        kind, path = span.payload
        for i in range(span.start, min(span.end, len(text))):
            if kind == "run":
                formats[i] = path
            else:
                link_of[i] = path
    events: dict[int, list[Any]] = {}
    for atom in placed.atoms:
        events.setdefault(atom.offset, []).append(atom.payload)
    if marks:
        for at in placed.marks:
            events.setdefault(at, []).append(("mark", None))
    for child in children:
        if child.tag != w("pPr"):
            p.remove(child)

    def new_run(value: str, path: tuple[int, ...] | None, highlight: bool = False) -> Any:
        run = etree.SubElement(p, w("r"))
        rpr = properties(path)
        if highlight:
            rpr = rpr if rpr is not None else etree.Element(w("rPr"))
            mark = etree.SubElement(rpr, w("highlight"))
            mark.set(w("val"), "yellow")
        if rpr is not None:
            run.append(rpr)
        t = etree.SubElement(run, w("t"))
        t.text = value
        t.set(XML_SPACE, "preserve")
        return run

    current_link: Any = None
    current_key: int | None = None

    def emit(value: str, path: tuple[int, ...] | None, link: int | None) -> None:
        nonlocal current_link, current_key
        run = new_run(value, path)
        if link is None:
            current_link, current_key = None, None
            return
        if current_key != link:
            current_link = etree.SubElement(p, w("hyperlink"))
            for name, value_ in children[link].attrib.items():
                current_link.set(name, value_)
            current_key = link
        current_link.append(run)

    def flush_events(at: int) -> None:
        nonlocal current_link, current_key
        for payload in events.pop(at, []):
            current_link, current_key = None, None
            if payload[0] == "move":
                p.append(children[payload[1]])
            elif payload[0] == "xml":
                run = etree.SubElement(p, w("r"))
                run.append(etree.fromstring(payload[1]))
            else:
                new_run(" " + CHECK_MARK, plan.base, highlight=True)

    start = 0
    for i in range(len(text) + 1):
        boundary = (
            i == len(text)
            or i in events
            or (i > start and (formats[i], link_of[i]) != (formats[start], link_of[start]))
        )
        if boundary and i > start:
            emit(text[start:i], formats[start], link_of[start])
            start = i
        if i in events:
            flush_events(i)
    for at in sorted(events):
        flush_events(at)


Reader = DocxReader
Writer = DocxWriter
