"""What the memory matches on: a German unit's text normalised, and its words.

The normalisation is the memory's own, not the model's (:mod:`translit.normalize`), so an
entry matches whichever model translates: Unicode compatibility forms, typographic quotes and
dashes, soft hyphens and zero-width characters, and runs of whitespace all read as one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from translit.errors import InputError
from translit.segment import split_english_sentences, split_sentences

_SAME = str.maketrans(
    {
        **dict.fromkeys("„“”«»″", '"'),
        **dict.fromkeys("‚‘’‹›′`´", "'"),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff"),
    }
)
_WORD = re.compile(r"\w\w+")


def memory_key(text: str) -> str:
    """The German of a unit as the memory matches it: NFKC, quotes and dashes made plain,
    invisible characters dropped, whitespace collapsed. Case and punctuation still count."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_SAME).split())


def key_hash(key: str) -> str:
    """A short digest of a key: how a batch's resume marker names its units' German."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def words(key: str) -> set[str]:
    """The distinct words (two letters or more, lower case) of a key: what near matches index."""
    return set(_WORD.findall(key.lower()))


def sentence_pairs(source: str, target: str) -> list[tuple[str, str]]:
    """An entry as the memory keeps it: one pair per German sentence.

    A German side of several sentences is split, and the English with it when it has as many
    sentences; else :class:`InputError` says so. An empty side is an error too.
    """
    source, target = " ".join(source.split()), " ".join(target.split())
    if not source or not target:
        raise InputError(f"the {'German' if not source else 'English'} side is empty")
    german = split_sentences(source)
    if len(german) <= 1:
        return [(source, target)]
    english = split_english_sentences(target, lenient=True)
    if len(english) != len(german):
        raise InputError(
            f"the German is {len(german)} sentences and the English {len(english)}: "
            "give one sentence per entry"
        )
    return list(zip(german, english, strict=True))
