"""Batches and progress: how one engine call's units are grouped, and how far it has got."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from translit.engines.protocol import DecodeOptions

# Each parallel worker gets at least this many batches of a call, so that a short and a long
# batch even out; and no batch is split below this many source tokens.
BATCHES_PER_WORKER = 2
MIN_SPREAD_BATCH_TOKENS = 32


def spread_batches(lengths: Sequence[int], options: DecodeOptions, workers: int) -> tuple[int, int | None]:
    """``(batch_size, max_batch_tokens)`` for one call on an engine with ``workers`` in parallel.

    The default budget of 1,024 tokens puts a whole article into one or two batches; with
    several workers (CTranslate2's ``inter_threads``) one of them would translate it while the
    others wait. So the budget is cut to share the call's units among all workers, never
    above what ``options`` allows. With one worker nothing changes.
    """
    size, tokens = max(1, options.batch_size), options.max_batch_tokens
    if workers <= 1 or not lengths:
        return size, tokens
    parts = workers * BATCHES_PER_WORKER
    if tokens:
        share = math.ceil(sum(lengths) / parts)
        return size, max(MIN_SPREAD_BATCH_TOKENS, min(tokens, share))
    return max(1, min(size, math.ceil(len(lengths) / parts))), None


def plan_batches(
    lengths: Sequence[int], batch_size: int, max_batch_tokens: int | None = None
) -> list[list[int]]:
    """Group item indices into length-sorted batches (longest first).

    Sorting by length keeps padding small; a batch closes when it holds ``batch_size``
    items or, with ``max_batch_tokens``, when its padded size would exceed that.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        width = lengths[current[0]] if current else lengths[index]
        too_many = len(current) >= max(1, batch_size) and not max_batch_tokens
        too_big = bool(max_batch_tokens) and current and (len(current) + 1) * width > (max_batch_tokens or 0)
        if current and (too_many or too_big):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


# Who wants to hear how far an engine call has got: ``hook(done, total)`` in units, called
# from the calling thread. Set by a front end for one long job (the CLI's progress bar);
# engines that cannot tell ignore it. A context variable, so that threads and concurrent
# calls (the HTTP service) never see another caller's hook.
UNIT_PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar("unit_progress", default=None)
# How often a waiting engine call looks whether it is done (and lets Ctrl-C in): from
# POLL_FIRST seconds, growing by POLL_GROWTH each time, to at most POLL_MOST, so that a call
# is kept waiting about a tenth of its time at most (a slow growth) and a long one costs
# almost nothing to watch (each look is at one result).
POLL_FIRST = 0.0002
POLL_GROWTH = 1.1
POLL_MOST = 0.02
# How often a progress hook is told, in seconds.
PROGRESS_EVERY = 0.1


@contextmanager
def reporting_progress(hook: Callable[[int, int], None] | None) -> Iterator[None]:
    """Engine calls inside report ``hook(done, total)`` as units finish (``None``: not at all)."""
    token = UNIT_PROGRESS.set(hook)
    try:
        yield
    finally:
        UNIT_PROGRESS.reset(token)
