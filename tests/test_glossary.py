"""Glossaries and do-not-translate lists: reading, German-aware matching, enforcement, verification.

The enforcement is shown on the small real translator (``mt-de-en-small``): it renders
"Hund" as "dog" and would never write "hound" on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import translit
from translit import Settings, Translator
from translit import batch as batch_mod
from translit.engines import DecodeOptions, EngineOutput
from translit.errors import InputError
from translit.glossary import (
    Entry,
    Glossary,
    check_file,
    glossary_from_pairs,
    honoured,
    load_glossary,
    parse_glossary,
)
from translit.pipeline import translate_units

from .conftest import SMALL, EngineDouble, invoke


def glossary(*pairs: tuple[str, str]) -> Glossary:
    return Glossary(tuple(Entry(s, t) for s, t in pairs))


# --- reading ---------------------------------------------------------------------------------------


def test_tsv_csv_deepl_and_keep_lines_are_read() -> None:
    tsv, problems = parse_glossary(
        "# Begriffe\nBundesnetzagentur\tFederal Network Agency\nBundestag\n", "a.tsv"
    )
    assert [(e.source, e.target, e.keep) for e in tsv] == [
        ("Bundesnetzagentur", "Federal Network Agency", False),
        ("Bundestag", "Bundestag", True),
    ] and not problems
    csv_, problems = parse_glossary(
        'source,target\nAmpel,traffic-light coalition\n"Grüne Partei","Green Party, the"\n"Rot, Grün",red-green\n',
        "b.csv",
    )
    assert [(e.source, e.target) for e in csv_] == [
        ("Ampel", "traffic-light coalition"),
        ("Grüne Partei", "Green Party, the"),
        ("Rot, Grün", "red-green"),  # a term with punctuation in it is matched as written
    ]
    assert not problems
    deepl, problems = parse_glossary("Ampel,traffic-light coalition,de,en\nHaus,house,fr,en\n", "deepl.csv")
    assert [e.source for e in deepl] == ["Ampel"]
    assert problems[0].where == "deepl.csv:2" and "de→en" in problems[0].message


def test_problems_are_reported_with_line_numbers() -> None:
    text = "Ampel\tlights\n\tleer\nAmpel\ttraffic-light coalition\n...\tdots\nKanzler\t\nErnst  Young\tEY\n"
    entries, problems = parse_glossary(text, "g.tsv")
    found = [(p.where, p.fatal) for p in problems]
    assert found == [
        ("g.tsv:2", True),
        ("g.tsv:3", False),
        ("g.tsv:4", True),
        ("g.tsv:5", True),
        ("g.tsv:6", True),
    ]
    assert "also at line 1" in problems[1].message
    assert [e.target for e in entries if e.source == "Ampel"][-1] == "traffic-light coalition"


def test_glossary_check_command(tmp_path: Path) -> None:
    good = tmp_path / "good.tsv"
    good.write_text("Ampel\ttraffic-light coalition\nAmpel\tlights\nBundestag\n", encoding="utf-8")
    code, out, _ = invoke("glossary", "check", str(good))
    assert code == 0 and f"{good}:2: warning:" in out and "2 entries (1 never translated)" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("Ampel,\n,leer\n", encoding="utf-8")
    code, out, _ = invoke("glossary", "check", str(bad))
    assert code == 2 and f"{bad}:1: error:" in out and f"{bad}:2: error:" in out
    code, out, _ = invoke("glossary", "check", "--format", "json", str(bad))
    assert json.loads(out)["problems"][0]["where"] == f"{bad}:1"
    with pytest.raises(InputError, match=r"bad\.csv:1"):
        load_glossary([bad])


# --- matching -------------------------------------------------------------------------------------


def forms(g: Glossary, text: str) -> list[tuple[str, str]]:
    return [(m.form, m.entry.source) for m in g.find(text)]


def test_inflected_forms_are_found() -> None:
    g = glossary(
        ("Bundeskanzler", "Federal Chancellor"), ("Mann", "gentleman"), ("Frau", "lady"), ("Stadt", "town")
    )
    assert forms(g, "Der Bundeskanzler und die Frau des Bundeskanzlers") == [
        ("Bundeskanzler", "Bundeskanzler"),
        ("Frau", "Frau"),
        ("Bundeskanzlers", "Bundeskanzler"),
    ]
    assert forms(g, "des Mannes, den Männern, die Frauen, die Städte") == [
        ("Mannes", "Mann"),
        ("Männern", "Mann"),
        ("Frauen", "Frau"),
        ("Städte", "Stadt"),
    ]


def test_whole_words_case_and_short_terms() -> None:
    g = glossary(("Rat", "Council"), ("Hund", "hound"))
    assert forms(g, "Der Rat, die Rate, der Ratgeber, der Hundeführer, ein hund") == [("Rat", "Rat")]


def test_multi_word_terms_longest_first_and_explicit_forms_win() -> None:
    g = glossary(
        ("Europäische Zentralbank", "European Central Bank"),
        ("Zentralbank", "central bank"),
        ("Mann", "gentleman"),
        ("Männer", "gentlemen"),
    )
    assert forms(g, "Die Europäischen Zentralbank und eine Zentralbank") == [
        ("Europäischen Zentralbank", "Europäische Zentralbank"),
        ("Zentralbank", "Zentralbank"),
    ]
    (match,) = g.find("Zwei Männer")
    assert match.entry.target == "gentlemen" and match.exact


def test_renderings_are_checked_as_english_writes_them() -> None:
    assert honoured(Entry("Ampel", "traffic-light coalition"), "Traffic-light coalitions are fragile.")
    assert not honoured(Entry("Ampel", "traffic-light coalition"), "The traffic lights coalition")
    assert honoured(Entry("Bundestag", "Bundestag"), "The Bundestag's vote")
    assert not honoured(Entry("Bundestag", "Bundestag"), "The bundestag voted")  # kept means verbatim


# --- enforcement on the small real translator -----------------------------------------------------

HOUND = "Ein Hund rennt über eine grüne Wiese."


@pytest.fixture(scope="module")
def small() -> Translator:
    return Translator(SMALL, cache=False)


def test_a_term_the_model_would_not_write_is_honoured(small: Translator) -> None:
    plain = small.translate(HOUND)
    assert "hound" not in plain.text and "dog" in plain.text  # the model's own word
    with_glossary = small.with_glossary(glossary(("Hund", "hound"))).translate(HOUND)
    (unit,) = with_glossary.unit_results
    assert "hound" in unit.text and "dog" not in unit.text
    (term,) = unit.terms
    assert term.honoured and term.by == "substituted" and "glossary" in unit.redone
    assert "glossary" not in unit.flags
    data = with_glossary.to_dict()["units"][0]["terms"]
    assert data == [{"form": "Hund", "entry": "Hund", "target": "hound", "honoured": True, "by": term.by}]


def test_inflected_and_kept_terms_on_the_real_translator(small: Translator) -> None:
    g = glossary(("Hund", "hound"), ("Fischer", "Fischer"))
    result = small.with_glossary(g).translate("Der Ball des Hundes ist rot. Herr Fischer liest eine Zeitung.")
    first, second = result.unit_results
    assert first.terms[0].form == "Hundes" and first.terms[0].honoured and "hound" in first.text
    assert second.terms[0].honoured and "Fischer" in second.text


def test_an_imposed_rendering_is_not_taken_for_the_model_s_doubt(small: Translator) -> None:
    """The model would never write "hound", so the forced sentence scores low as a whole; its
    confidence is judged with the model's own word in the term's place, so it is not marked [?]."""
    plain = small.translate(HOUND)
    fixed = small.with_glossary(glossary(("Hund", "hound"))).translate(HOUND)
    assert fixed.unit_results[0].terms[0].by == "substituted"
    assert not fixed.needs_check(0) and not plain.needs_check(0)
    # The model's own sentence with the term in its word's place: the model's confidence stands.
    assert fixed.unit_results[0].score == plain.unit_results[0].score


def test_a_term_that_stands_twice_is_rendered_twice(small: Translator) -> None:
    """One "hound" beside one "dog" is not the glossary honoured: each occurrence counts."""
    source = "Ein brauner Hund rennt dem schwarzen Hund hinterher."
    assert small.translate(source).text.count("dog") == 2
    (unit,) = small.with_glossary(glossary(("Hund", "hound"))).translate(source).unit_results
    assert unit.text.count("hound") == 2 and "dog" not in unit.text
    assert [t.honoured for t in unit.terms] == [True, True] and "glossary" not in unit.flags


def test_units_without_terms_come_out_byte_identical(small: Translator) -> None:
    text = "Zwei Kinder spielen im Sand am Strand. Ein Hund rennt über eine Wiese. Eine Frau singt auf einer Bühne."
    plain = small.translate(text)
    termed = small.with_glossary(glossary(("Hund", "hound"))).translate(text)
    for index in (0, 2):
        assert termed.unit_results[index] == plain.unit_results[index]
    assert termed.unit_results[1] != plain.unit_results[1]


def test_a_term_the_repair_cannot_place_is_flagged() -> None:
    """An engine double that never writes the rendering: the unit is flagged, nothing invented."""

    class Stubborn(EngineDouble):
        def translate_batch(self, texts, options):
            # The term alone it renders with a word it never writes in the sentence.
            return [
                EngineOutput(
                    "Canine." if t == "Hund" else "A dog runs.", 3, False, -0.2, ("A dog is running.",)
                )
                for t in texts
            ]

        def translate_with_prefix(self, texts, prefixes, options):
            return [EngineOutput("A dog runs.", 3, False, -0.2) for _ in texts]

    (outcome,) = translate_units(
        Stubborn(), ["Ein Hund rennt."], DecodeOptions(), glossary(("Hund", "hound"))
    )
    assert outcome.text == "A dog runs." and "glossary" in outcome.flags
    assert [(t.honoured, t.by) for t in outcome.terms] == [(False, "")]


def test_a_repair_that_loses_content_is_not_kept() -> None:
    class Dropper(EngineDouble):
        def translate_batch(self, texts, options):
            # Its word for the term alone is not the one in its sentence: the repair is forced.
            sentence = "A dog runs across a field with 25 sheep."
            return [EngineOutput("Canine." if t == "Hund" else sentence, 9, False, -0.2) for t in texts]

        def translate_with_prefix(self, texts, prefixes, options):
            return [EngineOutput("A hound.", 2, False, -0.2) for _ in texts]  # the number is gone

    source = "Ein Hund rennt mit 25 Schafen über ein Feld."
    (outcome,) = translate_units(Dropper(), [source], DecodeOptions(), glossary(("Hund", "hound")))
    assert outcome.text.startswith("A dog") and "glossary" in outcome.flags


def test_a_forced_repair_of_a_looping_unit_is_decoded_as_its_retry_was() -> None:
    """A model that loops on a sentence loops again when continuing it from the rendering,
    unless the continuation gets the anti-repetition settings that mended its first output."""
    prefixes_seen: list[DecodeOptions] = []

    class Looper(EngineDouble):
        def translate_batch(self, texts, options):
            safe = options.no_repeat_ngram_size is not None
            sentence = "A dog runs across the field." if safe else "A dog " + "runs " * 12
            return [EngineOutput("Canine." if t == "Hund" else sentence, 6, False, -0.2) for t in texts]

        def translate_with_prefix(self, texts, prefixes, options):
            prefixes_seen.append(options)
            safe = options.no_repeat_ngram_size is not None
            rest = " runs across the field." if safe else " runs" * 12
            return [EngineOutput(p + rest, 6, False, -0.2) for p in prefixes]

    (outcome,) = translate_units(
        Looper(), ["Ein Hund rennt über das Feld."], DecodeOptions(), glossary(("Hund", "hound"))
    )
    assert "loop" in outcome.redone and prefixes_seen
    assert outcome.text == "A hound runs across the field."
    assert [(t.honoured, t.by) for t in outcome.terms] == [(True, "forced")]


def test_the_model_s_word_is_found_without_the_function_words_aligned_with_it() -> None:
    """An alignment that takes "of" along with the model's word ("zum Unternehmen" → "company
    of") still finds the word: it is substituted, and the sentence is not decoded again."""
    output = "The factory belongs to the company of Lubrizol."
    source = "Die Fabrik gehört zum Unternehmen Lubrizol."

    class Aligned(EngineDouble):
        def translate_batch(self, texts, options):
            # Its word for the term alone is not the one in its sentence: only the alignment finds it.
            return [
                EngineOutput("Business." if t == "Unternehmen" else output, 8, False, -0.2) for t in texts
            ]

        def translate_with_prefix(self, texts, prefixes, options):
            raise AssertionError("the model's own word was there to substitute")

        def align(self, pairs):
            term = source.index("Unternehmen")
            word = output.index("company of")
            return [[(term, term + len("Unternehmen"), word, word + len("company of"))] for _ in pairs]

    (outcome,) = translate_units(
        Aligned(), [source], DecodeOptions(), glossary(("Unternehmen", "enterprise"))
    )
    assert outcome.text == "The factory belongs to the enterprise of Lubrizol."
    assert [(t.honoured, t.by) for t in outcome.terms] == [(True, "substituted")]


# --- everywhere the same file is honoured ------------------------------------------------------------


@pytest.fixture()
def hound_file(tmp_path: Path) -> Path:
    path = tmp_path / "terms.tsv"
    path.write_text("Hund\thound\n", encoding="utf-8")
    return path


def test_cli_config_and_cache_honour_the_glossary(hound_file: Path, tmp_path: Path, monkeypatch) -> None:
    code, out, _ = invoke("translate", "--model", str(SMALL), "--glossary", str(hound_file), "-t", HOUND)
    assert code == 0 and "hound" in out
    again = invoke("translate", "--model", str(SMALL), "--glossary", str(hound_file), "-t", HOUND)
    assert again[1] == out, "served from the cache, terms and all"
    code, plain, _ = invoke("translate", "--model", str(SMALL), "-t", HOUND)
    assert "dog" in plain, "the cache never serves a glossary rendering to a run without the glossary"
    config = tmp_path / "config.toml"
    config.write_text(f"glossary = [{json.dumps(hound_file.name)}]\n", encoding="utf-8")
    monkeypatch.setenv("TRANSLIT_CONFIG", str(config))
    code, out, _ = invoke("translate", "--model", str(SMALL), "-t", HOUND)
    assert code == 0 and "hound" in out
    keep = tmp_path / "names.txt"
    keep.write_text("Fischer\n", encoding="utf-8")
    code, out, _ = invoke(
        "translate", "--model", str(SMALL), "--keep", str(keep), "-t", "Herr Fischer liest eine Zeitung."
    )
    assert "Fischer" in out


def test_batch_honours_the_glossary_and_resumes_by_its_content(hound_file: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(HOUND + "\n", encoding="utf-8")
    settings = batch_mod.BatchSettings(translation=Settings(glossary=(str(hound_file),)))
    translator = Translator(SMALL, settings.translation, cache=False)
    report = batch_mod.run_batch(tmp_path / "in", tmp_path / "out", translator, settings)
    assert report.count("done") == 1 and "hound" in (tmp_path / "out" / "a.en.txt").read_text(
        encoding="utf-8"
    )
    assert batch_mod.run_batch(tmp_path / "in", tmp_path / "out", translator, settings).count("skipped") == 1
    hound_file.write_text("Hund\thunting dog\n", encoding="utf-8")  # same path, other content
    changed = Translator(SMALL, settings.translation, cache=False)
    assert batch_mod.run_batch(tmp_path / "in", tmp_path / "out", changed, settings).count("done") == 1


def test_the_library_takes_a_glossary_object_or_files(hound_file: Path) -> None:
    by_object = Translator(SMALL, cache=False, glossary=glossary_from_pairs([["Hund", "hound"]]))
    by_file = Translator(settings=Settings(model=str(SMALL), glossary=(str(hound_file),)), cache=False)
    by_paths = Translator(SMALL, cache=False, glossary=[str(hound_file)])
    assert by_object.translate(HOUND).text == by_file.translate(HOUND).text == by_paths.translate(HOUND).text
    assert "hound" in translit.translate(HOUND, model=SMALL, glossary=[str(hound_file)]).text


# --- a glossary that writes English: number, articles, capitals, possessives ------------------------

EVERYDAY = glossary(
    ("Mann", "gentleman"), ("Hund", "hound"), ("Junge", "lad"), ("Gebäude", "edifice"), ("Straße", "roadway")
)


@pytest.mark.parametrize(
    ("source", "model_wrote", "wanted"),
    [
        ("Drei Jungen spielen Fußball.", "boys", "Three lads"),
        ("Zwei Männer und ein Hund laufen über die Straße.", "men", "Two gentlemen and a hound"),
        ("Eine Frau und zwei Hunde.", "dogs", "two hounds"),
        ("Männer arbeiten an einem Gebäude.", "Men", "Gentlemen working on an edifice"),
        ("Ein Mann steht vor einem Gebäude.", "building", "A gentleman stands in front of an edifice"),
    ],
)
def test_a_rendering_takes_the_number_article_and_capital_of_the_model_s_word(
    small: Translator, source: str, model_wrote: str, wanted: str
) -> None:
    assert model_wrote in small.translate(source).text
    (unit,) = small.with_glossary(EVERYDAY).translate(source).unit_results
    assert wanted in unit.text, unit.text
    assert all(t.honoured and t.by in ("model", "substituted") for t in unit.terms)
    assert model_wrote.lower() not in unit.text.lower().split()  # never the model's word beside it


def test_an_explicit_plural_column_wins(small: Translator, tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text("Mann\tgentleman\tgents\n", encoding="utf-8")
    (entry,) = load_glossary([path]).entries
    assert entry.plural == "gents" and entry.plural_target() == "gents"
    text = small.with_glossary(load_glossary([path])).translate("Zwei Männer laufen.").text
    assert "Two gents" in text


def test_possessives_keep_their_shape() -> None:
    from .conftest import Dictionary

    engine = Dictionary(
        {
            "Der Hut des Mannes ist rot.": "The man's hat is red.",
            "Mannes": "Man's",
            "Mann": "Man",
            "Die Hüte der Männer sind rot.": "The men's hats are red.",
            "Männer": "Men",
        },
        {"Mannes": "man's", "Männer": "men's"},
    )
    (one,) = translate_units(engine, ["Der Hut des Mannes ist rot."], DecodeOptions(), EVERYDAY)
    assert one.text == "The gentleman's hat is red."
    (many,) = translate_units(engine, ["Die Hüte der Männer sind rot."], DecodeOptions(), EVERYDAY)
    assert many.text == "The gentlemen's hats are red."


def test_english_inflection_rules() -> None:
    from translit.inflection import agree_article, is_plural, plural, possessive

    assert [
        plural(w) for w in ("gentleman", "lady", "roadway", "analysis", "Federal Network Agency", "NGO")
    ] == ["gentlemen", "ladies", "roadways", "analyses", "Federal Network Agencies", "NGOs"]
    assert [is_plural(w) for w in ("men", "dogs", "men's", "bus", "news", "man")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert agree_article("He saw a ", "edifice") == "He saw an "
    assert agree_article("An ", "gentleman") == "A "
    assert agree_article("Banana ", "edifice") == "Banana "
    assert (
        possessive("ladies", "'s", True) == "ladies'" and possessive("gentlemen", "'s", True) == "gentlemen's"
    )


@pytest.mark.parametrize("order", [0, 1])
def test_the_closest_entry_wins_whatever_the_line_order(order: int) -> None:
    pairs = [("Mann", "gentleman"), ("Männer", "gentlemen")]
    entries = glossary(*(pairs if order == 0 else pairs[::-1]))
    (match,) = entries.find("Zwei Männern folgt ein Hund.")
    assert match.entry.source == "Männer"


def test_a_term_matches_its_feminine_forms() -> None:
    entries = glossary(("Bundeskanzler", "Federal Chancellor"))
    for form in ("Bundeskanzlerin", "Bundeskanzlerinnen", "Bundeskanzlers"):
        assert [m.form for m in entries.find(f"Die {form} spricht.")] == [form]
    assert entries.find("Das Bundeskanzleramt schweigt.") == []  # a compound is a word of its own


@pytest.mark.parametrize("brand", ["Node.js", "AT&T", "E.ON", "1&1", "C++", "Ernst & Young"])
def test_brand_names_with_punctuation_can_be_kept(brand: str, tmp_path: Path) -> None:
    path = tmp_path / "keep.txt"
    path.write_text(f"{brand}\n", encoding="utf-8")
    kept = load_glossary(keep=[path])
    (match,) = kept.find(f"Der Vertrag mit {brand} wurde verlängert.")
    assert match.form == brand and match.entry.keep
    assert kept.find(f"Der Vertrag mit X{brand}Y") == []


# --- sharing: TBX termbases, and what glossary check reports ---------------------------------------

TERMBASE = Path(__file__).parent / "fixtures" / "termbase.tbx"


def test_a_tbx_termbase_is_read_synonyms_and_all() -> None:
    entries, problems = check_file(TERMBASE)
    assert [(e.source, e.target) for e in entries] == [
        ("Bundesnetzagentur", "Federal Network Agency"),
        ("Kanzler", "Chancellor"),
        ("Bundeskanzler", "Chancellor"),
        ("Mann", "gentleman"),
        ("Männer", "gents"),
    ]
    assert [(p.where.rsplit(":", 1)[1], p.fatal) for p in problems] == [
        ("concept 3", False),
        ("concept 5", False),
    ]
    assert "no English term" in problems[1].message
    assert (
        load_glossary([TERMBASE]).find("Die Bundesnetzagentur prüft.")[0].entry.target
        == "Federal Network Agency"
    )


def test_a_tbx_file_with_entities_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.tbx"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<martif><text><body><termEntry><langSet xml:lang="de"><tig><term>&b;</term></tig></langSet>'
        "</termEntry></body></text></martif>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"bomb\.tbx: not a usable TBX file"):
        load_glossary([bomb])


def test_glossary_check_reports_entries_that_shadow_each_other(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text(
        "Zentralbank\tcentral bank\nEuropäische Zentralbank\tECB\nMann\tgentleman\nMänner\tgents\n"
    )
    code, out, _ = invoke("glossary", "check", str(path))
    assert code == 0
    assert f"{path}:1: warning: 'Europäische Zentralbank' (line 2) is a longer term holding it" in out
    assert f"{path}:3: warning: 'Männer' (line 4) is a form of it" in out


def test_a_term_the_model_left_out_never_replaces_a_function_word(small: Translator) -> None:
    source = "Der Hund eines Mannes rennt."
    plain = small.translate(source).text
    assert "man" not in plain and " is " in plain  # the model leaves "eines Mannes" out
    (unit,) = small.with_glossary(EVERYDAY).translate(source).unit_results
    # The alignment points at "is" for the missing term; "is" is no word for a man.
    assert unit.text != plain.replace(" is ", " gentleman ").replace("dog", "hound")
    by = {t.form: t.by for t in unit.terms}
    assert by["Hund"] == "substituted" and by["Mannes"] in ("forced", "")
    # Where the rendering had to be put in, the reader is told to check the sentence.
    assert small.with_glossary(EVERYDAY).translate(source).needs_check(0) or by["Mannes"] == ""


def test_plurals_that_umlaut_a_diphthong_are_found() -> None:
    entries = glossary(("Krankenhaus", "infirmary"), ("Baum", "tree"))
    assert [m.form for m in entries.find("Zwei Krankenhäuser und drei Bäume.")] == ["Krankenhäuser", "Bäume"]


def test_a_request_s_terms_over_a_large_glossary_cost_only_the_terms(monkeypatch) -> None:
    """The service merges a request's glossary into the server's: the server's index is carried
    over and changed only where the request's terms touch it (before, every entry of the server's
    was indexed again, seconds per request for a million), and the result finds what a glossary
    built whole from the same entries finds, the request winning for the same source."""
    from translit import glossary as glossary_module

    words = [Entry(f"Wort{i}", f"word{i}") for i in range(20_000)]
    server = Glossary((*words, Entry("Hund", "dog"), Entry("AT&T", "AT&T"), Entry("Katze", "cat")))
    request = Glossary((Entry("Hund", "hound"), Entry("Maus", "mouse"), Entry("C&A", "C&A")))
    indexed: list[str] = []
    real = glossary_module._bucket
    monkeypatch.setattr(glossary_module, "_bucket", lambda entry: indexed.append(entry.source) or real(entry))
    merged = server.merged(request)
    assert sorted(indexed) == ["C&A", "Hund", "Hund", "Maus"]  # the replaced entry and the new ones
    monkeypatch.undo()
    whole = Glossary(merged.entries)
    text = "Der Hund, die Katze und die Maus von AT&T und C&A sahen Wort7 und Wörter."
    found = [(m.form, m.entry.target) for m in merged.find(text)]
    assert found == [(m.form, m.entry.target) for m in whole.find(text)]
    assert ("Hund", "hound") in found and ("Katze", "cat") in found and ("C&A", "C&A") in found
    assert [(m.form, m.entry.target) for m in server.find(text)][:1] == [("Hund", "dog")]  # unchanged
