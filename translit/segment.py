"""The segmenter: clean a German article and cut it into chunks the model can take whole.

Pipeline: :func:`normalize_text` (newlines, Unicode NFC) → :func:`strip_boilerplate`
(breadcrumb trail, tag line) → :func:`split_paragraphs` (blank lines) →
:func:`chunk_paragraph` (sentences packed under a token budget).

The one rule that matters most: **nothing is ever truncated**. Every character of a
paragraph (other than whitespace) ends up in exactly one chunk, in order, and every
chunk fits the budget. A chunk remembers whether whitespace preceded it, so that
joining the translated chunks of a paragraph does not glue words together or tear a
long word (a URL, a hash) apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

TokenCounter = Callable[[str], int]
"""Counts the model tokens of a text, without the end-of-sentence token."""


@dataclass(frozen=True)
class Chunk:
    """A piece of one paragraph that fits the model's token budget."""

    paragraph: int
    text: str
    tokens: int
    space_before: bool = True


@dataclass(frozen=True)
class Article:
    """An article split into body paragraphs, with what was stripped as boilerplate."""

    paragraphs: list[str]
    removed: list[str]


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
    """True for a navigation trail such as ``Home / Politik / Artikel``."""
    line = line.strip()
    if not line or len(line) > 300:
        return False
    if _BREADCRUMB_START.match(line):
        return True
    # Without a "Home" root, demand several separators and no sentence punctuation.
    return len(_BREADCRUMB_SEP.findall(line)) >= 2 and not re.search(r"[.!?]\s*$", line)


def is_tag_line(line: str) -> bool:
    """True for a trailing tag line such as ``Markiert: Trump, Musk`` or a bare ``Tags:``."""
    return bool(_TAG_LINE.match(line)) and len(line) <= 500


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


def parse_article(text: str) -> Article:
    """Normalise, strip boilerplate and split an article into its body paragraphs."""
    body, removed = strip_boilerplate(normalize_text(text))
    return Article(paragraphs=split_paragraphs(body), removed=removed)


# --- German sentence splitting ----------------------------------------------------------

# Abbreviations that end in a period but rarely end a sentence (lower-cased, without the
# final period). Multi-part ones ("z. B.", "u. a.") are covered by the one-letter rule.
GERMAN_ABBREVIATIONS = frozenset(
    """
    abb abs abt adr allg anm art aufl ausg bd bde bearb beil betr bez bhf bspw bzgl bzw ca
    chr co dgl dipl dr dt ebd ehem einschl entspr erg etc ev evtl exkl fa fam ff fr frl geb
    gebr gegr gem ges gest ggf gr hbf hl hr hrn hrsg inc inkl insb jh jhd jhdt jr kap kath
    kfm kl lfd lt ltd max mag med mio mind min mrd mr mrs ms mwst nachf nr nrn o.ä od og
    op orig pfd phil pkt pl pos pp prof prov rd rel resp rk sek sen sep sept sog spez st
    std str stv tab tel teilw tsd übers urspr usf usw v.a verf vgl vj vol vs wg wiss zb zt
    ziff zit zzgl jan feb febr mär apr jun jul aug okt nov dez mo di mi do sa so
    """.split()
)

MONTHS = frozenset(
    "januar jänner februar märz april mai juni juli august september oktober november dezember".split()
)

_CLOSERS = "\"'“”‘’«»)]"
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([" + re.escape(_CLOSERS) + r"]*)(\s+)")
_WORD_BEFORE = re.compile(r"(\S+)$")
_OPENERS = "\"'„“‚‘«»([–—-"


def _is_sentence_start(following: str) -> bool:
    """Could the text after a boundary start a new sentence?"""
    if not following:
        return False
    ch = following[0]
    return ch.isupper() or ch.isdigit() or ch in _OPENERS


def _ends_sentence(before: str, punct: str, closers: str, following: str) -> bool:
    """Decide whether ``before + punct + closers`` ends a sentence, given what follows."""
    if not _is_sentence_start(following):
        return False
    if "?" in punct or "!" in punct:
        return True
    if punct.endswith("…") or punct.endswith(".."):
        # An ellipsis usually marks an omission or a trailing thought inside a sentence.
        return False
    if closers:
        # '... sagte er.“ Dann' — a period inside closing quotes ends the sentence.
        return True
    match = _WORD_BEFORE.search(before)
    if not match:
        return True
    word = match.group(1).lstrip(_OPENERS)
    bare = word.rstrip(".")
    if not bare:
        return True
    if bare.isdigit():
        # "13. Juli", "1. FC Köln", "am 3. Oktober": short numbers with a period are
        # ordinals; years ("1990.") are not.
        next_word = following.split(maxsplit=1)[0].strip(_CLOSERS + ",;:").lower()
        return len(bare) >= 4 and next_word not in MONTHS
    if len(bare) == 1 and bare.isalpha():
        return False  # initials (J. R. R. Tolkien) and parts of z. B., u. a., d. h.
    # Dr., bzw., Nr., and dotted forms like z.B. or U.S. do not end sentences.
    return bare.lower() not in GERMAN_ABBREVIATIONS and "." not in bare


def split_sentences(paragraph: str) -> list[str]:
    """Split a German paragraph into sentences.

    Conservative by design: where a boundary is doubtful (ordinals, abbreviations,
    initials, ellipses, a lower-case continuation) the text is kept together, since a
    missed split only makes a chunk longer while a false one breaks a sentence apart.
    """
    sentences = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.end(2)
        following = paragraph[match.end() :]
        if _ends_sentence(paragraph[start : match.start(1)], match.group(1), match.group(2), following):
            sentences.append(paragraph[start:end].strip())
            start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


# --- chunking under a token budget --------------------------------------------------------

# Clause boundaries, strongest first: a long sentence is cut at the first level that works.
_CLAUSE_LEVELS = (
    re.compile(r"(?<=[;])\s+"),
    re.compile(r"(?<=:)\s+|\s+(?=[–—]\s)"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class _Piece:
    text: str
    space_before: bool


def _split_keep(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [part for part in pattern.split(text) if part]


def _split_by_characters(text: str, count: TokenCounter, budget: int) -> list[str]:
    """Last resort for a single 'word' over budget: longest prefixes that fit."""
    parts = []
    rest = text
    while rest:
        if count(rest) <= budget:
            parts.append(rest)
            break
        lo, hi = 1, len(rest)
        while lo < hi:  # largest prefix length whose count fits
            mid = (lo + hi + 1) // 2
            if count(rest[:mid]) <= budget:
                lo = mid
            else:
                hi = mid - 1
        parts.append(rest[:lo])
        rest = rest[lo:]
    return parts


def _fit(text: str, count: TokenCounter, budget: int, level: int = 0) -> list[_Piece]:
    """Cut an over-budget text at the strongest clause boundary that helps."""
    if count(text) <= budget:
        return [_Piece(text, True)]
    while level < len(_CLAUSE_LEVELS):
        parts = _split_keep(text, _CLAUSE_LEVELS[level])
        level += 1
        if len(parts) > 1:
            pieces: list[_Piece] = []
            for part in parts:
                pieces.extend(_fit(part, count, budget, level))
            return pieces
    # No whitespace left: a URL, a hash, a compound of absurd length.
    chars = _split_by_characters(text, count, budget)
    return [_Piece(part, i == 0) for i, part in enumerate(chars)]


def _pack(pieces: Iterable[_Piece], count: TokenCounter, budget: int) -> list[tuple[str, int, bool]]:
    """Greedily pack pieces into chunks that fit the budget, preserving order."""
    chunks: list[tuple[str, int, bool]] = []
    current = ""
    current_tokens = 0
    current_space = True
    for piece in pieces:
        if not current:
            current, current_space = piece.text, piece.space_before
            current_tokens = count(current)
            continue
        candidate = current + (" " if piece.space_before else "") + piece.text
        candidate_tokens = count(candidate)
        if candidate_tokens <= budget:
            current, current_tokens = candidate, candidate_tokens
        else:
            chunks.append((current, current_tokens, current_space))
            current, current_space = piece.text, piece.space_before
            current_tokens = count(current)
    if current:
        chunks.append((current, current_tokens, current_space))
    return chunks


def chunk_paragraph(paragraph: str, index: int, count: TokenCounter, budget: int) -> list[Chunk]:
    """Cut one paragraph into chunks of at most ``budget`` tokens, losing nothing.

    A paragraph that fits is one chunk. Otherwise it is split into sentences, which are
    packed greedily; a sentence over budget is cut at clause boundaries, then between
    words, and only as a last resort inside a word.
    """
    if budget < 1:
        raise ValueError(f"token budget must be positive, got {budget}")
    tokens = count(paragraph)
    if tokens <= budget:
        return [Chunk(index, paragraph, tokens, True)]
    pieces: list[_Piece] = []
    for sentence in split_sentences(paragraph):
        pieces.extend(_fit(sentence, count, budget))
    return [Chunk(index, text, n, space) for text, n, space in _pack(pieces, count, budget)]


def chunk_paragraphs(paragraphs: list[str], count: TokenCounter, budget: int) -> list[Chunk]:
    """Chunk every paragraph of an article; chunks come in paragraph order."""
    chunks: list[Chunk] = []
    for index, paragraph in enumerate(paragraphs):
        chunks.extend(chunk_paragraph(paragraph, index, count, budget))
    return chunks


def join_chunks(chunks: list[Chunk], texts: list[str], paragraph_count: int) -> list[str]:
    """Reassemble per-chunk texts (e.g. translations) into one text per paragraph."""
    joined: list[str] = [""] * paragraph_count
    for chunk, text in zip(chunks, texts, strict=True):
        current = joined[chunk.paragraph]
        if current and chunk.space_before:
            joined[chunk.paragraph] = current + " " + text.strip()
        else:
            joined[chunk.paragraph] = current + text.strip()
    return joined
