"""Reading untrusted input in a forked child, bounded in time and, if asked, in memory.

A parser can spend many minutes inside C code on a hostile or huge input (trafilatura on a
giant page), where neither Ctrl-C nor SIGTERM reaches it, or inflate a stream without end (a
PDF bomb). Such work runs in a child process that is killed after ``seconds``; with
``memory``, the child may map that many bytes on top of what the process maps already (a
loaded model maps gigabytes). Whatever goes wrong becomes one :class:`InputError` line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from translit.errors import InputError

T = TypeVar("T")

# Whether whoever waits for the reading has given up (the service's job, cancelled): asked
# while the child works, which is then killed at once. A context variable, so that each
# request's reading has its own (run_in_threadpool carries it into the worker thread).
_STOP: ContextVar[Callable[[], bool] | None] = ContextVar("translit_stop_reading", default=None)
STOP_POLL = 0.1
"""Seconds between two looks at whether the reading was given up."""
STOPPED = "the reading was stopped (cancelled)"


@contextmanager
def stoppable(stop: Callable[[], bool]) -> Iterator[None]:
    """Reading inside may be given up: a child's work is killed once ``stop()`` says so."""
    token = _STOP.set(stop)
    try:
        yield
    finally:
        _STOP.reset(token)


def stop_if_given_up() -> None:
    """Raise :class:`InputError` when whoever waits for this reading has given up.

    A reader that parses in this process (Word, ODT, PowerPoint, EPUB, Markdown, subtitles)
    asks this once per segment it makes (:func:`translit.readers.base.segment_from`), so a
    cancelled job stops within a segment rather than at the end of the document.
    """
    stop = _STOP.get()
    if stop is not None and stop():
        raise InputError(STOPPED)


def mapped_bytes() -> int:
    """Bytes of address space this process maps now (0 where the system does not say)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _child(connection: Any, work: Callable[[], Any], memory: int | None, out_of_memory: str) -> None:
    try:
        if memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (mapped_bytes() + memory, resource.RLIM_INFINITY))
        connection.send(("ok", work()))
    except MemoryError:
        connection.send(("error", out_of_memory or "it needs more memory than it may have"))
    except InputError as exc:  # the work's own words
        connection.send(("error", str(exc)))
    except Exception as exc:  # reported in the parent, in one line
        connection.send(("error", f"{type(exc).__name__}: {exc}".strip()))


def bounded(
    work: Callable[[], T],
    seconds: float,
    *,
    too_slow: str,
    ended: str,
    failed: str,
    memory: int | None = None,
    out_of_memory: str = "",
) -> T:
    """``work()`` done in a forked child; its result, or :class:`InputError` with ``too_slow``
    (after ``seconds``), ``ended`` (the child died) or ``failed`` and the reason in brackets."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, work, memory, out_of_memory), daemon=True)
    child.start()
    sender.close()
    stop = _STOP.get()
    deadline = time.monotonic() + seconds
    try:
        while not receiver.poll(min(STOP_POLL, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                raise InputError(too_slow)
            if stop is not None and stop():
                raise InputError(STOPPED)
        status, value = receiver.recv()
    except EOFError:
        raise InputError(ended) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
    if status != "ok":
        raise InputError(f"{failed} ({value})")
    result: T = value
    return result
