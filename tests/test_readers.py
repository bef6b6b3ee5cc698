"""Readers: web pages through trafilatura, Markdown through markdown-it-py, plain text.

The HTML test holds translit to trafilatura's own extraction figures on the 30 saved pages
of ../shared/data/html; the Markdown tests assemble documents from the shared German
articles and check, with the copy model, that the translated document parses to the same
blocks as the source and that code, URLs, HTML and front matter come back byte for byte.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

import translit
from translit import Translator
from translit.cli import app
from translit.errors import EXIT_INPUT, InputError
from translit.readers import detect_format, read_document
from translit.readers.markdown import MarkdownReader, Protected, Span, parse_pieces

from .conftest import COPY_MODEL, Dictionary, EngineDouble, invoke, shared_path

HTML = shared_path("data", "html")


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.html", "x", "html"),
        ("a.HTM", "x", "html"),
        ("a.md", "x", "markdown"),
        ("a.markdown", "x", "markdown"),
        ("a.txt", "<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("<stdin>", "  <html lang='de'><p>x</p></html>", "html"),
        ("<stdin>", "Ein Text über <b>fett</b>.", "text"),
        ("a.txt", "# Titel\n\nText.", "text"),
    ],
)
def test_input_format_detection(name: str, text: str, expected: str) -> None:
    assert detect_format(text, name) == expected


def test_shared_pages_extract_at_least_as_well_as_trafilatura() -> None:
    """gold.jsonl: trafilatura alone keeps 80/86 'with' snippets and drops 87/91 'without' ones."""
    kept = dropped = with_total = without_total = 0
    for line in (HTML / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        document = read_document((HTML / gold["file"]).read_text(encoding="utf-8"), "auto", gold["file"])
        text = _squash(" ".join(document.paragraphs))
        kept += sum(_squash(s) in text for s in gold["with"])
        dropped += sum(_squash(s) not in text for s in gold["without"])
        with_total += len(gold["with"])
        without_total += len(gold["without"])
    assert (with_total, without_total) == (86, 91)
    assert kept >= 80, f"{kept}/86 'with' snippets kept"
    assert dropped >= 87, f"{dropped}/91 'without' snippets left out"


def test_page_translation_has_title_metadata_and_no_menus(copy_model_dir: Path) -> None:
    page = HTML / "zeit.de.zugverkehr.html"
    result = CliRunner().invoke(
        app, ["translate", "--no-cache", "-f", "json", "-m", str(copy_model_dir), str(page)]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["input_format"] == "html"
    assert data["source_paragraphs"][0] == "Zugverkehr: Im ICE von Frankfurt nach Barcelona"
    assert data["metadata"]["author"] == "Caspar Schwietering"
    assert data["metadata"]["date"] == "2020-01-14"
    assert data["metadata"]["sitename"] == "ZEIT ONLINE"
    text = " ".join(data["source_paragraphs"])
    assert "36 Stunden" in text
    for menu in ("Zum Inhalt springen", "Abonnieren", "Datenschutz"):
        assert menu not in text


def test_page_without_article_text_is_an_input_error(tmp_path: Path, copy_model_dir: Path) -> None:
    page = tmp_path / "leer.html"
    page.write_text("<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>")
    result = CliRunner().invoke(app, ["translate", "-m", str(copy_model_dir), str(page)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"translit: error: {page}: no article text found in the web page"


FRONT = "---\ntitle: Test\ntags: [a, b]\n---\n"


def assemble_markdown(seed: int) -> str:
    """A Markdown document made of shared WMT20 paragraphs, with every kind of block."""
    rng = random.Random(seed)
    files = sorted(shared_path("data", "de_news", "wmt20").glob("*.txt"))
    paragraphs = translit.segment.parse_article(rng.choice(files).read_text(encoding="utf-8")).paragraphs
    p = [q for q in paragraphs if len(q.split()) > 12] or paragraphs
    pick = lambda: rng.choice(p)  # noqa: E731
    words = max(p, key=len).split()
    emphasised = " ".join([*words[:3], f"**{words[3]}**", *words[4:8], f"*{words[8]}*", *words[9:]])
    linked = " ".join([*words[:2], f"[{' '.join(words[2:4])}](https://example.org/a-{seed}?x=1)", *words[4:]])
    return "\n".join(
        [
            FRONT.rstrip("\n"),
            "",
            f"# {p[0][:60].rstrip('.')}",
            "",
            emphasised,
            "",
            f"> {pick()}",
            f"> {pick()[:80]}",
            "",
            f"- {pick()[:100]}",
            f"- {linked}",
            "  weiter im selben Punkt.",
            "",
            f"1. {pick()[:90]}",
            "2. Mit `code_span()` darin und <b>HTML</b> auch.",
            "",
            "| Spalte | Wert |",
            "|---|---|",
            f"| {pick()[:40].replace('|', '')} | 42 |",
            "",
            "```python",
            "def f(x):  # Kommentar bleibt",
            "    return x * 2",
            "```",
            "",
            '<div class="kasten">Rohes HTML bleibt</div>',
            "",
            f"![{pick()[:30]}](bilder/foto-{seed}.jpg)",
            "",
            "---",
            "",
            "Zwischentitel",
            "=============",
            "",
            pick(),
            "",
        ]
    )


def block_structure(text: str) -> list[tuple[str, int, str, int]]:
    md = MarkdownIt("commonmark").enable("table")
    body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    return [(t.type, t.nesting, t.tag, t.level) for t in md.parse(body)]


def protected_parts(text: str) -> list[str]:
    parts = re.findall(r"```.*?```", text, flags=re.S)
    parts += re.findall(r"`[^`\n]+`", text)
    parts += re.findall(r"\]\(([^)\s]+)\)", text)
    parts += re.findall(r"<div.*?</div>", text, flags=re.S)
    parts += re.findall(r"<b>HTML</b>", text)
    return parts


@pytest.mark.parametrize("seed", range(6))
def test_markdown_keeps_its_structure_with_the_copy_model(seed: int, copy_engine) -> None:
    source = assemble_markdown(seed)
    result = translit.translate(source, engine=copy_engine, input_format="markdown")
    output = result.text
    assert output.startswith(FRONT), "front matter comes back byte for byte"
    assert block_structure(output) == block_structure(source)
    assert protected_parts(output) == protected_parts(source)
    assert "**" in output and "](https://example.org/" in output, "inline markup survives the copy model"
    assert not result.flagged_units, [result.unit_results[i] for i in result.flagged_units]
    # Only prose reached the model: no code, no front matter, no raw HTML block.
    sources = " ".join(u.text for u in result.units)
    assert "return x * 2" not in sources and "title: Test" not in sources and "Rohes HTML" not in sources


def test_markup_a_model_cannot_place_goes_round_its_sentence_and_is_flagged() -> None:
    class Rephrases(EngineDouble):
        """An engine double without word alignment: no span can be placed on words."""

        table = {"Siehe den Bericht für mehr.": "See the report for more.", "den Bericht": "that report"}

        def translate_batch(self, texts, options):
            from translit.engines import EngineOutput

            return [EngineOutput(self.table.get(t, t), 5, False, -0.2) for t in texts]

    source = "# Titel\n\nSiehe [den Bericht](https://example.org/b) für mehr.\n\n- Punkt `x` hier\n"
    result = translit.translate(source, engine=Rephrases(), input_format="markdown")
    assert block_structure(result.text) == block_structure(source)
    assert "[See the report for more.](https://example.org/b)" in result.text, (
        "a link's address is never lost"
    )
    assert "- Punkt `x` hier" in result.text, "code spans come back byte for byte"
    flagged = {result.units[i].paragraph for i in result.flagged_units}
    assert flagged == {1}
    assert "markup" in result.unit_results[result.flagged_units[0]].flags


def test_markup_is_projected_onto_the_translation() -> None:
    engine = Dictionary(
        {
            "Er sagte sehr klar, dass die Regierung geht.": "He said very clearly that the government is going."
        },
        {
            "Er": "He",
            "sagte": "said",
            "sehr": "very",
            "klar": "clearly",
            "die": "the",
            "Regierung": "government",
            "geht": "going",
        },
    )
    source = "Er sagte **sehr klar**, dass [die Regierung](https://x.de/r) geht.\n"
    result = translit.translate(source, engine=engine, input_format="markdown")
    assert result.text == "He said **very clearly** that [the government](https://x.de/r) is going.\n"
    assert not result.flagged_units
    assert result.paragraphs == ["He said very clearly that the government is going."], (
        "only the sentence reached the model"
    )


def test_inline_pieces_keep_protected_markdown_verbatim() -> None:
    md = MarkdownIt("commonmark")
    pieces = parse_pieces(md, 'Ein **fettes** Wort mit `code  x` und [Link](https://x.de "T") <b>ja</b>.')
    protected = [p.raw for p in pieces if isinstance(p, Protected)]
    assert protected == ["`code  x`", "<b>", "</b>"]
    links = [p for p in pieces if isinstance(p, Span) and p.opening == "["]
    assert links[0].closing == '](https://x.de "T")' and links[0].plain() == "Link"


def test_translated_text_that_looks_like_a_block_marker_is_escaped() -> None:
    class Numbers(EngineDouble):
        def translate_batch(self, texts, options):
            from translit.engines import EngineOutput

            return [EngineOutput("1. Liga | gewinnt", 3, False, -0.1) for _ in texts]

    source = "Ein Absatz.\n\n| a | b |\n|---|---|\n| c | d |\n"
    result = translit.translate(source, engine=Numbers(), input_format="markdown")
    assert block_structure(result.text) == block_structure(source)
    assert result.text.startswith("1\\. Liga | gewinnt")


def test_markdown_reader_reads_only_prose() -> None:
    document = MarkdownReader().read("# T\n\n```\ncode\n```\n\nText *hier*.\n", "x.md")
    assert document.paragraphs == ["T", "Text hier."]
    assert [(s.start, s.end, s.payload.opening) for s in document.segments[1].spans] == [(5, 9, "*")]


def test_batch_picks_up_web_pages_and_markdown(tmp_path: Path, copy_model_dir: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "seite.html").write_bytes((HTML / "zeit.de.zugverkehr.html").read_bytes())
    (src / "notiz.md").write_text(assemble_markdown(1), encoding="utf-8")
    (src / "text.txt").write_text("Ein Satz.\n\nNoch einer.\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "batch",
            str(src),
            "-o",
            str(tmp_path / "out"),
            "--outputs",
            "translation,json",
            "-m",
            str(copy_model_dir),
        ],
    )
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "notiz.en.md",
        "notiz.json",
        "seite.en.txt",
        "seite.json",
        "text.en.txt",
        "text.json",
    ]
    assert json.loads((out / "seite.json").read_text())["input_format"] == "html"
    assert json.loads((out / "notiz.json").read_text())["input_format"] == "markdown"
    assert block_structure((out / "notiz.en.md").read_text()) == block_structure(
        (src / "notiz.md").read_text()
    )


def copy_translator() -> Translator:
    return Translator(COPY_MODEL, cache=False)


MIXED = [
    "Ein [Link mit `Code`](https://x.org) hier.",
    "Ein *Text mit `code` drin* hier.",
    "Ein **fetter <b>x</b> Text** hier.",
    "Das [![Logo](logo.png)](https://x.org) Bild.",
]


# --- web pages and Markdown: what an adversarial probe found ---------------------------------------


def test_loose_text_between_html_blocks_is_kept() -> None:
    page = "<html><body><article><p>Absatz A ist ein Satz mit Wörtern.</p>Loser Absatz B steht hier ohne Block dazwischen.<br><br>C folgt.<p>D ist der letzte Absatz.</p></article></body></html>"
    document = read_document(page, "html", "page.html")
    assert any("Loser Absatz B" in p for p in document.paragraphs)


def test_deeply_nested_html_loses_nothing() -> None:
    page = (
        "<html><body><p>Absatz A ist ein Satz mit genug Wörtern für den Leser.</p>"
        + "<div>" * 300
        + "<p>C ist tief verschachtelt und ein Satz mit Wörtern.</p>"
        + "</div>" * 300
        + "<p>D ist der Schluss des Artikels mit Wörtern.</p><p>E noch ein Satz am Ende.</p></body></html>"
    )
    paragraphs = read_document(page, "html", "deep.html").paragraphs
    assert [p[0] for p in paragraphs] == ["A", "C", "D", "E"]


def test_a_real_last_paragraph_and_a_headline_with_a_bar_are_not_boilerplate(capsys) -> None:
    text = (
        "Streit um den Haushalt | Ampel ringt um Einigung\n\nDie Regierung tagt seit Stunden.\n\n"
        "Themen: Die Regierung hat beschlossen, die Steuern im kommenden Jahr zu senken."
    )
    document = copy_translator().read(text, "a.txt")
    assert document.paragraphs[0].startswith("Streit um den Haushalt")
    assert document.paragraphs[-1].startswith("Themen: Die Regierung")
    tagged = copy_translator().read("Ein Satz.\n\nSchlagwörter: Ampel, Haushalt", "b.txt")
    assert tagged.removed == ["Schlagwörter: Ampel, Haushalt"]
    _, _, err = invoke("translate", "--model", str(COPY_MODEL), "-t", "Ein Satz.\n\nTags: Ampel, Haushalt")
    assert "left out as boilerplate: Tags: Ampel, Haushalt" in err


def test_markdown_that_starts_with_a_rule_is_not_front_matter() -> None:
    result = copy_translator().translate(
        read_document("---\n\nEin Absatz hier.\n\n---\n\nNoch einer.\n", "markdown")
    )
    assert result.paragraphs == ["Ein Absatz hier.", "Noch einer."]


def test_markdown_references_footnotes_links_and_table_pipes_round_trip() -> None:
    source = (
        "Siehe [eins][r1] und [Kanzleramt][] sowie ![Reichstag][bild] dazu.[^1]\n\n"
        "Mehr unter https://example.org/a_b_c im Netz.\n\n"
        "| Spalte | Wert |\n|---|---|\n| a \\| b | Ein Text |\n\n"
        "[r1]: https://example.org/1\n[Kanzleramt]: https://example.org/k\n[bild]: bild.png\n[^1]: Eine Fußnote.\n"
    )
    result = copy_translator().translate(read_document(source, "markdown", "a.md"))
    assert result.text == source, "the copy model copies: the document comes back byte for byte"
    assert "a | b" in result.source_paragraphs or any("a | b" in p for p in result.source_paragraphs)


@pytest.mark.parametrize("source", MIXED)
def test_markup_inside_emphasis_or_links_is_kept(source: str) -> None:
    assert copy_translator().translate(read_document(source, "markdown", "m.md")).text == source


def test_a_huge_page_is_extracted_within_a_time_limit(monkeypatch) -> None:
    from translit.readers import html

    def slow(text):
        threading.Event().wait()  # never done: the child it runs in is stopped at the limit
        return ["never"], {}

    monkeypatch.setattr(html, "LARGE_PAGE_CHARS", 10)
    monkeypatch.setattr(html, "EXTRACTION_SECONDS", 1.0)
    monkeypatch.setattr(html, "extract", slow)
    started = time.monotonic()
    with pytest.raises(InputError, match="longer than 1 s"):
        html.HtmlReader().read("<html><body><p>Ein Satz.</p></body></html>", "big.html")
    assert time.monotonic() - started < 10


def test_plain_text_saved_as_html_gets_a_hint(tmp_path: Path) -> None:
    page = tmp_path / "text.html"
    page.write_text("Nur ein Satz ohne Markup.\n", encoding="utf-8")
    code, _, err = invoke("translate", "--model", str(COPY_MODEL), str(page))
    assert code == EXIT_INPUT and "--input-format text" in err


def test_the_boilerplate_note_shortens_a_long_line_at_a_word_with_an_ellipsis() -> None:
    tags = "Tags: " + ", ".join(f"Schlagwort{i}" for i in range(20))
    _, _, err = invoke("translate", "--model", str(COPY_MODEL), "-t", "Ein Satz.\n\n" + tags)
    shown = err.split("left out as boilerplate: ", 1)[1].strip()
    assert shown.endswith(" …") and len(shown) <= 80
    assert tags.startswith(shown[:-2]) and tags[len(shown) - 2] == " "  # cut between words
