"""``translit serve``: the real server on a loopback socket, driven by real clients.

uvicorn runs in a thread (or, for shutdown, the real command in a subprocess) with the copy
model and the small real translator; clients are httpx and LibreTranslate's own
``libretranslatepy``. Every loop here is bounded.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

import translit  # noqa: E402
from translit.engines import DecodeOptions, EngineOutput  # noqa: E402
from translit.serve import ServeConfig, create_app  # noqa: E402
from translit.serve.connections import server_config  # noqa: E402
from translit.serve.scheduler import Scheduler  # noqa: E402

from .conftest import (  # noqa: E402
    CAPTIONS,
    COMPANY_SENSITIVE,
    COPY_MODEL,
    LONG_SENTENCE,
    REPO,
    SAMPLE,
    SMALL,
    EngineDouble,
    invoke,
    run_translit,
)


@dataclass
class Running:
    url: str
    app: object
    translator: translit.Translator

    def client(self, **kwargs) -> httpx.Client:
        kwargs.setdefault("timeout", 60)
        return httpx.Client(base_url=self.url, **kwargs)


@contextmanager
def running(model: Path = COPY_MODEL, config: ServeConfig | None = None, **settings) -> Iterator[Running]:
    """The service in a thread on 127.0.0.1 (a free port), stopped at the end."""
    translator = translit.Translator(model, cache=False, **settings)
    config = config or ServeConfig()
    app = create_app(translator, config)
    server = uvicorn.Server(
        server_config(app, "127.0.0.1", 0, 5, config.forwarded_allow_ips, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Running(f"http://127.0.0.1:{port}", app, translator)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        app.state.service.scheduler.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def copy_server() -> Iterator[Running]:
    # No limit on characters: saved web pages are large (their markup counts).
    with running(config=ServeConfig(char_limit=0, body_limit=8 << 20)) as server:
        yield server


@pytest.fixture(scope="module")
def small_server() -> Iterator[Running]:
    with running(SMALL) as server:
        yield server


def test_libretranslate_s_own_client_works_unchanged(small_server: Running) -> None:
    from libretranslatepy import LibreTranslateAPI

    client = LibreTranslateAPI(small_server.url)
    english = client.translate(CAPTIONS[0], "de", "en")
    assert english == small_server.translator.translate(CAPTIONS[0]).text
    assert "bike" in english or "bicycle" in english
    detected = client.detect("Ein Mann fährt mit einem Fahrrad über eine Straße.")
    assert detected[0]["language"] == "de" and 0 <= detected[0]["confidence"] <= 100
    languages = client.languages()
    assert {"code": "de", "name": "German", "targets": ["en"]} in languages


def test_translate_shapes_as_libretranslate_answers(small_server: Running) -> None:
    with small_server.client() as client:
        one = client.post("/translate", json={"q": CAPTIONS[1], "source": "de", "target": "en"}).json()
        assert set(one) == {"translatedText"} and isinstance(one["translatedText"], str)
        many = client.post(
            "/translate", json={"q": CAPTIONS[:2], "source": "auto", "target": "en", "alternatives": 2}
        ).json()
        assert set(many) == {"translatedText", "detectedLanguage", "alternatives"}
        assert len(many["translatedText"]) == 2 and all(
            d["language"] == "de" for d in many["detectedLanguage"]
        )
        assert all(isinstance(a, list) and len(a) <= 2 for a in many["alternatives"])
        assert any(many["alternatives"]), "the n-best list gives other renderings"
        # Asking for alternatives never changes the translation itself.
        assert many["translatedText"][1] == one["translatedText"]
        # The library makes the same alternatives (one way to make them: translit.pipeline.alternatives).
        translator = small_server.translator
        assert translator.alternatives(translator.translate_many(CAPTIONS[:2]), 2) == many["alternatives"]
        form = client.post("/translate", data={"q": CAPTIONS[1], "source": "de", "target": "en"}).json()
        assert form == one
        multipart = client.post(
            "/translate", files={"q": (None, CAPTIONS[1]), "source": (None, "de"), "target": (None, "en")}
        ).json()
        assert multipart == one


def test_translit_extras_are_opt_in(small_server: Running, copy_server: Running) -> None:
    with copy_server.client() as client:
        markdown = client.post(
            "/translate",
            json={
                "q": "# Titel\n\nEin **Hund** rennt.",
                "source": "de",
                "target": "en",
                "format": "markdown",
            },
        ).json()["translatedText"]
        assert markdown == "# Titel\n\nEin **Hund** rennt."
        page = (REPO.parent / "shared" / "data" / "html" / "focus.de.leasen.html").read_text(encoding="utf-8")
        text = client.post("/translate", json={"q": page, "source": "de", "target": "en", "format": "page"})
        assert text.status_code == 200 and "<" not in text.json()["translatedText"]
    with small_server.client() as client:
        answer = client.post(
            "/translate", json={"q": " ".join(CAPTIONS[:3]), "source": "de", "target": "en", "details": True}
        ).json()
        details = answer["translit"]
        assert [u["source"] for u in details["units"]] == CAPTIONS[:3]
        assert all(isinstance(u["score"], float) and "flags" in u and "redone" in u for u in details["units"])
        brief = client.post("/brief", json={"q": "\n\n".join(CAPTIONS), "sentences": 2}).json()
        assert len(brief["brief"]) == 2
        assert [s["source"] for s in brief["sources"]] and all(
            s["source"] in CAPTIONS for s in brief["sources"]
        )
        assert client.get("/health").json()["status"] == "ok"
        settings = client.get("/frontend/settings").json()
        assert settings["language"]["source"]["code"] == "de" and settings["charLimit"] == 20_000
        assert client.get("/openapi.json").json()["paths"]["/translate"]
        assert client.get("/docs").status_code == 200


def test_concurrent_requests_return_the_cli_s_bytes(small_server: Running, tmp_path: Path) -> None:
    texts = [" ".join(CAPTIONS[i:] + CAPTIONS[:i]) for i in range(5)] + CAPTIONS + [CAPTIONS[0]] * 4

    def ask(text: str) -> str:
        with small_server.client() as client:
            return client.post("/translate", json={"q": text, "source": "de", "target": "en"}).json()[
                "translatedText"
            ]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, texts))
    expected = [small_server.translator.translate(text).text for text in texts]
    assert answers == expected
    proc = run_translit("translate", "--no-cache", "--model", str(SMALL), "-t", texts[0])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8").rstrip("\n") == answers[0]
    stats = small_server.app.state.service.scheduler.stats  # type: ignore[attr-defined]
    assert stats.rounds < stats.inputs, "units of different requests shared engine calls"


def test_with_float32_concurrent_requests_get_the_bytes_each_gets_alone() -> None:
    """Issue 32: with ``--compute float32`` what a client gets does not depend on who else is
    asking, even for the captions whose int8 translation does (tests/test_ct2.py)."""
    texts = [
        *COMPANY_SENSITIVE,
        LONG_SENTENCE,
        *CAPTIONS,
        " ".join(CAPTIONS),
        "\n\n".join([LONG_SENTENCE, *COMPANY_SENSITIVE, *CAPTIONS]),
    ] * 2
    with running(SMALL, compute="float32") as server:

        def ask(text: str) -> str:
            with server.client() as client:
                answer = client.post("/translate", json={"q": text, "source": "de", "target": "en"})
                return str(answer.json()["translatedText"])

        with ThreadPoolExecutor(len(texts)) as pool:
            answers = list(pool.map(ask, texts))
        expected = [server.translator.translate(text).text for text in texts]
        stats = server.app.state.service.scheduler.stats  # type: ignore[attr-defined]
    assert answers == expected
    assert stats.rounds < stats.inputs, "units of different requests shared engine calls"


def test_html_keeps_its_markup(small_server: Running) -> None:
    html = (
        '<div class="story" data-id="7"><h2 id="t">Ein Hund</h2>'
        '<p>Ein <b>Mann</b> fährt mit einem <a href="https://example.org/rad" title="Rad">Fahrrad</a>.</p>'
        '<p translate="no">Ein Mann bleibt.</p><pre>Ein Hund</pre><p>Der Befehl <code>ls -l</code> zählt.</p>'
        "<script>var s = 'Ein Hund';</script><style>p { color: red }</style></div>"
    )
    with small_server.client() as client:
        answer = client.post(
            "/translate", json={"q": html, "source": "de", "target": "en", "format": "html"}
        ).json()
    out = answer["translatedText"]
    for kept in (
        '<div class="story" data-id="7">',
        '<h2 id="t">',
        '<a href="https://example.org/rad" title="Rad">',
        '<p translate="no">Ein Mann bleibt.</p>',
        "<pre>Ein Hund</pre>",
        "<code>ls -l</code>",
        "<script>var s = 'Ein Hund';</script>",
        "<style>p { color: red }</style>",
    ):
        assert kept in out, kept
    assert "<b>man</b>" in out.lower() or "<b>a man</b>" in out.lower()
    assert out.count("<b>") == out.count("</b>") == 1 and out.count("</a>") == 1
    assert "Mann fährt" not in out


ERRORS = [
    ({"source": "de", "target": "en"}, 400, "missing q"),
    ({"q": "Hallo", "target": "en"}, 400, "missing source"),
    ({"q": "Hallo", "source": "de"}, 400, "missing target"),
    ({"q": "Hallo", "source": "fr", "target": "en"}, 400, "not supported"),
    ({"q": "Hallo", "source": "de", "target": "es"}, 400, "not supported"),
    ({"q": "Hallo", "source": "de", "target": "en", "format": "pdf"}, 400, "format is not supported"),
    ({"q": "Hallo", "source": "de", "target": "en", "alternatives": "viele"}, 400, "not a number"),
    ({"q": "Hallo", "source": "de", "target": "en", "alternatives": 99}, 400, "alternatives"),
    ({"q": [1, 2], "source": "de", "target": "en"}, 400, "list of strings"),
    ({"q": "x" * 30, "source": "de", "target": "en"}, 400, "exceeds text limit"),
    ({"q": ["a"] * 5, "source": "de", "target": "en"}, 400, "exceeds text limit"),
]


def test_every_error_is_one_json_line_and_the_server_keeps_serving() -> None:
    config = ServeConfig(char_limit=20, batch_limit=4, body_limit=2000, alternatives_limit=3)
    with running(config=config) as server, server.client() as client:
        for body, status, needle in ERRORS:
            reply = client.post("/translate", json=body)
            assert reply.status_code == status, (body, reply.text)
            assert set(reply.json()) == {"error"} and needle in reply.json()["error"], (body, reply.text)
        raw_cases = [
            (b"{not json", "application/json"),
            (b"[1, 2]", "application/json"),
            (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
            (b"q=" + b"a" * 5000, "application/x-www-form-urlencoded"),
            (b"", "application/json"),
            (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        ]
        for payload, kind in raw_cases:
            reply = client.post("/translate", content=payload, headers={"content-type": kind})
            assert reply.status_code == 400, (payload[:20], reply.text)
            assert "error" in reply.json() and "Traceback" not in reply.text
        assert client.get("/nowhere").json() == {"error": "Not Found"}
        assert client.put("/translate").status_code == 405
        assert "error" in client.put("/translate").json()
        ok = client.post("/translate", json={"q": "Ein Satz.", "source": "de", "target": "en"})
        assert ok.status_code == 200 and ok.json() == {"translatedText": "Ein Satz."}


def test_our_fault_is_500_logged_never_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    with running() as server, server.client() as client:

        def broken(*args, **kwargs):
            raise RuntimeError("engine on fire")

        monkeypatch.setattr(server.translator, "prepare", broken)
        reply = client.post("/translate", json={"q": "Ein Satz.", "source": "de", "target": "en"})
        assert reply.status_code == 500 and set(reply.json()) == {"error"}
        assert "Traceback" not in reply.text and "engine on fire" not in reply.text
        monkeypatch.undo()
        assert (
            client.post("/translate", json={"q": "Ein Satz.", "source": "de", "target": "en"}).status_code
            == 200
        )


def test_api_keys_and_rates(tmp_path: Path) -> None:
    config = ServeConfig(keys=frozenset({"geheim-1", "geheim-2"}), rate=3)
    body = {"q": "Ein Satz.", "source": "de", "target": "en"}
    with running(config=config) as server, server.client() as client:
        assert client.post("/translate", json=body).status_code == 403
        assert client.post("/translate", json={**body, "api_key": "falsch"}).json() == {
            "error": "Invalid API key"
        }
        assert client.post("/translate", json={**body, "api_key": "geheim-1"}).status_code == 200
        assert client.post("/translate", data={**body, "api_key": "geheim-1"}).status_code == 200
        bearer = {"Authorization": "Bearer geheim-1"}
        assert client.post("/translate", json=body, headers=bearer).status_code == 200
        limited = client.post("/translate", json=body, headers=bearer)
        assert limited.status_code == 429 and "Slowdown" in limited.json()["error"]
        # The rate is per key: another key is still served.
        assert client.post("/translate", json={**body, "api_key": "geheim-2"}).status_code == 200
        assert client.get("/languages").status_code == 200  # no key needed to ask what is offered
        assert client.get("/frontend/settings").json()["keyRequired"] is True


def test_a_short_request_gets_into_the_next_round() -> None:
    """The scheduler's order, with an engine double that records its calls: no head-of-line blocking."""

    class Recorder(EngineDouble):
        def __init__(self) -> None:
            self.calls: list[list[str]] = []
            self.gate = threading.Event()

        def translate_batch(self, texts, options):
            self.calls.append(list(texts))
            # Held until the test has sent its short request (never released by a clock: on a
            # loaded machine that would end the first round before the short request is in).
            assert self.gate.wait(120), "the test never released the first round"
            return [EngineOutput(t, len(t.split()), False, -0.1) for t in texts]

    engine = Recorder()
    scheduler = Scheduler(engine, window=0.0, round_tokens=40)
    options = DecodeOptions()
    article = [f"Satz Nummer {i} des langen Artikels hier." for i in range(30)]  # 8 tokens each
    long = scheduler.submit(article, options, "k")
    deadline = time.monotonic() + 60
    while not engine.calls:
        assert time.monotonic() < deadline, "the first round never started"
        time.sleep(0.01)
    short = scheduler.submit(["Ein kurzer Satz."], options, "k")
    engine.gate.set()
    assert short.result(120)[0].text == "Ein kurzer Satz."
    assert long.result(120)[-1].text == article[-1]
    second = engine.calls[1]
    assert "Ein kurzer Satz." in second, "the short request waited for no more than one round"
    assert all(sum(len(t.split()) + 1 for t in call) <= 40 for call in engine.calls)
    scheduler.close()


def test_a_client_that_leaves_costs_nothing() -> None:
    class Slow:
        model_id, max_input_tokens, cache_key, normalization, flag_below = "s", 500, "s", "none", None
        name = "slow"

        def __init__(self) -> None:
            self.translated = 0

        def count_tokens(self, text: str) -> int:
            return 8

        def translate_batch(self, texts, options):
            self.started.set()
            time.sleep(0.2)
            self.translated += len(texts)
            self.rounds_done += 1
            return [EngineOutput(t, 8, False, -0.1) for t in texts]

    engine = Slow()
    engine.started, engine.rounds_done = threading.Event(), 0
    scheduler = Scheduler(engine, window=0.0, round_tokens=16)
    future = scheduler.submit([f"Satz {i}." for i in range(40)], DecodeOptions(), "k")
    assert engine.started.wait(60), "the first round never started"
    scheduler.cancel(future)
    # Wait for the round in flight to finish (a condition, not a fixed time), then for any
    # further round the scheduler would wrongly take.
    deadline = time.monotonic() + 60
    while engine.rounds_done < 1:
        assert time.monotonic() < deadline, "the round in flight never finished"
        time.sleep(0.01)
    assert engine.translated <= 8, "after the client left, at most the round in flight was translated"
    assert scheduler.pending_inputs() == 0
    scheduler.close()  # waits for any round the scheduler took: none may have been
    assert engine.translated <= 8


def test_a_disconnected_http_client_leaves_no_work_behind(copy_server: Running) -> None:
    text = "\n\n".join([SAMPLE.read_text(encoding="utf-8")] * 3)
    with pytest.raises(httpx.TimeoutException), copy_server.client(timeout=0.05) as client:
        client.post("/translate", json={"q": text, "source": "de", "target": "en"})
    deadline = time.monotonic() + 30
    with copy_server.client() as client:
        while client.get("/health").json()["pending_units"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get("/health").json()["pending_units"] == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_finishes_requests_in_flight_and_exits_0(signum: int, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "translit",
            "serve",
            "--model",
            str(COPY_MODEL),
            "--port",
            str(port),
            "--no-cache",
            "--char-limit",
            "0",
        ],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                httpx.get(url + "/health", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.2)
        text = "\n\n".join([SAMPLE.read_text(encoding="utf-8")] * 6)
        result: dict = {}

        def ask() -> None:
            reply = httpx.post(
                url + "/translate", json={"q": text, "source": "de", "target": "en"}, timeout=120
            )
            result["status"] = reply.status_code
            result["text"] = reply.json().get("translatedText", "")

        asker = threading.Thread(target=ask)
        asker.start()
        # The request is in flight (the service counts it) before the signal: a condition, not
        # a fixed time that a loaded machine could spend before the request arrives.
        while not httpx.get(url + "/health", timeout=10).json().get("in_flight") and "status" not in result:
            assert time.monotonic() < deadline + 120, "the request never reached the service"
            time.sleep(0.02)
        proc.send_signal(signum)
        asker.join(timeout=120)
        assert result.get("status") == 200, result
        assert result["text"].startswith("Kampf um Kontrolle") or len(result["text"]) > 1000
        assert proc.wait(timeout=60) == 0
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        assert "Traceback" not in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_serve_refuses_a_busy_port_and_warns_about_open_hosts(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = run_translit("serve", "--model", str(COPY_MODEL), "--port", str(port), "--no-cache")
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert lines[-1].startswith("translit: error:") and str(port) in lines[-1]
    keys = tmp_path / "keys"
    keys.write_text("# none\n\n", encoding="utf-8")
    proc = run_translit("serve", "--model", str(COPY_MODEL), "--api-keys", str(keys))
    assert proc.returncode == 2 and "no API keys" in proc.stderr.decode()


def test_the_documented_client_example_is_libretranslate_s(
    copy_server: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    """The service page's libretranslatepy example (its ``py`` block), run as printed against the server."""
    page = REPO / "docs" / "service.md"
    (example,) = re.findall(r"^```py\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S)
    assert "http://127.0.0.1:5000" in example
    exec(compile(example.replace("http://127.0.0.1:5000", copy_server.url), str(page), "exec"), {})
    assert capsys.readouterr().out == "Der Bundestag tagt heute.\n"


def test_the_glossary_per_server_and_per_request(small_server: Running, tmp_path: Path) -> None:
    """A request's glossary and keep list, and the server's own --glossary, are honoured."""
    hound = "Ein Hund rennt über eine grüne Wiese."
    with small_server.client() as client:
        plain = client.post("/translate", json={"q": hound, "source": "de", "target": "en"}).json()
        assert "dog" in plain["translatedText"], "the model's own word, without a glossary"
        fixed = client.post(
            "/translate",
            json={
                "q": hound,
                "source": "de",
                "target": "en",
                "glossary": [["Hund", "hound"]],
                "details": True,
            },
        ).json()
        assert "hound" in fixed["translatedText"] and "dog" not in fixed["translatedText"]
        (term,) = fixed["translit"]["units"][0]["terms"]
        assert term["target"] == "hound" and term["honoured"]
        again = client.post("/translate", json={"q": hound, "source": "de", "target": "en"}).json()
        assert again == plain, "a request's glossary never leaks into the next request"
        bad = client.post("/translate", json={"q": hound, "source": "de", "target": "en", "glossary": "Hund"})
        assert bad.status_code == 400 and set(bad.json()) == {"error"}
    terms = tmp_path / "terms.tsv"
    terms.write_text("Hund\thound\n", encoding="utf-8")
    with running(SMALL, glossary=[str(terms)]) as server, server.client() as client:
        answer = client.post("/translate", json={"q": hound, "source": "de", "target": "en"}).json()
        assert answer["translatedText"] == server.translator.translate(hound).text
        assert "hound" in answer["translatedText"]


# --- documents through the service ------------------------------------------------------------------

DOCS = REPO.parent / "shared" / "data" / "docs"


def test_translate_file_answers_as_libretranslate_and_the_file_is_fetched_once(copy_server: Running) -> None:
    docx = pytest.importorskip("docx")
    import io

    with copy_server.client() as client:
        settings = client.get("/frontend/settings").json()
        assert settings["filesTranslation"] is True and ".docx" in settings["supportedFilesFormat"]
        files = {"file": ("bericht.docx", (DOCS / "doc1.docx").read_bytes())}
        answer = client.post("/translate_file", files=files, data={"source": "de", "target": "en"})
        assert answer.status_code == 200, answer.text
        url = answer.json()["translatedFileUrl"]
        assert url.startswith(copy_server.url) and url.endswith("/bericht.en.docx")
        got = client.get(url)
        assert got.status_code == 200 and "wordprocessingml" in got.headers["content-type"]
        assert docx.Document(io.BytesIO(got.content)).paragraphs[0].text.startswith("Merkel")
        assert client.get(url).status_code == 404, "kept only until it is fetched"
        srt = client.post("/translate_file", files={"file": ("a.srt", (DOCS / "doc1.srt").read_bytes())})
        assert client.get(srt.json()["translatedFileUrl"]).text.startswith("1\n00:00:")


def test_translate_file_refuses_bad_files_in_one_line(copy_server: Running) -> None:
    with copy_server.client() as client:
        for name, data, status in [
            ("kaputt.docx", b"kein Word", 400),
            ("bild.png", b"\x89PNG", 400),
        ]:
            answer = client.post("/translate_file", files={"file": (name, data)})
            assert answer.status_code == status and name in answer.json()["error"], answer.text
        assert client.post("/translate_file", data={"source": "de"}).status_code == 400
    with running(config=ServeConfig(file_limit=1000)) as small_limit, small_limit.client() as client:
        answer = client.post("/translate_file", files={"file": ("a.docx", (DOCS / "doc1.docx").read_bytes())})
        assert answer.status_code == 413


def test_a_job_shows_progress_and_gives_the_file(copy_server: Running) -> None:
    with copy_server.client() as client:
        started = client.post("/jobs", files={"file": ("a.pptx", (DOCS / "doc4.pptx").read_bytes())})
        assert started.status_code == 202
        status_url = started.json()["status"]
        deadline = time.monotonic() + 60
        while (state := client.get(status_url).json())["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert state["status"] == "done" and state["units_done"] == state["units"] > 0, state
        assert client.get(state["translatedFileUrl"]).status_code == 200
        assert client.get("/jobs/unknown").status_code == 404


def long_word_file(paragraphs: int) -> bytes:
    import docx

    document = docx.Document()
    for k in range(paragraphs):
        document.add_paragraph(f"Der Hund bellt im Garten Nummer {k}, und die Katze schläft.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_job_holds_its_place_until_it_ends_and_delete_stops_it() -> None:
    """A running job counts against --max-concurrent (it stopped counting once its 202 was sent),
    and DELETE ends it: 'cancelled', its waiting units dropped, its place free again."""
    with running(config=ServeConfig(max_concurrent=1, char_limit=0)) as server, server.client() as client:
        started = client.post("/jobs", files={"file": ("long.docx", long_word_file(1500))})
        assert started.status_code == 202, started.text
        status_url = started.json()["status"]
        deadline = time.monotonic() + 60
        while (state := client.get(status_url).json())["status"] != "running":
            assert time.monotonic() < deadline and state["status"] == "queued", state
            time.sleep(0.05)
        busy = client.post("/translate", json={"q": "Ein Satz.", "source": "de", "target": "en"})
        assert busy.status_code == 429, busy.text
        assert client.delete(status_url.removeprefix(server.url)).status_code == 200
        while (state := client.get(status_url).json())["status"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert state["status"] == "cancelled" and "translatedFileUrl" not in state, state
        service = server.app.state.service  # type: ignore[attr-defined]
        while service.scheduler.pending_inputs():
            assert time.monotonic() < deadline, "the cancelled job's units were left waiting"
            time.sleep(0.05)
        answer = client.post("/translate", json={"q": "Ein Satz.", "source": "de", "target": "en"})
        assert answer.status_code == 200, answer.text


# --- hostile and broken clients (issue 32) -----------------------------------------------------------


def raw_request(url: str, head: bytes) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(head)
    return sock


def test_slow_senders_hold_no_slot_and_time_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from translit.serve import gate as serve_gate

    monkeypatch.setattr(serve_gate, "BODY_SECONDS", 1.5)
    with running(config=ServeConfig(max_concurrent=2)) as server:
        head = b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 85\r\n\r\n{"
        slow = [raw_request(server.url, head) for _ in range(4)]
        try:
            time.sleep(0.3)
            with server.client() as client:
                answer = client.post("/translate", json={"q": "Ein Satz.", "source": "de", "target": "en"})
                assert answer.status_code == 200, answer.text
            slow[0].settimeout(10)
            reply = slow[0].recv(4096)
            assert b" 408 " in reply.split(b"\r\n", 1)[0], reply[:200]
        finally:
            for sock in slow:
                sock.close()


def test_work_stops_when_the_client_leaves(small_server: Running) -> None:
    """Issue 32, fault 2: requests whose sockets closed were translated to the end."""
    articles = sorted((REPO.parent / "shared" / "data" / "de_news" / "wmt20").glob("*.txt"))[20:23]
    bodies = [
        json.dumps({"q": path.read_text(encoding="utf-8")[:19_000], "source": "de", "target": "en"}).encode()
        for path in articles
    ]
    with small_server.client() as client:
        before = client.get("/health").json()["units_translated"]
    socks = [
        raw_request(
            small_server.url,
            b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % len(body)
            + body,
        )
        for body in bodies
    ]
    time.sleep(0.3)
    for sock in socks:
        sock.close()
    with small_server.client() as client:
        deadline = time.monotonic() + 3
        while (health := client.get("/health").json())["pending_units"]:
            assert time.monotonic() < deadline, "the units of clients that left were still waiting"
            time.sleep(0.05)
    units = sum(
        len(small_server.translator.prepare([small_server.translator.read(json.loads(b)["q"])]).inputs)
        for b in bodies
    )
    assert health["units_translated"] - before < units / 2, (health["units_translated"] - before, units)


@pytest.mark.parametrize(
    "path, body",
    [
        ("/translate", '{"q": "Hallo \\ud800 Welt.", "source": "de", "target": "en"}'),
        (
            "/translate",
            '{"q": "Hallo.", "source": "de", "target": "en", "glossary": [["Hund\\ud800", "dog"]]}',
        ),
        ("/translate", '{"q": "Hallo.", "source": "de", "target": "en", "api_key": "\\ud800"}'),
        ("/translate", '{"q": ' + "[" * 5000 + "]" * 5000 + ', "source": "de", "target": "en"}'),
        ("/translate", '{"q": "Hallo.", "source": "de", "target": "en", "alternatives": 1e999}'),
        ("/brief", '{"q": "Hallo. Welt.", "sentences": 1e999}'),
        (
            "/translate",
            '{"q": "Die Katze schläft.", "source": "de", "target": "en", "glossary": [["Hund\\nKatze", "hound"]]}',
        ),
    ],
)
def test_broken_requests_are_400_not_500(copy_server: Running, path: str, body: str) -> None:
    with copy_server.client() as client:
        answer = client.post(path, content=body.encode(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert set(answer.json()) == {"error"}


def test_wrong_keys_are_rate_limited_and_health_says_little_without_a_key(tmp_path: Path) -> None:
    config = ServeConfig(keys=frozenset({"geheim"}), rate=5)
    with running(config=config) as server, server.client() as client:
        codes = [
            client.post(
                "/translate", json={"q": "Hallo.", "source": "de", "target": "en", "api_key": f"falsch{i}"}
            ).status_code
            for i in range(8)
        ]
        assert codes[:5] == [403] * 5 and set(codes[5:]) == {429}, codes
        assert client.get("/health").json() == {"status": "ok"}
        full = client.get("/health", headers={"Authorization": "Bearer geheim"}).json()
        assert "engine" in full and "/" not in full["model"]


def test_cors_preflight_as_libretranslate_answers(copy_server: Running) -> None:
    with copy_server.client() as client:
        answer = client.options(
            "/translate",
            headers={
                "Origin": "https://news.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in answer.headers
        simple = client.post(
            "/translate",
            json={"q": "Hallo.", "source": "de", "target": "en"},
            headers={"Origin": "https://news.example"},
        )
        assert simple.headers["access-control-allow-origin"] == "*"
    with running(config=ServeConfig(cors=("https://ours.example",))) as server, server.client() as client:
        other = client.options(
            "/translate", headers={"Origin": "https://else.example", "Access-Control-Request-Method": "POST"}
        )
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers


def test_a_saved_page_counts_its_article_text_not_its_markup() -> None:
    page = (REPO.parent / "shared" / "data" / "html" / "zeit.de.zugverkehr.html").read_text(
        encoding="utf-8", errors="replace"
    )
    assert len(page) > 20_000
    with running(config=ServeConfig(body_limit=8 << 20)) as server, server.client() as client:
        answer = client.post("/translate", json={"q": page, "source": "de", "target": "en", "format": "page"})
        assert answer.status_code == 200, answer.text[:300]


def test_metrics_count_requests_units_and_the_queue() -> None:
    with running(config=ServeConfig(metrics=True)) as server, server.client() as client:
        client.post(
            "/translate", json={"q": "Der Hund bellt. Die Katze schläft.", "source": "de", "target": "en"}
        )
        client.post("/translate", json={"q": "", "source": "de", "target": "en"})
        client.get("/scanner/probe")
        text = client.get("/metrics").text
        assert 'translit_requests_total{route="/translate",status="200"} 1.0' in text
        assert 'translit_requests_total{route="/translate",status="400"} 1.0' in text
        assert 'route="other"' in text and "/scanner" not in text
        assert "translit_request_seconds_bucket" in text and "translit_characters_total 34.0" in text
        assert "translit_units_translated_total 2.0" in text and "translit_queue_units 0.0" in text
    with running() as server, server.client() as client:
        assert client.get("/metrics").status_code == 404, "only when asked for"


def test_the_api_is_described_and_its_docs_load_nothing_from_elsewhere(copy_server: Running) -> None:
    with copy_server.client() as client:
        spec = client.get("/openapi.json").json()
        body = spec["paths"]["/translate"]["post"]["requestBody"]["content"]
        assert {"application/json", "application/x-www-form-urlencoded"} <= set(body)
        fields = body["application/json"]["schema"]["properties"]
        for name in ("q", "source", "target", "format", "alternatives", "api_key"):  # LibreTranslate's
            assert name in fields, name
        assert "multipart/form-data" in spec["paths"]["/translate_file"]["post"]["requestBody"]["content"]
        page = client.get("/docs").text
        assert "cdn" not in page.lower() and "/docs-assets/swagger-ui-bundle.js" in page
        assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
        assert client.get("/docs-assets/..%2Fsecret.js").status_code == 404


def test_every_field_a_libretranslate_client_sends_is_accepted(copy_server: Running) -> None:
    form = {
        "q": "Der Hund bellt.",
        "source": "de",
        "target": "en",
        "format": "text",
        "alternatives": "0",
        "api_key": "",
    }
    with copy_server.client() as client:
        assert client.post("/translate", data=form).status_code == 200
        assert client.post("/translate", json={**form, "alternatives": 0}).status_code == 200
        assert client.post("/detect", data={"q": "Der Hund bellt.", "api_key": ""}).status_code == 200


def test_the_access_log_is_one_json_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    with (
        caplog.at_level(logging.INFO, logger="translit.access"),
        running(config=ServeConfig(access_log=True)) as server,
        server.client() as client,
    ):
        client.post("/translate", json={"q": "Der Hund bellt.", "source": "de", "target": "en"})
        client.get("/nowhere")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "translit.access"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", "/translate", 200),
        ("GET", "/nowhere", 404),
    ]
    assert all(line["client"] == "127.0.0.1" and line["seconds"] >= 0 for line in lines)


def test_serve_options_are_declared_once() -> None:
    """Issue 28: cli/serve.py restated every ServeConfig field and default."""
    import inspect as inspect_module
    from dataclasses import fields

    from translit.cli import serve as serve_cli
    from translit.serve.limits import serve_options

    declared = serve_options()
    assert {"char_limit", "file_limit", "metrics", "access_log", "timeout"} <= set(declared)
    source = inspect_module.getsource(serve_cli)
    for name, (option, default) in declared.items():
        assert f'"{option.flags[0]}"' not in source, f"{option.flags[0]} is declared again in cli/serve.py"
        assert default == next(f.default for f in fields(ServeConfig) if f.name == name)
    code, out, _ = invoke("serve", "--help")
    assert code == 0 and "--file-limit" in out and "--alternatives-limit" in out


# --- faults a hostile client found (issue 41) ----------------------------------------------------


def test_wrong_keys_are_throttled_on_every_route() -> None:
    """Guessing keys at /health or /metrics is throttled like at /translate (it was unlimited)."""
    from translit.serve.gate import GUESSES_PER_MINUTE

    with (
        running(config=ServeConfig(keys=frozenset({"geheim"}), metrics=True)) as server,
        server.client() as client,
    ):
        for path in ("/health", "/metrics"):
            codes = [
                client.get(
                    path, headers={"Authorization": f"Bearer falsch{i}", "X-Forwarded-For": f"10.0.0.{i}"}
                )
                for i in range(GUESSES_PER_MINUTE + 2)
            ]
            assert codes[-1].status_code == 429, [c.status_code for c in codes]
        assert (
            client.post(
                "/translate", json={"q": "Hallo.", "source": "de", "target": "en", "api_key": "x"}
            ).status_code
            == 429
        )


def test_a_forwarded_for_header_counts_only_from_a_trusted_proxy() -> None:
    body = {"q": "Hallo.", "source": "de", "target": "en"}
    for trusted, expected in (("", [200, 200, 429]), ("127.0.0.1", [200, 200, 200])):
        config = ServeConfig(rate=2, forwarded_allow_ips=trusted)
        with running(config=config) as server, server.client() as client:
            codes = [
                client.post(
                    "/translate", json=body, headers={"X-Forwarded-For": f"203.0.113.{i}"}
                ).status_code
                for i in range(3)
            ]
            assert codes == expected, trusted


def test_a_client_s_jobs_are_capped_while_they_run(monkeypatch: pytest.MonkeyPatch) -> None:
    with running(config=ServeConfig(jobs_per_client=1)) as server, server.client() as client:
        release = threading.Event()
        prepare = server.translator.prepare

        def held(*args, **kwargs):
            release.wait(60)
            return prepare(*args, **kwargs)

        monkeypatch.setattr(server.translator, "prepare", held)
        first = client.post("/jobs", files={"file": ("a.txt", b"Ein Satz.")})
        assert first.status_code == 202, first.text
        second = client.post("/jobs", files={"file": ("b.txt", b"Ein Satz.")})
        assert second.status_code == 429 and "jobs" in second.json()["error"]
        release.set()
        deadline = time.monotonic() + 60
        while client.get(f"/jobs/{first.json()['job']}").json()["status"] != "done":
            assert time.monotonic() < deadline, "the first job never finished"
            time.sleep(0.05)
        assert client.post("/jobs", files={"file": ("c.txt", b"Ein Satz.")}).status_code == 202


def test_a_text_upload_has_the_text_limit_and_a_request_its_timeout() -> None:
    """A 3 MiB .txt is refused at once (the CLI refuses text over 2 MiB); it was translated for minutes."""
    with running() as server, server.client() as client:
        big = ("Ein Satz. " * 330_000).encode()
        answer = client.post("/translate_file", files={"file": ("gross.txt", big)})
        assert answer.status_code == 413 and "limit for one text" in answer.json()["error"]


def test_head_and_options_are_answered_on_every_route(copy_server: Running) -> None:
    with copy_server.client() as client:
        for path in ("/", "/health", "/languages", "/frontend/settings", "/openapi.json"):
            head, get = client.head(path), client.get(path)
            assert head.status_code == get.status_code == 200, path
            assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
        options = client.options("/translate")
        assert options.status_code == 204 and "POST" in options.headers["allow"]


def test_a_long_upload_name_is_cut_or_refused_saying_so(copy_server: Running) -> None:
    """A 5,000-character name was "the form data cannot be read"; a long one is now cut to 255
    characters (extension kept), one beyond what a multipart header holds refused by name."""
    with copy_server.client() as client:
        answer = client.post("/translate_file", files={"file": ("b" * 1000 + ".txt", b"Ein Satz.")})
        assert answer.status_code == 200, answer.text
        url = answer.json()["translatedFileUrl"]
        assert url.endswith(".en.txt") and len(url.rsplit("/", 1)[1]) <= 255 + 3
        assert client.get(url).text.strip() == "Ein Satz."
        refused = client.post("/translate_file", files={"file": ("b" * 5000 + ".txt", b"Ein Satz.")})
        assert refused.status_code == 400 and "name is too long" in refused.json()["error"]


def test_addresses_in_answers_do_not_come_from_the_host_header(copy_server: Running) -> None:
    with copy_server.client() as client:
        answer = client.post(
            "/translate_file", files={"file": ("a.txt", b"Ein Satz.")}, headers={"Host": "evil.example"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["translatedFileUrl"].startswith(copy_server.url + "/download_file/")
        job = client.post("/jobs", files={"file": ("a.txt", b"Ein Satz.")}, headers={"Host": "evil.example"})
        assert job.json()["status"].startswith(copy_server.url + "/jobs/")
    public = ServeConfig(public_url="https://translit.example/")
    with running(config=public) as server, server.client() as client:
        answer = client.post("/translate_file", files={"file": ("a.txt", b"Ein Satz.")})
        assert answer.json()["translatedFileUrl"].startswith("https://translit.example/download_file/")


def test_a_connection_that_sends_its_headers_slowly_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    from translit.serve.connections import HeaderDeadlineProtocol

    monkeypatch.setattr(HeaderDeadlineProtocol, "header_seconds", 1.0)
    with running() as server:
        sock = raw_request(server.url, b"GET /health HTTP/1.1\r\nHost: x\r\n")
        try:
            sock.settimeout(30)
            started = time.monotonic()
            for _ in range(600):  # a byte every 50 ms, never finishing the headers (30 s at most)
                if _readable(sock):
                    break  # closed by the server
                try:
                    sock.sendall(b"X")
                except OSError:
                    break
                time.sleep(0.05)
            sock.settimeout(10)
            with suppress(ConnectionResetError):
                assert sock.recv(4096) == b"", "closed without an answer"
            assert time.monotonic() - started < 25
        finally:
            sock.close()


def _readable(sock: socket.socket) -> bool:
    import select

    return bool(select.select([sock], [], [], 0)[0])


def test_requests_are_parsed_by_the_models_the_docs_show(copy_server: Running) -> None:
    """The OpenAPI models parse: a form's strings are read leniently ("2", "true"), an empty
    field is an absent one, an unknown one is ignored, a wrong type is one 400 naming the field."""
    from translit.serve.schema import TranslateRequest

    with copy_server.client() as client:
        documented = client.get("/openapi.json").json()["paths"]["/translate"]["post"]["requestBody"]
        shown = documented["content"]["application/json"]["schema"]["properties"]
        assert set(shown) == set(TranslateRequest.model_fields)
        form = {
            "q": "Ein Satz.",
            "source": "de",
            "target": "en",
            "details": "true",
            "format": "",
            "extra": "x",
        }
        answer = client.post("/translate", data=form)
        assert answer.status_code == 200 and "translit" in answer.json(), answer.text
        wrong = client.post("/translate", json={"q": "Hallo", "source": "de", "target": "en", "details": [1]})
        assert wrong.status_code == 400 and wrong.json()["error"].startswith("Invalid request: details")
        brief = client.post("/brief", data={"q": "Ein Satz. Noch einer.", "sentences": "eins"})
        assert brief.status_code == 400 and "sentences" in brief.json()["error"]


def test_cancelling_a_job_stops_a_document_still_being_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A job whose document is still read (a parser in a child process, here one that never ends
    on its own) is stopped by DELETE within seconds: the child is killed (it kept a core busy for
    six minutes after "cancelled")."""
    import multiprocessing

    from translit.readers.child import bounded

    def endless_read(data, name, input_format=None):
        # Never done: only the kill that the cancelled job asks for ends the child.
        never = threading.Event()
        return bounded(never.wait, 300, too_slow="slow", ended="ended", failed="failed")

    with running() as server, server.client() as client:
        monkeypatch.setattr(server.translator, "read", endless_read)
        job = client.post("/jobs", files={"file": ("a.txt", b"Ein Satz.")}).json()["job"]
        deadline = time.monotonic() + 60
        while not any(child.is_alive() for child in multiprocessing.active_children()):
            assert time.monotonic() < deadline, "the reading never started"
            time.sleep(0.05)
        asked = time.monotonic()
        assert client.delete(f"/jobs/{job}").json()["status"] == "cancelled"
        while client.get(f"/jobs/{job}").json()["status"] != "cancelled":
            assert time.monotonic() < deadline + 60, "the job went on"
            time.sleep(0.05)
        assert time.monotonic() - asked < 60, "stopped long before the reading would have ended"
        assert not any(child.is_alive() for child in multiprocessing.active_children())


def test_cancelling_a_job_stops_a_word_document_read_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Word document is parsed in the server's own process, not a child: a cancelled job's
    reading stops at the next paragraph (translit.readers.child.stop_if_given_up), rather than
    going on to the end of the document."""
    docx = pytest.importorskip("docx")
    import translit.readers.base as base

    paragraphs = 2000
    document = docx.Document()
    for n in range(paragraphs):
        document.add_paragraph(f"Absatz {n}.")
    buffer = io.BytesIO()
    document.save(buffer)
    made = {"segments": 0}
    finished = threading.Event()
    collapse = base.collapse

    def slow_collapse(text: str):  # a slow parser: every paragraph takes 10 ms
        made["segments"] += 1
        time.sleep(0.01)
        return collapse(text)

    monkeypatch.setattr(base, "collapse", slow_collapse)
    with running() as server, server.client() as client:
        read = server.translator.read

        def watched_read(*args, **kwargs):
            try:
                return read(*args, **kwargs)
            finally:
                finished.set()

        monkeypatch.setattr(server.translator, "read", watched_read)
        job = client.post("/jobs", files={"file": ("lang.docx", buffer.getvalue())}).json()["job"]
        deadline = time.monotonic() + 60
        while made["segments"] < 10:
            assert time.monotonic() < deadline, "the reading never started"
            time.sleep(0.01)
        assert client.delete(f"/jobs/{job}").json()["status"] == "cancelled"
        assert finished.wait(120), "the reading never ended"
        assert made["segments"] < paragraphs, "the whole document was read after the job was cancelled"


def test_a_request_may_set_the_settings_declared_for_requests(copy_server: Running) -> None:
    """``beams``, ``unit``, … are request fields made from the same declarations as the CLI's
    flags (translit.options, ``request=True``): documented, range-checked, and used."""
    from translit.options import request_options

    with copy_server.client() as client:
        documented = client.get("/openapi.json").json()["paths"]["/translate"]["post"]["requestBody"]
        shown = documented["content"]["application/json"]["schema"]["properties"]
        assert set(request_options()) <= set(shown) and "unit" in request_options()
        body = {"q": "Ein Satz. Noch einer.", "source": "de", "target": "en", "details": True}
        paragraph = client.post("/translate", json={**body, "unit": "paragraph"}).json()
        assert paragraph["translit"]["unit_mode"] == "paragraph"
        assert client.post("/translate", json=body).json()["translit"]["unit_mode"] == "sentence"
        wrong = client.post("/translate", json={**body, "beams": 0})
        assert wrong.status_code == 400 and wrong.json()["error"].startswith("Invalid request: beams")
