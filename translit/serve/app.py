"""The service's app: a thin factory that puts the parts together.

One module per concern, each an ``APIRouter`` a newcomer can read alone:

* :mod:`translit.serve.libretranslate` — LibreTranslate's API (``/translate``, ``/languages``,
  ``/detect``, ``/frontend/settings``), drop-in;
* :mod:`translit.serve.documents` — ``/translate_file``, downloads, and jobs;
* :mod:`translit.serve.extras` — translit's ``/brief``;
* :mod:`translit.serve.page` — the page at ``/``;
* :mod:`translit.serve.operations` — ``/health``, ``/metrics``, ``/docs``.

Behind them: :mod:`~translit.serve.service` (the translator, the scheduler, files and jobs),
:mod:`~translit.serve.requests` (bodies, forms, uploads, fields), :mod:`~translit.serve.gate`
(keys and rates), :mod:`~translit.serve.errors` (every error as ``{"error": …}``) and
:mod:`~translit.serve.middleware` (requests in flight, our faults, the access log).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from translit import __version__
from translit.serve import documents, extras, libretranslate, operations, page
from translit.serve.errors import install_error_handlers
from translit.serve.limits import ServeConfig
from translit.serve.middleware import GuardMiddleware
from translit.serve.service import Service
from translit.translator import Translator


def create_app(translator: Translator, config: ServeConfig | None = None) -> FastAPI:
    """The service for ``translator`` (its engine loaded first, so a missing model fails now)."""
    config = config or ServeConfig()
    service = Service(translator, config)
    app = FastAPI(
        title="translit",
        version=__version__,
        description="Offline German→English translation with a LibreTranslate-compatible API.",
        docs_url=None,  # served by the operations router from the package: nothing from a CDN
        redoc_url=None,
    )
    app.state.service = service
    install_error_handlers(app)
    app.add_middleware(GuardMiddleware, service=service)
    # Browsers on other origins may call the API, as LibreTranslate allows (any origin by
    # default; --cors ORIGIN restricts); never with credentials.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(config.cors) or ["*"],
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        allow_credentials=False,
        max_age=600,
    )
    for router in (libretranslate.router, extras.router, documents.router, operations.router):
        app.include_router(router)
    if config.metrics:
        app.include_router(operations.metrics_router)
    if config.ui:
        app.include_router(page.router)
    return app
