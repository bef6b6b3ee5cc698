"""Every command in README.md and on the documentation site (``docs/``) runs as printed.

The ``sh`` blocks of README.md, then of the site's pages in the order of ``mkdocs.yml``'s
``nav``, are run in order, each ``translit`` line in bash with ``pipefail``, from the repo root. ``opus-mt-de-en`` is served by a local stand-in for the
Hugging Face hub (:mod:`tests.hfserver`) with the copy model's files, so the set-up's
``translit models pull opus-mt-de-en`` really downloads, and the commands without
``--model`` then find "opus-mt" where the pull put it. ``/tmp/`` in a command becomes this
test's temporary folder. A line ending in ``# not run by tests: REASON`` is skipped (and must
say why). The ``python`` block of the Python API page runs as a script.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

from tests.conftest import COPY_MODEL, REPO, shared_path
from tests.hfserver import FakeHub

README = REPO / "README.md"
SKIP = re.compile(r"#\s*not run by tests:\s*\S")
INVOKES_TRANSLIT = re.compile(r"(^|[|;&]\s*|\$\(\s*)translit\b")


def pages() -> list[Path]:
    """README.md, then the site's pages in the order of its navigation."""
    nav = re.findall(
        r"^\s+- [^:]+: (\S+\.md)$", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), flags=re.M
    )
    return [README, *(REPO / "docs" / name for name in nav)]


def blocks(language: str) -> list[str]:
    """The contents of the fenced blocks in ``language`` of README and the site, in order."""
    found: list[str] = []
    for page in pages():
        text = page.read_text(encoding="utf-8")
        found += re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.M | re.S)
    return found


def commands() -> list[str]:
    """Every README line that runs translit, in order."""
    found = []
    for block in blocks("sh"):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and INVOKES_TRANSLIT.search(line):
                found.append(line)
    return found


def test_the_readme_has_commands_for_every_subcommand() -> None:
    lines = commands()
    assert len(lines) >= 30
    for sub in (
        "translate",
        "brief",
        "summarize",
        "batch",
        "serve",
        "models",
        "cache",
        "eval",
        "glossary",
        "memory",
    ):
        assert any(re.search(rf"translit {sub}\b", line) for line in lines), sub
    skipped = [line for line in lines if "# not run by tests" in line]
    assert all(SKIP.search(line) for line in skipped), "a skipped line must say why"
    assert len(skipped) <= 3, skipped


def readme_environment() -> dict[str, str]:
    """The environment README commands run in: this interpreter's ``bin`` first on PATH.

    So the test command passes as README gives it (``.venv/bin/python -m pytest``) in a
    fresh shell whose venv is not activated: ``translit`` is the venv's.
    """
    env = dict(os.environ)
    env.pop("HF_HUB_OFFLINE", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update({"NO_COLOR": "1", "COLUMNS": "120"})
    return env


def test_every_readme_command_runs(tmp_path: Path) -> None:
    shared_path("data", "html")  # the examples read ../shared
    env = readme_environment()
    has_jq = shutil.which("jq", path=env["PATH"]) is not None
    failures: list[str] = []
    skipped_for_jq: list[str] = []
    ran = 0
    with FakeHub("Helsinki-NLP/opus-mt-de-en", COPY_MODEL) as hub:
        env["HF_ENDPOINT"] = hub.endpoint
        for line in commands():
            if SKIP.search(line):
                continue
            if not has_jq and re.search(r"\|\s*jq\b", line):
                skipped_for_jq.append(line)  # jq is a system tool, not something pip installs
                continue
            command = line.replace("/tmp/", f"{tmp_path}/")
            proc = subprocess.run(
                ["bash", "-c", "set -o pipefail; " + command],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            ran += 1
            if proc.returncode != 0 or "Traceback" in proc.stderr:
                failures.append(f"{line}\n  exit {proc.returncode}: {proc.stderr.strip()[-600:]}")
            elif not proc.stdout.strip() and not re.search(r"[|>]| -o |cache clear", line):
                # A command printing to the terminal prints something.
                failures.append(f"{line}\n  printed nothing on stdout")
    if skipped_for_jq:
        warnings.warn(f"jq is not installed: {len(skipped_for_jq)} README example(s) not run", stacklevel=1)
    assert ran >= 30 - len(skipped_for_jq)
    assert not failures, "\n".join(failures)


# Shell lines that are not translit's but what CI itself runs on every clean clone (.ci/run: a
# venv, pip installing this project from the package index, the test command, the linters, the
# site's build, .ci/run itself).
RUN_BY_CI = re.compile(
    r"^(python3 -m venv \.venv\b|(\.venv/bin/python -m )?pip install torch==2\.13\.0 -e '\.\[[a-z,]+\]'\s*(#|$)"
    r"|\.venv/bin/(python -m )?(pytest|ruff|mypy|mkdocs)\b|bash \.ci/run\b)"
)


def test_every_shell_line_runs_or_says_why_not() -> None:
    """A line of a ``sh`` block that does not run translit is either one CI runs itself (the
    install, the test command, the linters) or says why no test runs it."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for needed in ("python3 -m venv .venv", "pip install", "pytest", "ruff check", "mypy", "mkdocs build"):
        assert needed in ci, needed
    unmarked = [
        line.strip()
        for block in blocks("sh")
        for line in block.splitlines()
        if line.strip()
        and not line.strip().startswith("#")
        and not INVOKES_TRANSLIT.search(line)
        and not RUN_BY_CI.search(line.strip())
        and not SKIP.search(line)
    ]
    assert not unmarked, unmarked


def test_the_python_example_runs(tmp_path: Path) -> None:
    shared_path("data", "html")
    (source,) = blocks("python")
    script = tmp_path / "example.py"
    script.write_text(source.replace("/tmp/", f"{tmp_path}/"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=REPO,
        env=readme_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "→" in proc.stdout
    assert (tmp_path / "api-out").is_dir()


def test_the_readme_is_short_and_every_page_is_on_the_site() -> None:
    """README.md is what a newcomer reads in two minutes (150 lines at most); the rest is on the
    site, every page of ``docs/`` in its navigation, every page linked from README."""
    readme = README.read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    listed = {page.name for page in pages()[1:]}
    assert listed == {page.name for page in (REPO / "docs").glob("*.md")}
    assert all(f"(docs/{name})" in readme for name in listed)
