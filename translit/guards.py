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
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from translit.segment import split_english_sentences, split_sentences


class Flag(StrEnum):
    """Every flag a unit can keep after translation (listed per unit in JSON), in one place."""

    LENGTH_RATIO = "length_ratio"  # far shorter or longer than its source
    SENTENCE_COUNT = "sentence_count"  # fewer sentences than its source
    NUMBERS = "numbers"  # a number of the source is missing
    DEGENERATE = "degenerate"  # still a loop after the anti-repetition retry
    LENGTH_LIMIT = "length_limit"  # cut off by the model's length limit
    MARKUP = "markup"  # formatting went round its sentence (no alignment for it)
    SPLIT = "split"  # one sentence translated in two halves (after a retry): its joint may read oddly
    REPLACED_BYTES = "replaced_bytes"  # the source had bytes that were not text (U+FFFD)
    GLOSSARY = "glossary"  # a glossary term is missing from the translation


LENGTH_RATIO = Flag.LENGTH_RATIO
SENTENCE_COUNT = Flag.SENTENCE_COUNT
NUMBERS = Flag.NUMBERS
DEGENERATE = Flag.DEGENERATE
LENGTH_LIMIT = Flag.LENGTH_LIMIT
MARKUP = Flag.MARKUP
SPLIT = Flag.SPLIT
REPLACED_BYTES = Flag.REPLACED_BYTES

# --- loops -----------------------------------------------------------------------------

_SHORT_LOOP = re.compile(r"(.{1,12}?)\1{7,}", re.DOTALL)


def is_degenerate(source: str, output: str) -> bool:
    """Does ``output`` look like a decoding loop ("poor, poor, poor, …") rather than a translation?

    Flags an output far longer than its source (in words or characters), a short unit
    repeated eight times in a row, a word repeated three times or a phrase four times in a
    row (more than the source itself does), or a phrase of three or more words recurring much more
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
        # A source that itself repeats ("sehr, sehr, sehr") may be translated that way; one
        # word three times in a row ("The ban day day day.") is never English of its own.
        floor = 3 if n == 1 else 4
        if _longest_run(out_words, n) >= max(floor, _longest_run(src_words, n) + 2):
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


def sentence_deficit(source: str, output: str) -> int:
    """How many sentences fewer ``output`` has than ``source`` (0 when none are missing).

    The output's sentences are counted leniently: one that starts in lower case (a model
    that dropped "A" writes "man …") is a sentence too.
    """
    expected = len(split_sentences(source))
    if expected < 2:
        return 0
    return max(0, expected - len(split_english_sentences(output, lenient=True)))


def sentence_count_ok(source: str, output: str) -> bool:
    """A unit of several sentences must not come back with fewer sentence ends."""
    return sentence_deficit(source, output) == 0


# --- numbers, compared by value -------------------------------------------------------------

# German writes 1.300.000 and 1,3; English 1,300,000 and 1.3. Numbers are compared as values,
# each side read in both conventions (models copy the source's format now and then), with
# their scale words (Mio., Milliarden / million, billion) applied.
_DE_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?![\d])")
_EN_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d])")
_TIME = re.compile(r"(?<![\d.,:])([01]?\d|2[0-3])[.:]([0-5]\d)(?![\d])")
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{2,4})?(?![\d])")
_SCALES = {
    "tsd": 1e3, "tausend": 1e3, "thousand": 1e3, "k": 1e3,
    "mio": 1e6, "million": 1e6, "millionen": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6,
    "mrd": 1e9, "milliarde": 1e9, "milliarden": 1e9, "billion": 1e9, "billions": 1e9, "bn": 1e9,
    "bio": 1e12, "billionen": 1e12, "trillion": 1e12, "hundred": 1e2,
}  # fmt: skip
_SCALE_AFTER = re.compile(r"\s*([A-Za-zäöü]+)\.?")
_EN_WORDS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
}  # fmt: skip
_EN_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20, "hundredth": 100,
}  # fmt: skip
_EN_WORD_NUMBER = re.compile(
    r"\b(" + "|".join([*_EN_WORDS, *_EN_ORDINALS]) + r")(?:-(" + "|".join(_EN_UNITS) + r"))?\b"
    r"|\b(" + "|".join(_EN_UNITS) + r")\b",
    re.I,
)

# German numbers written as words: "drei", "zwölf", "einundzwanzig", "zweihundert", "dritten".
# "ein"/"eine" are left out (the article), and so are "Acht" and "Elf" capitalised (the nouns:
# "außer Acht", "die Elf" of a football team), the ordinal "achte" (the verb "achten"), "erste"
# (an English "first" is as often "early", "senior", "World War I") and capitalised ordinals
# ("jeder Sechste": one in six). On newstest2020 and FLORES against the human references, the
# words add 5 flags in 1,797 sentences.
_DE_UNITS = {
    "eins": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
}
_DE_TEENS = {
    "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15, "sechzehn": 16,
    "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}  # fmt: skip
_DE_TENS = {
    "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "siebzig": 70, "achtzig": 80,
    "neunzig": 90,
}  # fmt: skip
_DE_ORDINALS = {
    "zweit": 2, "dritt": 3, "viert": 4, "fünft": 5, "sechst": 6, "siebt": 7, "neunt": 9,
    "zehnt": 10, "elft": 11, "zwölft": 12, "zwanzigst": 20, "hundertst": 100, "tausendst": 1000,
}  # fmt: skip
_DE_WORD = re.compile(r"(?<![\w-])[A-Za-zäöüß]{3,40}(?![\w-])")


def _below_hundred(word: str) -> int | None:
    if word in _DE_UNITS or word in _DE_TEENS or word in _DE_TENS:
        return {**_DE_UNITS, **_DE_TEENS, **_DE_TENS}[word]
    unit, joined, tens = word.partition("und")  # einundzwanzig: one and twenty
    if joined and tens in _DE_TENS and (unit == "ein" or unit in _DE_UNITS):
        return _DE_TENS[tens] + (1 if unit == "ein" else _DE_UNITS[unit])
    return None


def _multiple(word: str, name: str, value: int, below: Callable[[str], int | None]) -> int | None:
    """``zweihundertvier``: the multiplier before ``name``, times ``value``, plus what follows."""
    before, found, after = word.partition(name)
    if not found:
        return None
    times = 1 if before in ("", "ein") else below(before)
    rest = _below_hundred(after.removeprefix("und")) if after else 0
    if after and rest is None and name == "tausend":
        rest = _below_thousand(after)
    if times is None or rest is None:
        return None
    return times * value + rest


def _below_thousand(word: str) -> int | None:
    return _below_hundred(word) if "hundert" not in word else _multiple(word, "hundert", 100, _below_hundred)


def german_number_word(word: str) -> int | None:
    """The value of a German number written as a word (``dreiundzwanzig`` → 23; ``dritten`` → 3),
    or None for any other word."""
    if word in ("Acht", "Elf"):
        return None
    lower = word.lower()
    for ending in ("en", "er", "es", "em", "e"):
        if word.islower() and lower.endswith(ending) and lower[: -len(ending)] in _DE_ORDINALS:
            return _DE_ORDINALS[lower[: -len(ending)]]
    if "tausend" in lower:
        return _multiple(lower, "tausend", 1000, _below_thousand)
    return _below_thousand(lower)


def _unambiguous(match: re.Match[str], grouping: str) -> bool:
    """Is this number written in the convention of ``grouping`` beyond doubt (1.300.000, 1,3)?"""
    integer, fraction = match.group(1), match.group(2)
    return integer.count(grouping) >= 2 or (fraction is not None and len(fraction) != 3)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _readings(integer: str, fraction: str | None, grouping: str) -> float:
    return float(integer.replace(grouping, "") + ("." + fraction if fraction else ""))


def _scaled(text: str, end: int, value: float) -> set[float]:
    """``value``, or times the scale word that follows it (1,3 Mio. → 1,300,000)."""
    after = _SCALE_AFTER.match(text, end)
    if after and after.group(1).lower() in _SCALES:
        return {value * _SCALES[after.group(1).lower()]}  # 1,3 Millionen is not 1.3 billion
    return {value}


@dataclass(frozen=True)
class _Number:
    text: str
    values: frozenset[float]
    digits: int
    word: bool = False  # written as a word ("drei")


def _numbers(text: str, source: bool) -> list[_Number]:
    """The numbers of ``text``: dates and times first, then numbers in both conventions."""
    found: list[_Number] = []
    taken: list[tuple[int, int]] = []
    for match in _DATE.finditer(text):
        day, month = int(match.group(1)), int(match.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12 and match.group(3):
            # A date: the month may come out as a word ("13 July 2024").
            for part in (match.group(1), match.group(3)):
                found.append(_Number(part, frozenset({float(part)}), len(part)))
            taken.append(match.span())
    for match in _TIME.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        hours, minutes = int(match.group(1)), int(match.group(2))
        follows = text[match.end() : match.end() + 6].lower()
        if source and ":" not in match.group(0) and "uhr" not in follows:
            continue  # "1.30" may be a decimal; a time says "Uhr"
        values = {hours + minutes / 100}
        values.add((hours - 12 if hours > 12 else hours + 12) + minutes / 100)
        found.append(_Number(match.group(0), frozenset(values), 3))
        taken.append(match.span())
    # Both conventions' readings of the number that starts at one place are one number.
    readings: dict[int, tuple[int, set[float]]] = {}
    own, other = ((_DE_NUMBER, "."), (_EN_NUMBER, ",")) if source else ((_EN_NUMBER, ","), (_DE_NUMBER, "."))
    for pattern, grouping in (own, other):
        for match in pattern.finditer(text):
            if any(a <= match.start() < b for a, b in taken):
                continue
            if pattern is other[0] and not _unambiguous(match, grouping):
                continue  # English "1.000" is 1000 copied, not 1.0: the other way only beyond doubt
            value = _readings(match.group(1), match.group(2), grouping)
            end, values = readings.get(match.start(), (match.end(), set()))
            readings[match.start()] = (max(end, match.end()), values | _scaled(text, match.end(), value))
    covered = 0
    for start in sorted(readings):
        end, values = readings[start]
        if start < covered:
            continue  # a part of a longer number ("99" of "19,99")
        covered = end
        piece = text[start:end]
        found.append(_Number(piece, frozenset(values), sum(c.isdigit() for c in piece)))
    # Numbers written as words count like numbers of two digits: always checked.
    if source:
        for match in _DE_WORD.finditer(text):
            number = german_number_word(match.group(0))
            if number is not None:
                word_values = frozenset(_scaled(text, match.end(), float(number)))
                found.append(_Number(match.group(0), word_values, 2, word=True))
    else:
        for match in _EN_WORD_NUMBER.finditer(text):
            head, unit, alone = match.group(1), match.group(2), match.group(3)
            if alone:
                number = _EN_UNITS[alone.lower()]
            else:
                number = {**_EN_WORDS, **_EN_ORDINALS}[head.lower()] + (
                    _EN_UNITS[unit.lower()] if unit else 0
                )
            found.append(_Number(match.group(0), frozenset(_scaled(text, match.end(), float(number))), 2))
    return found


def missing_numbers(source: str, output: str) -> list[str]:
    """Numbers of two or more digits in ``source`` that ``output`` lacks, compared by value.

    ``1,3`` matches ``1.3``, ``1.300`` matches ``1,300``, ``1,3 Millionen`` matches
    ``1.3 million`` and ``1,300,000``, ``20.15 Uhr`` matches ``8.15 p.m.``, ``13.07.2024``
    matches ``July 13, 2024``; ``40`` does not match ``4`` nor ``4000000``, ``19,99`` not
    ``1999``. Single digits are not checked: translators rightly spell them out.
    """
    found = _numbers(output, source=False)
    out_values = [v for number in found for v in number.values]
    out_texts = {number.text for number in found}
    missing: list[str] = []
    for number in _numbers(source, source=True):
        if number.digits < 2 or number.text in missing or number.text in out_texts:
            continue  # a number copied as written keeps its value, whatever the convention
        if number.word and re.search(rf"(?<!\w){re.escape(number.text)}(?!\w)", output, re.I):
            continue  # the German word copied (a name, a quotation, a model that copies)
        if not any(_close(v, w) for v in number.values for w in out_values):
            missing.append(number.text)
    return missing


def length_excess(source: str, output: str) -> float:
    """How far the output's length ratio lies outside its band (0 inside it)."""
    band = length_band(_chars(source))
    if band is None:
        return 0.0
    ratio = _chars(output) / max(1, _chars(source))
    return max(0.0, band.low - ratio, ratio - band.high)


def evidence(source: str, output: str, score: float | None) -> tuple[float, ...]:
    """How much of ``source`` an output is known to have lost, worst first (lower is better).

    Numbers missing, then sentences missing, then a loop, then the length outside its band,
    then the model's own confidence: two attempts at one unit are compared by this, so a
    retry that lost nothing wins over a first pass that dropped sentences even when both
    keep one flag each.
    """
    return (
        len(missing_numbers(source, output)),
        sentence_deficit(source, output),
        1.0 if is_degenerate(source, output) else 0.0,
        round(length_excess(source, output), 3),
        -(score if score is not None else -10.0),
    )


def omission_flags(source: str, output: str) -> list[str]:
    """What about ``output`` suggests that part of ``source`` was lost or invented."""
    flags: list[str] = []
    if not length_ratio_ok(source, output):
        flags.append(LENGTH_RATIO)
    if not sentence_count_ok(source, output):
        flags.append(SENTENCE_COUNT)
    if missing_numbers(source, output):
        flags.append(NUMBERS)
    return flags
