"""Real documents nobody here wrote come back as they went in (issue 39).

Files from ``../shared/data/realdocs`` (public test suites: pandoc, Open XML SDK, …), each chosen
because it showed one kind of damage, go through the copy model and are checked by the corpus
benchmark's own checks (``bench/realdocs.py``: words against the input and the model's own plain
output, counts of tabs, breaks, fields, links, notes, images). Beside them, the rule that makes it
hold — an atom takes the place of the translation's whitespace with the source's whitespace round
it — on segments built here.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from translit import Translator
from translit.readers.base import Atom, PlacedSegment, PlacedSpan, collapse, place_atoms, settle

from .conftest import COPY_MODEL, REPO, invoke, shared_path

sys.path.insert(0, str(REPO / "bench"))
realdocs = pytest.importorskip("realdocs")

REAL = shared_path("data", "realdocs")


@pytest.fixture(scope="module")
def copy() -> Translator:
    return Translator(COPY_MODEL, cache=False)


# Each file showed the damage named beside it before the change that its name tests.
SHOWN = {
    "docx/jgm__pandoc__test_docx_table_captions_with_field.docx": "a caption's number field glued: 'Table1'",
    "docx/jgm__pandoc__test_docx_pageref.docx": "a page reference glued, a tab lost",
    "docx/jgm__pandoc__test_docx_zotero_citations.docx": "a citation field glued: 'citation(Smith'",
    "docx/jgm__pandoc__test_docx_tabs.docx": "tabs dropped",
    "docx/OfficeDev__Open-XML-SDK__test_DocumentFormat.OpenXml.Tests.Assets_assets_TestFiles_complex0.docx": (
        "48 tabs down to 1"
    ),
    "docx/OfficeDev__Open-XML-SDK__test_DocumentFormat.OpenXml.Tests.Assets_assets_TestFiles_Complex01.docx": (
        "a table of contents' page fields inside links lost (6 fields to 3)"
    ),
    "docx/jgm__pandoc__test_docx_nested_anchors_in_header.docx": "fields in links lost",
    "docx/jgm__pandoc__test_docx_nested_smart_tags.docx": "smart-tagged words moved and glued",
    "docx/jgm__pandoc__test_docx_inline_formatting.docx": "a line break glued two words",
    "pptx/jgm__pandoc__test_pptx_document-properties_output.pptx": "a line break moved into a word",
    "odt/jgm__pandoc__test_odt_odt_tab.odt": "tabs dropped",
    "odt/jgm__pandoc__test_odt_odt_preformattedText.odt": "runs of spaces (text:s) dropped",
    "odt/jgm__pandoc__test_odt_odt_listBlocks.odt": "line breaks between sentences glued them",
    "odt/jgm__pandoc__test_odt_odt_referenceToText.odt": "a reference field glued to the next word",
}


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_a_real_document_comes_back_with_its_words_and_structure(name: str, copy: Translator) -> None:
    kind = name.split("/")[0]
    outcome = realdocs.run_file(kind, REAL / name, copy, timeout=120)
    assert outcome.kind == "ok", (SHOWN[name], outcome.detail)
    assert outcome.damaged == [], (SHOWN[name], outcome.damaged[:3])
    assert outcome.structure_changed == {}, (SHOWN[name], outcome.structure_changed)


def atoms_of(raw: str, marks: dict[int, str], widths: dict[int, int] | None = None) -> tuple[str, list[Atom]]:
    """A raw text with atoms at the given offsets (``widths``: atoms that stand for whitespace)."""
    text, where = collapse(raw)
    widths = widths or {}
    return text, place_atoms(raw, where, [(at, name, widths.get(at, 0)) for at, name in marks.items()])


def written(text: str, atoms: list[Atom]) -> str:
    """The settled text with each atom shown as its payload in brackets."""
    placed = settle(PlacedSegment(text, atoms=atoms))
    out, cursor = [], 0
    for atom in placed.atoms:
        out.append(placed.text[cursor : atom.offset] + f"[{atom.payload}]")
        cursor = atom.offset
    return "".join(out) + placed.text[cursor:]


def test_a_field_between_words_keeps_the_spaces_round_it() -> None:
    raw = "Seite  von "  # "Seite <PAGE> von <NUMPAGES>"
    text, atoms = atoms_of(raw, {6: "PAGE", 11: "NUMPAGES"})
    assert text == "Seite von"
    assert written(text, atoms) == "Seite [PAGE] von [NUMPAGES]"


def test_a_field_before_punctuation_sticks_to_the_word_before() -> None:
    raw = "Heute ist ."
    text, atoms = atoms_of(raw, {10: "DATE"})
    assert [a.glue for a in atoms] == ["left"]
    assert written(text, atoms) == "Heute ist [DATE]."


def test_a_tab_takes_the_place_of_the_space_the_model_saw() -> None:
    raw = "Name: Anna"  # "Name:<tab/>Anna": the tab read as one space
    text, atoms = atoms_of(raw, {5: "TAB"}, {5: 1})
    assert text == "Name: Anna"
    assert written(text, atoms) == "Name:[TAB]Anna"
    raw = "a  \u0020b"  # "a <tab/> b": the spaces round a tab are the source's
    text, atoms = atoms_of(raw, {2: "TAB"}, {2: 1})
    assert written(text, atoms) == "a [TAB] b"


def test_spans_and_marks_move_with_the_settled_text() -> None:
    placed = PlacedSegment(
        "bold next",
        spans=[PlacedSpan(0, 4, "b")],
        atoms=[Atom(4, "TAB", "left", blank=True)],
        marks=[9],
    )
    settled = settle(placed)
    assert settled.text == "boldnext"
    assert (settled.spans[0].start, settled.spans[0].end) == (0, 4)
    assert settled.atoms[0].offset == 4
    assert settled.marks == [8]


def test_an_atom_inside_a_word_stays_there() -> None:
    raw = "Bundestag"  # a bookmark inside the word: no whitespace to replace
    text, atoms = atoms_of(raw, {6: "BM"})
    assert written(text, atoms) == "Bundes[BM]tag"


# --- subtitles ---------------------------------------------------------------------------------


def test_a_webvtt_file_without_cue_text_comes_back_whole(tmp_path: Path) -> None:
    source = tmp_path / "regions.vtt"
    source.write_text("WEBVTT\n\nREGION\nid:fred\nwidth:40%\n\nNOTE nur eine Notiz\n", encoding="utf-8")
    out = tmp_path / "regions.en.vtt"
    code, _, err = invoke("translate", "--model", str(COPY_MODEL), str(source), "-o", str(out))
    assert code == 0, err
    assert out.read_bytes() == source.read_bytes()  # was a 0-byte file with exit 0


def test_cue_tags_come_back_balanced_and_ass_overrides_stay_at_the_start(copy: Translator) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}Oben steht der Text.\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\n<i>kursiv</i> und dann gerade.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\n<i>Ganz kursiv.</i>\n"
    )
    out = copy.translate(srt.encode(), "tags.srt").written(marks=False)
    assert out is not None
    cues = out.decode().split("\n\n")
    assert cues[0].splitlines()[2].startswith("{\\an8}") and "an8" not in cues[0].splitlines()[2][6:]
    assert "<i>" not in cues[1] and "</i>" not in cues[1]  # an inner pair is left out, never half
    assert cues[2].splitlines()[2].startswith("<i>") and cues[2].rstrip().endswith("</i>")


def test_an_invalid_timing_is_refused_with_its_line(copy: Translator) -> None:
    from translit.errors import InputError

    for timing, line in (("00:00:0X,000 --> 00:00:04,000", 6), ("99:99:99,999 --> 100:00:00,000", 6)):
        srt = f"1\n00:00:01,000 --> 00:00:02,000\nEins.\n\n2\n{timing}\nZwei.\n"
        with pytest.raises(InputError, match=rf"line {line} is not a valid timing"):
            copy.read(srt.encode(), "bad.srt")


def test_timings_and_line_ends_come_back_byte_for_byte(copy: Translator) -> None:
    # A lone CR ends every line (a real file: it was refused); 00:00:00.000 in SRT was rewritten.
    name = REAL / "subtitles" / "asticode__go-astisub__testdata_example-in-carriage-return.srt"
    data = name.read_bytes()
    out = copy.translate(data, name.name).written(marks=False)
    assert out is not None and b"\n" not in out
    timings = [line for line in data.decode("utf-8-sig").split("\r") if "-->" in line]
    assert [line for line in out.decode().split("\r") if "-->" in line] == timings


def test_utf32_subtitles_are_read(copy: Translator) -> None:
    srt = "1\n00:00:01,000 --> 00:00:02,000\nDer Hund bellt.\n"
    document = copy.read(srt.encode("utf-32"), "u32.srt")
    assert document.paragraphs == ["Der Hund bellt."]


# --- batch -------------------------------------------------------------------------------------


def test_every_output_a_batch_reports_done_has_the_translation(tmp_path: Path) -> None:
    """One real file per format, all named doc0: each output holds its translation, and the names
    stay readable."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    chosen = {
        "docx": "docx/jgm__pandoc__test_docx_tabs.docx",
        "pptx": "pptx/jgm__pandoc__test_pptx_document-properties_output.pptx",
        "odt": "odt/jgm__pandoc__test_odt_odt_tab.odt",
        "pdf": "pdf/pymupdf__PyMuPDF__tests_resources_001003ED.pdf",
        "srt": "subtitles/asticode__go-astisub__testdata_example-in.srt",
        "vtt": "subtitles/asticode__go-astisub__testdata_example-in.vtt",
    }
    for ext, name in chosen.items():
        (src / f"doc0.{ext}").write_bytes((REAL / name).read_bytes())
    (src / "doc0.txt").write_text("Der Hund bellt.\n", encoding="utf-8")
    code, _, err = invoke("batch", str(src), "-o", str(out), "--model", str(COPY_MODEL), "-f", "json")
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir() if p.name.startswith("doc0.en"))
    assert names == [
        "doc0.en.docx", "doc0.en.odt", "doc0.en.pdf.txt", "doc0.en.pptx", "doc0.en.srt", "doc0.en.txt", "doc0.en.vtt",
    ]  # fmt: skip
    for path in out.glob("doc0.en*"):
        assert path.stat().st_size > 0, path.name  # a PDF's was a 0-byte file reported done
    copy = Translator(COPY_MODEL, cache=False)
    assert copy.read(out / "doc0.en.docx").paragraphs, "the Word file has its text"
    assert len((out / "doc0.en.pdf.txt").read_text(encoding="utf-8").split()) > 20


# --- PDF ---------------------------------------------------------------------------------------


def test_a_pdf_whose_pages_all_carry_the_same_line_is_translated_whole(copy: Translator) -> None:
    from .test_documents import make_pdf

    same = [[(72, 810, 9, "Vertraulich: nur für den Dienstgebrauch")] for _ in range(4)]
    result = copy.translate(make_pdf(same), "same.pdf")
    assert result.paragraphs and "Dienstgebrauch" in result.text  # was an empty output, exit 0


def test_a_one_page_pdf_keeps_every_line(copy: Translator) -> None:
    from .test_documents import make_pdf

    lines = [(72, 810, 9, "Bericht 2024"), (72, 700, 11, "Der Umsatz stieg deutlich."), (290, 30, 9, "12")]
    document = copy.read(make_pdf([lines]), "one.pdf")
    assert document.removed == []
    assert "Bericht 2024" in document.paragraphs and "12" in document.paragraphs


def test_pdf_refusals_say_what_is_wrong(copy: Translator) -> None:
    from translit.errors import InputError

    with pytest.raises(InputError, match="encrypted"):
        copy.read(REAL / "bad" / "jsvine__pdfplumber__tests_pdfs_password-example.pdf")
    with pytest.raises(InputError, match="damaged PDF"):
        copy.read(REAL / "pdf" / "jsvine__pdfplumber__tests_pdfs_issue-297-example.pdf")
    # A header after a preamble (Ghostscript's banner): readers take it in the first KiB.
    assert copy.read(REAL / "pdf" / "jsvine__pdfplumber__tests_pdfs_issue-848.pdf").paragraphs


# --- what translit does not read, said by name ---------------------------------------------------


def office_variant(source: Path, content_type: str, target: Path) -> Path:
    """``source`` (a Word file) with its main part's content type replaced by ``content_type``."""
    import zipfile

    document = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as out:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(document, content_type.encode())
            out.writestr(info, data)
    return target


@pytest.mark.parametrize(
    ("content_type", "said"),
    [
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
            "a Word template",
        ),
        ("application/vnd.ms-word.document.macroEnabled.main+xml", "macro-enabled"),
    ],
)
def test_a_template_or_macro_document_named_docx_is_named_for_what_it_is(
    content_type: str, said: str, copy: Translator, tmp_path: Path
) -> None:
    from translit.errors import InputError

    source = REAL / "docx" / "jgm__pandoc__test_docx_tabs.docx"
    variant = office_variant(source, content_type, tmp_path / "renamed.docx")
    with pytest.raises(InputError) as caught:
        copy.read(variant)
    assert said in str(caught.value) and "object at 0x" not in str(caught.value)  # was a Python repr


@pytest.mark.parametrize(
    ("name", "said"), [("a.docm", "macro-enabled"), ("a.pptm", "macro-enabled"), ("a.dotx", "template")]
)
def test_formats_translit_does_not_read_are_refused_by_name(name: str, said: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes((REAL / "docx" / "jgm__pandoc__test_docx_tabs.docx").read_bytes())
    code, _, err = invoke("translate", "--model", str(COPY_MODEL), str(path))
    assert code != 0 and said in err and "zip archive" not in err
    assert len(err.strip().splitlines()) == 1


def test_rtf_is_refused_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"  # an RTF under a text file's name
    path.write_text(
        "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Sehr geehrte Damen und Herren}", encoding="ascii"
    )
    code, _, err = invoke("translate", "--model", str(COPY_MODEL), str(path))
    assert code != 0 and "RTF" in err and "translit reads" in err


def test_an_unclosed_comment_at_the_end_of_html_stays_hidden(copy: Translator) -> None:
    markup = "<p>Der Hund bellt.</p><!-- interne Notiz: nicht veröffentlichen"
    result = copy.translate_html(markup)
    assert result.document is not None and result.document.endswith(
        "<!-- interne Notiz: nicht veröffentlichen"
    )
    assert not any("Notiz" in unit.text for unit in result.units)


# --- limits that measure the right thing --------------------------------------------------------


def word_file_with_paragraph(tmp_path: Path, paragraph: str) -> Path:
    """A real Word file with one more paragraph at the start of its body."""
    import zipfile

    source = REAL / "docx" / "jgm__pandoc__test_docx_tabs.docx"
    target = tmp_path / "big.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(
                    b"<w:body>", f"<w:body><w:p><w:r><w:t>{paragraph}</w:t></w:r></w:p>".encode(), 1
                )
            out.writestr(info, data)
    return target


def test_referenced_images_are_never_loaded_whole(copy: Translator, tmp_path: Path) -> None:
    """160 one-MiB images of zeros (a 200 KB file): Python's allocations while it is translated
    stay far below what they unpack to (python-docx loaded every part: 160 MiB and more), and the
    images come back as they were."""
    import tracemalloc
    import zipfile

    images = {f"word/media/zero{k}.png": b"\0" * (1 << 20) for k in range(160)}
    path = realdocs.zero_images_docx(tmp_path / "big.docx", count=160)  # the benchmark's own file
    data = path.read_bytes()
    copy.translate("Warm.")
    tracemalloc.start()
    try:
        out = copy.translate(data, "big.docx").written()
        peak = tracemalloc.get_traced_memory()[1] >> 20
    finally:
        tracemalloc.stop()
    assert peak < 64, f"{peak} MiB allocated for 160 MiB of images"
    assert out is not None
    with zipfile.ZipFile(io.BytesIO(out)) as written:
        assert all(written.read(name) == image for name, image in list(images.items())[:3])
        assert len([n for n in written.namelist() if n.startswith("word/media/zero")]) == 160


def test_a_long_legitimate_part_is_not_taken_for_a_zip_bomb(copy: Translator, tmp_path: Path) -> None:
    """A 5 MB paragraph compresses hundreds of times; only its size counts (it was refused)."""
    path = word_file_with_paragraph(tmp_path, "Der Hund bellt. " * 330_000)
    document = copy.read(path)
    assert any(len(p) > 5_000_000 for p in document.paragraphs)


# --- formatting on the same words --------------------------------------------------------------


def test_a_name_the_model_kept_keeps_its_formatting_though_attention_points_elsewhere() -> None:
    from translit.placement import place
    from translit.readers import Segment, Span, Tags
    from translit.readers.base import weave
    from translit.segment import Unit

    segment = Segment("Gestern sprach Merkel in Berlin.", spans=[Span(15, 21, Tags("<b>", "</b>"))])
    unit = Unit(0, segment.text, 6)
    # Attention one word late: "Merkel" pointing at "in" (as a copy model's often does).
    alignment = [(0, 7, 0, 9), (8, 14, 10, 15), (15, 21, 23, 25), (22, 24, 16, 22), (25, 32, 26, 33)]
    placed = place(segment, [unit], ["Yesterday spoke Merkel in Berlin."], [alignment])
    assert weave(placed.segment, str) == "Yesterday spoke <b>Merkel</b> in Berlin."


def test_letters_formatted_one_by_one_keep_their_letters_where_the_sentence_is_unchanged(
    copy: Translator,
) -> None:
    """A title in 'every font size', a run per letter (a real deck): the copy model gives the line
    back unchanged, so each letter keeps its run (they were spread over whole words)."""
    name = "pptx/OfficeDev__Open-XML-SDK__test_DocumentFormat.OpenXml.Tests.Assets_assets_TestDataStorage_v2FxTestFiles_ForTestCase_typical.pptx"
    outcome = realdocs.run_file("pptx", REAL / name, copy, timeout=120)
    assert outcome.formatted and outcome.formatted_kept == outcome.formatted, outcome.format_moves


def test_formatting_over_spaces_alone_is_not_spread_over_sentences(copy: Translator) -> None:
    name = "docx/OfficeDev__Open-XML-SDK__test_DocumentFormat.OpenXml.Tests.Assets_assets_TestFiles_complex0.docx"
    outcome = realdocs.run_file("docx", REAL / name, copy, timeout=120)
    assert outcome.formatted and outcome.formatted_kept == outcome.formatted, outcome.format_moves


def test_each_cue_gets_the_english_of_its_own_words() -> None:
    """One sentence over three cues whose English is sized unlike the German: shared out by
    length, "am" slid into the first cue and "a" stood alone; placed by the alignment (an engine
    double's lexicon), each cue ends after the English of its last German word."""
    import translit

    from .conftest import Dictionary

    german = ["Ich", "bin", "ein Berliner."]
    engine = Dictionary(
        {" ".join(german): "I am a citizen of Berlin."}, {"Ich": "I", "bin": "am", "Berliner": "Berlin"}
    )
    srt = "".join(f"{k + 1}\n00:00:0{k},000 --> 00:00:0{k},900\n{text}\n\n" for k, text in enumerate(german))
    result = translit.translate(srt, engine=engine, input_format="srt")
    assert result.document is not None
    blocks = [block.splitlines() for block in result.document.strip().split("\n\n")]
    assert [" ".join(lines[2:]) for lines in blocks] == ["I", "am", "a citizen of Berlin."]


# --- line breaks inside a paragraph ---------------------------------------------------------------


def test_a_line_break_between_list_lines_is_a_unit_boundary_and_inside_a_sentence_is_not(
    copy: Translator,
) -> None:
    import docx

    document = docx.Document()
    lines = ["Einkaufsliste:", "Äpfel aus dem Garten", "Birnen vom Markt", "frische Milch"]
    p = document.add_paragraph()
    for k, line in enumerate(lines):
        run = p.add_run(line)
        if k < len(lines) - 1:
            run.add_break()
    q = document.add_paragraph()
    q.add_run("Die Zukunft der").add_break()
    q.add_run("Energiewende ist heute offen, sagte sie im Bundestag.")
    out = io.BytesIO()
    document.save(out)
    result = copy.translate(out.getvalue(), "lines.docx")
    texts = [unit.text for unit in result.units]
    assert texts[:4] == lines, "each line of the list is a unit of its own"
    assert texts[4] == "Die Zukunft der Energiewende ist heute offen, sagte sie im Bundestag."
    written = result.written(marks=False)
    assert written is not None
    back = docx.Document(io.BytesIO(written))
    assert back.paragraphs[0].text == "\n".join(lines)  # each break back in its place, once
    assert back.paragraphs[1].text.count("\n") == 1


def test_a_long_document_keeps_its_finished_units_on_an_interrupt(tmp_path: Path) -> None:
    """As a text's: the units finished before Ctrl-C are in the cache, and a rerun does not
    translate them again (the interrupt raised from the engine's progress hook, as a real
    Ctrl-C lands in that wait)."""
    import docx

    from translit import errors
    from translit.cache import TranslationCache
    from translit.engines.batching import reporting_progress

    from .conftest import SMALL

    lines = (shared_path("data", "parallel", "multi30k") / "val.de").read_text(encoding="utf-8").splitlines()
    document = docx.Document()
    for line in lines[:240]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)

    def stop_a_third_in(done: int, total: int) -> None:
        if total > 100 and done >= total // 3:
            raise KeyboardInterrupt

    cache = TranslationCache(tmp_path / "units.sqlite3")
    with reporting_progress(stop_a_third_in), pytest.raises(errors.Interrupted) as stop:
        Translator(SMALL, cache=cache).translate(out.getvalue(), "long.docx")
    assert 0 < stop.value.kept < 240
    cache.stats.hits = cache.stats.misses = 0
    Translator(SMALL, cache=cache).translate(out.getvalue(), "long.docx")
    assert cache.stats.hits >= stop.value.kept


def test_text_inside_a_pdf_s_figures_is_read(copy: Translator) -> None:
    """A chart's labels and a form's text are laid out inside Form XObjects (figures): they were
    left out, and a form of nothing else was called a scan."""
    chart = copy.read(REAL / "pdf" / "pymupdf__PyMuPDF__tests_resources_battery-file-22.pdf")
    assert any(p.startswith("(Global, GWh)") for p in chart.paragraphs)  # the chart's axis label
    form = copy.read(REAL / "pdf" / "pymupdf__PyMuPDF__tests_resources_test_2957_1.pdf")
    assert "Treasury" in " ".join(form.paragraphs)


def test_a_strict_office_file_is_refused_by_name(copy: Translator) -> None:
    from translit.errors import InputError

    with pytest.raises(InputError, match="ISO/IEC 29500 Strict") as caught:
        copy.read(REAL / "docx" / "mwilliamson__mammoth.js__test_test-data_strict-format.docx")
    assert "KeyError" not in str(caught.value)  # was python-docx's KeyError about a relationship


def test_a_pdf_table_is_read_row_by_row_where_it_stands(copy: Translator) -> None:
    """pdfminer orders a table's cells column by column, and a cell starting in lower case was
    joined to the one above it ("Wert zwölf Millionen Euro")."""
    from .test_documents import make_pdf

    lines = [
        (72, 760, 11, "Der erste Absatz steht oben auf der Seite und ist lang genug."),
        (72, 700, 11, "Name"),
        (300, 700, 11, "Wert"),
        (72, 680, 11, "Umsatz im Jahr"),
        (300, 680, 11, "zwölf Millionen Euro"),
        (72, 630, 11, "Der zweite Absatz steht unter der Tabelle und endet hier."),
    ]
    assert copy.read(make_pdf([lines]), "table.pdf").paragraphs == [
        "Der erste Absatz steht oben auf der Seite und ist lang genug.",
        "Name",
        "Wert",
        "Umsatz im Jahr",
        "zwölf Millionen Euro",
        "Der zweite Absatz steht unter der Tabelle und endet hier.",
    ]


def test_an_odt_link_with_a_field_inside_stays_one_link(copy: Translator, tmp_path: Path) -> None:
    """A field inside a link went out of it and split the link in two."""
    import zipfile

    source = REAL / "odt" / "jgm__pandoc__test_odt_odt_tab.odt"
    target = tmp_path / "link.odt"
    paragraph = (
        '<text:p text:style-name="Standard">Mehr dazu steht <text:a xlink:type="simple" xlink:href="https://example.org/"'
        ">auf Seite <text:page-number>3</text:page-number> des Berichts</text:a> im Anhang.</text:p>"
    )
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as out:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "content.xml":
                text = data.decode()
                start = text.index('<text:p text:style-name="Standard">')
                end = text.index("</text:p>", start) + len("</text:p>")
                data = (text[:start] + paragraph + text[end:]).encode()
            out.writestr(info, data)
    written = copy.translate(target).written(marks=False)
    assert written is not None
    with zipfile.ZipFile(io.BytesIO(written)) as out:
        content = out.read("content.xml").decode()
    assert content.count("<text:a ") == 1, content[content.index("Mehr") - 40 :][:400]
    assert "<text:page-number>3</text:page-number>" in content.split("<text:a ")[1].split("</text:a>")[0]


def test_runs_inside_bidi_wrappers_are_read_and_the_wrapper_comes_back(copy: Translator) -> None:
    """Runs inside w:dir (a right-to-left embedding) were kept whole as an atom: never translated."""
    import docx
    from lxml import etree

    document = docx.Document()
    p = document.add_paragraph("Der Bericht nennt ")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    wrapper = etree.SubElement(p._p, f"{{{w}}}dir")
    wrapper.set(f"{{{w}}}val", "rtl")
    run = etree.SubElement(wrapper, f"{{{w}}}r")
    etree.SubElement(run, f"{{{w}}}t").text = "zwei Zahlen"
    p.add_run(" am Ende.")
    out = io.BytesIO()
    document.save(out)
    result = copy.translate(out.getvalue(), "bidi.docx")
    assert result.source is not None and result.source.paragraphs == [
        "Der Bericht nennt zwei Zahlen am Ende."
    ]
    written = result.written(marks=False)
    assert written is not None
    body = docx.Document(io.BytesIO(written)).paragraphs[0]._p
    assert len(body.findall(f"{{{w}}}dir")) == 1


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_a_real_document_comes_back_whole_when_the_memory_translates_every_sentence(
    name: str, tmp_path: Path
) -> None:
    """The translation memory's English goes through the same placement as the model's: with every
    unit of a real document remembered (as the copy model would say it), no unit is decoded and
    the document comes back with its words, tabs, breaks, fields, links and notes, as with the model."""
    from translit.memory import Entry, TranslationMemory

    kind = name.split("/")[0]
    plain = Translator(COPY_MODEL, cache=False, memory=False)
    prepared = plain.prepare([plain.read(REAL / name)])
    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    memory.add(Entry(u.text, u.text) for units in prepared.units for u in units if not u.copy)
    remembered = plain.with_memory(memory)
    translation = remembered.translate(REAL / name)
    assert {r.by for r in translation.unit_results} <= {"memory", "copy"}, name
    outcome = realdocs.run_file(kind, REAL / name, remembered, timeout=120)
    assert outcome.kind == "ok", (SHOWN[name], outcome.detail)
    assert outcome.damaged == [], (SHOWN[name], outcome.damaged[:3])
    assert outcome.structure_changed == {}, (SHOWN[name], outcome.structure_changed)
