"""Text that must not reach the model as prose: links, and units without words."""

from __future__ import annotations

import re

_LINK = re.compile(
    r"(?:https?://|ftp://|www\.)\S+"  # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*",  # bare domain with a path
    re.IGNORECASE,
)


def needs_model(text: str) -> bool:
    """False for text the model must not see: no letter or digit, or only links.

    ``***``, ``–``, ``•`` and ``|`` make translation models hallucinate whole sentences;
    a bare URL or e-mail address has nothing to translate. Both are copied unchanged.
    """
    rest = _LINK.sub(" ", text)
    return any(ch.isalnum() for ch in rest)
