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


MONTHS = frozenset(
    """january february march april may june july august september october november december
    januar jänner februar märz april mai juni juli august september oktober november dezember""".split()
)


def _inside_quotation(text: str) -> bool:
    """Is a quotation opened in ``text`` and not closed yet?"""
    curly = text.count("“") - text.count("”")
    german = text.count("„") - text.count("“") if "„" in text else 0
    return curly > 0 or german > 0 or text.count('"') % 2 == 1


def split_english_sentences(text: str, lenient: bool = False) -> list[str]:
    """Split English text into sentences, offline and without data downloads.

    Handles titles (Mr., Dr.), initials, dotted abbreviations (U.S., e.g.), decimals,
    quotes that close after the final punctuation, a period inside an open quotation (``He
    said "We will win. We …"``: one sentence) and German day ordinals carried into English
    (``on 27. July``). With ``lenient`` a sentence may start in lower case (for counting a
    model's sentences: a model that drops "A" starts with "man …").
    """
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in _EN_BOUNDARY.finditer(paragraph):
            following = paragraph[match.end() :]
            starts = bool(following) and (
                following[0].isupper() or following[0].isdigit() or following[0] in "\"'“‘("
            )
            if not starts and not (lenient and following[:1].isalpha() and match.group(1) == "."):
                continue
            if _inside_quotation(paragraph[start : match.start(1)]) and not match.group(2):
                continue  # 'He said "We will win. We are strong."' is one sentence
            if match.group(1) == ".":
                before = paragraph[start : match.start(1)].split()
                word = before[-1].lower().strip("\"'“‘(") if before else ""
                if word in ENGLISH_ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or "." in word:
                    continue
                next_word = following.split(maxsplit=1)[0].strip("\"'“‘(,.").lower() if following else ""
                if word.isdigit() and int(word) <= 31 and next_word in MONTHS:
                    continue  # "on 27. July": a German day ordinal, not a sentence end
            sentences.append(paragraph[start : match.end(2)].strip())
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences
