"""``translit serve``: a LibreTranslate-compatible HTTP service that batches concurrent requests.

* :mod:`translit.serve.app` — the routes: LibreTranslate's API and translit's extras
* :mod:`translit.serve.scheduler` — the units of all requests in flight share engine calls
* :mod:`translit.serve.limits` — API keys, sizes, requests in flight, rates

Built on FastAPI (Starlette) and uvicorn, imported only here; ``pip install 'translit[serve]'``.
"""

from translit.serve.app import create_app
from translit.serve.limits import ServeConfig
from translit.serve.scheduler import Scheduler

__all__ = ["Scheduler", "ServeConfig", "create_app"]
