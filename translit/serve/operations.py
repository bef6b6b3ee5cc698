"""What the operator reads: ``/health``, ``/metrics`` (with ``--metrics``), and the API's docs.

With keys on, ``/health`` says only "ok" and ``/metrics`` answers 403 without a valid key; a
wrong key counts against its client like one sent to ``/translate`` (:mod:`translit.serve.gate`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from translit.engines.protocol import engine_name
from translit.serve.errors import ApiError
from translit.serve.service import ServiceDep

router = APIRouter()
metrics_router = APIRouter()


@router.get("/health", summary="Is the service up")
async def health(request: Request, service: ServiceDep) -> JSONResponse:
    """Up, which model, and what the scheduler has done; with keys on, only "up" without a key."""
    if not service.gate.operator(request):
        return JSONResponse({"status": "ok"})
    stats = service.scheduler.stats
    engine = service.translator.engine
    return JSONResponse(
        {
            "status": "ok",
            "model": Path(engine.model_id).name if os.sep in engine.model_id else engine.model_id,
            "engine": engine_name(engine),
            "uptime": round(time.time() - service.started, 1),
            "in_flight": service.gate.in_flight,
            "pending_units": service.scheduler.pending_inputs(),
            "rounds": stats.rounds,
            "units_translated": stats.inputs,
            "units_from_cache": stats.cached,
            "units_shared": stats.shared,
            "engine_seconds": round(stats.busy_seconds, 3),
        }
    )


@metrics_router.get("/metrics", summary="Prometheus metrics (translit serve --metrics)")
async def metrics(request: Request, service: ServiceDep) -> Response:
    """Requests, latency, characters, units, cache hits, engine seconds, queue depth."""
    if not service.gate.operator(request):
        raise ApiError(403, "Invalid API key")
    from translit.serve.metrics import CONTENT_TYPE

    return Response(service.metrics.render(), media_type=CONTENT_TYPE)


@router.get("/docs", include_in_schema=False)
async def docs() -> Response:
    """Swagger UI for the API, its script and style served by this service (swagger-ui-bundle)."""
    from fastapi.openapi.docs import get_swagger_ui_html

    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="translit API",
        swagger_js_url="/docs-assets/swagger-ui-bundle.js",
        swagger_css_url="/docs-assets/swagger-ui.css",
        swagger_favicon_url="/docs-assets/favicon-32x32.png",
    )


@router.get("/docs-assets/{name}", include_in_schema=False)
async def docs_assets(name: str) -> Response:
    """The Swagger UI files, from the swagger-ui-bundle package."""
    kinds = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in kinds or "/" in name or name.startswith("."):
        raise ApiError(404, "Not Found")
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        raise ApiError(404, "API docs need swagger-ui-bundle (pip install 'translit[serve]')") from None
    path = Path(swagger_ui_path) / name
    if not path.is_file():
        raise ApiError(404, "Not Found")
    return Response(path.read_bytes(), media_type=kinds[suffix], headers={"Cache-Control": "max-age=3600"})
