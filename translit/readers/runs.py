"""Office paragraphs made of runs (Word's ``w:r``, DrawingML's ``a:r``): runs as spans, and back.

A sentence in an Office paragraph is cut into runs wherever formatting changes (a bold word, a
link, a spell-check boundary). Here a paragraph's text pieces — each from a run — become one
plain segment: consecutive runs with the same properties are one span whose payload names the
run to copy properties from (:class:`RunFormat`), the paragraph's most common formatting is the
base (no span), and a link element round runs is a span of its own (:class:`Wrapper`). Writing
back, the paragraph's runs are rebuilt on the English: each stretch of text gets the properties
of the span over it, atoms (fields, drawings, breaks, anchors: :data:`RunAtom`) are the original
elements moved back in place, and ``[?]`` marks are highlighted runs. :class:`Syntax` says how a
format spells its runs.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from translit.readers.base import CHECK_MARK, PlacedSegment, RawAtom, RawSpan, Segment, segment_from

if TYPE_CHECKING:  # lxml is imported where a paragraph is first read (types from types-lxml)
    from lxml.etree import _Element as Element

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

ElementPath = tuple[int, ...]
"""An element under a paragraph: child indexes from the paragraph down."""

Chain = tuple[ElementPath, ...]
"""The wrappers round a piece of a paragraph: their paths, outermost first."""


@dataclass(frozen=True)
class RunFormat:
    """A span's formatting: the properties (``rPr``) of the run at ``run`` (a bold word, a style)."""

    run: ElementPath


@dataclass(frozen=True)
class Wrapper:
    """A span of the words inside an element round runs (a link, a smart tag, a content control,
    ODF's ``text:span``): the element is rebuilt round the English words."""

    path: ElementPath


RunSpan = RunFormat | Wrapper
"""The payload of a span over an Office paragraph's runs."""


@dataclass(frozen=True)
class Moved:
    """An element moved back as it was (a field's runs, a drawing, a bookmark, a note mark)."""

    path: ElementPath


@dataclass(frozen=True)
class KeptText:
    """Characters written back as they were, in a run of their own with the properties of the run
    at ``run`` (a tab in DrawingML)."""

    text: str
    run: ElementPath


@dataclass(frozen=True)
class RunXml:
    """An element inside a run (a tab, a break, a soft hyphen) as XML, written back in a run of its
    own with the properties of the run at ``run``."""

    xml: str
    run: ElementPath


RunAtom = Moved | KeptText | RunXml
"""The payload of an atom in an Office paragraph of runs."""

RunSegment = Segment[RunSpan, RunAtom]
PlacedRuns = PlacedSegment[RunSpan, RunAtom]


@dataclass(frozen=True)
class Syntax:
    """How a format spells a paragraph's runs."""

    namespace: str
    paragraph_properties: str  # kept first: w:pPr, a:pPr
    tail: tuple[str, ...] = ()  # kept last: a:endParaRPr
    wrappers: frozenset[str] = frozenset()  # elements round runs, rebuilt round the English: w:hyperlink
    preserve_space: bool = False  # Word: xml:space="preserve" on text with spaces at its ends
    characters: tuple[tuple[str, str], ...] = ()  # characters written as elements: Word's U+2011
    noise: Callable[[str], bool] = lambda name: False  # property attributes that differ run to run
    highlight: Callable[[Element], None] | None = None  # marks a [?] run's properties

    def tag(self, name: str) -> str:
        """The Clark name of ``name`` in the format's namespace."""
        return f"{{{self.namespace}}}{name}"


def properties_key(run: Element, syntax: Syntax) -> str:
    """A run's properties as a key: its ``rPr`` without attributes that differ run to run (revision ids)."""
    from lxml import etree

    rpr = run.find(syntax.tag("rPr"))
    if rpr is None:
        return ""
    clean = copy.deepcopy(rpr)
    for element in clean.iter():
        for name in list(element.attrib):
            if syntax.noise(name):
                del element.attrib[name]
    return str(etree.tostring(clean, encoding="unicode"))


@dataclass
class Piece:
    """A piece of a paragraph's text: where it came from (its run's path, child indexes from the
    paragraph) and the wrappers round it (a link, a smart tag …; their paths, outermost first)."""

    text: str
    run: ElementPath
    chain: Chain = ()


class Paths:
    """Elements under a paragraph by path (child indexes), each element's children listed once:
    lxml walks its children to index them, so ``p[k]`` for every run of a paragraph of 100,000
    runs would cost their square."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self._children: dict[Element, list[Element]] = {}

    def __call__(self, path: ElementPath) -> Element:
        """The element at ``path`` under the root."""
        element = self.root
        for k in path:
            children = self._children.get(element)
            if children is None:
                children = self._children[element] = list(element)
            element = children[k]
        return element


WRAPPER_DEPTH_LIMIT = 1000
"""Run spans nest inside every wrapper span (their depth is above any wrapper's)."""


def segment_of(
    p: Element, pieces: list[Piece], atoms: list[RawAtom[RunAtom]], kind: str, syntax: Syntax
) -> tuple[RunSegment | None, ElementPath | None]:
    """The segment of a paragraph: plain text, a span per run of formatting unlike the base and
    per wrapper, atoms where they stood; None for a paragraph without words."""
    raw = "".join(piece.text for piece in pieces)
    if not any(ch.isalnum() for ch in raw):
        return None, None
    element_at = Paths(p)
    keys = [properties_key(element_at(piece.run), syntax) for piece in pieces]
    weight: Counter[str] = Counter()
    for key, piece in zip(keys, pieces, strict=True):
        weight[key] += len(piece.text.strip())
    base_key = weight.most_common(1)[0][0]
    base = next(piece.run for key, piece in zip(keys, pieces, strict=True) if key == base_key)
    raw_spans: list[tuple[int, int, Any, int]] = []
    last_run: list[Any] | None = None
    offset = 0
    for key, piece in zip(keys, pieces, strict=True):
        end = offset + len(piece.text)
        if key != base_key:
            if last_run is not None and last_run[1] == offset and last_run[3] == key:
                last_run[1] = end
            else:
                last_run = [offset, end, piece.run, key]
                raw_spans.append(last_run)  # type: ignore[arg-type]
        offset = end
    wrapped: dict[ElementPath, list[int]] = {}
    offset = 0
    for piece in pieces:
        for depth, path in enumerate(piece.chain):
            wrapped.setdefault(path, [offset, offset, depth])
            wrapped[path][1] = offset + len(piece.text)
        offset += len(piece.text)
    # A run of formatting over nothing but spaces formats nothing a reader sees, and has no words
    # for the alignment to find: it would go round its whole sentence.
    spans: list[RawSpan[RunSpan]] = [
        (start, end, RunFormat(path), True, WRAPPER_DEPTH_LIMIT)
        for start, end, path, _key in raw_spans
        if raw[start:end].strip()
    ]
    spans += [(start, end, Wrapper(path), True, depth) for path, (start, end, depth) in wrapped.items()]
    segment, _where = segment_from(raw, kind, spans, atoms, keep_empty=False)
    return segment, base


def _split_characters(value: str, syntax: Syntax) -> list[str | tuple[str]]:
    """``value`` cut where a character is an element of the format (Word's non-breaking hyphen)."""
    if not syntax.characters or not any(ch in value for ch, _name in syntax.characters):
        return [value]
    names = dict(syntax.characters)
    pieces: list[str | tuple[str]] = []
    text = ""
    for ch in value:
        if ch in names:
            if text:
                pieces.append(text)
            pieces.append((names[ch],))
            text = ""
        else:
            text += ch
    if text:
        pieces.append(text)
    return pieces


class OpenWrappers:
    """The wrapper copies open while a paragraph is rebuilt: called with a piece's chain, where
    that piece goes — the copies already open for the chain's first wrappers are reused (a link
    is not split round a field inside it), the others opened by ``shell`` (a path → the new
    element and where its content goes), each inside the one before."""

    def __init__(self, paragraph: Element, shell: Callable[[ElementPath], tuple[Element, Element]]) -> None:
        self.paragraph = paragraph
        self.shell = shell
        self.opened: list[tuple[ElementPath, Element]] = []  # (path, where its content goes)

    def __call__(self, chain: Chain) -> Element:
        """Where an element inside ``chain`` goes."""
        n = 0
        while n < len(self.opened) and n < len(chain) and self.opened[n][0] == chain[n]:
            n += 1
        del self.opened[n:]
        parent = self.opened[-1][1] if self.opened else self.paragraph
        for path in chain[n:]:
            outer, inner = self.shell(path)
            parent.append(outer)
            self.opened.append((path, inner))
            parent = inner
        return parent


def _shell(original: Element, syntax: Syntax) -> tuple[Element, Element]:
    """A new, empty copy of a wrapper (its attributes and properties): (the element, where runs go)."""
    from lxml import etree

    outer = etree.Element(original.tag, dict(original.attrib))
    inner = outer
    for child in original:
        if isinstance(child.tag, str) and child.tag.endswith("Pr"):  # sdtPr, smartTagPr …
            outer.append(copy.deepcopy(child))
        elif child.tag == syntax.tag("sdtContent"):
            inner = etree.SubElement(outer, child.tag, dict(child.attrib))
    return outer, inner


def rewrite(p: Element, base: ElementPath | None, placed: PlacedRuns, marks: bool, syntax: Syntax) -> None:
    """Replace a paragraph's runs with runs of the translation; atoms moved back in place, each
    inside the wrappers it stood in."""
    from lxml import etree

    # Every element the placed segment names, looked up before anything moves.
    wanted: set[ElementPath] = set()
    if base is not None:
        wanted.add(base)
    for span in placed.spans:
        wanted.add(span.payload.run if isinstance(span.payload, RunFormat) else span.payload.path)
    for atom in placed.atoms:
        path = atom.payload.path if isinstance(atom.payload, Moved) else atom.payload.run
        wanted.update(path[:n] for n in range(1, len(path) + 1))
    element_at = Paths(p)
    elements = {path: element_at(path) for path in wanted}
    wrapper_tags = {syntax.tag(name) for name in syntax.wrappers}

    def properties(path: ElementPath | None) -> Element | None:
        if path is None:
            return None
        rpr = elements[path].find(syntax.tag("rPr"))
        return copy.deepcopy(rpr) if rpr is not None else None

    def chain_of(path: ElementPath) -> Chain:
        return tuple(path[:n] for n in range(1, len(path)) if elements[path[:n]].tag in wrapper_tags)

    text = placed.text
    # For every character: the run whose properties it takes and the wrappers round it.
    formats: list[ElementPath | None] = [base] * len(text)
    chains: list[Chain] = [()] * len(text)
    for span in sorted(placed.spans, key=lambda s: s.end - s.start, reverse=True):
        payload = span.payload
        for i in range(span.start, min(span.end, len(text))):
            if isinstance(payload, RunFormat):
                formats[i] = payload.run
            else:
                chains[i] = tuple(sorted({*chains[i], payload.path}, key=len))
    events: dict[int, list[RunAtom | None]] = {}  # None: a [?] mark
    for atom in placed.atoms:
        events.setdefault(atom.offset, []).append(atom.payload)
    if marks:
        for at in placed.marks:
            events.setdefault(at, []).append(None)
    tail = [child for child in p if child.tag in {syntax.tag(t) for t in syntax.tail}]
    for child in list(p):
        if child.tag != syntax.tag(syntax.paragraph_properties):
            p.remove(child)

    parent_for = OpenWrappers(p, lambda path: _shell(elements[path], syntax))

    def new_run(value: str, path: ElementPath | None, chain: Chain = ()) -> Element:
        run = etree.SubElement(parent_for(chain), syntax.tag("r"))
        rpr = properties(path)
        if rpr is not None:
            run.append(rpr)
        for piece in _split_characters(value, syntax):
            if isinstance(piece, tuple):  # a character the format spells as an element
                etree.SubElement(run, syntax.tag(piece[0]))
                continue
            t = etree.SubElement(run, syntax.tag("t"))
            t.text = piece
            if syntax.preserve_space:  # Word: keep the spaces at a run's ends
                t.set(XML_SPACE, "preserve")
        return run

    def flush_events(at: int) -> None:
        for payload in events.pop(at, []):
            if isinstance(payload, Moved):
                parent_for(chain_of(payload.path)).append(elements[payload.path])
            elif isinstance(payload, KeptText):  # a character kept as written (a tab in DrawingML)
                new_run(payload.text, payload.run, chain_of(payload.run))
            elif isinstance(payload, RunXml):  # a tab or break: a run of its own, its run's properties kept
                run = etree.SubElement(parent_for(chain_of(payload.run)), syntax.tag("r"))
                rpr = properties(payload.run)
                if rpr is not None:
                    run.append(rpr)
                run.append(etree.fromstring(payload.xml))
            else:
                run = new_run(" " + CHECK_MARK, base)
                if syntax.highlight is not None:
                    rpr = run.find(syntax.tag("rPr"))
                    if rpr is None:
                        rpr = etree.Element(syntax.tag("rPr"))
                        run.insert(0, rpr)
                    syntax.highlight(rpr)

    start = 0
    for i in range(len(text) + 1):
        boundary = (
            i == len(text)
            or i in events
            or (i > start and (formats[i], chains[i]) != (formats[start], chains[start]))
        )
        if boundary and i > start:
            new_run(text[start:i], formats[start], chains[start])
            start = i
        if i in events:
            flush_events(i)
    for at in sorted(events):
        flush_events(at)
    for child in tail:
        p.append(child)
