"""Segmenter: cleaning, German sentence splitting, chunking under a budget."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translit.segment import (
    chunk_paragraph,
    join_chunks,
    normalize_text,
    parse_article,
    split_paragraphs,
    split_sentences,
    strip_boilerplate,
)


def words_count(text: str) -> int:
    """A stand-in token counter: one token per whitespace-separated word."""
    return len(text.split())


def chars_count(text: str) -> int:
    """A harsher counter: one token per four characters, so long words overflow."""
    return (len(text) + 3) // 4


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- German sentence splitting ----------------------------------------------------------------


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
        "Äpfel, Birnen usw. Das alles gab es dort.",
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
    ],
)
def test_splits_at_sentence_ends(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_question_in_quotes_followed_by_lowercase_is_one_sentence() -> None:
    text = "„Kommst du?“, fragte er leise."
    assert split_sentences(text) == [text]


# --- cleaning -------------------------------------------------------------------------------------


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


# --- chunking ---------------------------------------------------------------------------------------


def test_short_paragraph_is_one_chunk() -> None:
    chunks = chunk_paragraph("Ein kurzer Satz.", 3, words_count, 10)
    assert [(c.paragraph, c.text) for c in chunks] == [(3, "Ein kurzer Satz.")]


def test_sentences_are_packed_greedily() -> None:
    text = "Eins zwei drei. Vier fünf sechs. Sieben acht neun. Zehn."
    chunks = chunk_paragraph(text, 0, words_count, 6)
    assert [c.text for c in chunks] == ["Eins zwei drei. Vier fünf sechs.", "Sieben acht neun. Zehn."]
    assert all(c.tokens <= 6 for c in chunks)


def test_long_sentence_splits_at_clauses_first() -> None:
    text = "Er kam spät; sie wartete lange, und dann gingen beide nach Hause."
    chunks = chunk_paragraph(text, 0, words_count, 5)
    assert [c.text for c in chunks] == [
        "Er kam spät;",
        "sie wartete lange, und dann",
        "gingen beide nach Hause.",
    ]
    assert squash(" ".join(c.text for c in chunks)) == squash(text)


def test_overlong_word_is_cut_without_loss_and_rejoined_without_space() -> None:
    url = "https://example.org/" + "abcdef" * 40
    text = f"Siehe {url} dort."
    chunks = chunk_paragraph(text, 0, chars_count, 8)
    assert all(c.tokens <= 8 for c in chunks)
    rejoined = join_chunks(chunks, [c.text for c in chunks], 1)
    assert rejoined == [text]


def test_budget_must_be_positive() -> None:
    with pytest.raises(ValueError):
        chunk_paragraph("Text.", 0, words_count, 0)


# --- properties --------------------------------------------------------------------------------------

german_words = st.sampled_from(
    "Der die das am 13. Juli z. B. Dr. bzw. u. a. Nr. 1,3 20.15 Uhr J. R. R. Tolkien „Zitat.“ ‚so?‘ "
    "Köln, Berlin; Trump: – … usw. ca. Prof. St. vgl. sagte er. Sie ging! Warum? 1990. "
    "https://example.org/ein/sehr/langer/pfad?x=1 Donaudampfschifffahrtsgesellschaftskapitän".split()
)
paragraphs = st.lists(
    st.one_of(german_words, st.text(min_size=1, max_size=12)), min_size=1, max_size=120
).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraph=paragraphs, budget=st.integers(min_value=1, max_value=40))
def test_chunks_rebuild_the_paragraph_and_fit_the_budget(paragraph: str, budget: int) -> None:
    paragraph = " ".join(paragraph.split())
    if not paragraph:
        return
    for counter in (words_count, chars_count):
        chunks = chunk_paragraph(paragraph, 0, counter, budget)
        assert all(c.paragraph == 0 for c in chunks)
        assert all(counter(c.text) <= budget and c.tokens == counter(c.text) for c in chunks)
        assert squash("".join(c.text for c in chunks)) == squash(paragraph)
        # Joining with the recorded spacing restores the paragraph exactly.
        assert join_chunks(chunks, [c.text for c in chunks], 1) == [paragraph]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_sentence_split_loses_nothing(text: str) -> None:
    paragraph = " ".join(text.split())
    assert squash("".join(split_sentences(paragraph))) == squash(paragraph)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraph=paragraphs, budget=st.integers(min_value=1, max_value=40))
def test_chunking_property_many(paragraph: str, budget: int) -> None:
    test_chunks_rebuild_the_paragraph_and_fit_the_budget.hypothesis.inner_test(paragraph, budget)  # type: ignore[attr-defined]


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_sentence_split_many(text: str) -> None:
    test_sentence_split_loses_nothing.hypothesis.inner_test(text)  # type: ignore[attr-defined]
