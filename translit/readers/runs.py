"""Office paragraphs made of runs (Word's ``w:r``, DrawingML's ``a:r``): runs as spans, and back.

A sentence in an Office paragraph is cut into runs wherever formatting changes (a bold word, a
link, a spell-check boundary). Here a paragraph's text pieces — each from a run — become one
plain segment: consecutive runs with the same properties are one span whose payload names the
run to copy properties from, the paragraph's most common formatting is the base (no span), and a
link element round runs is a span of its own. Writing back, the paragraph's runs are rebuilt on
the English: each stretch of text gets the properties of the span over it, atoms (fields,
drawings, breaks, anchors) are the original elements moved back in place, and ``[?]`` marks are
highlighted runs. :class:`Syntax` says how a format spells its runs.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from translit.readers.base import CHECK_MARK, PlacedSegment, Segment, segment_from

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass(frozen=True)
class Syntax:
    """How a format spells a paragraph's runs."""

    namespace: str
    paragraph_properties: str  # kept first: w:pPr, a:pPr
    tail: tuple[str, ...] = ()  # kept last: a:endParaRPr
    link: str | None = None  # an element round runs: w:hyperlink
    noise: Callable[[str], bool] = lambda name: False  # property attributes that differ run to run
    highlight: Callable[[Any], None] | None = None  # marks a [?] run's properties

    def tag(self, name: str) -> str:
        """The Clark name of ``name`` in the format's namespace."""
        return f"{{{self.namespace}}}{name}"


def properties_key(run: Any, syntax: Syntax) -> str:
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
    """A piece of a paragraph's text: where it came from (its run's path) and its link."""

    text: str
    run: tuple[int, ...]
    link: int | None


def segment_of(
    p: Any, pieces: list[Piece], atoms: list[tuple[int, Any]], kind: str, syntax: Syntax
) -> tuple[Segment | None, tuple[int, ...] | None]:
    """The segment of a paragraph: plain text, a span per run of formatting unlike the base and
    per link, atoms where they stood; None for a paragraph without words."""
    raw = "".join(piece.text for piece in pieces)
    if not any(ch.isalnum() for ch in raw):
        return None, None

    def run_at(path: tuple[int, ...]) -> Any:
        element = p[path[0]]
        return element[path[1]] if len(path) > 1 else element

    keys = [properties_key(run_at(piece.run), syntax) for piece in pieces]
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
    spans = [(start, end, (what, path), True, depth) for start, end, (what, path, _key), depth in raw_spans]
    segment, _where = segment_from(raw, kind, spans, atoms, keep_empty=False)
    return segment, base


def rewrite(p: Any, base: tuple[int, ...] | None, placed: PlacedSegment, marks: bool, syntax: Syntax) -> None:
    """Replace a paragraph's runs with runs of the translation; atoms moved back in place."""
    from lxml import etree

    children = list(p)

    def run_at(path: tuple[int, ...]) -> Any:
        element = children[path[0]]
        return element[path[1]] if len(path) > 1 else element

    def properties(path: tuple[int, ...] | None) -> Any:
        if path is None:
            return None
        rpr = run_at(path).find(syntax.tag("rPr"))
        return copy.deepcopy(rpr) if rpr is not None else None

    text = placed.text
    # For every character: the run whose properties it takes and the link it is in.
    formats: list[tuple[int, ...] | None] = [base] * len(text)
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
    tail = [child for child in children if child.tag in {syntax.tag(t) for t in syntax.tail}]
    for child in children:
        if child.tag != syntax.tag(syntax.paragraph_properties):
            p.remove(child)

    def new_run(value: str, path: tuple[int, ...] | None, highlight: bool = False) -> Any:
        run = etree.SubElement(p, syntax.tag("r"))
        rpr = properties(path)
        if highlight and syntax.highlight is not None:
            rpr = rpr if rpr is not None else etree.Element(syntax.tag("rPr"))
            syntax.highlight(rpr)
        if rpr is not None:
            run.append(rpr)
        t = etree.SubElement(run, syntax.tag("t"))
        t.text = value
        if syntax.link is not None:  # Word: keep the spaces at a run's ends
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
            current_link = etree.SubElement(p, syntax.tag(syntax.link or "hyperlink"))
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
                run = etree.SubElement(p, syntax.tag("r"))
                run.append(etree.fromstring(payload[1]))
            else:
                new_run(" " + CHECK_MARK, base, highlight=True)

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
    for child in tail:
        p.append(child)
