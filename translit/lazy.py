"""Names a package hands out from its modules only when first used (PEP 562).

A package's ``__init__`` that imported its modules eagerly made ``import translit`` (and every
``translit --help``) import the translator, the cache, the engines and the readers. With
:func:`lazy_attributes`, the package lists where each name lives and imports that module the
first time the name is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(
    package: str, where: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: a name of ``where`` (name → module) imported from
    its module when first used and kept in the package's ``namespace`` (its ``globals()``)."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
