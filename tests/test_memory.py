"""The translation memory: corrections that stick — stored, matched, used everywhere translit
translates (``by: memory``), near matches shown, TMX and TSV in and out, bad files refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import translit
from translit.memory import Entry, TranslationMemory, default_memory_path, memory_key
from translit.memory.exchange import read_entries

from .conftest import CAPTIONS, SMALL, invoke, run_translit

CORRECTED = "A cyclist rides along a road (edited)."


def memory_with(*pairs: tuple[str, str], path: Path | None = None) -> TranslationMemory:
    memory = TranslationMemory(path or default_memory_path())
    memory.add(Entry(source, target, "cli", "tester") for source, target in pairs)
    return memory


def test_the_memory_matches_german_as_normalised_not_as_typed(tmp_path: Path) -> None:
    """Quotes, dashes, spaces and invisible characters do not matter; words and case do."""
    memory = memory_with(
        ("Er sagte „Nein“ – und ging.", "He said “No” – and left."), path=tmp_path / "m.sqlite3"
    )
    typed = 'Er  sagte "Nein" - und\u00adging.'.replace("\u00ad", " ")
    assert memory_key(typed) == memory_key("Er sagte „Nein“ – und ging.")
    assert next(iter(memory.lookup([typed]).values())).target == "He said “No” – and left."
    assert memory.lookup(["er sagte „Nein“ – und ging."]) == {}


def test_every_change_raises_the_version_and_review_entries_are_not_used(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "m.sqlite3")
    assert memory.version == 0
    (held,) = memory.add([Entry(CAPTIONS[0], CORRECTED, "suggest", review=True)])
    assert memory.version == 1 and memory.lookup([CAPTIONS[0]]) == {} and len(memory) == 0
    assert memory.accept([held.id]) == 1 and memory.version == 2
    assert memory.lookup([CAPTIONS[0]])[memory_key(CAPTIONS[0])].target == CORRECTED
    (newer,) = memory.add([Entry(CAPTIONS[0], "A cyclist on a road.", "cli")])
    assert len(memory) == 1 and memory.lookup([CAPTIONS[0]])[memory_key(CAPTIONS[0])].id == newer.id
    assert memory.remove([newer.id]) == 1 and memory.lookup([CAPTIONS[0]]) == {} and memory.version == 4


def test_a_correction_is_used_for_its_sentence_unmarked_and_by_memory() -> None:
    """The small real translator translates the other sentences; the remembered one is the
    person's English, not marked [?], ``by: memory`` with where it came from."""
    text = f"{CAPTIONS[0]} {CAPTIONS[1]}"
    before = translit.Translator(SMALL, cache=False).translate(text)
    assert before.unit_results[0].text != CORRECTED and before.unit_results[0].by == "model"
    memory_with((CAPTIONS[0], CORRECTED)).close()
    after = translit.Translator(SMALL, cache=False).translate(text)
    assert after.paragraphs == [f"{CORRECTED} {before.unit_results[1].text}"]
    units = after.to_dict()["units"]
    assert units[0]["by"] == "memory" and units[0]["memory"]["origin"] == "cli"
    assert units[0]["memory"]["who"] == "tester" and units[0]["score"] is None and not units[0]["check"]
    assert units[1]["by"] == "model" and "memory" not in units[1]
    off = translit.Translator(SMALL, cache=False, memory="off").translate(text)
    assert off.unit_results[0].text == before.unit_results[0].text


def test_a_near_match_is_shown_and_not_used() -> None:
    german = "Ein Mann fährt mit einem Fahrrad über eine große Straße."
    memory_with((CAPTIONS[0], CORRECTED)).close()
    result = translit.Translator(SMALL, cache=False).translate(german)
    unit = result.to_dict()["units"][0]
    assert unit["by"] == "model" and unit["translation"] != CORRECTED
    assert unit["near"]["source"] == CAPTIONS[0] and unit["near"]["target"] == CORRECTED
    assert 85 <= unit["near"]["similarity"] < 100
    far = translit.Translator(SMALL, cache=False).translate(CAPTIONS[3]).to_dict()["units"][0]
    assert "near" not in far


def test_a_tmx_exported_and_imported_into_an_empty_memory_gives_the_same_entries(tmp_path: Path) -> None:
    memory_with((CAPTIONS[0], CORRECTED), (CAPTIONS[1], "Two children play in the sand.")).close()
    code, _out, err = invoke("memory", "export", str(tmp_path / "out.tmx"))
    assert code == 0, err
    other = tmp_path / "other.sqlite3"
    code, out, err = invoke("memory", "import", str(tmp_path / "out.tmx"), "--memory", str(other))
    assert code == 0 and "2 entries imported" in out, err

    def fields(memory: TranslationMemory) -> list[tuple[str, str, str, str, float]]:
        return [(e.source, e.target, e.origin, e.who, e.created) for e in memory.entries()]

    assert fields(TranslationMemory(other)) == fields(TranslationMemory(default_memory_path()))
    code, out, _ = invoke("memory", "export", "-", "--to", "tmx")  # stdout, as every result
    assert code == 0 and out.rstrip().endswith("</tmx>") and CORRECTED in out
    tsv = tmp_path / "out.tsv"
    assert invoke("memory", "export", str(tsv))[0] == 0
    assert [(e.source, e.target) for e in read_entries(tsv)] == [
        (e[0], e[1]) for e in fields(TranslationMemory(other))
    ]


def test_a_foreign_tmx_with_regional_languages_is_read(tmp_path: Path) -> None:
    """Other tools write ``de-DE``/``EN-GB``, other languages and a DTD line: the German and
    English of each unit are read, the rest is left."""
    tmx = tmp_path / "trados.tmx"
    tmx.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
        '<tmx version="1.4"><header creationtool="x" srclang="de-DE" datatype="plaintext" segtype="sentence" '
        'adminlang="en" o-tmf="x"/><body>'
        '<tu creationid="ANNA"><tuv xml:lang="de-DE"><seg>Die Polizei bittet um Hinweise.</seg></tuv>'
        '<tuv xml:lang="EN-GB"><seg>Police are appealing for information.</seg></tuv>'
        '<tuv xml:lang="fr-FR"><seg>La police lance un appel.</seg></tuv></tu>'
        '<tu><tuv xml:lang="fr"><seg>Bonjour.</seg></tuv><tuv xml:lang="en"><seg>Hello.</seg></tuv></tu>'
        "</body></tmx>",
        encoding="utf-8",
    )
    (entry,) = read_entries(tmx)
    assert (entry.source, entry.target, entry.origin, entry.who) == (
        "Die Polizei bittet um Hinweise.",
        "Police are appealing for information.",
        "tmx",
        "ANNA",
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "entities.tmx",
            '<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa">]><tmx version="1.4"><header/>'
            '<body><tu><tuv xml:lang="de"><seg>&a;</seg></tuv><tuv xml:lang="en"><seg>b</seg></tuv></tu>'
            "</body></tmx>",
            "declares XML entities",
        ),
        ("broken.tmx", "<tmx><body><tu>", "not a TMX file"),
        (
            "empty-side.tsv",
            "Ein Satz.\tA sentence.\nZwei Sätze.\t\n",
            "empty-side.tsv:2: the English side is empty",
        ),
        (
            "sentences.tsv",
            "Ein Satz.\tA sentence.\nDas ist gut. Das ist schlecht.\tThat is good.\n",
            "sentences.tsv:2: the German is 2 sentences and the English 1",
        ),
        ("no-tab.tsv", "Ein Satz. A sentence.\n", "no-tab.tsv:1: no tab"),
        ("memory.csv", "a,b\n", "a translation memory file is .tmx or .tsv"),
    ],
)
def test_a_bad_memory_file_is_one_line_and_nothing_is_lost(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    memory_with((CAPTIONS[0], CORRECTED)).close()
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    code, _out, err = invoke("memory", "import", str(bad))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    kept = TranslationMemory(default_memory_path())
    assert [(e.source, e.target) for e in kept.entries()] == [(CAPTIONS[0], CORRECTED)]


def test_a_huge_tmx_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A 1 GB TMX (a sparse file: nothing is written) gets one line naming the limit."""
    huge = tmp_path / "huge.tmx"
    with huge.open("wb") as handle:
        handle.truncate(1 << 30)
    code, _out, err = invoke("memory", "import", str(huge))
    assert code == 2 and "huge.tmx" in err and "limit" in err and len(err.strip().splitlines()) == 1, err


def test_a_multi_sentence_entry_is_split_into_sentences(tmp_path: Path) -> None:
    code, out, err = invoke("memory", "add", "Das ist gut. Das ist schlecht.", "That is good. That is bad.")
    assert code == 0 and "added 2 entries" in out, err
    memory = TranslationMemory(default_memory_path())
    assert [(e.source, e.target) for e in memory.entries()] == [
        ("Das ist gut.", "That is good."),
        ("Das ist schlecht.", "That is bad."),
    ]


def test_memory_commands_list_remove_and_review(tmp_path: Path) -> None:
    memory = memory_with((CAPTIONS[0], CORRECTED))
    (held,) = memory.add([Entry(CAPTIONS[1], "Two kids play.", "suggest", "anonymous", review=True)])
    memory.close()
    code, out, _ = invoke("memory", "list", "--format", "json")
    assert code == 0 and [e["source"] for e in json.loads(out)] == [CAPTIONS[0]]
    code, out, _ = invoke("memory", "review")
    assert code == 0 and out.startswith(f"{held.id}\t{CAPTIONS[1]}\tTwo kids play.\tsuggest")
    code, _out, err = invoke("memory", "review", "--accept", "1")
    assert code == 2 and "no suggestion held for review numbered 1" in err
    assert invoke("memory", "review", "--accept", str(held.id))[0] == 0
    code, out, _ = invoke("memory", "list", "--search", "kinder")
    assert code == 0 and "Two kids play." in out
    assert invoke("memory", "remove", "1")[0] == 0
    code, out, _ = invoke("memory", "list")
    assert CAPTIONS[0] not in out and CAPTIONS[1] in out


def test_translate_and_batch_use_the_memory_in_a_real_process(tmp_path: Path) -> None:
    """Through the real command: ``translate -f json`` and ``batch`` (whose workers open the
    memory themselves) give the remembered sentence ``by: memory``."""
    path = tmp_path / "newsroom.sqlite3"
    memory_with((CAPTIONS[0], CORRECTED), path=path).close()
    done = run_translit(
        "translate",
        "--model",
        str(SMALL),
        "--memory",
        str(path),
        "-f",
        "json",
        "-t",
        f"{CAPTIONS[0]} {CAPTIONS[3]}",
    )
    assert done.returncode == 0, done.stderr
    units = json.loads(done.stdout)["units"]
    assert [u["by"] for u in units] == ["memory", "model"] and units[0]["translation"] == CORRECTED
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "a.txt").write_text(f"{CAPTIONS[3]}\n\n{CAPTIONS[0]}\n", encoding="utf-8")
    out = tmp_path / "out"
    done = run_translit(
        "batch",
        str(articles),
        "--out",
        str(out),
        "--outputs",
        "json",
        "--model",
        str(SMALL),
        "--memory",
        str(path),
    )
    assert done.returncode == 0, done.stderr
    units = json.loads((out / "a.json").read_text(encoding="utf-8"))["units"]
    assert [u["by"] for u in units] == ["model", "memory"] and units[1]["translation"] == CORRECTED


def test_a_word_document_gets_the_memory_s_english_with_its_formatting_placed(tmp_path: Path) -> None:
    """The remembered sentence's bold word is placed on the person's English by the same
    alignment as the model's output: one bold run, on the word it belongs to."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    paragraph = document.add_paragraph("Ein Mann fährt mit einem ")
    paragraph.add_run("Fahrrad").bold = True
    paragraph.add_run(" über eine Straße.")
    document.add_paragraph(CAPTIONS[3])
    buffer = io.BytesIO()
    document.save(buffer)
    memory_with((CAPTIONS[0], "A man rides a bicycle across a street.")).close()
    result = translit.Translator(SMALL, cache=False).translate(buffer.getvalue(), "bericht.docx")
    written = docx.Document(io.BytesIO(result.written(marks=False) or b""))
    first = written.paragraphs[0]
    assert first.text == "A man rides a bicycle across a street."
    bold = [run.text for run in first.runs if run.bold]
    assert len(bold) == 1 and "bicycle" in bold[0], [(r.text, r.bold) for r in first.runs]
    assert result.unit_results[0].by == "memory" and result.unit_results[1].by == "model"


def test_a_suggestion_with_a_key_is_used_by_the_service_the_cli_and_documents() -> None:
    """LibreTranslate's ``POST /suggest`` with a valid key: ``{"success": true}``, and from then on
    the sentence is the suggestion's — in ``/translate`` (``by: memory``), in a Word file the
    service translates, and in a translation of this process's own Translator."""
    from translit.serve import ServeConfig

    from .test_serve import running

    config = ServeConfig(suggestions=True, keys=frozenset({"editor-key"}))
    with running(SMALL, config) as server, server.client() as client:
        assert client.get("/frontend/settings").json()["suggestions"] is True
        ask = {"q": CAPTIONS[0], "source": "de", "target": "en", "api_key": "editor-key", "details": True}
        before = client.post("/translate", json=ask).json()
        assert before["translatedText"] != CORRECTED
        wrong = client.post("/suggest", data={"q": CAPTIONS[0], "s": CORRECTED, "api_key": "guess"})
        assert wrong.status_code == 403
        answer = client.post(
            "/suggest",
            data={"q": CAPTIONS[0], "s": CORRECTED, "source": "de", "target": "en", "api_key": "editor-key"},
        )
        assert answer.status_code == 200 and answer.json() == {"success": True}
        after = client.post("/translate", json=ask).json()
        assert after["translatedText"] == CORRECTED
        unit = after["translit"]["units"][0]
        assert unit["by"] == "memory" and unit["memory"]["origin"] == "suggest"
        assert unit["memory"]["who"].startswith("key:") and "editor-key" not in json.dumps(after)
        docx = pytest.importorskip("docx")
        document = docx.Document()
        document.add_paragraph(CAPTIONS[0])
        buffer = io.BytesIO()
        document.save(buffer)
        files = {"file": ("bericht.docx", buffer.getvalue())}
        url = client.post("/translate_file", files=files, data={"api_key": "editor-key"}).json()[
            "translatedFileUrl"
        ]
        got = docx.Document(io.BytesIO(client.get(url).content))
        assert got.paragraphs[0].text == CORRECTED
    assert translit.Translator(SMALL, cache=False).translate(CAPTIONS[0]).text == CORRECTED


def test_without_keys_a_suggestion_is_held_for_review_until_accepted() -> None:
    from translit.serve import ServeConfig

    from .test_serve import running

    with running(SMALL, ServeConfig(suggestions=True)) as server, server.client() as client:
        ask = {"q": CAPTIONS[0], "source": "de", "target": "en"}
        model = client.post("/translate", json=ask).json()["translatedText"]
        answer = client.post(
            "/suggest", json={"q": CAPTIONS[0], "s": CORRECTED, "source": "de", "target": "en"}
        )
        assert answer.json() == {"success": True}
        assert client.post("/translate", json=ask).json()["translatedText"] == model
        code, out, _ = invoke("memory", "review")
        assert code == 0 and CORRECTED in out and "anonymous" in out
        number = out.split("\t")[0]
        assert invoke("memory", "review", "--accept", number)[0] == 0
        assert client.post("/translate", json=ask).json()["translatedText"] == CORRECTED


def test_a_suggestion_for_text_never_translated_or_while_off_is_refused_in_one_line() -> None:
    from translit.serve import ServeConfig

    from .test_serve import running

    with running(SMALL, ServeConfig(suggestions=True)) as server, server.client() as client:
        answer = client.post(
            "/suggest", json={"q": "Ein Satz, den niemand übersetzt hat.", "s": "A sentence."}
        )
        assert answer.status_code == 400 and "has not translated" in answer.json()["error"]
        missing = client.post("/suggest", json={"q": CAPTIONS[0]})
        assert (
            missing.status_code == 400 and missing.json()["error"] == "Invalid request: missing s parameter"
        )
    assert not default_memory_path().exists() or len(TranslationMemory(default_memory_path())) == 0
    with running(SMALL) as server, server.client() as client:
        answer = client.post("/suggest", json={"q": CAPTIONS[0], "s": CORRECTED})
        assert (
            answer.status_code == 403 and answer.json()["error"] == "Suggestions are disabled on this server."
        )
        assert client.get("/frontend/settings").json()["suggestions"] is False


def test_a_batch_rerun_redoes_only_the_documents_whose_match_changed(tmp_path: Path) -> None:
    """The resume marker knows the memory's entries for its document's units: a change to an
    entry of one document redoes that document alone, its other units served by the cache
    (no unit decoded again); an unchanged memory, or a change elsewhere, leaves it done."""
    path = tmp_path / "newsroom.sqlite3"
    memory = memory_with((CAPTIONS[0], CORRECTED), path=path)
    articles, out = tmp_path / "in", tmp_path / "out"
    articles.mkdir()
    (articles / "one.txt").write_text(f"{CAPTIONS[0]} {CAPTIONS[1]}\n", encoding="utf-8")
    (articles / "two.txt").write_text(f"{CAPTIONS[2]} {CAPTIONS[3]}\n", encoding="utf-8")

    def run() -> dict:
        code, stdout, err = invoke(
            "batch", str(articles), "--out", str(out), "--outputs", "json", "--format", "json",
            "--model", str(SMALL), "--memory", str(path),
        )  # fmt: skip
        assert code == 0, err
        return json.loads(stdout)

    def units(name: str) -> list[tuple[str, str]]:
        record = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        return [(u["by"], u["translation"]) for u in record["units"]]

    first = run()
    assert first["done"] == 2 and units("one")[0] == ("memory", CORRECTED)
    assert run()["skipped"] == 2  # nothing changed
    memory.add([Entry(CAPTIONS[4], "Several men work on a house.", "cli")])  # no unit of ours
    assert run()["skipped"] == 2
    memory.add([Entry(CAPTIONS[3], "A dog races across a meadow.", "cli")])
    again = run()
    assert (again["done"], again["skipped"]) == (1, 1), again
    assert units("two")[1] == ("memory", "A dog races across a meadow.")
    assert again["cache_lookups"] == again["cache_hits"] == 1, again  # CAPTIONS[2] from the cache
    (held,) = [e for e in memory.entries() if e.source == CAPTIONS[0]]
    memory.remove([held.id])
    last = run()
    assert (last["done"], last["skipped"]) == (1, 1) and units("one")[0][0] == "model", last


def test_the_glossary_never_rewrites_a_person_s_sentence(tmp_path: Path) -> None:
    """A glossary term applies to the model's sentences; the memory's English is left as written."""
    terms = tmp_path / "terms.tsv"
    terms.write_text("Hund\thound\n", encoding="utf-8")
    memory_with((CAPTIONS[3], "A dog races across a green meadow.")).close()
    result = translit.Translator(SMALL, cache=False, glossary=[terms]).translate(
        f"{CAPTIONS[3]} Der Hund schläft."
    )
    assert result.unit_results[0].text == "A dog races across a green meadow."
    assert result.unit_results[0].by == "memory" and not result.unit_results[0].terms
    assert "hound" in result.unit_results[1].text and result.unit_results[1].by == "model"


def test_the_cache_never_hides_a_change_of_the_memory() -> None:
    """A sentence translated (and cached) before it was remembered gets the memory's English
    after, and the cached model sentence again once the entry is removed — decoded no more."""
    translator = translit.Translator(SMALL)
    model = translator.translate(CAPTIONS[0]).text
    memory = memory_with((CAPTIONS[0], CORRECTED))
    assert translit.Translator(SMALL).translate(CAPTIONS[0]).text == CORRECTED
    memory.remove([e.id for e in memory.entries()])
    again = translit.Translator(SMALL)
    assert again.translate(CAPTIONS[0]).text == model
    assert again.cache is not None and again.cache.stats.hits == 1 and again.cache.stats.misses == 0


def test_the_config_file_names_the_memory_relative_to_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "newsroom"
    folder.mkdir()
    memory_with((CAPTIONS[0], CORRECTED), path=folder / "tm.sqlite3").close()
    (folder / "config.toml").write_text('memory = "tm.sqlite3"\n', encoding="utf-8")
    env = {"TRANSLIT_CONFIG": str(folder / "config.toml")}
    code, out, err = invoke("translate", "--model", str(SMALL), "-t", CAPTIONS[0], env=env)
    assert code == 0 and out.strip() == CORRECTED, err
    code, out, err = invoke("memory", "list", env=env)
    assert code == 0 and CORRECTED in out, err
    code, out, err = invoke("translate", "--model", str(SMALL), "--memory", "off", "-t", CAPTIONS[0], env=env)
    assert code == 0 and out.strip() != CORRECTED, err


def test_a_translator_made_from_another_keeps_its_memory_even_while_it_is_empty(tmp_path: Path) -> None:
    """The service makes a translator per request from its own (``with_settings``); a memory that
    was empty then (falsy: it has a length) must still be the one used once entries arrive."""
    memory = TranslationMemory(tmp_path / "m.sqlite3")
    base = translit.Translator(SMALL, cache=False, memory=memory)
    twins = [base.with_settings(beams=2), base.with_memory(memory), base.with_settings().with_settings()]
    memory.add([Entry(CAPTIONS[0], CORRECTED)])
    assert all(twin.memory is memory for twin in twins)
    assert all(twin.translate(CAPTIONS[0]).text == CORRECTED for twin in twins)
    assert base.with_memory(None).memory is None
