"""HTML whose markup is kept: its text cut into segments, and the translation written back in place.

For the service's ``format=html``, :meth:`translit.Translator.translate_html` and
``--input-format html-markup``. The HTML is tokenised, not parsed into a tree, and every
construct is kept as the exact characters it was written with — tags, attributes, comments,
entities, scripts, whitespace — so that what is not translated comes back byte for byte.

* A **segment** is the text of one block (``<p>``, ``<li>``, ``<td>``, a heading …) up to the
  next block boundary or ``<br>``; the inline elements inside it (``<b>``, ``<a href>``,
  ``<em>``, ``<span>`` …) are spans of its plain text whose payload is their own opening and
  closing tags. A segment is translated whole, sentence by sentence — never cut at an inline tag
  (LibreTranslate's #288, #806) — and :mod:`translit.placement` puts each tag pair back round
  the translated words.
* ``<script>``, ``<style>``, ``<pre>``, ``<textarea>``, ``<svg>``, ``<math>``, comments,
  CDATA sections and every element with ``translate="no"`` or class ``notranslate`` are copied
  untouched; an inline one (``<code>``, ``<kbd>`` …) is a span kept as written: the model sees its
  text, the original comes back where the model copied it. ``<img>`` and other void elements are
  atoms.
* A comment left open at the end stays a comment: nothing after ``<!--`` reaches the model.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from translit.readers.base import (
    Document,
    MarkupSegment,
    PlacedMarkup,
    RawAtom,
    RawSpan,
    Tags,
    escape_html,
    segment_from,
    weave,
)
from translit.textio import decode_bytes

BLOCKS = frozenset(
    """address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li main menu nav ol
    optgroup option p section summary table tbody td tfoot th thead title tr ul""".split()
)
# Never sent to the model and copied as written: these are boundaries of their own ...
UNTOUCHED_BLOCKS = frozenset("script style pre textarea svg math template noscript iframe object".split())
# ... and these keep their place in a sentence, their content as written.
UNTOUCHED_INLINE = frozenset("code kbd samp var".split())
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
BREAKS = frozenset({"br"})
_KIND = {"h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading"}
_KIND.update({"li": "item", "td": "cell", "th": "cell", "caption": "caption", "title": "title"})
# Raw "text" that HTMLParser hands over unparsed at the end: an unclosed comment, declaration or tag.
_UNPARSED = re.compile(r"<[!?/A-Za-z]")


def _marked_untouched(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    values = dict(attrs)
    classes = (values.get("class") or "").split()
    return (
        tag in UNTOUCHED_BLOCKS
        or tag in UNTOUCHED_INLINE
        or (values.get("translate") or "").lower() == "no"
        or "notranslate" in classes
    )


@dataclass
class _Open:
    """An inline element open in the segment being read."""

    tag: str
    start: int
    opening: str
    depth: int


@dataclass
class _Kept:
    """An inline element being copied as written: its opening tag, the tags open in it, its raw content."""

    tag: str
    start: int
    opening: str
    depth: int
    tags: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)


@dataclass
class _Building:
    """The segment being read: decoded text, spans, atoms, and its raw characters."""

    kind: str
    text: str = ""
    spans: list[RawSpan[Tags]] = field(default_factory=list)
    atoms: list[RawAtom[Tags]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)


@dataclass
class Skeleton:
    """The document as raw pieces, with the index of a segment where one goes, and each
    segment's leading and trailing space."""

    pieces: list[str | int] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)


class _Events(HTMLParser):
    """HTMLParser events, each with the offset in the source where it starts."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=False)
        self.lines = [0] + [m.end() for m in re.finditer(r"\n", markup)]
        self.events: list[tuple[str, int, Any]] = []

    def _at(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", self._at(), (tag, attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("startend", self._at(), (tag, attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", self._at(), tag))

    def handle_data(self, data: str) -> None:
        self.events.append(("data", self._at(), data))

    def handle_entityref(self, name: str) -> None:
        self.events.append(("ref", self._at(), name))

    def handle_charref(self, name: str) -> None:
        self.events.append(("ref", self._at(), name))

    def handle_comment(self, data: str) -> None:
        self.events.append(("raw", self._at(), data))

    def handle_decl(self, decl: str) -> None:
        self.events.append(("raw", self._at(), decl))

    def handle_pi(self, data: str) -> None:
        self.events.append(("raw", self._at(), data))

    def unknown_decl(self, data: str) -> None:
        self.events.append(("raw", self._at(), data))


class _Reader:
    """Turns the events, with their raw characters, into segments and raw pieces."""

    def __init__(self) -> None:
        self.skeleton = Skeleton()
        self.segments: list[MarkupSegment] = []
        self.building: _Building | None = None
        self.open: list[_Open] = []
        self.untouched: list[str] = []  # open tags of the untouched block we are inside
        self.kept: _Kept | None = None  # the untouched inline element we are inside
        self.kind = "paragraph"

    # --- where raw characters go -------------------------------------------------------------

    def piece(self, raw: str) -> None:
        if self.kept is not None:
            self.kept.raw.append(raw)
        elif self.building is not None:
            self.building.raw.append(raw)
        else:
            self.skeleton.pieces.append(raw)

    def segment(self) -> _Building:
        if self.building is None:
            self.building = _Building(self.kind)
        return self.building

    def close_segment(self) -> None:
        """End the current segment (a block boundary); inline elements still open end with it."""
        building = self.building
        self.building = None
        if building is None:
            return
        for element in self.open:
            closing = f"</{element.tag}>"  # closed where the block ends, properly
            building.spans.append(
                (element.start, len(building.text), Tags(element.opening, closing), True, element.depth)
            )
        self.open = []
        if not any(ch.isalnum() for ch in building.text):
            self.skeleton.pieces.append("".join(building.raw))  # nothing to translate: as written
            return
        segment, where = segment_from(building.text, building.kind, building.spans, building.atoms)
        lead = building.text[: where[0]]
        trail = building.text[where[-1] + 1 :]
        self.skeleton.pieces.append(len(self.segments))
        self.skeleton.edges.append((lead, trail))
        self.segments.append(segment)

    def boundary(self, raw: str) -> None:
        self.close_segment()
        self.skeleton.pieces.append(raw)

    # --- events ------------------------------------------------------------------------------

    def start(self, tag: str, attrs: list[tuple[str, str | None]], raw: str, void: bool) -> None:
        if self.kept is not None or self.untouched:
            if not void and tag not in VOID:
                (self.kept.tags if self.kept is not None else self.untouched).append(tag)
            self.piece(raw)
            return
        if tag in BLOCKS or tag in BREAKS or tag in UNTOUCHED_BLOCKS:
            self.boundary(raw)
            if not void and tag not in VOID and _marked_untouched(tag, attrs):
                self.untouched.append(tag)
            self.kind = _KIND.get(tag, "paragraph") if tag in BLOCKS else self.kind
            return
        building = self.segment()
        if void or tag in VOID:
            building.atoms.append((len(building.text), Tags(raw)))
            building.raw.append(raw)
            return
        if _marked_untouched(tag, attrs):
            self.kept = _Kept(tag, len(building.text), raw, len(self.open), [tag])
        else:
            self.open.append(_Open(tag, len(building.text), raw, len(self.open)))
            building.raw.append(raw)

    def end(self, tag: str, raw: str) -> None:
        kept = self.kept
        if kept is not None:
            if tag in kept.tags:
                while kept.tags and kept.tags.pop() != tag:
                    pass
            if kept.tags:
                kept.raw.append(raw)
                return
            # The untouched inline element ends: the model sees its text (a name is best
            # translated as part of its sentence), its content comes back as written.
            self.kept = None
            building = self.segment()
            inner = "".join(kept.raw)
            building.text += html.unescape(re.sub(r"<[^>]*>", "", inner))
            building.spans.append(
                (kept.start, len(building.text), Tags(kept.opening + inner + raw), False, kept.depth)
            )
            building.raw.append(kept.opening + inner + raw)
            return
        if self.untouched:
            self.piece(raw)
            if tag in self.untouched:
                while self.untouched and self.untouched.pop() != tag:
                    pass
            return
        if tag in VOID:  # "</br>" and the like: kept where it stands
            if self.building is not None:
                self.building.atoms.append((len(self.building.text), Tags(raw)))
            self.piece(raw)
            return
        if not any(element.tag == tag for element in self.open):
            self.boundary(raw)  # a block's end, or a stray end tag: kept where it was
            return
        building = self.segment()
        building.raw.append(raw)
        while self.open:
            element = self.open.pop()
            closing = raw if element.tag == tag else f"</{element.tag}>"
            building.spans.append(
                (element.start, len(building.text), Tags(element.opening, closing), True, element.depth)
            )
            if element.tag == tag:
                break  # elements the markup forgot to close end here too, closed properly

    def text(self, raw: str, decoded: str) -> None:
        if self.kept is not None or self.untouched:
            self.piece(raw)
            return
        building = self.segment()
        building.text += decoded
        building.raw.append(raw)

    def finish(self) -> None:
        if self.kept is not None:  # never closed: what was read stays as written
            kept = self.kept
            self.kept = None
            self.boundary(kept.opening + "".join(kept.raw))
        self.close_segment()


def read_markup(markup: str) -> tuple[list[MarkupSegment], Skeleton]:
    """Cut ``markup`` into segments with words and the raw pieces around them."""
    events = _Events(markup)
    events.feed(markup)
    parsed = len(events.events)
    events.close()  # what HTMLParser could not parse comes now, as "data"
    reader = _Reader()
    found = events.events
    for k, (kind, start, value) in enumerate(found):
        end = found[k + 1][1] if k + 1 < len(found) else len(markup)
        raw = markup[start:end]
        if k >= parsed and kind == "data" and _UNPARSED.match(markup, start):
            reader.boundary(markup[start:])  # an unclosed comment or tag at the end: never text
            break
        if kind == "start" or kind == "startend":
            tag, attrs = value
            reader.start(tag, attrs, raw, kind == "startend")
        elif kind == "end":
            reader.end(value, raw)
        elif kind == "ref":
            reader.text(raw, html.unescape(raw))
        elif kind == "data":
            reader.text(raw, value)
        elif reader.kept is not None or reader.untouched:
            reader.piece(raw)
        else:
            reader.boundary(raw)  # a comment, declaration, CDATA section: as written
    reader.finish()
    return reader.segments, reader.skeleton


MarkupDocument = Document[Skeleton, Tags, Tags]
"""An HTML document as read: its raw pieces, and segments whose spans and atoms are tags."""


class HtmlMarkupReader:
    """HTML text whose markup is kept (see the module docstring)."""

    name = "html-markup"

    def read(self, data: bytes | str, source: str) -> MarkupDocument:
        """The segments of the HTML, and its raw pieces to write back."""
        decoded = decode_bytes(data, source) if isinstance(data, bytes) else None
        segments, skeleton = read_markup(decoded.text if decoded else str(data))
        return Document(
            segments,
            input_format="html-markup",
            skeleton=skeleton,
        )


class HtmlMarkupWriter:
    """Writes the translated segments into the raw pieces of the HTML."""

    def write(self, document: MarkupDocument, segments: list[PlacedMarkup], marks: bool = True) -> bytes:
        """The HTML with each segment replaced by its translation, its tags at their places."""
        skeleton = document.kept()
        out = []
        for piece in skeleton.pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                lead, trail = skeleton.edges[piece]
                out.append(lead + weave(segments[piece], escape_html, marks) + trail)
        return "".join(out).encode("utf-8")


Reader = HtmlMarkupReader
Writer = HtmlMarkupWriter
