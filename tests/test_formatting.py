"""Formatting through translation: the document model, span placement and the writers.

Segments carry inline spans and atoms over plain text; :mod:`translit.placement` puts them on
the translated words; each format's writer returns bytes. The faults listed in issue 27 each
have a test here (HTML with hostile markup, Markdown with a real model, bilingual headlines).
"""

from __future__ import annotations

import json
import re

import pytest

import translit
from translit import Translator
from translit.placement import MARKUP, place
from translit.readers import Document, PlacedSegment, PlacedSpan, Segment, Span, Tags, read_document
from translit.readers.base import weave
from translit.segment import Unit

from .conftest import COPY_MODEL, REPO, SAMPLE, SMALL, Dictionary, invoke, shared_path


@pytest.fixture(scope="module")
def copy() -> Translator:
    return Translator(COPY_MODEL, cache=False, engine="transformers")


@pytest.fixture(scope="module")
def small() -> Translator:
    return Translator(SMALL, cache=False)


# --- the model ----------------------------------------------------------------------------------


def test_a_reader_gives_plain_text_with_spans_and_atoms() -> None:
    document = read_document('<p>Der <b>Hund</b> bellt.<img src="a.png"> Gut.</p>', "html-markup")
    [segment] = document.segments
    assert segment.text == "Der Hund bellt. Gut."
    assert [(s.start, s.end, s.payload) for s in segment.spans] == [(4, 8, Tags("<b>", "</b>"))]
    assert [(a.offset, a.glue) for a in segment.atoms] == [(15, "left")]


def test_placement_follows_the_alignment_and_nests() -> None:
    segment = Segment(
        "Der große Hund bellt.",
        spans=[Span(4, 15, Tags("<b>", "</b>")), Span(10, 14, Tags("<i>", "</i>"), depth=1)],
    )
    unit = Unit(0, "Der große Hund bellt.", 4)
    # The big dog barks.
    alignment = [(0, 3, 0, 3), (4, 9, 4, 7), (10, 14, 8, 11), (15, 20, 12, 17)]
    placed = place(segment, [unit], ["The big dog barks."], [alignment])
    assert weave(placed.segment, str) == "The <b>big <i>dog</i></b> barks."
    assert not placed.misplaced


def test_a_span_without_alignment_goes_round_its_sentence_and_is_flagged() -> None:
    segment = Segment("Der Hund bellt. Die Katze schläft.", spans=[Span(4, 8, Tags("<b>", "</b>"))])
    units = [Unit(0, "Der Hund bellt.", 3), Unit(0, "Die Katze schläft.", 3, " ")]
    placed = place(segment, units, ["The dog barks.", "The cat sleeps."], [[], []])
    assert weave(placed.segment, str) == "<b>The dog barks.</b> The cat sleeps."
    assert placed.misplaced == {0}


def test_a_kept_original_never_hides_a_translated_word() -> None:
    """Fault 1: `<b>Der <code>x &lt; y</code> Hund</b> bellt.` lost "dog barks" behind the code."""
    engine = Dictionary({"Der x < y Hund bellt.": "The dog barks."}, {"Hund": "dog", "bellt": "barks"})
    result = translit.translate(
        "<p><b>Der <code>x &lt; y</code> Hund</b> bellt.</p>", engine=engine, input_format="html-markup"
    )
    assert "dog" in result.text and "barks" in result.text
    assert "<code>x &lt; y</code>" in result.text
    assert MARKUP in result.unit_results[0].flags


def test_a_kept_original_the_model_copied_replaces_the_copy() -> None:
    engine = Dictionary({"Der x < y Hund bellt.": "The x < y dog barks."}, {"Hund": "dog"})
    result = translit.translate(
        "<p>Der <code>x &lt; y</code> Hund bellt.</p>", engine=engine, input_format="html-markup"
    )
    assert result.text == "<p>The <code>x &lt; y</code> dog barks.</p>"
    assert not result.flagged_units


def test_the_small_translator_keeps_every_word_beside_code(small: Translator) -> None:
    result = small.translate_html("<p><b>Der <code>x &lt; y</code> Hund</b> bellt.</p>")
    words = re.sub(r"<code>.*?</code>|<[^>]+>", " ", result.text)
    assert "dog" in words, result.text
    assert result.text.count("<code>x &lt; y</code>") == 1


# --- HTML byte for byte ---------------------------------------------------------------------------


def test_cdata_comes_back_closed(copy: Translator) -> None:
    """Fault 2: `<![CDATA[ a < b ]]>` came back `<![CDATA[ a < b ]>` and swallowed the next paragraph."""
    markup = "<svg><![CDATA[ a < b ]]></svg><p>Der Hund bellt.</p>"
    assert copy.translate_html(markup).text == markup


def test_an_unclosed_comment_never_reaches_the_model(copy: Translator) -> None:
    """Fault 3: an internal note in an unclosed comment was translated and shown."""
    markup = '<p>Der Hund bellt.</p><!-- <img src="x.png"> Interne Notiz: nicht veröffentlichen'
    result = copy.translate_html(markup)
    assert result.text == markup
    assert [u.text for u in result.units] == ["Der Hund bellt."]


@pytest.mark.parametrize(
    "markup",
    [
        "<pre>AT&T kostet 5&euro und Der&nbspHund</pre><p>Text.</p>",
        "<P>Der Hund bellt.</P ><! foo ><p>Die Katze.</p>",
        "<p>Ein Satz.</p><script>if (a < b && c) { x(); }</script>",
        '<div class="notranslate">Nicht &uuml;bersetzen</div><p>Der Satz.</p>',
        "<p>Der Hund &amp; die Katze.</p><!-- Kommentar -->",
    ],
)
def test_what_is_not_translated_comes_back_byte_for_byte(markup: str, copy: Translator) -> None:
    """Fault 4: entities gained a ";", tags were rewritten (`</P >` → `</p>`, `<! foo >` → a comment)."""
    assert copy.translate_html(markup).text == markup


def test_entities_in_translated_text_stay_what_they_showed(copy: Translator) -> None:
    result = copy.translate_html("<p>AT&T kostet 5&euro.</p>")
    assert result.units[0].text == "AT&T kostet 5&euro."
    assert result.text == "<p>AT&amp;T kostet 5&amp;euro.</p>"


def test_html_through_the_service_path_keeps_its_markup(copy: Translator) -> None:
    markup = '<ul><li>Ein <em>Punkt</em></li>\n<li>Der <a href="/x">zweite</a> Punkt.</li></ul>'
    result = copy.translate_html(markup)
    assert result.text == markup
    assert result.input_format == "html-markup"


# --- Markdown ---------------------------------------------------------------------------------------

LEAKY = "Der **Bundestag** tagt in [Berlin](https://example.org).\n"


@pytest.mark.parametrize(
    "args",
    [
        ("--bilingual",),
        ("--bilingual", "--format", "markdown"),
        ("--format", "jsonl"),
        ("--format", "json"),
        ("--bilingual", "--format", "json"),
    ],
)
def test_markdown_marks_never_leak_as_paragraphs(args: tuple[str, ...]) -> None:
    """The leak: "Bundestag" and "Berlin" were printed as paragraphs of their own."""
    code, out, err = invoke(
        "translate", "-m", str(COPY_MODEL), "--no-cache", "-i", "markdown", *args, "-", input=LEAKY
    )
    assert code == 0, err
    if "json" in args[-1] or "jsonl" in args:
        data = json.loads(out)
        paragraphs = data.get("source_paragraphs") or [p["source"] for p in data["paragraphs"]]
        assert paragraphs == ["Der Bundestag tagt in Berlin."]
        assert "auxiliary_paragraphs" not in data
    else:
        assert not re.search(r"^\W*(Bundestag|Berlin)\W*$", out, re.M), out


def test_markdown_with_a_real_model_keeps_emphasis_and_link_targets(small: Translator) -> None:
    """Fault 5: `**Hassan Ruhani**` and `[UN-Vollversammlung](https://www.un.org/de/ga/)` vanished."""
    result = small.translate((REPO / "samples" / "iran-notizen.de.md").read_bytes(), "iran-notizen.de.md")
    assert result.document is not None
    assert "](https://www.un.org/de/ga/)" in result.document
    paragraph = next(line for line in result.document.splitlines() if "un.org" in line)
    assert re.search(r"\*\*\S[^*]*\S\*\*", paragraph), paragraph
    for i in result.flagged_units:
        assert set(result.unit_results[i].flags) <= {
            MARKUP,
            "length_ratio",
            "sentence_count",
            "numbers",
            "degenerate",
            "split",
        }


def test_a_brief_of_markdown_is_made_of_whole_sentences(copy: Translator) -> None:
    source = (
        "# Titel\n\nDer **Bundestag** tagt heute in Berlin. Er berät.\n\nDie *Abgeordneten* streiten lange.\n"
    )
    brief = copy.brief(source.encode(), "x.md")
    assert all(len(s.split()) > 1 for s in brief.summary.sentences), brief.summary.sentences


# --- headlines ---------------------------------------------------------------------------------------


def test_bilingual_markdown_keeps_the_german_headline() -> None:
    """Fault 6: `--bilingual --format markdown` dropped the German headline."""
    code, out, _ = invoke(
        "translate", "-m", str(COPY_MODEL), "--no-cache", "--bilingual", "-f", "markdown", str(SAMPLE)
    )
    assert code == 0
    assert "| Technische Probleme prägen Musks Interview mit Trump | Technische" in out


def test_a_hidden_headline_separator_does_not_glue_its_parts(copy: Translator) -> None:
    """Fault 6: an `aria-hidden` dash between two parts of an h1 glued them ("ZoonosenWie")."""
    page = shared_path("data", "html", "tagesanzeiger.ch.umweltzerstoerung.html")
    document = copy.read(page)
    assert not any("ZoonosenWie" in p for p in document.paragraphs)
    assert (
        document.paragraphs[0]
        == "Coronavirus und andere Zoonosen – Wie Umweltzerstörung neue Epidemien begünstigt"
    )


# --- writers ----------------------------------------------------------------------------------------


def test_a_writer_returns_bytes_and_marks_where_asked(copy: Translator) -> None:
    document = copy.read(b"Der **Hund** bellt.\n", "x.md")
    result = copy.translate(document)
    assert result.written(marks=False) == b"Der **Hund** bellt.\n"
    placed = [PlacedSegment("The dog barks.", spans=[PlacedSpan(4, 7, Tags("**", "**"))], marks=[14])]
    from translit.readers import write_document

    assert write_document(document, placed, marks=True) == b"The **dog** barks. \\[?\\]\n"
    assert write_document(document, placed, marks=False) == b"The **dog** barks.\n"


def test_plain_text_and_pages_are_not_written_back(copy: Translator) -> None:
    result = copy.translate(b"Der Hund bellt.\n", "x.txt")
    assert result.written() is None and result.document is None
    assert isinstance(Document.of_paragraphs(["a"]).segments[0], Segment)
