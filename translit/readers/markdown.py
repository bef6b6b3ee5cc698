"""Markdown: only the prose is translated, and the document comes back with its structure.

markdown-it-py (CommonMark, plus tables) parses the document. The text of every paragraph,
heading and table cell — in whatever list items and block quotes it sits — is translated,
and so are link texts and image alt texts; everything else is copied byte for byte: code
blocks and spans, raw HTML, link and image addresses, autolinks, YAML front matter,
thematic breaks, list and quote markers, table rules.

How a block's text reaches the model:

* Code spans, inline HTML, autolinks and images split a block into *runs* of prose; each
  run is translated on its own and the protected pieces are put back between the runs.
  (An image's alt text is translated separately.)
* Emphasis and links inside a run do not reach the model as markup — models mangle ``**``
  and ``](…)``. The run is translated as plain text, and each marked span's text is
  translated on its own; where that translation is found in the run's translation, the
  markup is put around it again. Where it is not (a real model may rephrase), the markup
  is dropped, the text kept, and the block's units are flagged ``markup``.

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

from translit.errors import InputError
from translit.readers.base import Document, Rebuilt
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
    try:
        from markdown_it import MarkdownIt
    except ImportError as exc:
        raise InputError(
            f"reading Markdown needs markdown-it-py (pip install 'translit[markdown]'): {exc}"
        ) from None
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


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
    items: list[str | Span] = field(default_factory=list)
    paragraph: int = -1  # the document paragraph that holds the span's text, for its translation

    def plain(self) -> str:
        """The span's text without markup."""
        return "".join(i if isinstance(i, str) else i.plain() for i in self.items)


@dataclass
class Protected:
    """Markdown copied byte for byte (a code span, inline HTML, an autolink)."""

    raw: str


@dataclass
class Image:
    """An image: its alt text is translated, its address kept."""

    alt: str
    destination: str  # "](src "title")"
    paragraph: int = -1  # the document paragraph that holds the alt text


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
                    add(Protected(source.find(piece)))
                else:
                    add(piece)
        elif kind in ("softbreak", "hardbreak"):
            add(" ")
        elif kind == "code_inline":
            add(Protected(source.code(token.markup, token.content)))
        elif kind == "html_inline":
            add(Protected(source.find(token.content)))
        elif kind == "image":
            destination = source.destination(str(token.attrGet("src") or ""), token.attrGet("title"))
            add(Image(token.content, destination))
        elif kind == "link_open" and token.markup == "autolink":
            stack.append(([], None))
        elif kind == "link_close" and token.markup == "autolink":
            items, _ = stack.pop()
            add(Protected(source.find("<" + "".join(i for i in items if isinstance(i, str)) + ">")))
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
        return Protected(_serialize(piece))
    return piece


def _runs(pieces: list[Piece]) -> list[list[str | Span] | Protected | Image]:
    """Split a block at its protected pieces and images into runs of prose."""
    runs: list[list[str | Span] | Protected | Image] = []
    current: list[str | Span] = []
    for piece in pieces:
        if isinstance(piece, Protected | Image):
            if current:
                runs.append(current)
                current = []
            runs.append(piece)
        else:
            current.append(piece)
    if current:
        runs.append(current)
    return runs


def _plain(items: list[str | Span]) -> str:
    return "".join(i if isinstance(i, str) else i.plain() for i in items)


def _spans(items: list[str | Span]) -> list[Span]:
    """Every span of a run, outermost first, depth first."""
    found = []
    for item in items:
        if isinstance(item, Span):
            found.append(item)
            found.extend(_spans(item.items))
    return found


# --- projecting markup onto a translation ------------------------------------------------------


def _project(text: str, spans: list[Span], translations: dict[int, str], dropped: list[bool]) -> str:
    """Escape ``text`` and put each span's markup around its translation where it is found."""
    out = []
    cursor = 0
    lower = text.lower()
    for span in spans:
        inner = " ".join(translations.get(span.paragraph, "").split())
        at = lower.find(inner.lower(), cursor) if inner else -1
        if at < 0:
            dropped[0] = True
            continue
        nested = [s for s in _spans(span.items) if s is not span and _is_child(span, s)]
        inside = _project(text[at : at + len(inner)], nested, translations, dropped)
        out.append(escape(text[cursor:at]) + span.opening + inside + span.closing)
        cursor = at + len(inner)
    out.append(escape(text[cursor:]))
    return "".join(out)


def _is_child(parent: Span, span: Span) -> bool:
    return any(item is span for item in parent.items)


@dataclass
class _Block:
    """Where one block's text sits in the source lines, and what was translated for it."""

    line: int  # first source line (0-based, within the body)
    start: int  # column where the text starts on that line
    last_line: int
    end: int
    in_table: bool
    runs: list[list[str | Span] | Protected | Image]
    first_paragraph: int = 0  # index of the block's first translated piece


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
class _Layout:
    """Where a document's translatable text sits: front matter, source lines, blocks."""

    front: str
    lines: list[str]
    blocks: list[_Block]


class MarkdownReader:
    """Markdown documents: notes, CMS and static-site exports."""

    name = "markdown"

    def read(self, data: bytes | str, source: str) -> Document:
        """The prose of the document as paragraphs, and where each one goes back.

        Paragraphs are the runs of prose of every block, then the texts of its marked spans
        and image alt texts (these are auxiliary: translated to put markup back).
        """
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
        paragraphs: list[str] = []
        auxiliary: list[int] = []
        cursor: dict[int, int] = {}
        for i, token in enumerate(tokens):
            if (
                token.type != "inline"
                or token.map is None
                or i == 0
                or tokens[i - 1].type not in _PROSE_BLOCKS
            ):
                continue
            place = _locate(lines, token, cursor)
            if place is None:
                continue  # cannot be placed back safely: left as written
            runs = _runs(parse_pieces(parser, token.content, env))
            block = _Block(*place, tokens[i - 1].type in ("th_open", "td_open"), runs, len(paragraphs))
            for run in runs:
                if isinstance(run, list):
                    paragraphs.append(" ".join(_plain(run).split()))
            for run in runs:
                if isinstance(run, Image):
                    run.paragraph = len(paragraphs)
                    auxiliary.append(len(paragraphs))
                    paragraphs.append(" ".join(run.alt.split()))
                elif isinstance(run, list):
                    for span in _spans(run):
                        span.paragraph = len(paragraphs)
                        auxiliary.append(len(paragraphs))
                        paragraphs.append(" ".join(span.plain().split()))
            blocks.append(block)
        return Document(
            paragraphs,
            [],
            "markdown",
            {},
            auxiliary,
            layout=_Layout(front, lines, blocks),
            encoding=decoded.encoding if decoded else "utf-8",
        )

    def rebuild(self, document: Document, translated: list[str]) -> Rebuilt | None:
        """The document with every block's text replaced by its translation, markup put back."""
        layout: _Layout = document.layout
        paragraphs = document.paragraphs

        def get(index: int) -> str:
            return " ".join(translated[index].split()) if index < len(translated) else paragraphs[index]

        out = list(layout.lines)
        dropped_paragraphs: list[int] = []
        # Bottom to top, right to left: earlier lines and columns stay valid.
        for block in sorted(layout.blocks, key=lambda b: (b.line, b.start), reverse=True):
            parts = []
            next_run = block.first_paragraph
            dropped = [False]
            for run in block.runs:
                if isinstance(run, Protected):
                    parts.append(run.raw)
                elif isinstance(run, Image):
                    parts.append("![" + escape(get(run.paragraph)) + run.destination)
                else:
                    spans = _spans(run)
                    translations = {s.paragraph: get(s.paragraph) for s in spans}
                    top = [item for item in run if isinstance(item, Span)]
                    plain = _plain(run)
                    # Keep the spaces that separated this run from a code span or image.
                    lead = " " if plain[:1].isspace() else ""
                    trail = " " if plain[-1:].isspace() and len(plain.strip()) else ""
                    parts.append(lead + _project(get(next_run), top, translations, dropped) + trail)
                    next_run += 1
            text = "".join(parts)
            text = _escape_pipes(text) if block.in_table else _escape_block_start(text)
            if dropped[0]:
                dropped_paragraphs.extend(range(block.first_paragraph, next_run))
            tail = out[block.last_line][block.end :]
            out[block.line] = out[block.line][: block.start] + text + tail
            del out[block.line + 1 : block.last_line + 1]
        return Rebuilt(layout.front + "\n".join(out), sorted(dropped_paragraphs))
