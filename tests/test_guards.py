"""The output guards: pass-through, omission checks, retries, and what stays flagged.

The guards' logic is tested with engine *doubles* — TranslationEngine implementations that
copy their input and then damage it on purpose (drop a sentence, add one, drop a number),
the way a real model fails silently. Doubles prove that each check fires and what the
pipeline then does; the small real translator shows what only a real one does (the later
section), and the end-to-end behaviour is tested on real models elsewhere.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import translit
from translit import Translator, guards
from translit.engines import DecodeOptions, EngineOutput
from translit.guards import is_degenerate
from translit.normalize import get_normalizer
from translit.pipeline import split_for_retry, split_in_two, translate_units
from translit.segment import (
    needs_model,
    split_english_sentences,
    split_sentences,
)

from .conftest import REPO, SAMPLE, SMALL, EngineDouble, invoke
from .conftest import run_translit as run


class DamagingEngine:
    """A TranslationEngine double: copies each input, then applies ``damage`` to it."""

    name = model_id = "double"
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


def test_a_dropped_number_word_is_flagged() -> None:
    """The copy model once gave "…von Myra am Frauen…" for "…von Myra drei Frauen…", unmarked."""
    engine = DamagingEngine(lambda text: text.replace("drei", "am"))
    result = translit.translate("Der Bischof von Myra rettete drei Frauen vor der Armut.", engine=engine)
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


@pytest.mark.parametrize(
    ("source", "output"),
    [
        ("Es kostet 1.000.000 Euro.", "It costs 1,000 euros."),
        ("Der Preis liegt bei 19,99 Euro.", "The price is 1999 euros."),
        ("Das Treffen dauerte 40 Minuten.", "The meeting lasted 4 minutes."),
        ("Es kamen 2.500 Menschen.", "25000000 people came."),
        ("Das Treffen dauerte 40 Minuten.", "The meeting lasted 4000000s."),
        ("Er verdient 1,3 Millionen Euro.", "He earns 1.3 billion euros."),
        ("Die Quote liegt bei 12 Prozent.", "The rate is 21 percent."),
        ("Er rettete drei Frauen.", "He saved am women."),
        ("Es kamen dreiundzwanzig Gäste.", "Twenty-two guests came."),
        ("Zum dritten Mal gewann sie.", "She won for the second time."),
        ("Zwölf Menschen starben.", "Two people died."),
        ("Es kostete zweihundert Euro.", "It cost two euros."),
        ("Vierzigtausend Fans kamen.", "Forty fans came."),
    ],
)
def test_numbers_are_compared_by_value(source: str, output: str) -> None:
    assert guards.missing_numbers(source, output), (source, output)


@pytest.mark.parametrize(
    ("source", "output"),
    [
        ("Es kostet 1.300.000 Euro.", "It costs 1.3 million euros."),
        ("Er verdient 1,3 Mio. Euro.", "He earns 1,300,000 euros."),
        ("Die Kosten: 2,5 Mrd. Euro.", "The costs: 2.5 billion euros."),
        ("Am 13. Juli kam er.", "He came on July 13."),
        ("Am 13. Juli kam er.", "He came on 13th July."),
        ("Um 20.15 Uhr begann es.", "It began at 8:15 pm."),
        ("Um 20.15 Uhr begann es.", "It began at 20:15."),
        ("Die Quote stieg auf 12,5 Prozent.", "The rate rose to 12.5%."),
        ("Das Treffen dauerte 40 Minuten.", "The meeting lasted forty minutes."),
        ("Es kamen 100.000 Nutzer.", "100.000 users came."),  # copied as written
        ("Er rettete drei Frauen.", "He saved three women."),
        ("Er rettete drei Frauen.", "He saved 3 women."),
        ("Er rettete drei Frauen.", "Er rettete drei Frauen."),  # copied
        ("Es kamen dreiundzwanzig Gäste.", "Twenty-three guests came."),
        ("Zum dritten Mal gewann sie.", "She won for the third time."),
        ("Zwei Millionen Menschen.", "Two million people."),
        ("Es kostete zweihundert Euro.", "It cost two hundred euros."),
        ("Die Elf gewann, außer Acht gelassen.", "The team won, disregarded."),  # nouns
        ("Sie achten auf Regeln und eine Frau kam.", "They follow rules and a woman came."),
    ],
)
def test_numbers_kept_in_other_forms_pass(source: str, output: str) -> None:
    assert guards.missing_numbers(source, output) == []


class Scripted(EngineDouble):
    """An engine double answering each source with a scripted output (the first that applies)."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers

    def translate_batch(self, texts, options):
        return [EngineOutput(self.answers.get(t, t), len(t.split()), False, -0.3) for t in texts]


def test_a_retry_is_kept_when_it_lost_less_even_with_as_many_flags() -> None:
    source = "Ein Mann geht. Eine Frau singt. Ein Hund bellt. Ein Kind lacht."
    engine = Scripted(
        {
            # One sentence for four (a sentence-count flag) against a retry that is only long
            # (a length flag): one flag each, and the retry lost nothing.
            source: "A man walks and a woman sings while a dog barks, a child laughs.",
            "Ein Mann geht.": "A man walks along the long, long road of the old town of Berlin.",
            "Eine Frau singt.": "A woman sings.",
            "Ein Hund bellt.": "A dog barks.",
            "Ein Kind lacht.": "A child laughs.",
        }
    )
    (outcome,) = translate_units(engine, [source], DecodeOptions())
    assert len(split_english_sentences(outcome.text)) == 4, "the retry that lost nothing is kept"
    assert "omission" in outcome.redone


def test_sentences_that_start_in_lower_case_are_counted() -> None:
    # A model that drops "A" starts its sentences in lower case; they are sentences all the same.
    assert guards.sentence_count_ok("Ein Mann geht. Eine Frau singt.", "man walks. woman sings.")
    assert not guards.sentence_count_ok("Ein Mann geht. Eine Frau singt.", "man walks and sings.")
    assert split_sentences("Das Produkt ist gut. iPhone-Nutzer freuen sich.") == [
        "Das Produkt ist gut.",
        "iPhone-Nutzer freuen sich.",
    ]
    for whole in ("Das kostet ca. zehn Euro.", "Er sah u. a. den Dom.", "Es waren 3. und 4. Klassen."):
        assert split_sentences(whole) == [whole]


def test_halves_of_one_sentence_are_joined_and_flagged() -> None:
    source = "Eine Gruppe von Menschen sitzt in einer Bar, die sehr voll ist."
    engine = Scripted(
        {
            source: "A group.",  # far too short: a length flag, redone in halves
            "Eine Gruppe von Menschen sitzt in einer Bar,": "Is a group of people sitting in a bar.",
            "die sehr voll ist.": "Which is very full.",
        }
    )
    (outcome,) = translate_units(engine, [source], DecodeOptions())
    assert outcome.text == "Is a group of people sitting in a bar which is very full."
    assert guards.SPLIT in outcome.flags


@pytest.fixture(scope="module")
def small() -> Translator:
    return Translator(SMALL, cache=False)


def test_links_in_a_sentence_pass_through_unchanged(small: Translator) -> None:
    text = "Ein Mann liest die Nachrichten auf https://www.tagesschau.de/inland/wahl-123.html im Park."
    (unit,) = small.translate(text).unit_results
    assert "https://www.tagesschau.de/inland/wahl-123.html" in unit.text
    mail = small.translate("Eine Frau schreibt an redaktion@zeit.de einen Brief.")
    assert "redaktion@zeit.de" in mail.text


def test_all_caps_lines_are_translated_not_spelled(small: Translator) -> None:
    result = small.translate("ZWEI HUNDE SPIELEN AUF DER WIESE")
    (unit,) = result.unit_results
    assert unit.text == unit.text.upper() and "DOGS" in unit.text
    assert "degenerate" not in unit.flags


def test_damaged_input_bytes_are_flagged(small: Translator) -> None:
    result = small.translate("Ein Mann f\ufffdhrt mit dem Fahrrad.")
    assert guards.REPLACED_BYTES in result.unit_results[0].flags


def test_calibrate_records_a_threshold_that_is_then_used(tmp_path: Path, monkeypatch) -> None:
    sample = tmp_path / "sample.txt"
    lines = (REPO.parent / "shared" / "data" / "parallel" / "multi30k" / "val.de").read_text(encoding="utf-8")
    sample.write_text("\n\n".join(lines.splitlines()[:60]), encoding="utf-8")
    code, out, err = invoke("models", "calibrate", str(SMALL), str(sample), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["units"] >= 50 and report["threshold"] <= report["quantiles"]["p5"]
    models_toml = Path(report["written"])
    assert f"flag_below = {report['threshold']}" in models_toml.read_text(encoding="utf-8")
    code, out, _ = invoke("translate", "--model", str(SMALL), "--format", "json", "-t", "Ein Hund rennt.")
    assert json.loads(out)["flag_below"] == report["threshold"]


def test_symbols_the_vocabulary_cannot_spell_are_kept_not_hallucinated(copy_model_dir: Path) -> None:
    # "ǀ" (a click letter web pages use as a separator) is bytes to the copy model's vocabulary;
    # given to the model it came back as "Š Deutschland".
    copy = Translator(copy_model_dir, cache=False)
    text = "Klimaproteste ǀ Wer sind eigentlich Thunbergs Hintermänner?"
    assert copy.translate(text).text == text
    alone = copy.translate("Ein Satz. ǀ")
    assert alone.text == "Ein Satz. ǀ"


def test_short_words_the_vocabulary_spells_still_go_to_the_model(small: Translator) -> None:
    from translit.pipeline import unknown_symbols

    assert unknown_symbols(small.engine, "Er ist zu Hause, es regnet – 5 % mehr.") == []
    assert unknown_symbols(small.engine, "Klimaproteste ǀ Wer") == [(14, 15)]


GERMAN = SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def looping_model(copy_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The copy model's shape with random weights: such a Marian loops until max length."""
    import torch
    from transformers import MarianConfig, MarianMTModel

    target = tmp_path_factory.mktemp("looping") / "model"
    shutil.copytree(copy_model_dir, target)
    torch.manual_seed(3)
    MarianMTModel(MarianConfig.from_pretrained(copy_model_dir)).save_pretrained(
        target, safe_serialization=True
    )
    return target


# --- the loop guard --------------------------------------------------------------------------------


def test_is_degenerate() -> None:
    assert is_degenerate("Er ist arm.", "He is poor, poor, poor, poor, poor, poor.")
    assert is_degenerate("Kurz.", " ".join(["the same clause again"] * 6))
    assert is_degenerate("Kurz.", "word " * 40)
    assert not is_degenerate("Er ist sehr, sehr, sehr, sehr arm.", "He is very, very, very, very poor.")
    assert not is_degenerate(GERMAN, GERMAN)
    assert is_degenerate("Die Regierung hat ein Gesetz beschlossen.", "tiv" * 90)
    assert not is_degenerate("Trennlinie ________ hier.", "Dividing line ________ here.")
    # Issue 28, fault 7: a short repetition the small translator gave, unflagged.
    assert is_degenerate("Der Bundestag tagt heute.", "The ban day day day.")
    assert not is_degenerate("Nein, nein, nein!", "No, no, no!")
    assert not is_degenerate("Er hatte gehabt.", "He had had enough.")


def test_the_small_translator_s_short_loop_is_redone() -> None:
    from translit import Translator

    from .conftest import SMALL

    result = Translator(SMALL, cache=False).translate("Der Bundestag tagt heute.")
    words = result.paragraphs[0].lower().split()
    assert "loop" in result.unit_results[0].redone or result.unit_results[0].flags
    assert not any(a == b == c for a, b, c in zip(words, words[1:], words[2:], strict=False)), (
        result.paragraphs
    )


def test_loop_guard_redecodes_and_flags(looping_model: Path) -> None:
    from translit.engines import DecodeOptions
    from translit.engines.marian import load_marian

    engine = load_marian(looping_model, "looping")
    text = "Die Regierung hat am Montag ein neues Gesetz beschlossen."
    raw = engine.translate_batch([text], DecodeOptions())[0]
    assert raw.hit_limit or is_degenerate(text, raw.text), "a random model should loop"
    result = translit.translate(text, engine=engine)
    assert "loop" in result.unit_results[0].redone
    assert "loop" in result.to_dict()["units"][0]["redone"]
    proc = run(
        "translate", "--no-cache", "--format", "json", "--model", str(looping_model), "-", stdin=text.encode()
    )
    assert proc.returncode == 0
    assert "loop" in json.loads(proc.stdout)["units"][0]["redone"]
    assert "looped" in proc.stderr.decode()
