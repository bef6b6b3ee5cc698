"""Web pages: the article's main text through trafilatura, its title as the headline.

trafilatura finds the main text of a page (leaving menus, teasers, cookie banners,
comments and related links behind) and reads its metadata. Its extraction comes back as
a small XML tree; every block in it — paragraph, heading, list item, quotation, table
cell — becomes one paragraph to translate, with inline markup flattened and line breaks
inside a block turned into spaces.

trafilatura 2.3.1 needs ``lxml_html_clean`` to import; the ``translit[html]`` extra
installs both.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from typing import Any

from translit.errors import NOTE, InputError
from translit.readers.base import Document, library
from translit.readers.child import bounded
from translit.textio import decode_bytes

log = logging.getLogger("translit")

# Blocks of trafilatura's XML that are translated as paragraphs.
BLOCKS = frozenset({"p", "head", "item", "quote", "cell", "code"})
METADATA = ("title", "author", "date", "sitename", "hostname", "url", "description", "categories", "tags")


def _import_trafilatura() -> Any:
    return library("trafilatura", "reading web pages", "trafilatura and lxml_html_clean", "html")


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def blocks(body: Any) -> list[str]:
    """The text of every outermost block of an extracted body, in document order.

    Text between blocks that no block holds ("<p>A</p>Loser Absatz B<p>C</p>", which
    trafilatura keeps so) is a paragraph of its own; a line break (``lb``) outside a block
    ends one.
    """
    found: list[str] = []
    loose: list[str] = []

    def flush() -> None:
        text = " ".join("".join(loose).split())
        if text:
            found.append(text)
        loose.clear()

    def walk(element: Any) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                pass  # a comment or processing instruction
            elif child.tag in BLOCKS:
                flush()
                text = _text(child)
                if text:
                    found.append(text)
            elif child.tag == "lb":
                flush()
            else:
                loose.append(child.text or "")
                walk(child)
            loose.append(child.tail or "")

    loose.append(body.text or "")
    walk(body)
    flush()
    if not any(element.tag in BLOCKS for element in body.iter()):
        return []  # only stray text ("Home" of a menu): no article
    return found


# libxml2 (under trafilatura) stops reading a page nested deeper than 255 elements: what
# follows is lost without an error. Deeper markup is flattened first.
MAX_DEPTH = 200
_KEPT_DEEP = frozenset("p h1 h2 h3 h4 h5 h6 li blockquote br td th tr table ul ol".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class _Flattener(HTMLParser):
    """Copies HTML, leaving out container tags nested deeper than :data:`MAX_DEPTH`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, written)
        self.deepest = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _VOID:
            self.out.append(self.get_starttag_text() or "")
            return
        written = sum(1 for _, kept in self.stack if kept)
        keep = written < MAX_DEPTH or tag in _KEPT_DEEP
        self.stack.append((tag, keep))
        self.deepest = max(self.deepest, len(self.stack))
        if keep:
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                if self.stack[index][1]:
                    self.out.append(f"</{tag}>")
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")


def _depth_guarded(text: str, source: str) -> str:
    """``text``, or the same page with its over-deep containers left out (and a note)."""
    if text.count("<") < MAX_DEPTH:
        return text  # too few tags to be that deep
    flattener = _Flattener()
    flattener.feed(text)
    flattener.close()
    if flattener.deepest <= MAX_DEPTH:
        return text
    log.log(
        NOTE,
        "%s: markup nested %d deep; containers below depth %d left out so no text is lost",
        source,
        flattener.deepest,
        MAX_DEPTH,
    )
    return "".join(flattener.out)


def _metadata(document: Any) -> dict[str, Any]:
    values = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    metadata: dict[str, Any] = {}
    for key in METADATA:
        value = values.get(key)
        if isinstance(value, str) and value.strip():
            metadata[key] = " ".join(value.split())
        elif isinstance(value, list) and any(isinstance(v, str) and v.strip() for v in value):
            metadata[key] = [" ".join(v.split()) for v in value if isinstance(v, str) and v.strip()]
    return metadata


# A separator that a page shows but hides from screen readers (a headline's " – " between its two
# parts): trafilatura drops it, gluing the parts ("ZoonosenWie"). It is kept as plain text.
_HIDDEN_SEPARATOR = re.compile(
    r"<(span|i|em|b)\b[^>]*\baria-hidden\s*=\s*[\"']?true[\"']?[^>]*>(\s*[^\w<>]{1,3}\s*)</\1\s*>", re.I
)


def extract(text: str) -> tuple[list[str], dict[str, Any]]:
    """The page's paragraphs (its title first) and metadata, by trafilatura."""
    trafilatura = _import_trafilatura()
    text = _HIDDEN_SEPARATOR.sub(lambda m: " " + m.group(2).strip() + " ", text)
    extracted = trafilatura.bare_extraction(
        text, include_tables=True, include_comments=False, with_metadata=True, favor_precision=False
    )
    paragraphs = blocks(extracted.body) if extracted is not None and extracted.body is not None else []
    metadata = _metadata(extracted) if paragraphs else {}
    title = metadata.get("title")
    if isinstance(title, str) and title and paragraphs and paragraphs[0] != title:
        paragraphs.insert(0, title)
    return paragraphs, metadata


# A page this large is extracted in a child process with a time limit: trafilatura can spend
# many minutes on a huge page inside C code, where neither Ctrl-C nor SIGTERM reaches it.
LARGE_PAGE_CHARS = 4_000_000
EXTRACTION_SECONDS = 120.0


def extract_bounded(text: str, source: str, seconds: float | None = None) -> tuple[list[str], dict[str, Any]]:
    """:func:`extract`, in a child process ended after ``seconds`` (default
    :data:`EXTRACTION_SECONDS`) or when we are interrupted."""
    seconds = EXTRACTION_SECONDS if seconds is None else seconds
    return bounded(
        lambda: extract(text),
        seconds,
        too_slow=f"{source}: extracting the article took longer than {seconds:.0f} s "
        "(a page this large may not be an article; give --input-format text to read it as text)",
        ended=f"{source}: the extraction of the web page failed (its process ended)",
        failed=f"{source}: cannot extract the web page",
    )


class HtmlReader:
    """Saved web pages (a browser's "save page", wget, a crawler's output)."""

    name = "html"

    def read(self, data: bytes | str, source: str) -> Document:
        """The page's main text as paragraphs, its title first; metadata from trafilatura."""
        decoded = decode_bytes(data, source) if isinstance(data, bytes) else None
        text = _depth_guarded(decoded.text if decoded else str(data), source)
        _import_trafilatura()  # a missing extra is one clear line, here
        paragraphs, metadata = (
            extract_bounded(text, source) if len(text) > LARGE_PAGE_CHARS else extract(text)
        )
        if not paragraphs:
            looks_plain = re.search(r"<[A-Za-z!/]", text[:4000]) is None
            hint = " (if it is plain text, give --input-format text)" if looks_plain else ""
            raise InputError(f"{source}: no article text found in the web page{hint}")
        return Document.of_paragraphs(
            paragraphs,
            input_format="html",
            metadata=metadata,
        )


Reader = HtmlReader
