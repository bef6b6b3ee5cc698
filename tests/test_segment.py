"""Segmenter: cleaning, German sentence splitting, translation units under a budget."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translit.segment import (
    UNIT_MODES,
    is_breadcrumb,
    is_tag_line,
    join_units,
    make_units,
    normalize_text,
    parse_article,
    sentence_spans,
    split_paragraphs,
    split_sentences,
    strip_boilerplate,
)

from .conftest import shared_path


def words_count(text: str) -> int:
    """A stand-in token counter: one token per whitespace-separated word."""
    return len(text.split())


def chars_count(text: str) -> int:
    """A harsher counter: one token per four characters, so long words overflow."""
    return (len(text) + 3) // 4


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    "text",
    [
        "Das Attentat am 13. Juli in Butler war ein Schock für alle.",
        "Der 1. FC Köln gewann am 3. Oktober gegen Bayern.",
        "Er kam am 3. Oktober 1990 nach Berlin.",
        "Viele Tiere, z. B. Katzen, schlafen viel.",
        "Viele Tiere, z.B. Katzen, schlafen viel.",
        "Dr. Müller und Prof. Schmidt kamen zusammen.",
        "Die Kosten bzw. Ausgaben stiegen stark an.",
        "Es kamen u. a. Vertreter der Stadt.",
        "Er wohnt in der Hauptstraße Nr. 5 in Bonn.",
        "Es waren ca. 300 Menschen auf dem Platz.",
        "Die Kirche St. Marien ist alt.",
        "Siehe dazu vgl. Kapitel drei des Berichts.",
        "Die Quote stieg auf 1,3 Prozent im Jahr.",
        "Die Sitzung beginnt um 20.15 Uhr im Rathaus.",
        "Der Roman von J. R. R. Tolkien ist berühmt.",
        "Er zögerte … Dann ging er doch.",
        "Er zögerte... und ging dann doch.",
    ],
)
def test_no_split_inside_german_sentence(text: str) -> None:
    assert split_sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Er kam. Sie ging.", ["Er kam.", "Sie ging."]),
        ("Kommst du? Ja! Gut.", ["Kommst du?", "Ja!", "Gut."]),
        ("„Das ist gut.“ Dann ging er.", ["„Das ist gut.“", "Dann ging er."]),
        (
            "Er fragte: ‚Möchtest du zurücktreten?‘ Sie streiken.",
            ["Er fragte: ‚Möchtest du zurücktreten?‘", "Sie streiken."],
        ),
        ("»Nein!« Das war alles.", ["»Nein!«", "Das war alles."]),
        ('Er sagte "Ja." Dann kam sie.', ['Er sagte "Ja."', "Dann kam sie."]),
        ("Sie wurde 1990. Geboren ist sie.", ["Sie wurde 1990.", "Geboren ist sie."]),
        ("Die Zahl stieg. 2020 war es besser.", ["Die Zahl stieg.", "2020 war es besser."]),
        ("Äpfel, Birnen usw. Das alles gab es dort.", ["Äpfel, Birnen usw.", "Das alles gab es dort."]),
    ],
)
def test_splits_at_sentence_ends(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def _splitter_cases() -> list[list[str]]:
    lines = (Path(__file__).parent / "data" / "splitter_cases.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("sentences", _splitter_cases(), ids=lambda parts: parts[0][:40])
def test_german_trap_cases(sentences: list[str]) -> None:
    """tests/data/splitter_cases.tsv: sentence ends after words, numbers, abbreviations, links."""
    assert split_sentences(" ".join(sentences)) == sentences


def test_question_in_quotes_followed_by_lowercase_is_one_sentence() -> None:
    text = "„Kommst du?“, fragte er leise."
    assert split_sentences(text) == [text]


def test_breadcrumb_and_tag_line_are_stripped() -> None:
    text = "Home / Politik / Titel\n\nTitel\n\nErster Absatz.\n\nMarkiert:"
    article = parse_article(text)
    assert article.paragraphs == ["Titel", "Erster Absatz."]
    assert article.removed == ["Home / Politik / Titel", "Markiert:"]


@pytest.mark.parametrize("tag", ["Tags: Trump, Musk", "Schlagwörter: Politik", "Markiert: X, Twitter"])
def test_tag_lines_with_items(tag: str) -> None:
    body, removed = strip_boilerplate(f"Text hier.\n\n{tag}\n")
    assert removed == [tag]
    assert "Text hier." in body


def test_ordinary_first_and_last_lines_are_kept() -> None:
    text = "Berlin - Die Lage ist ernst.\n\nEr sagte: Markiert ist nichts."
    assert parse_article(text).removed == []


def test_normalize_newlines_and_nfc() -> None:
    decomposed = "Mu\u0308ller\r\nzweite\rdritte"
    assert normalize_text(decomposed) == "Müller\nzweite\ndritte"


def test_paragraph_lines_are_joined() -> None:
    assert split_paragraphs("a\nb\n\n  \n\nc") == ["a b", "c"]


def test_sample_article_shape(sample_article: str) -> None:
    article = parse_article(sample_article)
    assert article.paragraphs[0] == "Technische Probleme prägen Musks Interview mit Trump"
    # 15 non-empty lines: breadcrumb, headline, 12 body paragraphs, tag line.
    assert len(article.paragraphs) == 13
    assert article.removed[0].startswith("Home / Geschäft und Politik")
    assert article.removed[1] == "Markiert:"


def units_of(text: str, counter, budget: int, mode: str = "sentence", index: int = 0):
    return [u for u in make_units([""] * index + [text], counter, budget, mode) if u.paragraph == index]


def rebuild(units) -> str:
    """The paragraph from its units and their gaps."""
    return "".join(u.gap + u.text for u in units)


def test_every_sentence_is_its_own_unit() -> None:
    text = "Eins zwei drei. Vier fünf sechs. Sieben acht neun. Zehn."
    units = units_of(text, words_count, 128)
    assert [u.text for u in units] == ["Eins zwei drei.", "Vier fünf sechs.", "Sieben acht neun.", "Zehn."]
    assert [u.gap for u in units] == ["", " ", " ", " "]


def test_paragraph_mode_keeps_a_short_paragraph_whole_and_packs_a_long_one() -> None:
    assert [u.text for u in units_of("Ein kurzer Satz. Noch einer.", words_count, 10, "paragraph", 3)] == [
        "Ein kurzer Satz. Noch einer."
    ]
    text = "Eins zwei drei. Vier fünf sechs. Sieben acht neun. Zehn."
    units = units_of(text, words_count, 6, "paragraph")
    assert [u.text for u in units] == ["Eins zwei drei. Vier fünf sechs.", "Sieben acht neun. Zehn."]
    assert all(u.tokens <= 6 for u in units)


def test_long_sentence_splits_at_clauses_first() -> None:
    text = "Er kam spät; sie wartete lange, und dann gingen beide nach Hause."
    units = units_of(text, words_count, 5)
    assert [u.text for u in units] == [
        "Er kam spät;",
        "sie wartete lange, und dann",
        "gingen beide nach Hause.",
    ]
    assert rebuild(units) == text


def test_overlong_word_is_cut_without_loss_and_rejoined_without_space() -> None:
    url = "https://example.org/" + "abcdef" * 40
    text = f"Siehe {url} dort."
    units = units_of(text, chars_count, 8)
    assert all(u.tokens <= 8 for u in units)
    assert join_units(units, [u.text for u in units], 1) == [text]
    assert any(u.gap == "" for u in units[1:]), "a cut inside the URL has no gap"


def test_original_whitespace_is_kept_between_units() -> None:
    text = "Er kam.\u00a0Sie ging.  Dann   regnete es."
    units = units_of(text, words_count, 128)
    assert [u.gap for u in units] == ["", "\u00a0", "  "]
    assert join_units(units, ["He came.", "She left.", "Then it rained."], 1) == [
        "He came.\u00a0She left.  Then it rained."
    ]


@pytest.mark.parametrize(
    "text", ["***", "–", "•", "|", "* * *", "https://example.org/a/b", "info@example.org"]
)
def test_units_without_words_are_copied(text: str) -> None:
    (unit,) = units_of(text, words_count, 128)
    assert unit.copy


@pytest.mark.parametrize("text", ["Siehe https://example.org dort.", "1990", "Foto: dpa", "§ 5"])
def test_units_with_words_go_to_the_model(text: str) -> None:
    assert not any(u.copy for u in units_of(text, words_count, 128))


def test_budget_must_be_positive() -> None:
    with pytest.raises(ValueError):
        units_of("Text.", words_count, 0)


german_words = st.sampled_from(
    "Der die das am 13. Juli z. B. Dr. bzw. u. a. Nr. 1,3 20.15 Uhr J. R. R. Tolkien „Zitat.“ ‚so?‘ "
    "Köln, Berlin; Trump: – … usw. ca. Prof. St. vgl. sagte er. Sie ging! Warum? 1990. *** • "
    "https://example.org/ein/sehr/langer/pfad?x=1 Donaudampfschifffahrtsgesellschaftskapitän".split()
)


separators = st.sampled_from([" ", " ", " ", "  ", "\u00a0", "\t", " \u2009"])


paragraphs = st.lists(
    st.tuples(st.one_of(german_words, st.text(min_size=1, max_size=12)), separators), min_size=1, max_size=120
).map(lambda parts: "".join(word + sep for word, sep in parts))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraph=paragraphs, budget=st.integers(min_value=1, max_value=40), mode=st.sampled_from(UNIT_MODES))
def test_units_rebuild_the_paragraph_exactly_and_fit_the_budget(
    paragraph: str, budget: int, mode: str
) -> None:
    paragraph = paragraph.strip()
    if not paragraph:
        return
    for counter in (words_count, chars_count):
        units = units_of(paragraph, counter, budget, mode)
        assert all(counter(u.text) <= budget and u.tokens == counter(u.text) for u in units)
        # Units and their gaps are the paragraph, whitespace included; gaps are whitespace.
        assert rebuild(units) == paragraph
        assert all(not u.gap.strip() for u in units)
        assert all(u.text == u.text.strip() and u.text for u in units)
        assert join_units(units, [u.text for u in units], 1) == [paragraph]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_sentence_spans_lose_nothing(text: str) -> None:
    spans = sentence_spans(text)
    covered = "".join(text[a:b] for a, b in spans)
    assert squash(covered) == squash(text)
    gaps = [text[b:a] for (_, b), (a, _) in itertools.pairwise(spans)]
    assert all(not g.strip() for g in gaps)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraph=paragraphs, budget=st.integers(min_value=1, max_value=40), mode=st.sampled_from(UNIT_MODES))
def test_units_property_many(paragraph: str, budget: int, mode: str) -> None:
    test_units_rebuild_the_paragraph_exactly_and_fit_the_budget.hypothesis.inner_test(paragraph, budget, mode)  # type: ignore[attr-defined]


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_sentence_spans_many(text: str) -> None:
    test_sentence_spans_lose_nothing.hypothesis.inner_test(text)  # type: ignore[attr-defined]


texts = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=60).filter(
    lambda t: t.strip() != ""
)


# --- bounded time, and every shared article --------------------------------------------------------


def test_huge_paragraph_segments_in_bounded_time_without_loss() -> None:
    paragraph = " ".join(["Die Regierung beschloss am 3. Oktober ein Gesetz, z. B. für Schulen."] * 20_000)
    started = time.monotonic()
    units = make_units([paragraph], lambda t: len(t.split()), 94)
    assert time.monotonic() - started < 60
    assert "".join(u.gap + u.text for u in units) == paragraph


@settings(max_examples=100, deadline=None)
@given(st.lists(texts, min_size=1, max_size=10))
def test_boilerplate_stripper_only_touches_first_and_last_lines(lines: list[str]) -> None:
    text = "\n".join(lines)
    body, removed = strip_boilerplate(text)
    original = [line for line in text.split("\n") if line.strip()]
    kept = [line for line in body.split("\n") if line.strip()]
    first = 1 if original and is_breadcrumb(original[0]) else 0
    rest = original[first:]
    last = 1 if rest and is_tag_line(rest[-1]) else 0
    assert kept == rest[: len(rest) - last]
    assert len(removed) == first + last


@pytest.mark.slow
def test_segmenter_sweep_over_all_shared_articles(copy_engine) -> None:
    root = shared_path("data", "de_news")
    files = sorted(root.glob("*/*.txt"))
    # Every article the manifests list (1,269 here; the 1,435 does not match the data).
    listed = sum(len(m.read_text(encoding="utf-8").splitlines()) - 1 for m in root.glob("MANIFEST_*.tsv"))
    assert len(files) == listed
    budget = copy_engine.max_input_tokens
    assert budget == 94
    for path in files:
        article = parse_article(path.read_text(encoding="utf-8"))
        for mode in ("sentence", "paragraph"):
            units = make_units(article.paragraphs, copy_engine.count_tokens, budget, mode)
            assert all(copy_engine.count_tokens(u.text) <= budget for u in units), path.name
            for index, paragraph in enumerate(article.paragraphs):
                rebuilt = "".join(u.gap + u.text for u in units if u.paragraph == index)
                assert rebuilt == paragraph, path.name


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(st.lists(texts, min_size=1, max_size=10))
def test_boilerplate_stripper_many(lines: list[str]) -> None:
    test_boilerplate_stripper_only_touches_first_and_last_lines.hypothesis.inner_test(lines)  # type: ignore[attr-defined]
