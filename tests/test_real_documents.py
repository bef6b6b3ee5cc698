"""Real documents nobody here wrote come back as they went in (issue 39).

Files from ``../shared/data/realdocs`` (public test suites: pandoc, Open XML SDK, …), each chosen
because it showed one kind of damage, go through the copy model and are checked by the corpus
benchmark's own checks (``bench/realdocs.py``: words against the input and the model's own plain
output, counts of tabs, breaks, fields, links, notes, images). Beside them, the rule that makes it
hold — an atom takes the place of the translation's whitespace with the source's whitespace round
it — on segments built here.
"""

from __future__ import annotations

import sys

import pytest

from translit import Translator
from translit.readers.base import Atom, PlacedSegment, PlacedSpan, collapse, place_atoms, settle

from .conftest import COPY_MODEL, REPO, shared_path

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
