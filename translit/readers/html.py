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

from typing import Any

from translit.errors import InputError
from translit.readers.base import Document, Rebuilt
from translit.textio import decode_bytes

# Blocks of trafilatura's XML that are translated as paragraphs.
BLOCKS = frozenset({"p", "head", "item", "quote", "cell", "code"})
METADATA = ("title", "author", "date", "sitename", "hostname", "url", "description", "categories", "tags")


def _import_trafilatura() -> Any:
    try:
        import trafilatura
    except ImportError as exc:
        raise InputError(
            f"reading web pages needs trafilatura and lxml_html_clean (pip install 'translit[html]'): {exc}"
        ) from None
    return trafilatura


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def blocks(body: Any) -> list[str]:
    """The text of every outermost block of an extracted body, in document order."""
    found = []
    for element in body.iter():
        if element.tag not in BLOCKS:
            continue
        if any(parent.tag in BLOCKS for parent in element.iterancestors()):
            continue  # a paragraph inside a quotation or cell is part of that block
        text = _text(element)
        if text:
            found.append(text)
    return found


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


class HtmlReader:
    """Saved web pages (a browser's "save page", wget, a crawler's output)."""

    name = "html"

    def read(self, data: bytes | str, source: str) -> Document:
        """The page's main text as paragraphs, its title first; metadata from trafilatura."""
        decoded = decode_bytes(data, source) if isinstance(data, bytes) else None
        text = decoded.text if decoded else str(data)
        trafilatura = _import_trafilatura()
        extracted = trafilatura.bare_extraction(
            text, include_tables=True, include_comments=False, with_metadata=True, favor_precision=False
        )
        paragraphs = blocks(extracted.body) if extracted is not None and extracted.body is not None else []
        if not paragraphs:
            raise InputError(f"{source}: no article text found in the web page")
        metadata = _metadata(extracted)
        title = metadata.get("title")
        if isinstance(title, str) and title and paragraphs[0] != title:
            paragraphs.insert(0, title)
        return Document(paragraphs, [], "html", metadata, encoding=decoded.encoding if decoded else "utf-8")

    def rebuild(self, document: Document, translated: list[str]) -> Rebuilt | None:
        """A page's translation is its text; the page itself is not rebuilt."""
        return None
