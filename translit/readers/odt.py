"""OpenDocument text (ODT): every paragraph and heading translated whole, its spans put back.

The package is a zip of XML; ``content.xml`` (the body, tables, lists, footnotes, frames) and the
headers and footers of ``styles.xml`` are read with lxml — resolving no entity, fetching
nothing — and every other part is copied byte for byte. In ODT a paragraph's formatting is
nested elements round its text (``text:span`` with a style, ``text:a`` with a link), so each
such element is a span over the paragraph's plain text; notes, frames and images, bookmarks,
comments and fields (page numbers, dates) are atoms, the elements themselves moved back in
place (a footnote's own paragraphs are segments of their own). ``[?]`` marks are plain text.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from translit.errors import InputError
from translit.formats import BY_NAME
from translit.readers.base import (
    LINE_BREAK,
    Document,
    PlacedSegment,
    RawAtom,
    RawSpan,
    Segment,
    segment_from,
)
from translit.readers.package import check_package, copy_member, safe_xml_parser
from translit.readers.runs import Chain, ElementPath, Moved, OpenWrappers, Paths, Wrapper

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
PARTS = ("content.xml", "styles.xml")
_WRAPPERS = {f"{{{TEXT}}}span", f"{{{TEXT}}}a"}
_BLANKS = {f"{{{TEXT}}}s", f"{{{TEXT}}}tab", f"{{{TEXT}}}line-break"}


def t(tag: str) -> str:
    """The Clark name of an OpenDocument text tag."""
    return f"{{{TEXT}}}{tag}"


def _parse(archive: zipfile.ZipFile, name: str, source: str) -> Element:
    from lxml import etree

    try:
        return etree.fromstring(archive.read(name), safe_xml_parser())
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile) as exc:
        raise InputError(f"{source}: not an OpenDocument text (.odt) file ({name}: {exc})") from None


def _open(data: bytes, source: str) -> tuple[zipfile.ZipFile, dict[str, Element]]:
    archive = check_package(data, source, "OpenDocument (.odt)")
    if "content.xml" not in archive.namelist():
        raise InputError(f"{source}: not an OpenDocument text (.odt) file (no content.xml)")
    mimetype = (
        archive.read("mimetype").decode("ascii", "replace").strip()
        if "mimetype" in archive.namelist()
        else ""
    )
    if mimetype and mimetype != BY_NAME["odt"].media_type:
        raise InputError(
            f"{source}: an OpenDocument file of another kind ({mimetype}); translit reads text (.odt)"
        )
    roots = {name: _parse(archive, name, source) for name in PARTS if name in archive.namelist()}
    return archive, roots


def _paragraphs(roots: dict[str, Element]) -> list[tuple[str, int, Element]]:
    """Every paragraph and heading to read, in order: the body first, then headers and footers."""
    found = []
    for name in PARTS:
        root = roots.get(name)
        if root is None:
            continue
        for index, element in enumerate(root.iter(t("p"), t("h"))):
            if name == "styles.xml" and not any(
                isinstance(a.tag, str)
                and a.tag.endswith(("}header", "}footer", "}header-left", "}footer-left"))
                for a in a_ancestors(element)
            ):
                continue
            found.append((name, index, element))
    return found


def a_ancestors(element: Element) -> list[Element]:
    """The elements round ``element``, innermost first."""
    return list(element.iterancestors())


def _read(p: Element) -> tuple[str, list[RawSpan[Wrapper]], list[RawAtom[Moved]]]:
    """A paragraph's text, its wrapper spans (``text:span``, ``text:a``) and its atoms (elements
    moved back as they were)."""
    text: list[str] = []
    spans: list[RawSpan[Wrapper]] = []
    atoms: list[RawAtom[Moved]] = []
    length = 0

    def add(value: str | None) -> None:
        nonlocal length
        if value:
            text.append(value)
            length += len(value)

    def walk(element: Element, path: ElementPath, depth: int) -> None:
        add(element.text)
        for k, child in enumerate(element):
            here = (*path, k)
            if child.tag in _WRAPPERS:
                start = length
                walk(child, here, depth + 1)
                spans.append((start, length, Wrapper(here), True, depth))
            elif child.tag in _BLANKS:
                # Spaces, a tab, a line break: whitespace to the model, the element itself written
                # back in place of the translation's space there (never lost, never moved).
                width = max(1, int(child.get(t("c"), "1") or 1)) if child.tag == t("s") else 1
                atoms.append((length, Moved(here), width))
                add(LINE_BREAK if child.tag == t("line-break") else " " * width)
            else:
                atoms.append((length, Moved(here)))  # notes, frames, fields, bookmarks, breaks …
            add(child.tail)

    walk(p, (), 0)
    return "".join(text), spans, atoms


@dataclass
class Skeleton:
    """The original package and, per segment, where its paragraph is (part, number)."""

    data: bytes
    places: list[tuple[str, int]] = field(default_factory=list)


OdtDocument = Document[Skeleton, Wrapper, Moved]
"""An OpenDocument text as read: its package, and paragraphs of wrapped text and moved elements."""
OdtSegment = Segment[Wrapper, Moved]
PlacedOdt = PlacedSegment[Wrapper, Moved]


class OdtReader:
    """OpenDocument text (see the module docstring)."""

    name = "odt"

    def read(self, data: bytes | str, source: str) -> OdtDocument:
        """One segment per paragraph or heading with words; spans for its styled and linked text."""
        if isinstance(data, str):
            raise InputError(f"{source}: an OpenDocument file is read from its bytes, not text")
        _archive, roots = _open(data, source)
        segments: list[OdtSegment] = []
        places: list[tuple[str, int]] = []
        for name, index, p in _paragraphs(roots):
            raw, raw_spans, raw_atoms = _read(p)
            if not any(ch.isalnum() for ch in raw):
                continue
            kind = (
                "heading"
                if p.tag == t("h")
                else "note"
                if any(a.tag == t("note") for a in p.iterancestors())
                else ("paragraph" if name == "content.xml" else "header")
            )
            segments.append(segment_from(raw, kind, raw_spans, raw_atoms, keep_empty=False)[0])
            places.append((name, index))
        return Document(segments, input_format="odt", skeleton=Skeleton(data, places))


def _rewrite(p: Element, placed: PlacedOdt, marks: bool) -> None:
    """Rebuild a paragraph's content on the English: wrappers copied shallowly (one copy while
    the words in it go on, so a link is not split round a field inside it), atoms moved back
    inside the wrappers they stood in."""
    from lxml import etree

    at = Paths(p)  # every element found before any moves, each one's children listed once
    wanted = {span.payload.path for span in placed.spans}
    for atom in placed.atoms:
        wanted.update(atom.payload.path[:n] for n in range(1, len(atom.payload.path)))
    wrappers = {path: at(path) for path in wanted if at(path).tag in _WRAPPERS}
    moved = {atom.payload.path: at(atom.payload.path) for atom in placed.atoms}
    text = placed.text
    chains: list[Chain] = [()] * len(text)
    for span in sorted(placed.spans, key=lambda s: len(s.payload.path)):
        for i in range(span.start, min(span.end, len(text))):
            chains[i] = (*chains[i], span.payload.path)
    events: dict[int, list[tuple[Element, Chain] | None]] = {}  # (element, its wrappers); None: a [?] mark
    for atom in placed.atoms:
        path = atom.payload.path
        chain = tuple(path[:n] for n in range(1, len(path)) if path[:n] in wrappers)
        events.setdefault(atom.offset, []).append((moved[path], chain))
    if marks:
        for offset in placed.marks:
            events.setdefault(offset, []).append(None)
    p.text = None
    for child in list(p):
        p.remove(child)

    def shell(path: ElementPath) -> tuple[Element, Element]:
        original = wrappers[path]  # a span or link copied shallowly: its words go in it
        copy_ = etree.Element(original.tag, dict(original.attrib))
        return copy_, copy_

    parent_for = OpenWrappers(p, shell)

    start = 0
    for i in range(len(text) + 1):
        if (i == len(text) or i in events or chains[i] != chains[start]) and i > start:
            _append_text(parent_for(chains[start]), text[start:i])
            start = i
        for item in events.pop(i, []):
            if item is None:
                _append_text(parent_for(()), " [?]")
            else:
                element, chain = item
                element.tail = None
                parent_for(chain).append(element)


def _append_text(p: Element, value: str) -> None:
    if len(p):
        p[-1].tail = (p[-1].tail or "") + value
    else:
        p.text = (p.text or "") + value


class OdtWriter:
    """Writes the translated paragraphs into ``content.xml`` and ``styles.xml``; other parts as they were."""

    def write(self, document: OdtDocument, segments: list[PlacedOdt], marks: bool = True) -> bytes:
        """The ODT package with English paragraphs."""
        from lxml import etree

        skeleton = document.kept()
        archive, roots = _open(skeleton.data, document.name)
        paragraphs = {(name, index): p for name, index, p in _paragraphs(roots)}
        for place, placed in zip(skeleton.places, segments, strict=True):
            _rewrite(paragraphs[place], placed, marks)
        changed = {name for name, _index in skeleton.places}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as new:
            for item in archive.infolist():  # the mimetype stays first and stored, as it was
                if item.filename in changed:
                    new.writestr(
                        item, etree.tostring(roots[item.filename], xml_declaration=True, encoding="UTF-8")
                    )
                else:
                    copy_member(archive, item, new)  # images a MiB at a time, never whole
        return out.getvalue()


Reader = OdtReader
Writer = OdtWriter
