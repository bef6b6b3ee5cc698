"""The library's front door (Translator), the one settings object, and documents read once."""

from __future__ import annotations

import pickle
import shutil
from dataclasses import fields
from pathlib import Path

import pytest

import translit
from translit import Settings, Translator
from translit import batch as batch_mod
from translit.config import parse_config
from translit.errors import InputError
from translit.options import OPTION_NAMES, option_info
from translit.readers import Document, get_reader

from .conftest import REPO, SAMPLE, invoke, shared_path

SHZ = REPO / "samples" / "shz-83671.de.txt"
MARKDOWN = REPO / "samples" / "iran-notizen.de.md"


def test_translator_translates_and_briefs(copy_model_dir: Path) -> None:
    translator = Translator(copy_model_dir, cache=False)
    text = SAMPLE.read_text(encoding="utf-8")
    result = translator.translate(text)
    assert result.paragraphs == result.source_paragraphs  # the copy model copies
    brief = translator.brief(text)
    assert brief.summary.sentences and brief.translation.paragraphs == result.paragraphs
    assert translator.engine is translator.engine  # loaded once


def test_a_str_is_text_and_a_path_is_read(copy_model_dir: Path) -> None:
    translator = Translator(copy_model_dir, cache=False)
    from_path = translator.read(SHZ)
    from_bytes = translator.read(SHZ.read_bytes(), SHZ.name)
    from_text = translator.read(SHZ.read_text(encoding="utf-8"))
    assert from_path.paragraphs == from_bytes.paragraphs == from_text.paragraphs
    assert from_path.name == str(SHZ)
    named = translator.read(str(SHZ))  # a file name given as text stays text
    assert named.paragraphs == [str(SHZ)]
    page = translator.read(shared_path("data", "html", "focus.de.leasen.html"))
    assert page.input_format == "html" and page.metadata.get("title")


def test_brief_sentences_carry_their_german_sources(copy_model_dir: Path) -> None:
    brief = Translator(copy_model_dir, cache=False, sentences=2).brief(SAMPLE)
    assert len(brief.sources) == len(brief.summary.sentences) == 2
    units = brief.translation.units
    for sentence, found in zip(brief.summary.sentences, brief.sources, strict=True):
        assert found, sentence
        # The copy model repeats its input: the source of each sentence is that sentence.
        assert " ".join(sentence.split()) in " ".join(" ".join(units[i].text for i in found).split())
    data = brief.to_dict()
    assert [s["units"] for s in data["brief_sources"]] == brief.sources


def test_settings_check_every_value_once() -> None:
    with pytest.raises(ValueError, match="out of range: 1-64"):
        Settings(beams=0)
    with pytest.raises(ValueError, match="finite"):
        Settings(flag_below=float("nan"))
    with pytest.raises(ValueError, match="one of sentence, paragraph"):
        Settings(unit="word")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="out of range"):
        Translator(threads=100_000)
    assert Settings(unit="paragraph").unit is translit.options.Unit.paragraph  # type: ignore[arg-type]


def test_the_config_file_is_checked_by_the_same_ranges(tmp_path: Path) -> None:
    for line, message in [
        ("threads = 100000", "'threads' 100000 is out of range"),
        ("beams = 100000", "'beams' 100000 is out of range: 1-64"),
        ("[brief]\nsentences = 0", "'sentences' 0 is out of range: 1-1000"),
        ("flag_below = nan", "'flag_below' must be a finite number"),
        ("unit = 'satz'", "'unit' must be one of sentence, paragraph"),
    ]:
        with pytest.raises(InputError, match=message):
            parse_config(line, "config.toml")
    config = parse_config("beams = 2\n[brief]\nsentences = 3\nwords = 60\n", "config.toml")
    settings = config.settings(beams=None, unit="paragraph")
    assert (settings.beams, settings.unit, settings.brief_sentences, settings.words) == (
        2,
        "paragraph",
        3,
        60,
    )


def test_one_key_serves_the_cache_and_the_resume_marker() -> None:
    base = Settings()
    # Unit options change both keys; document options only the resume marker's; speed neither.
    assert Settings(beams=2).key("unit") != base.key("unit")
    assert Settings(sentences=5).key("unit") == base.key("unit")
    assert Settings(sentences=5).key("document") != base.key("document")
    assert Settings(threads=1, batch_size=7).key("document") == base.key("document")
    # An option added later is left out at its default, so that adding it made no cache entry
    # or resume marker stale; another value is part of both keys.
    assert "compute" not in base.key("document")
    assert Settings(compute="float32").key("unit") != base.key("unit")
    for item in fields(Settings):
        assert option_info(item.name).help, item.name  # every option explains itself
    assert set(OPTION_NAMES) == {f.name for f in fields(Settings)}


def test_every_option_reaches_the_commands_that_take_it() -> None:
    """translate, brief and batch agree on the translation options; brief and batch on the brief's."""
    from translit.cli.options import SETTING_FLAGS, flag_name

    helps = {command: invoke(command, "--help")[1] for command in ("translate", "brief", "batch")}
    for name in SETTING_FLAGS:
        group = option_info(name).group
        takers = {"brief": ("brief", "batch")}.get(group, ("translate", "brief", "batch"))
        for command in takers:
            assert flag_name(name) in helps[command], (name, command)


def test_a_document_is_plain_data_and_travels(copy_model_dir: Path) -> None:
    translator = Translator(copy_model_dir, cache=False)
    document = translator.read(MARKDOWN)
    assert document.skeleton is not None
    travelled = pickle.loads(pickle.dumps(document))
    assert not any(callable(getattr(travelled, f.name)) for f in fields(Document))
    assert translator.translate(travelled).text == translator.translate(document).text


def test_a_batch_reads_each_input_exactly_once(
    copy_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SHZ, tmp_path / "in" / "a.de.txt")
    shutil.copy(MARKDOWN, tmp_path / "in" / "b.de.md")
    shutil.copy(shared_path("data", "html", "focus.de.leasen.html"), tmp_path / "in" / "c.html")
    reads: list[str] = []
    for name in ("text", "markdown", "html"):
        reader = get_reader(name)
        original = reader.read

        def counting(data, source, original=original):
            reads.append(source)
            return original(data, source)

        monkeypatch.setattr(reader, "read", counting)
    settings = batch_mod.BatchSettings(outputs=("translation", "brief", "json"))
    report = batch_mod.run_batch(
        tmp_path / "in", tmp_path / "out", Translator(copy_model_dir, cache=False), settings
    )
    assert report.count("done") == 3
    assert sorted(reads) == ["a.de.txt", "b.de.md", "c.html"]
