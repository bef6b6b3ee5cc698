"""HTML whose markup is kept: its text cut into segments, and the translation put back in place.

For ``format=html`` of the HTTP service (and :meth:`translit.Translator.translate_html`).
The HTML is tokenised, not parsed into a tree, so that everything that is not translated —
tags, attributes, comments, entities, scripts, whitespace — comes back byte for byte.

* A **segment** is the text of one block (``<p>``, ``<li>``, ``<td>``, a heading …) up to
  the next block boundary or ``<br>``, with the inline elements inside it (``<b>``,
  ``<a href>``, ``<em>``, ``<span>`` …) recorded as spans of its plain text. The segment is
  translated whole, sentence by sentence — never cut at an inline tag (LibreTranslate's
  #288, #806).
* Each inline span is put back around the words of the translation that the model aligned
  with the words it wrapped (:func:`project_spans`); where no alignment is found, the tags
  are kept at the edge of the sentence (around all of it), and the caller flags the unit
  ``markup``: tags are never dropped.
* ``<script>``, ``<style>``, ``<pre>``, ``<code>``, ``<textarea>``, ``<svg>``, ``<math>``
  and every element with ``translate="no"`` or class ``notranslate`` are copied untouched;
  an inline one keeps its place in the sentence with its content as written.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

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


@dataclass
class InlineSpan:
    """An inline element of a segment: its tags, and the plain text it wraps (``start:end``)."""

    start: int
    end: int
    opening: str
    closing: str
    depth: int
    protected: str | None = None  # the element's content as written, when it is not translated


@dataclass
class Segment:
    """The plain text of one run of a block, with its inline elements and the space around it."""

    text: str = ""
    spans: list[InlineSpan] = field(default_factory=list)
    voids: list[tuple[int, str]] = field(default_factory=list)  # (offset, raw tag), e.g. <img>

    @property
    def translatable(self) -> bool:
        """Whether the segment has words to translate."""
        return any(ch.isalnum() for ch in self.text)


@dataclass
class Fragment:
    """A tokenised HTML document: raw pieces and segments, in order."""

    pieces: list[str | int] = field(default_factory=list)  # raw text, or the index of a segment
    segments: list[Segment] = field(default_factory=list)


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
class _Protected:
    """An inline element being copied as written: its span, open tags inside it, raw content."""

    span: InlineSpan
    tags: list[str]
    raw: list[str] = field(default_factory=list)


class _Tokeniser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.fragment = Fragment()
        self.segment: Segment | None = None
        self.open: list[tuple[str, InlineSpan]] = []  # inline elements open in the segment
        self.untouched: list[str] = []  # open tags of the untouched block we are inside
        self.protected: _Protected | None = None  # the untouched inline element we are inside

    # --- where things go -----------------------------------------------------------------

    def _segment(self) -> Segment:
        if self.segment is None:
            self.segment = Segment()
            self.fragment.pieces.append(len(self.fragment.segments))
            self.fragment.segments.append(self.segment)
        return self.segment

    def close_segment(self) -> None:
        """End the current segment (a block boundary); inline elements still open end with it."""
        if self.segment is not None:
            for _tag, span in self.open:
                span.end = len(self.segment.text)  # closed properly where the block ends
        self.open = []
        self.segment = None

    def _copy(self, raw: str) -> bool:
        """Copy ``raw`` as written when inside an untouched element; True if it was."""
        if self.protected is not None:
            self.protected.raw.append(raw)
            return True
        if self.untouched:
            self.fragment.pieces.append(raw)
            return True
        return False

    def _boundary(self, raw: str) -> None:
        self.close_segment()
        self.fragment.pieces.append(raw)

    # --- parser events -------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}>"
        if self._copy(raw):
            if tag not in VOID:
                (self.protected.tags if self.protected is not None else self.untouched).append(tag)
            return
        if tag in BLOCKS or tag in BREAKS or tag in UNTOUCHED_BLOCKS:
            self._boundary(raw)
            if tag not in VOID and _marked_untouched(tag, attrs):
                self.untouched.append(tag)
            return
        segment = self._segment()
        if tag in VOID:
            segment.voids.append((len(segment.text), raw))
            return
        span = InlineSpan(len(segment.text), len(segment.text), raw, f"</{tag}>", len(self.open))
        segment.spans.append(span)
        if _marked_untouched(tag, attrs):
            span.protected = ""
            self.protected = _Protected(span, [tag])
        else:
            self.open.append((tag, span))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}/>"
        if self._copy(raw):
            return
        if tag in BLOCKS or tag in BREAKS or tag in UNTOUCHED_BLOCKS:
            self._boundary(raw)
            return
        segment = self._segment()
        segment.voids.append((len(segment.text), raw))

    def handle_endtag(self, tag: str) -> None:
        raw = f"</{tag}>"
        if self.protected is not None:
            tags = self.protected.tags
            if tag in tags:
                while tags and tags.pop() != tag:
                    pass
            if tags:
                self.protected.raw.append(raw)
                return
            # The untouched inline element ends: the model sees its text (a name is best
            # translated as part of its sentence), its content comes back as written.
            span = self.protected.span
            span.protected = "".join(self.protected.raw)
            span.closing = raw
            segment = self._segment()
            segment.text += html.unescape(re.sub(r"<[^>]*>", "", span.protected))
            span.end = len(segment.text)
            self.protected = None
            return
        if self.untouched:
            self.fragment.pieces.append(raw)
            if tag in self.untouched:
                while self.untouched and self.untouched.pop() != tag:
                    pass
            return
        if tag in VOID:
            return  # "</br>" and the like
        if not any(open_tag == tag for open_tag, _span in self.open):
            self._boundary(raw)  # a block's end, or a stray end tag: kept where it was
            return
        segment = self._segment()
        while self.open:
            open_tag, span = self.open.pop()
            span.end = len(segment.text)
            if open_tag == tag:
                break  # elements the markup forgot to close end here too, closed properly

    def _text(self, raw: str, decoded: str) -> None:
        if not self._copy(raw):
            self._segment().text += decoded

    def handle_data(self, data: str) -> None:
        self._text(data, data)

    def handle_entityref(self, name: str) -> None:
        self._text(f"&{name};", html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self._text(f"&#{name};", html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        raw = f"<!--{data}-->"
        if not self._copy(raw):
            self._boundary(raw)

    def handle_decl(self, decl: str) -> None:
        self._boundary(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._boundary(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._boundary(f"<![{data}]>")


def parse_fragment(markup: str) -> Fragment:
    """Tokenise ``markup`` into raw pieces and translatable segments."""
    tokeniser = _Tokeniser()
    tokeniser.feed(markup)
    tokeniser.close()
    if tokeniser.protected is not None:  # never closed: what was read stays as written
        tokeniser.fragment.pieces.append(tokeniser.protected.span.opening + "".join(tokeniser.protected.raw))
        segment = tokeniser.segment
        if segment is not None:
            segment.spans.remove(tokeniser.protected.span)
    tokeniser.close_segment()
    return tokeniser.fragment


def collapse(text: str) -> tuple[str, list[int]]:
    """``text`` with runs of whitespace as one space and no space at the ends, and for each
    character of the result its offset in ``text``."""
    out: list[str] = []
    where: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            where.append(i - 1)
            pending_space = False
        out.append(ch)
        where.append(i)
    return "".join(out), where


Alignment = list[tuple[int, int, int, int]]
"""Aligned pieces of one unit: (source start, source end, target start, target end) in characters."""


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` grown to whole words and trimmed of space and edge punctuation."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def project_span(start: int, end: int, alignment: Alignment, target: str) -> tuple[int, int] | None:
    """Where the source characters ``start:end`` went in ``target``, by the alignment (or None)."""
    hits = [(ts, te) for ss, se, ts, te in alignment if ss < end and se > start and te > ts]
    if not hits:
        return None
    left, right = _word_bounds(target, min(ts for ts, _ in hits), max(te for _, te in hits))
    return (left, right) if right > left else None


@dataclass
class Placed:
    """Where a span ended up in its segment's translation, and whether it was placed by alignment."""

    start: int
    end: int
    aligned: bool


def place_spans(
    spans: list[InlineSpan], projected: list[tuple[int, int] | None], edges: list[tuple[int, int]]
) -> list[Placed]:
    """Final places of the spans: their projections where these nest properly, else the edges.

    ``edges`` is, per span, the translated sentence it falls back to (its unit's range).
    Spans are visited outermost first; a projection that crosses one already placed, or
    leaves its parent, is replaced by the sentence edge clamped into the parent.
    """
    placed: list[Placed | None] = [None] * len(spans)
    order = sorted(range(len(spans)), key=lambda i: (spans[i].depth, spans[i].start, -spans[i].end))
    for i in order:
        parent = next(
            (
                j
                for j in order
                if placed[j] is not None
                and spans[j].depth < spans[i].depth
                and spans[j].start <= spans[i].start
                and spans[j].end >= spans[i].end
            ),
            None,
        )
        above = placed[parent] if parent is not None else None
        low, high = (above.start, above.end) if above is not None else (0, 10**9)
        candidate = projected[i]
        ok = candidate is not None and low <= candidate[0] and candidate[1] <= high
        if ok and candidate is not None:
            for j, other in enumerate(placed):
                if other is None or j == parent:
                    continue
                inside = other.start <= candidate[0] and candidate[1] <= other.end
                outside = candidate[0] <= other.start and other.end <= candidate[1]
                apart = candidate[1] <= other.start or other.end <= candidate[0]
                if not (inside or outside or apart):
                    ok = False
                    break
        if ok and candidate is not None:
            placed[i] = Placed(candidate[0], candidate[1], True)
        else:
            edge = edges[i]
            placed[i] = Placed(max(low, edge[0]), min(high, edge[1]), False)
    return [p if p is not None else Placed(0, 0, False) for p in placed]


def render_segment(segment: Segment, translation: str, placed: list[Placed], voids: list[int]) -> str:
    """The segment's translation as HTML: text escaped, its inline tags at their places.

    ``voids`` gives the translation offset of each void element (``<img>``) of the segment.
    """
    events: list[tuple[int, int, int, str]] = []  # (offset, kind, order, raw); closes before opens
    skip: list[tuple[int, int]] = []
    for index, (span, where) in enumerate(zip(segment.spans, placed, strict=True)):
        width = where.end - where.start
        inner = span.protected or ""
        if width == 0:  # nothing of the translation inside: the element goes in whole
            events.append((where.start, 3, index, span.opening + inner + span.closing))
            continue
        events.append((where.start, 1, -width * 1000 + index, span.opening + inner))
        events.append((where.end, 0, width * 1000 - index, span.closing))
        if span.protected is not None:
            skip.append((where.start, where.end))
    for (_offset, raw), at in zip(segment.voids, voids, strict=True):
        events.append((at, 3, 0, raw))
    events.sort(key=lambda e: (e[0], 0 if e[1] == 0 else 1, e[2]))
    out: list[str] = []
    cursor = 0
    for offset, _kind, _order, raw in events:
        if offset > cursor:
            out.append(_visible(translation, cursor, offset, skip))
            cursor = offset
        out.append(raw)
    out.append(_visible(translation, cursor, len(translation), skip))
    return "".join(out)


def _visible(text: str, start: int, end: int, skip: list[tuple[int, int]]) -> str:
    """``text[start:end]`` escaped, without the characters of protected spans."""
    kept = "".join(ch for i, ch in enumerate(text[start:end], start) if not any(a <= i < b for a, b in skip))
    return html.escape(kept, quote=False)


def render(fragment: Fragment, segments: list[str]) -> str:
    """The fragment with each segment replaced by its rendered HTML."""
    return "".join(piece if isinstance(piece, str) else segments[piece] for piece in fragment.pieces)
