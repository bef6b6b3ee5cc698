"""``translit serve``: the LibreTranslate-compatible HTTP service (``pip install 'translit[serve]'``)."""

from __future__ import annotations

import ipaddress
import logging
import signal
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

from translit import errors
from translit.cli.common import handled, load_engine, translator_for
from translit.cli.options import with_declared_options, with_settings
from translit.options import Settings

log = logging.getLogger("translit")


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command(
        epilog="Examples:\n\n"
        "  translit serve\n\n"
        "  translit serve --port 5000 --model opus-mt-de-en\n\n"
        "  translit serve --host 0.0.0.0 --api-keys keys.txt --rate 60\n\n"
        "  curl -s localhost:5000/translate -H 'Content-Type: application/json' "
        '-d \'{"q": "Der Bundestag tagt.", "source": "de", "target": "en"}\''
    )(serve)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine."""
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def with_serve_options(func: Any) -> Any:
    """Give ``serve`` a flag for every option :class:`~translit.serve.limits.ServeConfig` declares
    (default, help and range from the declaration), handed over as one ``declared`` dict."""
    from translit.serve.limits import serve_options

    return with_declared_options(serve_options())(func)


@handled
@with_settings("model", "translation", "reading", "brief")
@with_serve_options
def serve(
    declared: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> None:
    """Serve translations over HTTP with LibreTranslate's API, batching concurrent requests.

    Any LibreTranslate client works unchanged (libretranslatepy, browser extensions, CAT
    tools). The units of all requests in flight share engine calls. Ctrl-C or SIGTERM
    finishes the requests in flight, then exits 0.
    """
    assert settings is not None
    try:
        import uvicorn

        from translit.serve import ServeConfig, create_app
    except ImportError as exc:
        raise errors.InputError(
            f"translit serve needs its extra (pip install 'translit[serve]'): {exc}"
        ) from None
    from translit.serve.connections import server_config
    from translit.serve.limits import read_keys

    config = ServeConfig(**(declared or {}))
    if config.api_keys:
        config = replace(config, keys=read_keys(Path(config.api_keys)))
    host, port = config.host, config.port
    if not is_loopback(host) and not config.keys:
        log.warning(
            "listening on %s without API keys: anyone who can reach this machine can use it "
            "(give --api-keys FILE, and put TLS in front; see README)",
            host,
        )
    if config.access_log:
        _access_lines()
    translator = translator_for(settings)
    load_engine(translator)
    app = create_app(translator, config)
    server = uvicorn.Server(server_config(app, host, port, config.timeout, config.forwarded_allow_ips))
    log.log(
        errors.NOTE, "serving %s on http://%s:%d (Ctrl-C to stop)", translator.engine.model_id, host, port
    )
    _quiet_after_shutdown()
    try:
        server.run()
    except SystemExit:
        pass  # uvicorn exits when it cannot bind; said below in translit's words
    finally:
        app.state.service.scheduler.close()
        translator.close()
    if not server.started:
        raise errors.InputError(f"cannot listen on {host}:{port} (in use, or not an address of this machine)")


def _quiet_after_shutdown() -> None:
    """Let uvicorn's shutdown end the process with exit 0.

    uvicorn finishes the requests in flight on SIGINT/SIGTERM, then raises the signal again
    for the handler that was there before; that must not turn a clean stop into exit 130.
    """

    def ignore(signum: int, frame: Any) -> None:
        return None

    signal.signal(signal.SIGINT, ignore)
    signal.signal(signal.SIGTERM, ignore)


def _access_lines() -> None:
    """The access log's JSON lines on stderr, as they are (no level or prefix)."""
    import logging
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("translit.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
