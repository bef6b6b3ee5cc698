"""A local HTTP server that speaks enough of the Hugging Face hub's file API for ``models pull``.

It serves one repository (a folder of files) at one commit:

* ``GET /api/models/{repo}/revision/{revision}`` — the commit and the file list;
* ``GET /api/models/{repo}/tree/{revision}`` — the file list with sizes;
* ``HEAD``/``GET /{repo}/resolve/{revision}/{file}`` — a file, with ``X-Repo-Commit``,
  ``ETag`` and ``Content-Length``, and ``Range`` requests for resumed downloads.

``cut_after`` makes the first ``cut_times`` GETs of every file stop after that many bytes
(a dropped connection), so that resuming is exercised; ``tamper`` changes a file's bytes for every
request (a mirror serving something else). Requests are recorded in ``requests``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class FakeHub:
    """The server and what it serves; use as a context manager."""

    def __init__(
        self, repo: str, folder: Path, commit: str = "0123456789abcdef0123456789abcdef01234567"
    ) -> None:
        self.repo = repo
        self.commit = commit
        self.files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
        self.cut_after: int | None = None
        self.cut_times = 1
        self.tamper: dict[str, bytes] = {}
        # Hostile hubs: names listed that are no files of ours, sizes that lie, a body that
        # trickles (seconds per chunk), files that redirect to themselves forever.
        self.extra_names: list[str] = []
        self.sizes: dict[str, int] = {}
        self.drip: float | None = None
        self.redirect_loop = False
        self.requests: list[tuple[str, str, str | None]] = []
        self._cuts: dict[str, int] = {}
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_HEAD(self) -> None:
                hub._handle(self, head=True)

            def do_GET(self) -> None:
                hub._handle(self, head=False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        """The address to put in HF_ENDPOINT."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _content(self, name: str) -> bytes:
        return self.tamper.get(name, self.files[name])

    def _handle(self, request: BaseHTTPRequestHandler, head: bool) -> None:
        path = request.path.split("?", 1)[0]
        self.requests.append((request.command, path, request.headers.get("Range")))
        api = f"/api/models/{self.repo}/revision/"
        tree = f"/api/models/{self.repo}/tree/"
        resolve = f"/{self.repo}/resolve/"
        if path.startswith(tree):
            entries = [
                {
                    "type": "file",
                    "path": name,
                    "size": self.sizes.get(name, len(data)),
                    "oid": hashlib.sha1(data).hexdigest(),
                }
                for name, data in self.files.items()
            ]
            self._send(request, 200, json.dumps(entries).encode(), {"Content-Type": "application/json"}, head)
            return
        if path.startswith(api) or path == f"/api/models/{self.repo}":
            body = json.dumps(
                {
                    "id": self.repo,
                    "modelId": self.repo,
                    "sha": self.commit,
                    "siblings": [{"rfilename": name} for name in [*self.files, *self.extra_names]],
                }
            ).encode()
            self._send(request, 200, body, {"Content-Type": "application/json"}, head)
            return
        if path.startswith(resolve):
            name = path[len(resolve) :].split("/", 1)[-1]
            if name not in self.files:
                self._send(request, 404, b"not found", {"X-Error-Code": "EntryNotFound"}, head)
                return
            if self.redirect_loop and not head:
                self._send(request, 302, b"", {"Location": self.endpoint + path}, head)
                return
            data = self._content(name)
            headers = {
                "X-Repo-Commit": self.commit,
                "ETag": '"' + hashlib.sha256(data).hexdigest() + '"',
                "Accept-Ranges": "bytes",
                "Content-Type": "application/octet-stream",
            }
            start = 0
            wanted = request.headers.get("Range")
            if wanted and wanted.startswith("bytes=") and not head:
                start = int(wanted[6:].split("-")[0] or 0)
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            body = data[start:]
            if head:
                headers["Content-Length"] = str(len(data))
                self._send(request, 200, b"", headers, head=True)
                return
            cut = (
                self.cut_after is not None
                and self._cuts.get(name, 0) < self.cut_times
                and len(body) > self.cut_after
            )
            if cut:
                self._cuts[name] = self._cuts.get(name, 0) + 1
                headers["Content-Length"] = str(len(body))
                request.send_response(206 if start else 200)
                for key, value in headers.items():
                    request.send_header(key, value)
                request.end_headers()
                request.wfile.write(body[: self.cut_after])
                request.wfile.flush()
                request.close_connection = True
                return
            if self.drip is not None and not head:
                headers["Content-Length"] = str(len(body))
                request.send_response(200)
                for key, value in headers.items():
                    request.send_header(key, value)
                request.end_headers()
                try:
                    for i in range(0, len(body), 64):
                        request.wfile.write(body[i : i + 64])
                        request.wfile.flush()
                        time.sleep(self.drip)
                except OSError:
                    pass
                return
            self._send(request, 206 if start else 200, body, headers, head)
            return
        self._send(request, 404, b"not found", {}, head)

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str], head: bool
    ) -> None:
        request.send_response(code)
        for key, value in headers.items():
            request.send_header(key, value)
        if "Content-Length" not in headers:
            request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        if not head:
            request.wfile.write(body)
