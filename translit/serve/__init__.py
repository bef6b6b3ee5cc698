"""``translit serve``: a LibreTranslate-compatible HTTP service that batches concurrent requests.

* :mod:`translit.serve.app` — the app factory; its routers, one per concern, are listed there
* :mod:`translit.serve.scheduler` — the units of all requests in flight share engine calls
* :mod:`translit.serve.limits` — the service's options (declared once), API keys, rates

Built on FastAPI (Starlette) and uvicorn, imported only when the app is made (the command
line reads the options' declarations without loading the web stack);
``pip install 'translit[serve]'``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Scheduler", "ServeConfig", "create_app"]


def __getattr__(name: str) -> Any:
    """The package's names, imported when first used (the web stack is heavy)."""
    if name == "create_app":
        from translit.serve.app import create_app

        return create_app
    if name == "ServeConfig":
        from translit.serve.limits import ServeConfig

        return ServeConfig
    if name == "Scheduler":
        from translit.serve.scheduler import Scheduler

        return Scheduler
    raise AttributeError(name)
