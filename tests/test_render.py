"""Renderers: text, JSON, JSON Lines and Markdown round-trip what they were given (property tests)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translit.render import document_record, to_json, to_jsonl, translation_markdown, translation_text
from translit.results import Translation, UnitResult
from translit.segment import Unit

texts = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=60).filter(
    lambda t: t.strip() != ""
)


def fake_translation(sources: list[str], targets: list[str]) -> Translation:
    units = [Unit(i, s, 1) for i, s in enumerate(sources)]
    return Translation(
        "m", sources, units, [UnitResult(t, -0.1) for t in targets], targets, [], {"total": 0.0}
    )


def _check_renderers(pairs: list[tuple[str, str]]) -> None:
    sources = [" ".join(s.split()) or "x" for s, _ in pairs]
    targets = [" ".join(t.split()) or "y" for _, t in pairs]
    translation = fake_translation(sources, targets)
    record = document_record("p", translation)
    line = to_jsonl(record)
    assert "\n" not in line
    assert json.loads(line) == json.loads(to_json(record))
    assert [p["translation"] for p in json.loads(line)["paragraphs"]] == targets
    assert translation_text(translation) == "\n\n".join(targets)
    table = translation_markdown(translation, bilingual=True)
    rows = [r for r in table.split("\n") if r.startswith("| ") and r != "| Deutsch | English |"]
    # One table row per paragraph (a headline-looking first one may become the heading).
    assert len(rows) in (len(pairs), len(pairs) - 1)
    assert all(len(re.findall(r"(?<!\\)\|", r)) == 3 for r in rows)


# --- round trips -----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=8))
def test_renderers_round_trip(pairs: list[tuple[str, str]]) -> None:
    _check_renderers(pairs)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=8))
def test_renderers_round_trip_many(pairs: list[tuple[str, str]]) -> None:
    _check_renderers(pairs)
