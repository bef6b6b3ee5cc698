"""The documentation site (``mkdocs.yml``, ``docs/``): built strictly, offline, and generated
where the code knows better than a page — every command's ``--help`` is the commands page."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

pytest.importorskip("mkdocs")
pytest.importorskip("material")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built with ``--strict`` (a warning — a broken link, a page missing from the
    nav, a docstring reference that does not resolve — fails the build)."""
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def text_of(page: Path) -> str:
    """A built page's text, tags stripped and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))).split())


def test_the_site_builds_strictly_and_fetches_nothing(site: Path) -> None:
    """No script, style sheet, font or image comes from another host, at build or view time."""
    pages = sorted(site.rglob("*.html"))
    assert {p.relative_to(site).as_posix() for p in pages} >= {
        "index.html",
        "commands/index.html",
        "api/index.html",
    }
    for path in [*pages, *site.rglob("*.css")]:
        content = path.read_text(encoding="utf-8", errors="replace")
        loaded = re.findall(
            r'(?:src|data-src)="(https?:[^"]+)"|<link[^>]+href="(https?:[^"]+)"|url\((["\']?https?:[^)]+)\)',
            content,
        )
        assert not loaded, (path.relative_to(site), loaded[:3])
        assert "fonts.googleapis" not in content and "cdn.jsdelivr" not in content, path


def test_the_commands_page_is_every_command_s_help(site: Path) -> None:
    """Generated from the CLI when the site is built: a new command or option appears there,
    and the page says exactly what ``--help`` says."""
    from translit.cli.reference import command_paths, help_text

    page = text_of(site / "commands" / "index.html")
    paths = command_paths()
    assert ["memory", "review"] in paths and ["translate"] in paths
    for path in paths:
        assert " ".join(help_text(path).split()) in page, path


def test_the_api_page_is_made_from_the_docstrings(site: Path) -> None:
    from translit import Translator
    from translit.memory import TranslationMemory

    page = text_of(site / "api" / "index.html")
    for function in (Translator.translate, Translator.with_memory, TranslationMemory.lookup):
        first = (function.__doc__ or "").strip().splitlines()[0]
        shown = re.sub(r":\w+:`~?([^`]+)`", r"\1", first).replace("``", "")  # reST as the page shows it
        assert " ".join(shown.split()) in page, function.__qualname__
    assert ":func:" not in page and ":class:" not in page


def test_the_site_reads_in_chromium_light_and_dark_without_the_network(site: Path) -> None:
    """Three pages opened from disk in a real Chromium, in light and dark: they render, load
    nothing from another host, and are saved as screenshots (``test-artifacts/``)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    from .test_page import ARTIFACTS, CHROMIUM, FLAGS

    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    requested: list[str] = []
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            for scheme in ("light", "dark"):
                page = browser.new_page(color_scheme=scheme, viewport={"width": 1200, "height": 800})
                page.on("request", lambda r: requested.append(r.url))
                for name in ("index", "commands", "api"):
                    path = site / ("index.html" if name == "index" else f"{name}/index.html")
                    page.goto(path.as_uri())
                    page.wait_for_selector("article h1")
                    page.screenshot(path=str(ARTIFACTS / f"docs-{name}-{scheme}.png"))
                page.close()
        finally:
            browser.close()
    foreign = [u for u in requested if not u.startswith(("file:", "data:", "blob:"))]
    assert requested and not foreign, foreign


def test_the_exit_codes_page_lists_exactly_the_codes_translit_uses() -> None:
    """The table on the errors page and the top-level ``--help`` name every ``EXIT_*`` code of
    :mod:`translit.errors`, and no other."""
    import translit.errors as errors
    from translit.cli.reference import help_text

    codes = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    page = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    table = {int(code) for code in re.findall(r"^\| (\d+) \|", page, flags=re.M)}
    assert table == codes
    said = help_text([]).split("Exit codes:", 1)[1].split("Options:", 1)[0]
    assert {int(code) for code in re.findall(r"(\d+) [a-z]", said)} == codes


def test_the_manual_page_is_every_command_s_help_and_reads_in_man(tmp_path: Path) -> None:
    """``python -m translit.cli.manpage PATH`` installs ``translit.1``: roff that groff reads
    without a warning, with every command's help, every exit code and every environment
    variable translit reads."""
    from translit.cli.reference import command_paths
    from translit.config import ENVIRONMENT

    target = tmp_path / "man1" / "translit.1"
    subprocess.run([sys.executable, "-m", "translit.cli.manpage", str(target)], check=True, cwd=REPO)
    page = target.read_text(encoding="ascii")  # non-ASCII is written as roff's \[uXXXX]
    for path in command_paths()[1:]:
        assert f".SS translit {' '.join(path)}\n" in page
    assert "\\[u2192]" in page  # "German→English" in the top-level help
    if not shutil.which("groff"):
        pytest.skip("groff is not installed (.ci/run installs it): the page's text was checked")
    shown = subprocess.run(
        ["groff", "-man", "-Tutf8", "-ww", str(target)], capture_output=True, text=True, check=True
    )
    assert shown.stderr == ""
    text = re.sub(r".\x08", "", shown.stdout)  # groff's overstrike bold
    exits = text.split("EXIT STATUS", 1)[1].split("ENVIRONMENT", 1)[0]
    assert "130" in exits and "interrupted" in exits and "141" in exits
    for name in ENVIRONMENT:
        assert name in text.split("ENVIRONMENT", 1)[1]
    assert "Offline German→English translation" in text


def test_every_environment_variable_translit_reads_is_documented() -> None:
    """The variables the code reads (``os.environ``, ``os.getenv``, an ``ENV_*`` constant) are
    exactly the table that the configuration page and the man page are made from."""
    from translit.config import ENVIRONMENT

    read: set[str] = set()
    for path in (REPO / "translit").rglob("*.py"):
        code = path.read_text(encoding="utf-8")
        read |= set(re.findall(r'(?:environ(?:\.get)?[(\[]|getenv\()\s*"([A-Z][A-Z0-9_]+)"', code))
        read |= set(re.findall(r'^ENV_\w+ = "([A-Z][A-Z0-9_]+)"', code, flags=re.M))
    documented = {part for name in ENVIRONMENT for part in name.split(" / ")}
    assert read <= documented, read - documented
    assert documented - read <= {"NO_COLOR"}, documented - read  # NO_COLOR is read by rich


def test_recorded_benchmark_results_say_what_made_them(site: Path) -> None:
    """Every ``<!-- bench: NAME -->`` of a page is a result its script recorded (``--record``):
    headed by the command, the date and the machine, and shown on the built page as written."""
    placeholders = {
        (page.stem, name)
        for page in (REPO / "docs").glob("*.md")
        for name in re.findall(r"<!-- bench: ([\w-]+) -->", page.read_text(encoding="utf-8"))
    }
    assert {("memory", "memory"), ("benchmarks", "serve"), ("benchmarks", "startup")} <= placeholders
    for page, name in placeholders:
        result = REPO / "bench" / "results" / f"{name}.md"
        head = result.read_text(encoding="utf-8").splitlines()[0]
        script = name.split("-")[0]  # realdocs-job-cancel: one mode of bench/realdocs.py
        assert re.match(
            rf"`python bench/{script}\.py [^`]*--record[^`]*` on \d{{4}}-\d\d-\d\d, .+ cores", head
        ), head
        assert "--record" in (REPO / "bench" / f"{script}.py").read_text(encoding="utf-8")
        last = [line for line in result.read_text(encoding="utf-8").splitlines() if line and line != "```"][
            -1
        ]
        shown = last.split("|")[1] if last.startswith("|") else last  # a table's row, or a line as printed
        built = site / "index.html" if page == "index" else site / page / "index.html"  # MkDocs' URLs
        assert " ".join(shown.split()) in text_of(built), (page, name)
