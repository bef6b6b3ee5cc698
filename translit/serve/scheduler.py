"""Batching across requests: the model inputs of every request in flight share engine calls.

LibreTranslate translates one request at a time per worker (and inside a request, one text
after another). Here every request hands its model inputs (normalised sentence units) to
one :class:`Scheduler`, which

* serves what the translation cache already has at once, and translates each distinct
  input once however many requests wait for it;
* waits a short *collection window* after the engine falls idle, so that requests arriving
  together share the next call;
* fills each engine call (a *round*) up to ``round_tokens`` source tokens, taking inputs
  round-robin from the waiting requests in arrival order — so a long article is spread over
  several rounds and a short request that arrives meanwhile gets a place in the next one
  (no head-of-line blocking);
* runs each round through :func:`translit.pipeline.translate_units`, the guards included,
  so every unit comes out as ``translit translate`` makes it;
* forgets the inputs of a request whose client went away, unless another request waits
  for them too.

One thread per engine worker takes rounds (CTranslate2 on CPU: one per core), so that while
one round's last batch finishes on one worker the next round already runs on the other —
a single round at a time left a worker idle at every round's end, and concurrent articles
gained less than the library's ``translate_many``, which submits all its batches at once.
Request handlers only wait on futures.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from translit.engines import DecodeOptions, TranslationEngine
from translit.engines.protocol import workers_of
from translit.glossary import Glossary
from translit.pipeline import Outcome, cache_lookup, cache_store, translate_units

log = logging.getLogger("translit")

DEFAULT_WINDOW = 0.005  # seconds the scheduler waits for company after the engine fell idle
DEFAULT_ROUND_TOKENS = 1024  # source tokens per engine call (translit's batch budget)

UNCACHED = "\x00uncached"  # the group of inputs that are neither read from nor kept in the cache
# What inputs must share to share a call: cache key options, decoding options, glossary.
Group = tuple[str, DecodeOptions, "Glossary | None"]


@dataclass
class _Work:
    """One request's inputs: which are done, which it still waits for."""

    number: int
    texts: list[str]
    future: Future[list[Outcome]]
    results: dict[str, Outcome] = field(default_factory=dict)
    waiting: set[str] = field(default_factory=set)

    def finish_if_done(self) -> None:
        if not self.waiting and not self.future.done():
            self.future.set_result([self.results[t] for t in self.texts])


@dataclass
class _Entry:
    """One distinct input waiting for the engine, and the requests that wait for it."""

    text: str
    tokens: int
    waiters: list[_Work] = field(default_factory=list)


@dataclass
class SchedulerStats:
    """What the scheduler did (for /health and the benchmark)."""

    rounds: int = 0
    inputs: int = 0
    cached: int = 0
    shared: int = 0  # inputs that a request found already waiting for another request
    busy_seconds: float = 0.0


class Scheduler:
    """Pools the inputs of concurrent requests into length-sorted, shared engine calls."""

    def __init__(
        self,
        engine: TranslationEngine,
        cache: Any = None,
        *,
        window: float = DEFAULT_WINDOW,
        round_tokens: int = DEFAULT_ROUND_TOKENS,
        pooled: bool = True,
    ) -> None:
        """``pooled=False`` serves one request at a time, all of it in one call (LibreTranslate's
        model, for comparison: ``bench/serve.py``)."""
        self.engine = engine
        self.pooled = pooled
        self.cache = cache
        self.window = window
        self.round_tokens = max(1, round_tokens)
        self.stats = SchedulerStats()
        self._condition = threading.Condition()
        self._pending: dict[Group, OrderedDict[str, _Entry]] = {}
        self._groups: deque[Group] = deque()  # groups with pending inputs, served in turn
        self._cache_lock = threading.Lock()  # one SQLite connection, used from several threads
        self._numbers = iter(range(1, 1 << 62))
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._run, name=f"translit-scheduler-{n}", daemon=True)
            for n in range(workers_of(engine) if pooled else 1)
        ]
        for thread in self._threads:
            thread.start()

    # --- requests ----------------------------------------------------------------------------

    def submit(
        self,
        texts: Sequence[str],
        options: DecodeOptions,
        cache_options: str,
        *,
        use_cache: bool = True,
        glossary: Glossary | None = None,
    ) -> Future[list[Outcome]]:
        """Translate ``texts`` (model inputs); the future gives one outcome per text, in order.

        ``cache_options`` is the cache-key part of the options (``Prepared.cache_options``);
        ``use_cache=False`` neither reads nor writes the cache (alternatives are not kept).
        """
        future: Future[list[Outcome]] = Future()
        work = _Work(next(self._numbers), list(texts), future)
        unique = list(dict.fromkeys(texts))
        if use_cache:
            with self._cache_lock:
                found = cache_lookup(self.engine, self.cache, cache_options, unique, glossary)
        else:
            found, cache_options = {}, UNCACHED
        work.results.update(found)
        missing = [t for t in unique if t not in found]
        group: Group = (cache_options, options, glossary or None)
        with self._condition:
            if self._stopping:
                future.set_exception(RuntimeError("the server is shutting down"))
                return future
            self.stats.cached += len(found)
            pending = self._pending.setdefault(group, OrderedDict())
            for text in missing:
                entry = pending.get(text)
                if entry is None:
                    entry = pending[text] = _Entry(text, self.engine.count_tokens(text) + 1)
                else:
                    self.stats.shared += 1
                entry.waiters.append(work)
                work.waiting.add(text)
            if missing and group not in self._groups:
                self._groups.append(group)
            self._condition.notify_all()
        work.finish_if_done()
        future.work = work  # type: ignore[attr-defined]  # for cancel()
        return future

    def cancel(self, future: Future[list[Outcome]]) -> None:
        """Forget a request (its client went away): inputs nobody else waits for are dropped."""
        work: _Work | None = getattr(future, "work", None)
        if work is None:
            return
        with self._condition:
            for pending in self._pending.values():
                for text in list(work.waiting):
                    entry = pending.get(text)
                    if entry is None:
                        continue
                    entry.waiters = [w for w in entry.waiters if w is not work]
                    if not entry.waiters:
                        del pending[text]
            work.waiting.clear()
        future.cancel()

    def pending_inputs(self) -> int:
        """Inputs waiting for the engine."""
        with self._condition:
            return sum(len(p) for p in self._pending.values())

    def close(self) -> None:
        """Stop after the inputs already waiting; later submissions fail."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        for thread in self._threads:
            thread.join(timeout=60)

    # --- the engine thread -----------------------------------------------------------------------

    def _take_round(self) -> tuple[Group, list[_Entry]] | None:
        """The next round: one group's inputs, round-robin over its requests, within the budget."""
        while self._groups:
            group = self._groups[0]
            pending = self._pending.get(group)
            if not pending:
                self._groups.popleft()
                self._pending.pop(group, None)
                continue
            # Requests in arrival order, each with its inputs in order.
            queues: OrderedDict[int, deque[_Entry]] = OrderedDict()
            for entry in pending.values():
                first = min(entry.waiters, key=lambda w: w.number)
                queues.setdefault(first.number, deque()).append(entry)
            if not self.pooled:
                oldest = min(queues)
                chosen = list(queues[oldest])
                for entry in chosen:
                    del pending[entry.text]
                return group, chosen
            chosen = []
            tokens = 0
            while queues and tokens < self.round_tokens:
                for number in list(queues):
                    entry = queues[number].popleft()
                    if not queues[number]:
                        del queues[number]
                    if chosen and tokens + entry.tokens > self.round_tokens:
                        queues.clear()
                        break
                    chosen.append(entry)
                    tokens += entry.tokens
            for entry in chosen:
                del pending[entry.text]
            self._groups.rotate(-1)  # the next round serves the next group, if there is one
            return group, chosen
        return None

    def _run(self) -> None:
        idle = True
        while True:
            with self._condition:
                while not self._groups and not self._stopping:
                    self._condition.wait()
                    idle = True
                if self._stopping and not self._groups:
                    return
            if idle and self.window > 0:
                time.sleep(self.window)  # let requests that arrive together share this round
            with self._condition:
                taken = self._take_round()
                if self._groups:
                    self._condition.notify()  # more waits: another worker's thread may take it
            if taken is None:
                continue
            idle = False
            self._translate(*taken)

    def _translate(self, group: Group, entries: list[_Entry]) -> None:
        cache_options, options, glossary = group
        texts = [e.text for e in entries]
        started = time.perf_counter()
        try:
            outcomes = translate_units(self.engine, texts, options, glossary)
        except Exception as exc:  # the engine failed: every waiting request fails, the server lives
            log.error("translation failed for %d unit(s): %s: %s", len(texts), type(exc).__name__, exc)
            with self._condition:
                for entry in entries:
                    for work in entry.waiters:
                        if not work.future.done():
                            work.future.set_exception(exc)
            return
        if cache_options != UNCACHED:
            with self._cache_lock:
                fresh = dict(zip(texts, outcomes, strict=True))
                cache_store(self.engine, self.cache, cache_options, fresh, glossary)
        with self._condition:
            self.stats.rounds += 1
            self.stats.inputs += len(texts)
            self.stats.busy_seconds += time.perf_counter() - started
            finished: list[_Work] = []
            for entry, outcome in zip(entries, outcomes, strict=True):
                for work in entry.waiters:
                    work.results[entry.text] = outcome
                    work.waiting.discard(entry.text)
                    if not work.waiting:
                        finished.append(work)
        for work in finished:
            work.finish_if_done()
