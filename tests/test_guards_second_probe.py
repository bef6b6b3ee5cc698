"""Guards that let through what they should catch (issue: a second probe), each case a test.

Engine doubles show a guard's logic; the small real translator shows what only a real one does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from translit import Translator, guards
from translit.engines import DecodeOptions, EngineOutput
from translit.pipeline import translate_units
from translit.segment import split_english_sentences, split_sentences

from .conftest import REPO, SMALL, invoke


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
    ],
)
def test_numbers_kept_in_other_forms_pass(source: str, output: str) -> None:
    assert guards.missing_numbers(source, output) == []


class Scripted:
    """An engine double answering each source with a scripted output (the first that applies)."""

    model_id, max_input_tokens, cache_key, normalization, flag_below = "s", 500, "s", "none", None

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers

    def count_tokens(self, text: str) -> int:
        return len(text.split())

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
