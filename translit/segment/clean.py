"""Cleaning: normalise an article's text, strip boilerplate, split it into paragraphs.

Pipeline: :func:`normalize_text` (newlines, Unicode NFC, zero-width characters) →
:func:`strip_boilerplate` (breadcrumb trail, tag line) → :func:`split_paragraphs`
(blank lines). :func:`parse_article` runs all three.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """An article split into body paragraphs, with what was stripped as boilerplate."""

    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)


# --- normalisation and boilerplate -------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalize_text(text: str) -> str:
    """Normalise newlines to ``\\n``, Unicode to NFC, and drop zero-width characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.translate(_ZERO_WIDTH)
    return unicodedata.normalize("NFC", text)


_BREADCRUMB_START = re.compile(
    r"^\s*(Home|Startseite|Start|Homepage|Sie sind hier:?)\s*[/>»›|]", re.IGNORECASE
)
_BREADCRUMB_SEP = re.compile(r"\s[/>»›|]\s")
_TAG_LINE = re.compile(
    r"^\s*(Markiert|Tags|Schlagwörter|Schlagworte|Stichwörter|Themen|Mehr zum Thema)\s*:", re.IGNORECASE
)


def is_breadcrumb(line: str) -> bool:
    """True for a navigation trail such as ``Home / Politik / Artikel``.

    Without a "Home" root, every part must be short (a section name) and there must be at
    least three of them: "Streit um den Haushalt | Ampel ringt um Einigung" is a headline.
    """
    line = line.strip()
    if not line or len(line) > 300:
        return False
    if _BREADCRUMB_START.match(line):
        return True
    parts = _BREADCRUMB_SEP.split(line)
    return (
        len(parts) >= 3
        and all(0 < len(part.split()) <= 3 for part in parts)
        and not re.search(r"[.!?]\s*$", line)
    )


def is_tag_line(line: str) -> bool:
    """True for a trailing tag line such as ``Markiert: Trump, Musk`` or a bare ``Tags:``.

    What follows the label must read as a list of short keywords; "Themen: Die Regierung
    hat beschlossen, …" is a sentence and stays.
    """
    match = _TAG_LINE.match(line)
    if not match or len(line) > 500:
        return False
    items = [item.strip() for item in re.split(r"[,;|•·/]", line[match.end() :]) if item.strip()]
    return all(len(item.split()) <= 4 and not re.search(r"[.!?]$", item) for item in items)


def strip_boilerplate(text: str) -> tuple[str, list[str]]:
    """Remove a breadcrumb first line and a tag last line; return the text and what went."""
    lines = text.split("\n")
    removed: list[str] = []
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and is_breadcrumb(lines[first]):
        removed.append(lines[first].strip())
        lines[first] = ""
    last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), None)
    if last is not None and is_tag_line(lines[last]):
        removed.append(lines[last].strip())
        lines[last] = ""
    return "\n".join(lines), removed


def split_paragraphs(text: str) -> list[str]:
    """Split on blank lines; lines inside a paragraph are joined with a single space."""
    paragraphs = []
    for block in re.split(r"\n[ \t\u00a0]*\n", text):
        joined = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if joined:
            paragraphs.append(joined)
    return paragraphs


def looks_like_headline(paragraph: str) -> bool:
    """A short first paragraph without final punctuation reads as a headline."""
    stripped = paragraph.strip()
    return 0 < len(stripped.split()) <= 20 and not stripped.endswith((".", "!", "?", ":", "…", "“", '"'))


def split_headline(text: str) -> tuple[str | None, str]:
    """``(headline, rest)`` when the first line of ``text`` is a headline, else ``(None, text)``."""
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    if rest.strip() and looks_like_headline(first):
        return first.strip(), rest
    return None, text


def parse_article(text: str) -> Article:
    """Normalise, strip boilerplate and split an article into its body paragraphs."""
    body, removed = strip_boilerplate(normalize_text(text))
    return Article(paragraphs=split_paragraphs(body), removed=removed)
