"""The output guards: pass-through, omission checks, retries, and what stays flagged.

The guards' logic is tested with engine *doubles* — TranslationEngine implementations that
copy their input and then damage it on purpose (drop a sentence, add one, drop a number),
the way a real model fails silently. Doubles prove that each check fires and what the
pipeline then does; the end-to-end behaviour is tested on real models elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import translit
from translit import guards
from translit.engines import DecodeOptions, EngineOutput
from translit.normalize import get_normalizer
from translit.pipeline import split_for_retry, split_in_two
from translit.segment import needs_model, split_sentences

from .conftest import SAMPLE


class DamagingEngine:
    """A TranslationEngine double: copies each input, then applies ``damage`` to it."""

    model_id = "double"
    max_input_tokens = 500
    cache_key = "double"
    normalization = "none"
    flag_below: float | None = None

    def __init__(self, damage: Callable[[str], str]) -> None:
        self.damage = damage
        self.seen: list[str] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def translate_batch(self, texts: Sequence[str], options: DecodeOptions) -> list[EngineOutput]:
        self.seen.extend(texts)
        return [EngineOutput(self.damage(t), len(t.split()), False, -0.25) for t in texts]


def drop_last_sentence_of_long_input(text: str) -> str:
    """Like opus-mt on long input: three or more sentences, and the last one goes missing."""
    sentences = split_sentences(text)
    return " ".join(sentences[:-1]) if len(sentences) >= 3 else text


def add_a_sentence(text: str) -> str:
    return text + " Außerdem gab es an diesem Tag noch viele andere wichtige Dinge zu berichten."


def drop_numbers(text: str) -> str:
    return re.sub(r"\d[\d.,]*\d", "", text)


THREE = "Die Regierung traf sich am Montag. Sie beriet lange über das Gesetz. Am Ende stimmten alle zu."


# --- the checks one by one -----------------------------------------------------------------------------


def test_length_ratio_band_comes_from_the_calibration() -> None:
    bands = guards.length_bands()
    assert len(bands) >= 5 and bands[0].min_chars <= 1
    assert all(b.low < 1.0 < b.high for b in bands), "a copy (ratio 1) must be inside every band"
    assert guards.length_ratio_ok(THREE, THREE)
    assert not guards.length_ratio_ok(THREE, "The government met.")
    assert not guards.length_ratio_ok(THREE, add_a_sentence(add_a_sentence(THREE)))


def test_sentence_count_check() -> None:
    assert guards.sentence_count_ok(THREE, "The government met on Monday. It debated long. All agreed.")
    assert not guards.sentence_count_ok(THREE, "The government met on Monday. It debated the law long.")
    assert guards.sentence_count_ok("Ein Satz.", "One sentence.")


@pytest.mark.parametrize(
    ("source", "output"),
    [
        ("Die Quote stieg auf 1,3 Prozent.", "The rate rose to 1.3 percent."),
        ("Es kamen 1.300 Menschen.", "1,300 people came."),
        ("Er verdient 1,3 Millionen Euro.", "He earns 1.3 million euros."),
        ("Es kostet 1.300.000 Euro.", "It costs 1.3 million euros."),
        ("Die Sitzung beginnt um 20.15 Uhr.", "The meeting starts at 8.15 p.m."),
        ("Am 13.07.2024 war Wahl.", "The election was on July 13, 2024."),
        ("Er hat 3 Kinder.", "He has three children."),
    ],
)
def test_numbers_compare_format_insensitively(source: str, output: str) -> None:
    assert guards.missing_numbers(source, output) == []


def test_missing_number_is_found() -> None:
    assert guards.missing_numbers("Die Zahl stieg auf 2.936 Fälle.", "The number of cases rose.") == ["2.936"]


@pytest.mark.parametrize("text", ["***", "–", "•", "|", "- - -", "https://example.org/x", "a@b.de"])
def test_units_without_words_do_not_need_the_model(text: str) -> None:
    assert not needs_model(text)


# --- the pipeline with damaging doubles ------------------------------------------------------------------


def test_a_dropped_sentence_is_split_and_redone() -> None:
    engine = DamagingEngine(drop_last_sentence_of_long_input)
    result = translit.translate(THREE, engine=engine, unit="paragraph")
    (unit,) = result.unit_results
    assert "omission" in unit.redone
    assert unit.flags == ()
    assert result.paragraphs == [THREE]
    assert len(engine.seen) == 4, "the unit, then its three sentences"


def keep_last_words(text: str) -> str:
    """Loses all but the last three words of every input: no retry can mend it."""
    return " ".join(text.split()[-3:])


def test_what_stays_flagged_is_listed_per_unit() -> None:
    engine = DamagingEngine(keep_last_words)
    long = "Die Regierung traf sich am Montag in Berlin zu einer langen Sitzung über das neue Gesetz."
    result = translit.translate(long + "\n\nEin Absatz.", engine=engine, unit="paragraph")
    assert result.flagged_units == [0]
    assert guards.LENGTH_RATIO in result.unit_results[0].flags
    assert "omission" in result.unit_results[0].redone
    data = result.to_dict()
    assert data["flagged_units"] == [0]
    assert data["units"][0]["check"] is True and data["units"][1]["check"] is False


def test_an_added_sentence_is_flagged_by_the_length_ratio() -> None:
    engine = DamagingEngine(add_a_sentence)
    result = translit.translate("Die Regierung traf sich am Montag in Berlin.", engine=engine)
    (unit,) = result.unit_results
    assert guards.LENGTH_RATIO in unit.flags
    assert "omission" in unit.redone


def test_a_dropped_number_is_flagged() -> None:
    engine = DamagingEngine(drop_numbers)
    result = translit.translate("Die Zahl der Fälle stieg auf 2.936.", engine=engine)
    assert guards.NUMBERS in result.unit_results[0].flags


def test_a_good_translation_is_not_redone() -> None:
    engine = DamagingEngine(lambda t: t)
    result = translit.translate(SAMPLE.read_text(encoding="utf-8"), engine=engine)
    assert result.flagged_units == []
    assert not any(r.redone for r in result.unit_results)
    assert len(engine.seen) == sum(1 for u in result.units if not u.copy)


def test_sentence_units_avoid_the_omission_in_the_first_place() -> None:
    """The same double that loses sentences from long input loses nothing from sentences."""
    engine = DamagingEngine(drop_last_sentence_of_long_input)
    result = translit.translate(THREE, engine=engine)
    assert [u.text for u in result.units] == split_sentences(THREE)
    assert not any(r.redone for r in result.unit_results)
    assert result.paragraphs == [THREE]


def test_nothing_without_words_reaches_the_model() -> None:
    engine = DamagingEngine(lambda t: t)
    text = "Erster Absatz.\n\n***\n\n–\n\nZweiter Absatz. • Mehr unter https://example.org/x\n\n|"
    result = translit.translate(text, engine=engine)
    assert not any(not needs_model(seen) for seen in engine.seen)
    copied = [u.text for u, r in zip(result.units, result.unit_results, strict=True) if r.copied]
    assert copied == ["***", "–", "|"]
    assert result.paragraphs[1:3] == ["***", "–"]
    assert all(u["score"] is None for u in result.to_dict()["units"] if u["copied"])


def test_split_in_two_prefers_sentences_then_clauses_then_words() -> None:
    assert split_in_two(THREE) == (
        "Die Regierung traf sich am Montag.",
        "Sie beriet lange über das Gesetz. Am Ende stimmten alle zu.",
    )
    assert split_in_two("Er kam spät, sie wartete lange und dann gingen beide.") == (
        "Er kam spät,",
        "sie wartete lange und dann gingen beide.",
    )
    assert split_in_two("eins zwei drei vier") == ("eins zwei", "drei vier")
    assert split_in_two("Wort") is None
    assert split_for_retry(THREE) == split_sentences(THREE)
    assert split_for_retry("eins zwei drei vier") == ["eins zwei", "drei vier"]


# --- normalisation ----------------------------------------------------------------------------------------


def test_moses_normalisation_matches_opus_mt_preprocessing() -> None:
    normalize = get_normalizer("moses")
    # German quotes become one pair each ('"…"', "'…'"), as Moses' normalize-punctuation does;
    # replace-unicode-punctuation alone left „…" mismatched.
    assert normalize("„Das ist ‚gut‘“, sagte er…") == "\"Das ist 'gut'\", sagte er..."
    assert normalize("Text\u0007 mit\u200b Steuerzeichen") == "Text mit Steuerzeichen"
    assert normalize("viel   Platz") == "viel Platz"
    assert get_normalizer("none")("„x“") == "„x“"


def test_normalisation_reaches_only_the_model() -> None:
    engine = DamagingEngine(lambda t: t)
    text = "Er sagte: „Das ist gut.“ Dann ging er…"
    result = translit.translate_many([text], engine=engine, normalize="moses")[0]
    assert engine.seen == ['Er sagte: "Das ist gut."', "Dann ging er..."]
    assert result.source_paragraphs == [text]
    assert [u.text for u in result.units] == ["Er sagte: „Das ist gut.“", "Dann ging er…"]
    assert result.normalization == "moses"


def test_cache_key_depends_on_unit_mode_and_normalisation(tmp_path: Path) -> None:
    cache = translit.TranslationCache(tmp_path / "c.sqlite3")
    engine = DamagingEngine(lambda t: t)
    text = "Ein Satz."
    for unit, normalize in (("sentence", "none"), ("paragraph", "none"), ("sentence", "moses")):
        translit.translate_many([text], engine=engine, unit=unit, normalize=normalize, cache=cache)
    assert cache.stats.hits == 0 and cache.stats.misses == 3
    translit.translate_many([text], engine=engine, unit="paragraph", normalize="none", cache=cache)
    assert cache.stats.hits == 1
