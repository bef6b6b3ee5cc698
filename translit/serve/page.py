"""The newsroom's page at ``/``: paste or drop German, read the English (``--no-ui`` turns it off).

Its files come from the package; it loads nothing from anywhere but this service and runs no
inline script (:data:`PAGE_POLICY`).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from translit.serve.errors import ApiError

router = APIRouter()

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}


def static_file(name: str) -> Response:
    """One of the page's files, read from the package, with the page's security headers."""
    from importlib import resources

    data = resources.files("translit.serve").joinpath("static", name).read_bytes()
    headers = {
        "Content-Security-Policy": PAGE_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    return Response(data, media_type=STATIC_TYPES[name], headers=headers)


@router.get("/", include_in_schema=False)
async def page() -> Response:
    """The page."""
    return static_file("index.html")


@router.get("/static/{name}", include_in_schema=False)
async def static(name: str) -> Response:
    """The page's script and style sheet, from the package."""
    if name not in STATIC_TYPES or name == "index.html":
        raise ApiError(404, "Not Found")
    return static_file(name)
