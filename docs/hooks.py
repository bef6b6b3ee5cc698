"""MkDocs hooks: pages whose content is generated from the code when the site is built.

``<!-- cli-reference -->`` in a page becomes every command's ``--help``
(:func:`translit.cli.reference.reference_markdown`), so the commands page cannot drift from
the CLI; and the reST cross-references of docstrings (``:func:`name```) read as code on the
API page.
"""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = "<!-- cli-reference -->"


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Fill in the generated parts of a page."""
    if PLACEHOLDER in markdown:
        from translit.cli.reference import reference_markdown

        markdown = markdown.replace(PLACEHOLDER, reference_markdown())
    return markdown


ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):<code>(~?)([^<]*)</code>")


def _code(match: re.Match[str]) -> str:
    short, name = match.groups()
    return f"<code>{name.rsplit('.', 1)[-1] if short else name}</code>"


def on_page_content(html: str, **_: Any) -> str:
    """Docstrings cross-reference in reST (``:func:`name```), which the API page shows as the
    code it names (``~a.b.name`` as ``name``, as Sphinx does)."""
    return ROLE.sub(_code, html)
