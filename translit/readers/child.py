"""Reading untrusted input in a forked child, bounded in time and, if asked, in memory.

A parser can spend many minutes inside C code on a hostile or huge input (trafilatura on a
giant page), where neither Ctrl-C nor SIGTERM reaches it, or inflate a stream without end (a
PDF bomb). Such work runs in a child process that is killed after ``seconds``; with
``memory``, the child may map that many bytes on top of what the process maps already (a
loaded model maps gigabytes). Whatever goes wrong becomes one :class:`InputError` line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from translit.errors import InputError

T = TypeVar("T")


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
    try:
        if not receiver.poll(seconds):
            raise InputError(too_slow)
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
