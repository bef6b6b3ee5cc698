"""``translit serve``: the LibreTranslate-compatible HTTP service (``pip install 'translit[serve]'``)."""

from __future__ import annotations

import ipaddress
import logging
import signal
from pathlib import Path
from typing import Annotated, Any

import typer

from translit import errors
from translit.cli.common import handled, load_engine, translator_for
from translit.cli.options import with_settings
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


@handled
@with_settings("model", "translation", "reading", "brief")
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (default: this machine only).")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")] = 5000,
    api_keys: Annotated[
        Path | None,
        typer.Option(
            "--api-keys", help="File of API keys, one per line; requests need one of them.", metavar="FILE"
        ),
    ] = None,
    char_limit: Annotated[
        int, typer.Option("--char-limit", min=0, help="Characters per request (0: no limit).", metavar="N")
    ] = 20_000,
    batch_limit: Annotated[
        int,
        typer.Option("--batch-limit", min=0, help="Texts (q items) per request (0: no limit).", metavar="N"),
    ] = 64,
    body_limit: Annotated[
        int, typer.Option("--body-limit", min=0, help="Bytes of a request body (0: no limit).", metavar="N")
    ] = 1 << 20,
    max_concurrent: Annotated[
        int,
        typer.Option(
            "--max-concurrent", min=0, help="Requests in flight at once (0: no limit).", metavar="N"
        ),
    ] = 64,
    rate: Annotated[
        int,
        typer.Option(
            "--rate",
            min=0,
            help="Requests per minute per API key (per address without keys; 0: none).",
            metavar="N",
        ),
    ] = 0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds a request may take.", metavar="SECONDS")
    ] = 120.0,
    window: Annotated[
        float,
        typer.Option(
            "--window",
            min=0,
            max=1,
            help="Seconds to wait for other requests before a batch.",
            metavar="SECONDS",
        ),
    ] = 0.005,
    round_tokens: Annotated[
        int,
        typer.Option(
            "--round-tokens",
            min=1,
            max=1_000_000,
            help="Source tokens per engine call (smaller: short requests wait less).",
            metavar="N",
        ),
    ] = 1024,
    one_at_a_time: Annotated[
        bool,
        typer.Option(
            "--one-at-a-time",
            help="Translate one request at a time, as LibreTranslate does (for comparison only).",
        ),
    ] = False,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors",
            "--cors-origin",
            help="Allow browsers only from this origin (default: any, as LibreTranslate); repeatable.",
            metavar="ORIGIN",
        ),
    ] = None,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log", help="One JSON line per request on stderr (time, client, path, status)."
        ),
    ] = False,
    metrics: Annotated[
        bool,
        typer.Option("--metrics", help="Prometheus metrics at /metrics (with keys on, a key is needed)."),
    ] = False,
    no_ui: Annotated[
        bool, typer.Option("--no-ui", help="Serve the API alone, without the page at /.")
    ] = False,
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
    from translit.serve.limits import read_keys

    keys = read_keys(api_keys) if api_keys is not None else frozenset()
    if not is_loopback(host) and not keys:
        log.warning(
            "listening on %s without API keys: anyone who can reach this machine can use it "
            "(give --api-keys FILE, and put TLS in front; see README)",
            host,
        )
    config = ServeConfig(
        keys=keys,
        char_limit=char_limit,
        batch_limit=batch_limit,
        body_limit=body_limit,
        max_concurrent=max_concurrent,
        rate=rate,
        timeout=timeout,
        window=window,
        round_tokens=round_tokens,
        cors=tuple(cors or ()),
        pooled=not one_at_a_time,
        ui=not no_ui,
        metrics=metrics,
        access_log=access_log,
    )
    if access_log:
        _access_lines()
    translator = translator_for(settings)
    load_engine(translator)
    app = create_app(translator, config)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=int(timeout),
            lifespan="off",
        )
    )
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
