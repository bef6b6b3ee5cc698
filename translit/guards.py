"""Output checks: what must not reach the model, and what a model's output must not lose.

A translation model fails silently. opus-mt drops whole sentences from long inputs and
still ends cleanly with ``</s>``, loops ("poor, poor, poor …"), and invents sentences for
bare punctuation. translit therefore

* keeps units without words away from the model (:func:`translit.segment.needs_model`):
  they are copied;
* re-decodes outputs that loop (:func:`is_degenerate`);
* checks every output against its source (:func:`omission_flags`): a length ratio outside
  the band that human translations keep, fewer sentences than the source, or a number of
  the source missing from the output. The pipeline splits a flagged unit and translates
  it again once; what stays flagged is reported per unit.

The length band is calibrated on the human reference translations in
``../shared/data/parallel`` by ``bench/calibrate_guards.py`` (see ``data/length_bands.json``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from translit.segment import split_english_sentences, split_sentences

# Flags a unit can keep after translation (listed per unit in JSON).
LENGTH_RATIO = "length_ratio"
SENTENCE_COUNT = "sentence_count"
NUMBERS = "numbers"
DEGENERATE = "degenerate"
LENGTH_LIMIT = "length_limit"
MARKUP = "markup"  # set by the Markdown reader: the unit's links or emphasis did not survive

# --- loops -----------------------------------------------------------------------------

_SHORT_LOOP = re.compile(r"(.{1,12}?)\1{7,}", re.DOTALL)


def is_degenerate(source: str, output: str) -> bool:
    """Does ``output`` look like a decoding loop ("poor, poor, poor, …") rather than a translation?

    Flags an output far longer than its source (in words or characters), a short unit
    repeated eight times in a row, a word or phrase repeated four times in a row (more
    than the source itself does), or a phrase of three or more words recurring much more
    often than in the source.
    """
    out_words = re.findall(r"\w+", output.lower())
    src_words = re.findall(r"\w+", source.lower())
    if len(out_words) > 3 * len(src_words) + 10 or len(output) > 3 * len(source) + 30:
        return True
    # Loops inside a "word" ("tivtivtiv…", "____…"): a short unit eight times in a row.
    looping = _SHORT_LOOP.search(output)
    if looping and looping.group(0) not in source:
        return True
    for n in (1, 2, 3, 4):
        # A source that itself repeats ("sehr, sehr, sehr") may be translated that way.
        if _longest_run(out_words, n) >= max(4, _longest_run(src_words, n) + 2):
            return True
    for n in (3, 4):
        counts = Counter(tuple(out_words[i : i + n]) for i in range(len(out_words) - n + 1))
        gram, count = counts.most_common(1)[0] if counts else ((), 0)
        if count >= 4 and count > 2 * _count_in(src_words, gram) + 1:
            return True
    return False


def _count_in(words: list[str], gram: tuple[str, ...]) -> int:
    n = len(gram)
    return sum(1 for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == gram)


def _longest_run(words: list[str], n: int) -> int:
    """Most consecutive repetitions of any n-gram (1 when nothing repeats)."""
    best = 1 if words else 0
    for offset in range(n):
        run = 1
        for i in range(offset + n, len(words) - n + 1, n):
            run = run + 1 if words[i : i + n] == words[i - n : i] else 1
            best = max(best, run)
    return best


# --- omissions --------------------------------------------------------------------------


@dataclass(frozen=True)
class LengthBand:
    """Allowed target/source character ratios for sources of ``min_chars`` up to ``max_chars``."""

    min_chars: int
    max_chars: int
    low: float
    high: float


@lru_cache(maxsize=1)
def length_bands() -> tuple[LengthBand, ...]:
    """The calibrated bands (package data written by ``bench/calibrate_guards.py``)."""
    data = json.loads(resources.files("translit").joinpath("data/length_bands.json").read_text("utf-8"))
    return tuple(LengthBand(b["min_chars"], b["max_chars"], b["low"], b["high"]) for b in data["bands"])


def length_band(source_chars: int) -> LengthBand | None:
    """The band for a source of ``source_chars`` characters (None below the shortest bucket)."""
    for band in length_bands():
        if band.min_chars <= source_chars < band.max_chars:
            return band
    return None


def _chars(text: str) -> int:
    return len(" ".join(text.split()))


def length_ratio_ok(source: str, output: str) -> bool:
    """Is the output's length within the band human translations of such a source keep?"""
    band = length_band(_chars(source))
    if band is None:
        return True
    ratio = _chars(output) / max(1, _chars(source))
    return band.low <= ratio <= band.high


def sentence_count_ok(source: str, output: str) -> bool:
    """A unit of several sentences must not come back with fewer sentence ends."""
    expected = len(split_sentences(source))
    return expected < 2 or len(split_english_sentences(output)) >= expected


_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_TIME = re.compile(r"(\d{1,2})[.:](\d{2})")


def _significant(digits: str) -> str:
    """Digits without leading and trailing zeros: 1.300.000, 1,3 and 1.3 all give ``13``."""
    return digits.strip("0") or "0"


def _number_forms(text: str) -> set[str]:
    """Every number of ``text`` and each of its parts, as significant digits."""
    forms: set[str] = set()
    for match in _NUMBER.finditer(text):
        number = match.group(0)
        forms.add(_significant(re.sub(r"\D", "", number)))
        forms.update(_significant(part) for part in re.split(r"\D", number) if part)
    return forms


def _number_found(number: str, forms: set[str]) -> bool:
    if _significant(re.sub(r"\D", "", number)) in forms:
        return True
    time = _TIME.fullmatch(number)
    if time and 13 <= int(time.group(1)) <= 23:
        # "20.15 Uhr" may become "8.15 pm".
        return _significant(f"{int(time.group(1)) - 12}{time.group(2)}") in forms
    parts = [p for p in re.split(r"\D", number) if p]
    if len(parts) >= 3:
        # A date such as 13.07.2024: the month may come out as a word ("July 13, 2024").
        return all(_significant(p) in forms for p in parts if len(p) > 2 or int(p) > 12)
    return False


def missing_numbers(source: str, output: str) -> list[str]:
    """Numbers of two or more digits in ``source`` that ``output`` lacks (format-insensitive).

    ``1,3`` matches ``1.3``, ``1.300`` matches ``1,300``, ``1,3 Millionen`` matches
    ``1.3 million``. Single digits are not checked: translators rightly spell them out.
    """
    forms = _number_forms(output)
    return [
        m.group(0)
        for m in _NUMBER.finditer(source)
        if sum(ch.isdigit() for ch in m.group(0)) >= 2 and not _number_found(m.group(0), forms)
    ]


def omission_flags(source: str, output: str) -> list[str]:
    """What about ``output`` suggests that part of ``source`` was lost or invented."""
    flags = []
    if not length_ratio_ok(source, output):
        flags.append(LENGTH_RATIO)
    if not sentence_count_ok(source, output):
        flags.append(SENTENCE_COUNT)
    if missing_numbers(source, output):
        flags.append(NUMBERS)
    return flags
