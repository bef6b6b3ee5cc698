"""Documents through the service: ``/translate_file`` (LibreTranslate's), downloads, and jobs.

``POST /translate_file`` translates an upload into its own format and answers with the address
of the translated file, fetched once from ``/download_file``; translit's job form (``POST
/jobs``, then ``GET /jobs/ID`` for progress, then the file; ``DELETE /jobs/ID`` to stop) gives a
long document a sign of life while it is translated. Addresses are built from ``--public-url``
or the address the service listens on — never from the request's ``Host`` header, which a
client writes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from translit.serve import requests
from translit.serve.errors import ApiError
from translit.serve.files import Job, media_type
from translit.serve.schema import FileRequest, body, parsed
from translit.serve.service import Service, ServiceDep

log = logging.getLogger("translit.serve")
router = APIRouter()


def base_url(request: Request, service: Service) -> str:
    """The service's own address: ``--public-url``, else the scheme, host and port the connection
    reached (the listening socket's, not the ``Host`` header's)."""
    if service.config.public_url:
        return str(service.config.public_url).rstrip("/")
    host, port = request.scope.get("server") or ("127.0.0.1", 80)
    shown = f"[{host}]" if ":" in str(host) else str(host)
    return f"{request.url.scheme}://{shown}:{port}"


def file_url(request: Request, service: Service, token: str, name: str) -> str:
    """Where a translated file is fetched."""
    return f"{base_url(request, service)}/download_file/{token}/{quote(name)}"


@router.post(
    "/translate_file",
    summary="Translate a document into its own format (LibreTranslate's API)",
    openapi_extra=body(FileRequest, multipart=True),
)
async def translate_file(request: Request, service: ServiceDep) -> JSONResponse:
    """LibreTranslate's ``/translate_file``: multipart ``file``, ``source``, ``target``, ``api_key``."""
    name, data, params = await requests.upload(
        request, await service.gate.admit(request, upload=True), service.config.file_limit
    )
    service.gate.authorise(request, params)
    fields = parsed(FileRequest, {**params, "file": data})
    new_name, written = await service.translate_upload(request, name, data, fields)
    token = service.files.put(new_name, written)
    return JSONResponse({"translatedFileUrl": file_url(request, service, token, new_name)})


@router.get("/download_file/{token}/{name}", summary="Fetch a translated file (once)")
async def download_file(token: str, name: str, service: ServiceDep) -> Response:
    """The translated file behind a ``translatedFileUrl``; it is gone once fetched."""
    stored = service.files.take(token)
    if stored is None:
        raise ApiError(404, "No such file: it was fetched already, or it expired")
    disposition = f"attachment; filename*=UTF-8''{quote(stored.name)}"
    return Response(
        stored.data, media_type=media_type(stored.name), headers={"Content-Disposition": disposition}
    )


@router.post(
    "/jobs",
    summary="Translate a document as a job: poll its progress, then fetch it (translit)",
    openapi_extra=body(FileRequest, multipart=True),
)
async def submit_job(request: Request, service: ServiceDep) -> JSONResponse:
    """Start translating an uploaded document; answers 202 with the job's address."""
    name, data, params = await requests.upload(
        request, await service.gate.admit(request, upload=True), service.config.file_limit
    )
    client = service.gate.authorise(request, params)
    fields = parsed(FileRequest, {**params, "file": data})
    job = Job(name, client=client)
    identifier = service.jobs.add(job, service.config.jobs_per_client)
    if identifier is None:
        limit = service.config.jobs_per_client
        raise ApiError(429, f"Slowdown: {limit} of your jobs are queued or running", {"Retry-After": "5"})
    # The upload's place among --max-concurrent passes to the job: it counts until the job
    # ends, not only until the 202 is sent.
    request.scope["translit.counted"] = False

    async def run() -> None:
        try:
            new_name, written = await service.translate_upload(None, name, data, fields, job)
            job.token = service.files.put(new_name, written)
            job.name = new_name
            job.status = "done"
        except ApiError as exc:
            job.status, job.error = ("cancelled", None) if job.cancelled else ("failed", exc.message)
        except Exception as exc:  # our fault: logged with its traceback, reported in one line
            log.error("job %s failed", identifier, exc_info=exc)
            job.status, job.error = "failed", f"internal error ({type(exc).__name__})"
        finally:
            job.finished = time.monotonic()
            service.gate.ended()

    service.background.add(task := asyncio.create_task(run()))
    task.add_done_callback(service.background.discard)
    url = f"{base_url(request, service)}/jobs/{identifier}"
    return JSONResponse({"job": identifier, "status": url}, status_code=202)


@router.get("/jobs/{identifier}", summary="A job's progress, and its file once done (translit)")
async def job_status(request: Request, identifier: str, service: ServiceDep) -> JSONResponse:
    """``status`` (queued/running/done/failed/cancelled), ``units``, ``units_done``; then the file."""
    job = service.jobs.get(identifier)
    if job is None:
        raise ApiError(404, "No such job")
    url = file_url(request, service, job.token, job.name) if job.token else None
    return JSONResponse(job.to_dict(url))


@router.delete("/jobs/{identifier}", summary="Cancel a job (translit)")
async def cancel_job(identifier: str, service: ServiceDep) -> JSONResponse:
    """Stop a job's translation; its units still waiting are dropped."""
    job = service.jobs.get(identifier)
    if job is None:
        raise ApiError(404, "No such job")
    job.cancelled = True
    return JSONResponse({"status": "cancelled" if job.status not in ("done", "failed") else job.status})
