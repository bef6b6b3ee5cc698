"""The extractive summariser and English sentence splitting."""

from __future__ import annotations

import re

from translit import summarize
from translit.summarize import split_english_sentences

ARTICLE = (
    "Mr. Smith met Dr. Jones in Washington on Monday. The U.S. economy grew by 2.5 percent in the "
    'third quarter, officials said. Prices rose sharply. "We are happy," she said. Analysts expect '
    "the economy to slow next year as interest rates stay high. The economy grew faster than expected, "
    "officials in Washington said on Monday. Weather was fine in the afternoon."
)


def test_english_splitter_handles_titles_abbreviations_and_decimals() -> None:
    sentences = split_english_sentences(ARTICLE)
    assert sentences[0] == "Mr. Smith met Dr. Jones in Washington on Monday."
    assert sentences[1].startswith("The U.S. economy grew by 2.5 percent")
    assert '"We are happy," she said.' in sentences
    assert len(sentences) == 7


def test_summary_length_order_and_extractiveness() -> None:
    for n in (1, 2, 3):
        summary = summarize(ARTICLE, sentences=n)
        assert len(summary.sentences) == n
        assert summary.indices == sorted(summary.indices)
        for sentence in summary.sentences:
            assert sentence in ARTICLE


def test_numbers_and_names_in_brief_come_from_the_text() -> None:
    brief = summarize(ARTICLE, sentences=3).text
    for token in re.findall(r"\d+(?:[.,]\d+)?|\b[A-Z][a-z]+\b", brief):
        assert token in ARTICLE


def test_near_duplicates_are_not_both_chosen() -> None:
    text = "The minister resigned on Friday after the scandal. " * 2 + "Markets fell. Rain is expected soon."
    summary = summarize(text, sentences=2)
    assert len(set(summary.sentences)) == len(summary.sentences)


def test_short_and_empty_texts() -> None:
    assert summarize("", sentences=3).sentences == []
    assert summarize("Only one sentence here.", sentences=3).sentences == ["Only one sentence here."]
