"""The Ray runner: ``translit batch --ray``, the same work as the local runner, on a cluster.

Who does what:

* The **driver** (the machine you run translit on) finds the inputs, plans their output
  names, skips finished files, reads each group of documents, and writes every output
  and resume marker itself — atomically, exactly as the local runner does. Workers never
  touch the input or output folders, so a cluster needs no shared storage for them, and
  the guarantees (atomic outputs, markers written last, resume) are the local ones.
* The **model** is shipped once through Ray's object store: the driver resolves the model
  (converting it for CTranslate2 first, unless ``--engine transformers``) and puts the
  folder's files into the store; each node writes them once to a local folder, keyed by
  the model's fingerprint, and its actors load from there. Nodes need translit installed,
  not the model.
* **Actors** (``--workers``, each with ``--threads-per-worker`` CPUs and engine threads, and
  ``--gpus-per-worker`` GPUs) load the engine once and run :func:`translate_group` — the
  function the local runner runs — on groups of documents, so outputs are the local ones.

A worker process that dies (``kill -9``, a lost node) is restarted by Ray and its group is
sent again: it costs a retry, not a file. Ctrl-C on the driver stops the run; outputs are
never partial, and a re-run finishes what is left.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from translit.batch.core import (
    BatchPlan,
    BatchReport,
    DocumentResult,
    ResultCallback,
    StartCallback,
    begin_run,
    finish_group,
    groups,
    read_group,
)
from translit.batch.settings import BatchSettings
from translit.batch.shipping import (
    ShippedMemory,
    ShippedModel,
    materialise,
    materialise_memory,
    prepare_memory,
    prepare_model,
)
from translit.engines import TranslationEngine
from translit.errors import InputError, ModelError
from translit.options import Compute
from translit.readers import Document
from translit.translator import Translator

log = logging.getLogger("translit")

# How often a group is sent again after the worker running it died.
MAX_GROUP_RETRIES = 3
# How long a group waits for a restarting worker before it is given up.
MAX_UNAVAILABLE_SECONDS = 120.0


@dataclass(frozen=True)
class RayOptions:
    """Where and how to run on Ray."""

    address: str | None = None  # None: $RAY_ADDRESS if set, else a local instance
    local: bool = False  # always a local instance, even with $RAY_ADDRESS set
    workers: int = 2
    threads_per_worker: int = 1
    gpus_per_worker: float = 0.0


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise InputError(f"--ray needs Ray (pip install 'translit[ray]'): {exc}") from None
    return ray


class TranslitWorker:
    """A Ray actor: loads the engine once, then translates groups of documents.

    The model comes with every call, as a reference boxed in a list (so Ray passes the
    reference, not the model): an actor loads it on its first call, and again after Ray
    has restarted it. The driver holds the reference for the whole run. (Giving it to the
    constructor instead would make a restart depend on Ray's lineage of constructor
    arguments, which it warns about.)
    """

    def __init__(self, threads: int, use_cache: bool) -> None:
        self.threads = threads
        self.use_cache = use_cache
        self.engine: TranslationEngine | None = None
        self.compute = Compute.default
        self.translator: Any = None

    def _load(self, model_box: list[Any], compute: Compute = Compute.default) -> None:
        import ray

        from translit.engines import open_engine

        (model_ref,) = model_box
        model: ShippedModel = model_ref if isinstance(model_ref, ShippedModel) else ray.get(model_ref)
        folder = materialise(model)
        self.engine = open_engine(
            model.kind,
            folder,
            model.model_id,
            threads=self.threads,
            compute=compute,
            normalization=model.normalization,
            flag_below=model.flag_below,
        )
        self.compute = compute

    def ready(self, model_box: list[Any], compute: Compute = Compute.default) -> int:
        """Load the model now, with the run's ``compute`` (so that its first group does not
        load it again); returns this worker's process id (tests kill it)."""
        if self.engine is None:
            self._load(model_box, compute)
        return os.getpid()

    def translate(
        self,
        model_box: list[Any],
        documents: list[Document],
        settings: BatchSettings,
        glossary: Any = None,
        memory_box: list[Any] | None = None,
    ) -> list[DocumentResult]:
        """Translate one group of read documents (:func:`translit.batch.core.translate_group`),
        with the driver's translation memory (``memory_box``; none: no memory at all)."""
        from translit.batch.core import translate_group_safely
        from translit.translator import Translator

        compute = settings.translation.compute
        if self.engine is None or self.compute != compute:
            self._load(model_box, compute)
            self.translator = None
        memory = "off"
        if memory_box:
            (memory_ref,) = memory_box
            shipped: ShippedMemory = (
                memory_ref if isinstance(memory_ref, ShippedMemory) else _import_ray().get(memory_ref)
            )
            memory = str(materialise_memory(shipped))
        translation = settings.translation.but(memory=memory)
        if self.translator is None or self.translator.settings != translation:
            self.translator = Translator(engine=self.engine, settings=translation, cache=self.use_cache)
        return translate_group_safely(self.translator, documents, settings)


def connect(options: RayOptions) -> tuple[Any, bool]:
    """Join a cluster or start a local instance; returns ``(ray, started_here)``."""
    ray = _import_ray()
    if ray.is_initialized():
        return ray, False
    address = options.address or (None if options.local else os.environ.get("RAY_ADDRESS")) or None
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "logging_level": logging.ERROR,
        "log_to_driver": False,
        "configure_logging": False,
    }
    if address is not None and address != "auto":
        _check_reachable(address)
    if address is None:
        kwargs["num_cpus"] = options.workers * options.threads_per_worker
        # Ray starts its workers at nice 15, as background work; in a local instance they are
        # the batch itself. Beside two busy processes a niced worker got 4 % of a core, and a
        # test batch took minutes instead of seconds. (Read by the instance started here.)
        os.environ.setdefault("RAY_worker_niceness", "0")
        if options.gpus_per_worker:
            kwargs["num_gpus"] = options.workers * options.gpus_per_worker
    # Ray announces its default token authentication on every local start: noise for a
    # user who asked for a batch (it stays visible with --debug).
    if not log.isEnabledFor(logging.DEBUG):
        logging.getLogger("ray._private.authentication").setLevel(logging.ERROR)
    try:
        ray.init(address=address, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = address or "a local instance"
        raise InputError(f"--ray: cannot start or join {where} ({str(exc).splitlines()[0]})") from None
    return ray, address is None


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast on a cluster address nobody answers at (Ray itself retries for minutes)."""
    import socket

    host_port = address.split("://", 1)[-1].rsplit("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"--ray: '{address}' is not an address (host:port or ray://host:port)")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise InputError(f"--ray: cannot start or join {address} ({exc.strerror or exc})") from None


def run_on_ray(
    plan: BatchPlan,
    translator: Translator,
    settings: BatchSettings,
    options: RayOptions,
    *,
    on_result: ResultCallback | None = None,
    on_start: StartCallback | None = None,
) -> BatchReport:
    """Run a batch on Ray (see the module docstring); the report is the local runner's.

    ``translator`` stays on the driver: it reads the inputs and names the model (its engine
    is never loaded here); the workers translate with the model it names.
    """
    if not settings.model_key:
        settings = replace(settings, model_key=translator.model_key)
    started = time.perf_counter()
    report, pending, finish = begin_run(plan, settings, on_result, on_start)
    if not pending:
        report.seconds = time.perf_counter() - started
        return report
    model = prepare_model(translator.choice)
    ray, started_here = connect(options)
    try:
        _dispatch(ray, model, pending, translator, settings, options, plan, report, finish)
    finally:
        if started_here:
            ray.shutdown()
    report.seconds = time.perf_counter() - started
    return report


def _dispatch(
    ray: Any,
    model: ShippedModel,
    pending: list[Any],
    reader: Translator,
    settings: BatchSettings,
    options: RayOptions,
    plan: BatchPlan,
    report: BatchReport,
    finish: Any,
) -> None:
    """Feed groups to the actors, at most two in flight per actor, and write what comes back.

    A dead actor is restarted by Ray (``max_restarts=-1``); until it is back, calls to it fail
    at once with ``ActorUnavailableError``. So a group lost with its actor goes back to the
    front of the queue and that actor is left alone for a while (longer each time), rather
    than the group being thrown at it again within milliseconds. A group is given up after
    :data:`MAX_GROUP_RETRIES` deaths of the worker running it, or after
    :data:`MAX_UNAVAILABLE_SECONDS` of its actors not coming back.
    """
    from ray.exceptions import ActorUnavailableError, RayActorError, RayTaskError, WorkerCrashedError

    model_ref = ray.put(model)
    actor_class = ray.remote(
        num_cpus=options.threads_per_worker,
        num_gpus=options.gpus_per_worker or None,
        max_restarts=-1,
        max_task_retries=0,
    )(TranslitWorker)
    model_box = [model_ref]
    # The driver's memory, shipped once (a list, so that Ray hands the worker the reference).
    memory_box = [ray.put(prepare_memory(reader.memory))] if reader.memory is not None else []
    use_cache = settings.translation.cache
    actors = [actor_class.remote(options.threads_per_worker, use_cache) for _ in range(options.workers)]
    _check_actors_start(ray, actors, model_box, settings.translation.compute)
    load = [0] * len(actors)
    rest_until = [0.0] * len(actors)  # an actor that just died is left alone until then
    pauses = [0] * len(actors)
    # (group, deaths so far, when its first "unavailable" happened)
    queue: deque[tuple[list[Any], int, float | None]] = deque(
        (group, 0, None) for group in groups(pending, settings.group_size)
    )
    in_flight: dict[Any, tuple[list[Any], list[Any], int, float | None, int]] = {}
    while queue or in_flight:
        now = time.monotonic()
        free = [i for i in range(len(actors)) if load[i] < 2 and rest_until[i] <= now]
        while queue and free:
            group, deaths, unavailable_since = queue.popleft()
            read = read_group(group, reader)
            documents = [document for document in read if isinstance(document, Document)]
            if not documents:
                finish_group(group, read, [], settings, plan, finish)
                continue
            index = min(free, key=lambda i: load[i])
            load[index] += 1
            if load[index] >= 2:
                free.remove(index)
            call = actors[index].translate.remote(model_box, documents, settings, reader.glossary, memory_box)
            in_flight[call] = (group, read, deaths, unavailable_since, index)
        if not in_flight:
            # Every actor is resting after a death: wait for the first to be due.
            time.sleep(max(0.0, min(rest_until) - time.monotonic()))
            continue
        ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=0.5)
        if not ready:
            continue
        group, read, deaths, unavailable_since, index = in_flight.pop(ready[0])
        load[index] -= 1
        error = ""
        try:
            translated = ray.get(ready[0])
            pauses[index] = 0
        except (RayActorError, WorkerCrashedError) as exc:
            # Rest the actor: 0.5 s, 1 s, 2 s, … up to 10 s while it keeps failing.
            pauses[index] += 1
            rest_until[index] = time.monotonic() + min(10.0, 0.25 * 2 ** pauses[index])
            if isinstance(exc, ActorUnavailableError):
                if unavailable_since is None:
                    report.retries += 1
                    log.warning(
                        "a worker is gone (%s); sending its %d document(s) again when one is back",
                        type(exc).__name__,
                        len(group),
                    )
                since = unavailable_since or time.monotonic()
                if time.monotonic() - since < MAX_UNAVAILABLE_SECONDS:
                    queue.appendleft((group, deaths, since))
                    continue
                translated, error = None, f"no worker came back within {MAX_UNAVAILABLE_SECONDS:.0f} s"
            else:
                report.retries += 1
                if deaths + 1 <= MAX_GROUP_RETRIES:
                    log.warning(
                        "a worker died (%s); sending its %d document(s) again",
                        type(exc).__name__,
                        len(group),
                    )
                    queue.appendleft((group, deaths + 1, None))
                    continue
                translated, error = None, f"the worker translating it died {deaths + 1} times"
        except RayTaskError as exc:
            translated, error = (
                None,
                f"translation failed on a worker ({str(exc.cause).splitlines()[0][:200]})",
            )
        if translated is None:
            for item in group:
                finish(
                    DocumentResult(item.relative, item.display, "failed", error=f"{item.display}: {error}")
                )
            continue
        finish_group(group, read, translated, settings, plan, finish)


def _check_actors_start(ray: Any, actors: list[Any], model_box: list[Any], compute: Compute) -> None:
    """Wait until every actor has loaded the model; a model no worker can load is one error.

    Without this, an actor whose constructor fails would be restarted and fail again for
    every group, and each file would be reported as lost to a dying worker.
    """
    from ray.exceptions import RayActorError, RayTaskError

    try:
        ray.get([actor.ready.remote(model_box, compute) for actor in actors])
    except (RayActorError, RayTaskError) as exc:
        message = str(exc)
        cause = next(
            (line.strip() for line in reversed(message.splitlines()) if "Error" in line and ":" in line),
            message.splitlines()[0] if message else type(exc).__name__,
        )
        raise ModelError(f"--ray: the workers cannot load the model ({cause[:300]})") from None
