"""Faults found by a second adversarial probe: each a test that failed before its fix."""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path

import pytest

import translit
from translit import Translator
from translit import batch as batch_mod
from translit.errors import EXIT_INPUT, EXIT_MODEL, EXIT_NETWORK, EXIT_OUTPUT, InputError, NetworkError
from translit.readers import read_document

from .conftest import COPY_MODEL, SAMPLE, invoke, run_translit, shared_path
from .hfserver import FakeHub


def use_hub(monkeypatch, hub: FakeHub) -> None:
    """Point huggingface_hub, already imported in this process, at the stand-in hub."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", hub.endpoint)
    monkeypatch.setattr(
        huggingface_hub.constants,
        "HUGGINGFACE_CO_URL_TEMPLATE",
        hub.endpoint + "/{repo_id}/resolve/{revision}/{filename}",
    )


def copy_translator() -> Translator:
    return Translator(COPY_MODEL, cache=False)


# --- text lost, exit 0 --------------------------------------------------------------------------


def test_an_input_folder_inside_the_output_folder_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "W" / "in" / "sub").mkdir(parents=True)
    shutil.copy(SAMPLE, tmp_path / "W" / "in" / "top.txt")
    shutil.copy(SAMPLE, tmp_path / "W" / "in" / "sub" / "deep.txt")
    code, _, err = invoke(
        "batch", str(tmp_path / "W" / "in"), "-o", str(tmp_path / "W"), "--model", str(COPY_MODEL)
    )
    assert code == 0, err
    assert (tmp_path / "W" / "top.en.txt").is_file() and (tmp_path / "W" / "sub" / "deep.en.txt").is_file()


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


# --- wrong output, silently ------------------------------------------------------------------------


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


def test_a_file_the_lock_refused_is_never_used(tmp_path: Path, monkeypatch) -> None:
    from translit.download import pull
    from translit.registry import ModelSpec, locate

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    files = (
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "source.spm",
        "target.spm",
        "vocab.json",
    )
    spec = ModelSpec("copy", "translation", repo="test/copy", files=files)
    with FakeHub("test/copy", COPY_MODEL) as hub:
        use_hub(monkeypatch, hub)
        assert pull(spec, progress=False)
        # Another machine with the same lock file, and the hub now serves another vocab.json.
        shutil.rmtree(tmp_path / "hf")
        hub.tamper["vocab.json"] = b'{"x": 1}'
        with pytest.raises(translit.ModelError, match="sha256 mismatch"):
            pull(spec, progress=False)
    assert locate(spec) is None, "the refused snapshot is gone: nothing uses the changed file"


def test_missing_tensors_are_refused(tmp_path: Path) -> None:
    from safetensors.numpy import load_file, save_file

    broken = tmp_path / "broken"
    shutil.copytree(COPY_MODEL, broken)
    weights = {
        k: v for k, v in load_file(broken / "model.safetensors").items() if "encoder.layers.1." not in k
    }
    save_file(weights, broken / "model.safetensors", metadata={"format": "pt"})
    for engine in ("transformers", "auto"):
        proc = run_translit("translate", "--engine", engine, "--model", str(broken), "-t", "Ein Satz.")
        assert proc.returncode == EXIT_MODEL, proc.stderr
        assert b"tensor(s) missing" in proc.stderr and b"Traceback" not in proc.stderr


def test_a_hub_that_serves_error_pages_is_refused(tmp_path: Path, monkeypatch) -> None:
    from translit.download import pull
    from translit.lockfile import read_lock
    from translit.registry import ModelSpec, locate

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    spec = ModelSpec("copy", "translation", repo="test/copy", files=("config.json", "vocab.json"))
    with FakeHub("test/copy", COPY_MODEL) as hub:
        use_hub(monkeypatch, hub)
        for name in hub.files:
            hub.tamper[name] = b"<!DOCTYPE html><html><body>Rate limited</body></html>"
        with pytest.raises(NetworkError, match="web page"):
            pull(spec, progress=False)
    assert "copy" not in read_lock() and locate(spec) is None


def test_a_commit_id_that_leaves_the_cache_is_refused(tmp_path: Path, monkeypatch) -> None:
    from translit.download import pull
    from translit.registry import ModelSpec, cached_snapshot

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    spec = ModelSpec("copy", "translation", repo="test/copy", files=("config.json",))
    with FakeHub("test/copy", COPY_MODEL, commit="../../../../etc") as hub:
        use_hub(monkeypatch, hub)
        with pytest.raises(NetworkError, match="as the commit"):
            pull(spec, progress=False)
    refs = tmp_path / "hf" / "hub" / "models--test--copy" / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    (refs / "main").write_text("../../../../etc")
    assert cached_snapshot("test/copy", "main") is None


def test_flag_below_nan_is_refused(tmp_path: Path, monkeypatch) -> None:
    code, _, err = invoke("translate", "--model", str(COPY_MODEL), "--flag-below", "nan", "-t", "Ein Satz.")
    assert code == EXIT_INPUT and "--flag-below" in err and "finite" in err
    config = tmp_path / "config.toml"
    config.write_text("flag_below = nan\n", encoding="utf-8")
    monkeypatch.setenv("TRANSLIT_CONFIG", str(config))
    code, _, err = invoke("translate", "--model", str(COPY_MODEL), "-t", "Ein Satz.")
    assert code == EXIT_INPUT and "finite" in err


def test_cp1252_german_decodes_as_cp1252() -> None:
    from translit.textio import decode_bytes

    wrong = []
    for path in sorted(shared_path("data", "de_news").rglob("*.txt"))[::5]:
        text = path.read_text(encoding="utf-8")
        try:
            data = text.encode("cp1252")
        except UnicodeEncodeError:
            continue
        if data != text.encode("utf-8") and decode_bytes(data, path.name).text != text:
            wrong.append(path.name)
    assert wrong == []


def test_reading_a_path_reads_the_file() -> None:
    page = translit.read(shared_path("data", "html", "focus.de.leasen.html"))
    assert page.input_format == "html" and len(page.paragraphs) > 3


# --- crashes that stop a batch ----------------------------------------------------------------------

MIXED = [
    "Ein [Link mit `Code`](https://x.org) hier.",
    "Ein *Text mit `code` drin* hier.",
    "Ein **fetter <b>x</b> Text** hier.",
    "Das [![Logo](logo.png)](https://x.org) Bild.",
]


@pytest.mark.parametrize("source", MIXED)
def test_markup_inside_emphasis_or_links_is_kept(source: str) -> None:
    assert copy_translator().translate(read_document(source, "markdown", "m.md")).text == source


def test_one_bad_file_never_stops_a_batch(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE, tmp_path / "in" / "good.txt")
    (tmp_path / "in" / "bad.md").write_text("Ein Satz.\n", encoding="utf-8")
    from translit.readers import get_reader

    reader = get_reader("markdown")

    def broken(data, source):
        raise AttributeError("'Protected' object has no attribute 'plain'")

    monkeypatch.setattr(reader, "read", broken)
    report = batch_mod.run_batch(
        tmp_path / "in", tmp_path / "out", copy_translator(), batch_mod.BatchSettings()
    )
    assert report.count("done") == 1 and report.count("failed") == 1
    assert "internal error" in report.failures[0].error


def test_long_input_names_fail_alone(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE, tmp_path / "in" / "ok.txt")
    long_name = "a" * 250 + ".txt"  # its outputs' names are longer than 255 bytes
    shutil.copy(SAMPLE, tmp_path / "in" / long_name)
    shutil.copy(SAMPLE, tmp_path / "in" / ("b" * 225 + ".txt"))  # fits; its temporary names must too
    report = batch_mod.run_batch(
        tmp_path / "in", tmp_path / "out", copy_translator(), batch_mod.BatchSettings()
    )
    assert report.count("done") == 2 and report.count("failed") == 1
    assert (tmp_path / "out" / ("b" * 225 + ".en.txt")).is_file()


def test_a_full_disk_during_a_batch_is_exit_6(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE, tmp_path / "in" / "a.txt")
    from translit.batch import core

    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(core, "write_atomic", full)
    code, _, err = invoke(
        "batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--model", str(COPY_MODEL)
    )
    assert code == EXIT_OUTPUT and "No space left on device" in err


def test_the_config_file_has_the_command_line_s_ranges(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    for line in ("threads = 100000", "beams = 100000", "[brief]\nsentences = 0"):
        config.write_text(line + "\n", encoding="utf-8")
        monkeypatch.setenv("TRANSLIT_CONFIG", str(config))
        code, _, err = invoke("translate", "--model", str(COPY_MODEL), "-t", "Ein Satz.")
        assert code == EXIT_INPUT and "out of range" in err, line


@pytest.mark.parametrize("hostile", ["redirect_loop", "huge", "names", "drip"])
def test_a_hostile_hub_ends_a_pull_in_one_line(hostile: str, tmp_path: Path, monkeypatch) -> None:
    from translit.download import pull
    from translit.registry import ModelSpec, locate

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    spec = ModelSpec("copy", "translation", repo="test/copy", files=("config.json", "vocab.json", "../evil"))
    with FakeHub("test/copy", COPY_MODEL) as hub:
        use_hub(monkeypatch, hub)
        if hostile == "redirect_loop":
            hub.redirect_loop = True
        elif hostile == "huge":
            hub.sizes["vocab.json"] = 10 << 30
        elif hostile == "names":
            hub.extra_names.append("../evil")
        else:
            hub.drip = 0.5
        started = time.monotonic()
        with pytest.raises(NetworkError) as raised:
            pull(spec, progress=False, patience=1.0)
        assert time.monotonic() - started < 60
    expected = {"redirect_loop": "redirect", "huge": "bytes", "names": "file name", "drip": "too slow"}[
        hostile
    ]
    assert expected in str(raised.value).lower(), str(raised.value)
    assert "\n" not in str(raised.value) and raised.value.exit_code == EXIT_NETWORK
    assert locate(spec) is None


def test_a_huge_page_is_extracted_within_a_time_limit(monkeypatch) -> None:
    from translit.readers import html

    def slow(text):
        time.sleep(30)
        return ["never"], {}

    monkeypatch.setattr(html, "LARGE_PAGE_CHARS", 10)
    monkeypatch.setattr(html, "EXTRACTION_SECONDS", 1.0)
    monkeypatch.setattr(html, "extract", slow)
    started = time.monotonic()
    with pytest.raises(InputError, match="longer than 1 s"):
        html.HtmlReader().read("<html><body><p>Ein Satz.</p></body></html>", "big.html")
    assert time.monotonic() - started < 10


# --- poor messages -----------------------------------------------------------------------------------------


def test_messages_escape_control_characters(tmp_path: Path) -> None:
    name = tmp_path / "a\ntranslit: note: forged.txt"
    proc = run_translit("translate", "--model", str(COPY_MODEL), str(name))
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "\\n" in lines[0]


def test_plain_text_saved_as_html_gets_a_hint(tmp_path: Path) -> None:
    page = tmp_path / "text.html"
    page.write_text("Nur ein Satz ohne Markup.\n", encoding="utf-8")
    code, _, err = invoke("translate", "--model", str(COPY_MODEL), str(page))
    assert code == EXIT_INPUT and "--input-format text" in err


def test_a_broken_conversion_is_made_again(tmp_path: Path, monkeypatch) -> None:
    from translit.engines import ct2, get_engine
    from translit.engines.ct2 import _LOADED

    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path))
    converted = ct2.convert(COPY_MODEL)
    (converted / "model.bin").write_bytes((converted / "model.bin").read_bytes()[:1000])
    _LOADED.clear()
    engine = get_engine(str(COPY_MODEL))
    assert engine.name == "ctranslate2"
    assert (converted / "model.bin").stat().st_size > 1000


def test_a_tokenizer_problem_names_the_tokenizer(tmp_path: Path) -> None:
    broken = tmp_path / "m"
    shutil.copytree(COPY_MODEL, broken)
    os.remove(broken / "source.spm")
    (broken / "source.spm").write_bytes(b"not a sentencepiece model")
    proc = run_translit("translate", "--engine", "transformers", "--model", str(broken), "-t", "Ein Satz.")
    assert proc.returncode == EXIT_MODEL
    assert b"tokenizer" in proc.stderr and b"model.safetensors" not in proc.stderr
