"""The newsroom's page at ``/`` of ``translit serve``, driven in a real Chromium through playwright.

The real server runs on 127.0.0.1 with the copy model and the small real translator. Debian's
``chromium`` is launched by playwright (``executable_path``: playwright's own browser download
cannot work here) with the flags that keep it off the network. Screenshots of the page in light
and dark mode are written to ``test-artifacts/``.
"""

from __future__ import annotations

import shutil
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO, SAMPLE, SMALL

playwright_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("uvicorn")

from .test_serve import Running, running  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        warnings.warn("Chromium is not installed: the page's browser tests are skipped", stacklevel=1)
        pytest.skip("no Chromium")
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def copy_page_server() -> Iterator[Running]:
    with running() as server:
        yield server


@pytest.fixture(scope="module")
def small_page_server() -> Iterator[Running]:
    with running(SMALL) as server:
        yield server


WAIT_MS = 300_000
"""The most a test waits for what it checks (a result shown, a link offered): a cap for a broken
page, long enough for a loaded machine, never a fixed time that decides a test."""


class Page:
    """A browser page on a server, recording every request it makes and every script error."""

    def __init__(self, browser: object, server: Running, **options: object) -> None:
        self.server = server
        self.page = browser.new_page(**options)  # type: ignore[attr-defined]
        self.page.set_default_timeout(WAIT_MS)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))
        self.page.goto(server.url + "/")

    def translate(self, text: str) -> None:
        self.page.fill("#source", text)
        self.page.click("#translate")
        self.page.wait_for_selector("#translation .unit", timeout=WAIT_MS)

    def close(self) -> None:
        foreign = [u for u in self.requests if not u.startswith((self.server.url, "data:", "blob:"))]
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not self.errors, self.errors
        self.page.close()


def details(server: Running, text: str, **extra: object) -> dict:
    with server.client() as client:
        answer = client.post(
            "/translate", json={"q": text, "source": "de", "target": "en", "details": True, **extra}
        )
    return answer.json()["translit"]


def test_the_seed_article_shows_every_paragraph_and_exactly_the_marks_of_the_json(
    browser: object, small_page_server: Running
) -> None:
    article = SAMPLE.read_text(encoding="utf-8")
    page = Page(browser, small_page_server)
    started = time.perf_counter()
    page.translate(article)
    seconds = time.perf_counter() - started
    expected = details(small_page_server, article)
    assert page.page.locator("#translation p").count() == len(expected["translations"])
    assert page.page.locator("#translation mark.check").count() == len(expected["check_units"]) > 0
    assert page.page.locator("#source-view .unit").count() == len(expected["units"])
    # Hovering a mark shows its German sentence, why it is to check, and marks the German.
    first = expected["check_units"][0]
    mark = page.page.locator(f'#translation [data-unit="{first}"]')
    mark.hover()
    tooltip = page.page.locator("#tooltip")
    assert tooltip.is_visible() and expected["units"][first]["source"] in tooltip.inner_text()
    assert "linked" in (page.page.locator(f'#source-view [data-unit="{first}"]').get_attribute("class") or "")
    print(f"time to the seed article's translation in the page: {seconds:.2f} s")
    page.close()


def test_the_brief_links_each_sentence_to_its_german(browser: object, copy_page_server: Running) -> None:
    page = Page(browser, copy_page_server)
    page.translate(SAMPLE.read_text(encoding="utf-8"))
    page.page.click("#tab-brief")
    page.page.wait_for_selector("#brief li", timeout=WAIT_MS)
    items = page.page.locator("#brief li")
    assert items.count() == 3
    page.page.locator("#brief .source-link").first.click()
    assert page.page.locator("#translation").is_visible()
    assert page.page.locator("#translation .unit.linked").count() >= 1
    page.close()


def test_a_glossary_term_typed_in_the_page_is_applied(browser: object, small_page_server: Running) -> None:
    page = Page(browser, small_page_server)
    page.page.click("#glossary-box summary")
    page.page.fill("#glossary", "Hund = hound")
    page.translate("Ein Hund läuft über die Wiese.")
    assert "hound" in page.page.inner_text("#translation")
    assert "Hund → hound" in page.page.inner_text("#terms")
    page.page.reload()
    assert page.page.input_value("#glossary") == "Hund = hound", "kept in the browser"
    page.close()


def test_markup_typed_in_stays_text(browser: object, copy_page_server: Running) -> None:
    page = Page(browser, copy_page_server)
    hostile = 'Der <script>alert(1)</script> Hund <img src=x onerror="alert(2)"> bellt.'
    page.translate(hostile)
    assert page.page.locator("#translation script, #translation img, #source-view img").count() == 0
    assert "<script>alert(1)</script>" in page.page.inner_text("#source-view"), "the German shows as typed"
    assert "alert(1)" in page.page.inner_text("#translation")
    page.close()  # no dialog opened, no request to x


def test_a_markdown_file_and_a_word_file_are_translated_and_downloaded(
    browser: object, copy_page_server: Running, tmp_path: Path
) -> None:
    page = Page(browser, copy_page_server, accept_downloads=True)
    notes = tmp_path / "notiz.md"
    notes.write_text("# Titel\n\nDer **Bundestag** tagt heute.\n", encoding="utf-8")
    page.page.set_input_files("#file", str(notes))
    page.page.wait_for_selector("#translation .unit", timeout=WAIT_MS)
    page.page.select_option("#download-format", "markdown")
    with page.page.expect_download() as caught:
        page.page.click("#download")
    saved = tmp_path / "out.md"
    caught.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").startswith("# Titel")
    word = REPO.parent / "shared" / "data" / "docs" / "doc1.docx"
    page.page.set_input_files("#file", str(word))
    page.page.wait_for_selector("#file-link:not([hidden])", timeout=WAIT_MS)
    with page.page.expect_download() as caught:
        page.page.click("#file-link")
    document = tmp_path / "doc1.en.docx"
    caught.value.save_as(document)
    assert document.read_bytes()[:2] == b"PK" and caught.value.suggested_filename == "doc1.en.docx"
    page.close()


def test_a_file_chosen_before_the_settings_arrive_is_translated(
    browser: object, copy_page_server: Running, tmp_path: Path
) -> None:
    """The page wires its controls before it fetches /frontend/settings: a file chosen while
    that fetch is still under way (here held until the translation shows) is not lost. On a
    loaded machine a test's upload used to come before the listeners and wait for ever."""
    page = browser.new_page()  # type: ignore[attr-defined]
    held: list[object] = []
    page.route("**/frontend/settings", lambda route: held.append(route))  # answered at the end
    page.goto(copy_page_server.url + "/")
    notes = tmp_path / "früh.md"
    notes.write_text("Der **Bundestag** tagt heute.\n", encoding="utf-8")
    page.set_input_files("#file", str(notes))
    page.wait_for_selector("#translation .unit", timeout=WAIT_MS)
    assert held, "the settings were not asked for"
    for route in held:
        route.continue_()  # type: ignore[attr-defined]
    page.close()


def test_cancel_stops_a_long_translation_on_the_server(browser: object, small_page_server: Running) -> None:
    page = Page(browser, small_page_server)
    long = "\n\n".join(
        p
        for path in sorted((REPO.parent / "shared" / "data" / "de_news" / "wmt20").glob("*.txt"))[:12]
        for p in [path.read_text(encoding="utf-8")]
    )
    page.page.fill("#source", long)
    page.page.click("#translate")
    page.page.wait_for_selector("#progress:not([hidden])", timeout=WAIT_MS)
    page.page.click("#cancel")
    page.page.wait_for_selector("#error:not([hidden])", timeout=WAIT_MS)
    assert page.page.inner_text("#error") == "Cancelled."
    with small_page_server.client() as client:
        deadline = time.monotonic() + 30
        while client.get("/health").json()["pending_units"]:
            assert time.monotonic() < deadline, "the cancelled job's units were still waiting"
            time.sleep(0.2)
    page.close()


def test_the_page_works_from_the_keyboard(browser: object, copy_page_server: Running) -> None:
    page = Page(browser, copy_page_server)
    keyboard = page.page.keyboard
    page.page.focus("#source")
    keyboard.type("Der Hund bellt. Die Katze schläft.")
    keyboard.press("Control+Enter")
    page.page.wait_for_selector("#translation .unit", timeout=WAIT_MS)
    page.page.focus("#tab-translation")
    keyboard.press("ArrowRight")
    assert page.page.evaluate("document.activeElement.id") == "tab-brief"
    page.page.wait_for_selector("#brief li", timeout=WAIT_MS)
    keyboard.press("ArrowLeft")
    page.page.focus("#translation .unit")
    assert page.page.locator("#tooltip").is_visible(), "a sentence's German shows on focus too"
    assert page.page.get_attribute("#translation", "aria-live") == "polite"
    page.close()


def test_errors_are_one_line_and_the_page_is_safe(browser: object, copy_page_server: Running) -> None:
    page = Page(browser, copy_page_server)
    page.page.click("#translate")
    assert page.page.inner_text("#error").startswith("Nothing to translate")
    response = page.page.request.get(copy_page_server.url + "/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_in_light_and_dark(browser: object, small_page_server: Running, scheme: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for name, viewport in (
        ("desktop", {"width": 1280, "height": 900}),
        ("phone", {"width": 390, "height": 844}),
    ):
        page = Page(browser, small_page_server, color_scheme=scheme, viewport=viewport)
        page.translate(SAMPLE.read_text(encoding="utf-8"))
        page.page.locator("#translation mark.check").first.hover()
        path = ARTIFACTS / f"page-{scheme}-{name}.png"
        page.page.screenshot(path=str(path), full_page=name == "desktop")
        assert path.stat().st_size > 10_000
        width = page.page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, "nothing wider than the screen"
        page.close()


def test_no_ui_serves_the_api_alone() -> None:
    from translit.serve import ServeConfig

    with running(config=ServeConfig(ui=False)) as server, server.client() as client:
        assert client.get("/").status_code == 404
        assert client.get("/static/app.js").status_code == 404
        assert (
            client.post("/translate", json={"q": "Hallo.", "source": "de", "target": "en"}).status_code == 200
        )


def test_a_service_with_keys_asks_for_one_and_shows_its_message(browser: object, tmp_path: Path) -> None:
    from translit.serve import ServeConfig

    with running(config=ServeConfig(keys=frozenset({"geheim"}))) as server:
        page = Page(browser, server)
        page.page.wait_for_selector("#key-box:not([hidden])")
        page.page.fill("#source", "Der Hund bellt.")
        page.page.click("#translate")
        page.page.wait_for_selector("#error:not([hidden])")
        assert page.page.inner_text("#error") == "Please contact the server operator to get an API key"
        page.page.fill("#api-key", "geheim")
        page.translate("Der Hund bellt.")
        page.close()


def test_a_correction_made_in_the_page_sticks_and_a_near_match_is_shown(browser: object) -> None:
    """With ``--suggestions`` and keys, click an English sentence, correct it, save: the page shows
    it as the memory's, and from then on the service and the library translate it so; a German
    sentence close to it shows the near match beside the model's sentence."""
    import translit
    from translit.serve import ServeConfig

    from .conftest import CAPTIONS

    corrected = "A cyclist rides along a road (edited in the page)."
    config = ServeConfig(suggestions=True, keys=frozenset({"page-key"}))
    with running(SMALL, config) as server:
        page = Page(browser, server)
        page.page.fill("#api-key", "page-key")
        page.translate(f"{CAPTIONS[0]} {CAPTIONS[3]}")
        page.page.click('#translation [data-unit="0"]')
        page.page.fill("textarea.edit-unit", corrected)
        page.page.click("button.save-unit")
        page.page.wait_for_selector('#translation .unit.memory[data-unit="0"]')
        assert page.page.locator('#translation [data-unit="0"]').inner_text() == corrected
        assert "translation memory" in page.page.locator("#notice").inner_text()
        answer = details(server, CAPTIONS[0], api_key="page-key")
        assert answer["units"][0]["translation"] == corrected
        assert answer["units"][0]["by"] == "memory" and answer["units"][0]["memory"]["origin"] == "page"
        page.page.click("#edit")  # back to the German box
        page.translate("Ein Mann fährt mit einem Fahrrad über eine große Straße.")
        page.page.wait_for_selector("#translation .near")
        near = page.page.locator("#translation .near").get_attribute("aria-label") or ""
        assert corrected in near and "near match" in near
        ARTIFACTS.mkdir(exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS / "page-memory.png"))
        page.close()
    assert translit.Translator(SMALL, cache=False).translate(CAPTIONS[0]).text == corrected
