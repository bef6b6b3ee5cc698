"""MkDocs hooks: pages whose content is generated from the code when the site is built.

``<!-- cli-reference -->`` in a page becomes every command's ``--help``
(:func:`translit.cli.reference.reference_markdown`), so the commands page cannot drift from
the CLI; ``<!-- bench: NAME -->`` becomes the benchmark's last recorded result
(``bench/results/NAME.md``, with its command, date and machine); ``<!-- environment -->`` the
table of the environment variables translit reads; and the reST cross-references
of docstrings (``:func:`name```) read as code on the
API page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

PLACEHOLDER = "<!-- cli-reference -->"
ENVIRONMENT = "<!-- environment -->"
BENCH = re.compile(r"<!-- bench: ([\w-]+) -->")
RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"


def bench_result(match: re.Match[str]) -> str:
    """A benchmark's last recorded result (``bench/results/NAME.md``, written by the script)."""
    path = RESULTS / f"{match.group(1)}.md"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no recorded result; run its benchmark with --record")
    return path.read_text(encoding="utf-8")


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Fill in the generated parts of a page."""
    if PLACEHOLDER in markdown:
        from translit.cli.reference import reference_markdown

        markdown = markdown.replace(PLACEHOLDER, reference_markdown())
    if ENVIRONMENT in markdown:
        markdown = markdown.replace(ENVIRONMENT, environment_table())
    return BENCH.sub(bench_result, markdown)


def environment_table() -> str:
    """Every environment variable translit reads (:data:`translit.config.ENVIRONMENT`), as a table."""
    from translit.config import ENVIRONMENT as VARIABLES

    rows = [f"| `{name.replace(' / ', '`, `')}` | {meaning} |" for name, meaning in VARIABLES.items()]
    return "\n".join(["| environment variable | what |", "|---|---|", *rows])


ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):<code>(~?)([^<]*)</code>")


def _code(match: re.Match[str]) -> str:
    short, name = match.groups()
    return f"<code>{name.rsplit('.', 1)[-1] if short else name}</code>"


def on_page_content(html: str, **_: Any) -> str:
    """Docstrings cross-reference in reST (``:func:`name```), which the API page shows as the
    code it names (``~a.b.name`` as ``name``, as Sphinx does)."""
    return ROLE.sub(_code, html)
