"""English sentence splitting, for the output side: guards count sentences, briefs choose them."""

from __future__ import annotations

import re

ENGLISH_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt ft gen gov sen rep rev col lt sgt capt cmdr adm maj
    inc ltd co corp dept univ est approx vs etc al fig no nos vol pp ed eds jan feb mar
    apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun u.s u.k u.n e.g i.e
    a.m p.m
    """.split()
)
_EN_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(\s+)")


def split_english_sentences(text: str) -> list[str]:
    """Split English text into sentences, offline and without data downloads.

    Handles titles (Mr., Dr.), initials, dotted abbreviations (U.S., e.g.), decimals and
    quotes that close after the final punctuation.
    """
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in _EN_BOUNDARY.finditer(paragraph):
            following = paragraph[match.end() :]
            if not following or not (
                following[0].isupper() or following[0].isdigit() or following[0] in "\"'“‘("
            ):
                continue
            if match.group(1) == ".":
                before = paragraph[start : match.start(1)].split()
                word = before[-1].lower().strip("\"'“‘(") if before else ""
                if word in ENGLISH_ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or "." in word:
                    continue
            sentences.append(paragraph[start : match.end(2)].strip())
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences
