"""Markdown: only the prose is translated, and the document comes back with its structure.

markdown-it-py (CommonMark, plus tables) parses the document. The text of every paragraph,
heading and table cell — in whatever list items and block quotes it sits — is one segment,
translated whole; everything else is copied byte for byte: code blocks, raw HTML, link and
image addresses, YAML front matter, thematic breaks, list and quote markers, table rules.

Inside a block, nothing that is markup reaches the model (models mangle ``**`` and ``](…)``):

* emphasis, strikethrough and links are spans over the block's plain text, their payload the
  marks before and after (``**``, ``[`` and ``](https://…)``), put back round the translated
  words by :mod:`translit.placement` — or round the whole sentence, flagged ``markup``, when
  the alignment cannot place them; a link's address is never lost;
* code spans, autolinks, bare addresses and links that hold code are spans kept as written: the
  model sees their text, the original comes back where the model copied it;
* inline HTML tags, images (with their alt text) and footnote marks are atoms: they go where
  the word after them went.

The translation of a block is written back into the block's own place in the source: on
its first line, between the line's container prefix (``> ``, ``- ``, ``# ``, ``| ``) and
whatever followed the text, and the block's continuation lines are dropped; so the output
parses to the same blocks, nested the same way, as the input. Hard line breaks inside a
paragraph become spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from translit.readers.base import (
    Document,
    MarkupSegment,
    PlacedMarkup,
    RawAtom,
    RawSpan,
    Tags,
    library,
    segment_from,
    weave,
)
from translit.textio import decode_bytes

_FRONT_MATTER = re.compile(r"\A(---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z))", re.S)
# What would start a new block if a translation began with it at the start of a line.
_BLOCK_START = re.compile(r"^(?:([-+*>]|#{1,6}|=+|`{3,}|~{3,})|(\d{1,9})([.)]))(?=\s|$)")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<])")
# Inside text: footnote marks and bare links, kept as written.
_KEEP_IN_TEXT = re.compile(r"(\[\^[^\]\s]+\]|(?:https?://|www\.)\S+[^\s.,;:!?)\]])")
_PROSE_BLOCKS = {"paragraph_open", "heading_open", "th_open", "td_open"}
_SOFT_OPEN = {"em_open": "em_close", "strong_open": "strong_close", "s_open": "s_close"}


def _parser() -> Any:
    markdown_it = library("markdown_it", "reading Markdown", "markdown-it-py", "markdown")
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])


_YAML_LINE = re.compile(r"^(?:[\w\"'-][^:]*:(?:\s.*)?|\s+\S.*|-\s.*|#.*|)$")


def _looks_like_yaml(block: str) -> bool:
    """Is a ``---`` … ``---`` block at the top front matter (``key: value`` lines), not prose
    between two thematic breaks?"""
    lines = block.strip().splitlines()[1:-1]
    keyed = [line for line in lines if re.match(r"^[\w\"'-][^:]*:(?:\s|$)", line)]
    return bool(keyed) and all(_YAML_LINE.match(line) for line in lines)


def escape(text: str) -> str:
    """Text that Markdown shows as written: its special characters backslash-escaped."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


# --- the pieces of a block ------------------------------------------------------------------------


@dataclass
class Span:
    """Text with soft markup around it (emphasis, a link), possibly nested."""

    opening: str  # "**", "*", "~~", "[" …
    closing: str  # "**", "*", "~~", "](https://…)" …
    items: list[str | Span | Protected | Image] = field(default_factory=list)

    def plain(self) -> str:
        """The span's text without markup."""
        return "".join(
            i
            if isinstance(i, str)
            else i.plain()
            if isinstance(i, Span)
            else i.text
            if isinstance(i, Protected)
            else ""
            for i in self.items
        )


@dataclass
class Protected:
    """Markdown copied byte for byte (a code span, inline HTML, an autolink).

    ``text`` is what the model sees of it ("" for a tag or a footnote mark: nothing).
    """

    raw: str
    text: str = ""


@dataclass
class Image:
    """An image: its alt text is translated, its address kept."""

    alt: str
    destination: str  # "](src "title")"


Piece = str | Span | Protected | Image


class _Source:
    """The raw inline Markdown, searched forward for the verbatim form of protected pieces."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.cursor = 0

    def find(self, literal: str) -> str:
        position = self.raw.find(literal, self.cursor)
        if position < 0:
            return literal
        self.cursor = position + len(literal)
        return literal

    def code(self, markup: str, content: str) -> str:
        pattern = re.compile(rf"(?<!`){re.escape(markup)}(?!`)(.*?)(?<!`){re.escape(markup)}(?!`)", re.S)
        match = pattern.search(self.raw, self.cursor)
        if match is None:
            return f"{markup}{content}{markup}"
        self.cursor = match.end()
        return match.group(0)

    def destination(self, href: str, title: str | None) -> str:
        """The raw text after a link's or image's text: ``](…)``, ``][label]``, ``][]`` or ``]``.

        Rebuilt from the attributes (as an inline link) when it cannot be found.
        """
        start = self.raw.find("]", self.cursor)
        if start >= 0 and self.raw[start + 1 : start + 2] == "(":
            depth, i, quote = 0, start + 2, ""
            while i < len(self.raw):
                ch = self.raw[i]
                if quote:
                    quote = "" if ch == quote else quote
                elif ch in "\"'":
                    quote = ch
                elif ch == "\\":
                    i += 1
                elif ch == "(":
                    depth += 1
                elif ch == ")":
                    if depth == 0:
                        self.cursor = i + 1
                        return self.raw[start : i + 1]
                    depth -= 1
                i += 1
        elif start >= 0 and self.raw[start + 1 : start + 2] == "[":
            end = self.raw.find("]", start + 2)
            if end >= 0:  # a reference: [text][label] or [text][]
                self.cursor = end + 1
                return self.raw[start : end + 1]
        elif start >= 0:  # a shortcut reference: [label]
            self.cursor = start + 1
            return "]"
        title_part = f' "{title}"' if title else ""
        return f"]({href}{title_part})"


def parse_pieces(parser: Any, raw: str, env: dict[str, Any] | None = None) -> list[Piece]:
    """A block's inline Markdown as text, spans, protected pieces and images.

    ``env`` is the document's parse environment: its reference definitions make
    ``[text][label]`` a link. Footnote marks (``[^1]``) and bare links in the text are kept
    as written (a model would mangle them, and escaping would show the backslashes).
    """
    tokens = parser.parseInline(raw, dict(env or {}))
    children = tokens[0].children if tokens else []
    source = _Source(raw)
    root: list[Piece] = []
    stack: list[tuple[list[Any], Span | None]] = [(root, None)]

    def add(piece: Any) -> None:
        items = stack[-1][0]
        if isinstance(piece, str) and items and isinstance(items[-1], str):
            items[-1] += piece
        else:
            items.append(piece)

    for token in children:
        kind = token.type
        if kind == "text":
            for piece in _KEEP_IN_TEXT.split(token.content):
                if not piece:
                    continue
                if _KEEP_IN_TEXT.fullmatch(piece):
                    add(Protected(source.find(piece), "" if piece.startswith("[^") else piece))
                else:
                    add(piece)
        elif kind in ("softbreak", "hardbreak"):
            add(" ")
        elif kind == "code_inline":
            add(Protected(source.code(token.markup, token.content), token.content))
        elif kind == "html_inline":
            add(Protected(source.find(token.content)))
        elif kind == "image":
            destination = source.destination(str(token.attrGet("src") or ""), token.attrGet("title"))
            add(Image(token.content, destination))
        elif kind == "link_open" and token.markup == "autolink":
            stack.append(([], None))
        elif kind == "link_close" and token.markup == "autolink":
            items, _ = stack.pop()
            address = "".join(i for i in items if isinstance(i, str))
            add(Protected(source.find("<" + address + ">"), address))
        elif kind == "link_open":
            span = Span("[", "")
            add(span)
            stack.append((span.items, span))
        elif kind == "link_close" and len(stack) > 1:
            _, link = stack.pop()
            if link is not None:
                link.closing = source.destination(str(token.attrGet("href") or ""), token.attrGet("title"))
        elif kind in _SOFT_OPEN:
            span = Span(token.markup, token.markup)
            add(span)
            stack.append((span.items, span))
        elif kind.endswith("_close") and len(stack) > 1:
            stack.pop()
    return [_protect_mixed(piece) for piece in root]


def _holds_protected(span: Span) -> bool:
    return any(
        isinstance(i, Protected | Image) or (isinstance(i, Span) and _holds_protected(i)) for i in span.items
    )


def _serialize(piece: str | Span | Protected | Image) -> str:
    """Markdown for a piece, as written (text escaped where Markdown needs it)."""
    if isinstance(piece, str):
        return escape(piece)
    if isinstance(piece, Protected):
        return piece.raw
    if isinstance(piece, Image):
        return "![" + escape(piece.alt) + piece.destination
    return piece.opening + "".join(_serialize(i) for i in piece.items) + piece.closing


def _protect_mixed(piece: Piece) -> Piece:
    """A span that holds code, raw HTML or an image ("[Link mit `Code`](…)") is kept as written:
    its parts cannot be put back around a translation."""
    if isinstance(piece, Span) and _holds_protected(piece):
        return Protected(_serialize(piece), piece.plain())
    return piece


def to_segment(pieces: list[Piece], kind: str) -> MarkupSegment:
    """A block's pieces as one segment: plain text, marks as spans, tags and images as atoms."""
    text: list[str] = []
    spans: list[RawSpan[Tags]] = []
    atoms: list[RawAtom[Tags]] = []
    length = 0

    def walk(items: list[Any], depth: int) -> None:
        nonlocal length
        for item in items:
            if isinstance(item, str):
                text.append(item)
                length += len(item)
            elif isinstance(item, Span):
                start = length
                walk(item.items, depth + 1)
                spans.append((start, length, Tags(item.opening, item.closing), True, depth))
            elif isinstance(item, Image):
                atoms.append((length, Tags("![" + escape(item.alt) + item.destination)))
            elif item.text:
                text.append(item.text)
                spans.append((length, length + len(item.text), Tags(item.raw), False, depth))
                length += len(item.text)
            else:
                atoms.append((length, Tags(item.raw)))

    walk(pieces, 0)
    segment, _where = segment_from("".join(text), kind, spans, atoms)
    return segment


@dataclass
class _Block:
    """Where one block's text sits in the source lines, and what was translated for it."""

    line: int  # first source line (0-based, within the body)
    start: int  # column where the text starts on that line
    last_line: int
    end: int
    in_table: bool


def _locate(lines: list[str], token: Any, cursor: dict[int, int]) -> tuple[int, int, int, int] | None:
    """An inline token's content in the source lines: first line, start, last line, end."""
    positions = []
    for offset, content in enumerate(token.content.split("\n")):
        number = token.map[0] + offset
        if number >= len(lines):
            return None
        column = lines[number].find(content, cursor.get(number, 0))
        if column < 0 and "|" in content:
            # A table cell's "\|" is "|" in the parsed content.
            content = content.replace("|", "\\|")
            column = lines[number].find(content, cursor.get(number, 0))
        if column < 0:
            return None
        positions.append((number, column, column + len(content)))
    (line, start, _), (last_line, _, end) = positions[0], positions[-1]
    cursor[last_line] = end
    return line, start, last_line, end


def _escape_block_start(text: str) -> str:
    """Keep a translation that begins like a list item, heading or quote from becoming one."""
    match = _BLOCK_START.match(text)
    if not match:
        return text
    if match.group(2):  # "1. " -> "1\. "
        return match.group(2) + "\\" + text[len(match.group(2)) :]
    return "\\" + text


def _escape_pipes(text: str) -> str:
    return re.sub(r"(?<!\\)\|", r"\\|", text)


@dataclass
class Skeleton:
    """Where a document's translatable text sits: front matter, source lines, one block per segment."""

    front: str
    lines: list[str]
    blocks: list[_Block]


_KINDS = {"paragraph_open": "paragraph", "heading_open": "heading", "th_open": "cell", "td_open": "cell"}


MarkdownDocument = Document[Skeleton, Tags, Tags]
"""A Markdown document as read: its lines, where each block is, and segments whose spans and
atoms are the Markdown written round their words."""


class MarkdownReader:
    """Markdown documents: notes, CMS and static-site exports."""

    name = "markdown"

    def read(self, data: bytes | str, source: str) -> MarkdownDocument:
        """One segment per block of prose (paragraph, heading, table cell), and where each goes back."""
        decoded = decode_bytes(data, source) if isinstance(data, bytes) else None
        text = decoded.text if decoded else str(data)
        parser = _parser()
        match = _FRONT_MATTER.match(text)
        front = match.group(1) if match and _looks_like_yaml(match.group(1)) else ""
        body = text[len(front) :]
        lines = body.split("\n")
        env: dict[str, Any] = {}
        tokens = parser.parse(body, env)
        blocks: list[_Block] = []
        segments: list[MarkupSegment] = []
        cursor: dict[int, int] = {}
        for i, token in enumerate(tokens):
            if (
                token.type != "inline"
                or token.map is None
                or i == 0
                or tokens[i - 1].type not in _PROSE_BLOCKS
            ):
                continue
            segment = to_segment(parse_pieces(parser, token.content, env), _KINDS[tokens[i - 1].type])
            if not segment.text:
                continue  # nothing to translate (an image alone): left as written
            place = _locate(lines, token, cursor)
            if place is None:
                continue  # cannot be placed back safely: left as written
            blocks.append(_Block(*place, tokens[i - 1].type in ("th_open", "td_open")))
            segments.append(segment)
        return Document(
            segments,
            input_format="markdown",
            skeleton=Skeleton(front, lines, blocks),
        )


class MarkdownWriter:
    """Writes each translated block into its place in the Markdown source."""

    def write(self, document: MarkdownDocument, segments: list[PlacedMarkup], marks: bool = True) -> bytes:
        """The document with every block's text replaced by its translation, marks put back."""
        skeleton = document.kept()
        out = list(skeleton.lines)
        order = sorted(
            range(len(skeleton.blocks)), key=lambda k: (skeleton.blocks[k].line, skeleton.blocks[k].start)
        )
        # Bottom to top, right to left: earlier lines and columns stay valid.
        for k in reversed(order):
            block = skeleton.blocks[k]
            text = weave(segments[k], escape, marks)
            text = _escape_pipes(text) if block.in_table else _escape_block_start(text)
            tail = out[block.last_line][block.end :]
            out[block.line] = out[block.line][: block.start] + text + tail
            del out[block.line + 1 : block.last_line + 1]
        return (skeleton.front + "\n".join(out)).encode("utf-8")


Reader = MarkdownReader
Writer = MarkdownWriter
