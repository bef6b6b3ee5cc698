"""Service benchmark: batching across requests against one request at a time.

Runs ``translit serve`` (a subprocess, on 127.0.0.1) with the small real translator
(``tests/fixtures/models/mt-de-en-small``, CTranslate2, beam 4, no cache) and sends the
same workload — held-out Multi30k validation sentences, as single sentences and as
"articles" of several paragraphs — from N concurrent clients (threads, each with one kept-alive
stdlib HTTP connection, so that the clients take little of the 2 cores):

  pooled     translit's server: units of all requests in flight share engine calls
  serial     the same server with --one-at-a-time: one request at a time, all of it in one
             call (LibreTranslate's model, more generous than LibreTranslate, which also
             translates sentence after sentence)

For each N in 1, 4, 16, 64: throughput (requests/s) and p50/p99 latency, medians of --reps
runs; the ratio against the same requests sent one at a time (N = 1) to the pooled server,
and against the serial server at the same N. Then head-of-line blocking: a short sentence
sent 0.3 s after a long article (``--long-chars``, every sentence different), the latency
of both on both servers.

    python bench/serve.py                 # about 8 minutes on 2 cores
    python bench/serve.py --reps 1 --clients 1 16
    python bench/serve.py --blocking-only
    python bench/serve.py --articles-only   # 24 articles at once, server against translate_many
    python bench/serve.py --instances-only  # one instance against one per core, balanced
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from record import recording  # bench/record.py, beside this script

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"
VAL = REPO.parent / "shared" / "data" / "parallel" / "multi30k" / "val.de"


def workload(requests: int, seed: int = 0, articles: bool = True) -> list[str]:
    """Held-out sentences, shuffled: with ``articles``, every fourth request is an article of
    3 paragraphs x 4 sentences; without, every request is one sentence."""
    rng = random.Random(seed)
    lines = [line.strip() for line in VAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng.shuffle(lines)
    pool = iter(lines * 4)
    texts = []
    for i in range(requests):
        if articles and i % 4 == 3:
            texts.append("\n\n".join(" ".join(next(pool) for _ in range(4)) for _ in range(3)))
        else:
            texts.append(next(pool))
    return texts


def long_article(chars: int) -> str:
    """An article of about ``chars`` characters, every sentence different (none is shared or
    cached): training sentences, four to a paragraph (only its time matters here)."""
    lines = (VAL.parent / "train.de").read_text(encoding="utf-8").splitlines()
    paragraphs, size = [], 0
    for start in range(0, len(lines), 4):
        paragraph = " ".join(line.strip() for line in lines[start : start + 4])
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
        if size >= chars:
            break
    return "\n\n".join(paragraphs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``translit serve`` in a subprocess on 127.0.0.1, without a cache or limits, up until stopped.

    ``beams``: None for the model's own beam size (bench/company.py serves the small translator).
    """

    def __init__(self, *extra: str, model: Path = MODEL, beams: int | None = 4) -> None:
        import httpx

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        beam_flags = ("--beams", str(beams)) if beams is not None else ()
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "translit", "serve", "--model", str(model), "--port", str(self.port)),
                *("--no-cache", "--char-limit", "0", "--max-concurrent", "0", *beam_flags, *extra),
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={
                **os.environ,
                "TRANSLIT_CACHE_DIR": os.environ.get(
                    "TRANSLIT_CACHE_DIR", str(REPO / "bench" / "out" / "cache")
                ),
            },
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(self.url + "/health", timeout=1)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("translit serve did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def post(connection: http.client.HTTPConnection, text: str) -> str:
    """One /translate request on a kept-alive connection (stdlib: the clients stay light);
    its translatedText."""
    body = json.dumps({"q": text, "source": "de", "target": "en"}).encode()
    connection.request("POST", "/translate", body, {"Content-Type": "application/json"})
    reply = connection.getresponse()
    data = reply.read()
    if reply.status != 200:
        raise RuntimeError(f"HTTP {reply.status}: {data[:200]!r}")
    return str(json.loads(data)["translatedText"])


def run(url: str | list[str], texts: list[str], clients: int) -> tuple[float, list[float]]:
    """Send every text once from ``clients`` threads; (seconds, latency of each request).

    With several URLs (instances), client k talks to instance k mod n: the balancing a load
    balancer in front of them would do.
    """
    urls = [url] if isinstance(url, str) else url
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(texts)
    numbers = iter(range(clients))

    def worker() -> None:
        with lock:
            number = next(numbers)
        host, port = urls[number % len(urls)].removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=600)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    text = queue.pop(0)
                began = time.perf_counter()
                post(connection, text)
                with lock:
                    latencies.append(time.perf_counter() - began)
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    return time.perf_counter() - started, latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def head_of_line(url: str, long_text: str, short_text: str) -> tuple[float, float]:
    """Latency of a short sentence sent 0.3 s after a long article, and the article's own."""
    host, port = url.removeprefix("http://").split(":")
    long_seconds: list[float] = []

    def send_long() -> None:
        began = time.perf_counter()
        post(http.client.HTTPConnection(host, int(port), timeout=600), long_text)
        long_seconds.append(time.perf_counter() - began)

    thread = threading.Thread(target=send_long)
    thread.start()
    time.sleep(0.3)
    began = time.perf_counter()
    post(http.client.HTTPConnection(host, int(port), timeout=600), short_text)
    seconds = time.perf_counter() - began
    thread.join()
    return seconds, long_seconds[0]


def measure(
    texts: list[str], clients_list: list[int], reps: int
) -> dict[tuple[str, int], list[tuple[float, list[float]]]]:
    """Every client count on both servers, ``reps`` times."""
    results: dict[tuple[str, int], list[tuple[float, list[float]]]] = {}
    for mode, extra in (("pooled", ()), ("serial", ("--one-at-a-time",))):
        server = Server(*extra)
        try:
            run(server.url, texts[:8], 4)  # warm up
            for rep in range(reps):
                for clients in clients_list:
                    seconds, latencies = run(server.url, texts, clients)
                    results.setdefault((mode, clients), []).append((seconds, latencies))
                    print(f"{mode:6} rep {rep + 1} clients {clients:3}: {seconds:6.2f} s", file=sys.stderr)
        finally:
            server.stop()
    return results


def table(title: str, texts: list[str], results: dict, clients_list: list[int], reps: int) -> None:
    """Print throughput ratios and latencies of one workload."""

    def summary(mode: str, clients: int) -> tuple[float, float, float]:
        runs = results[(mode, clients)]
        seconds = statistics.median(s for s, _ in runs)
        p50 = statistics.median(percentile(lat, 0.5) for _, lat in runs)
        p99 = statistics.median(percentile(lat, 0.99) for _, lat in runs)
        return len(texts) / seconds, p50, p99

    base = summary("pooled", 1)[0] if 1 in clients_list else float("nan")
    print(f"\n{title}: mt-de-en-small on CTranslate2, beam 4, no cache, medians of {reps} runs\n")
    print(
        f"{'clients':>7} {'pooled req/s':>12} {'x one at a time':>15} {'serial req/s':>12} "
        f"{'pooled/serial':>13} {'pooled p50/p99 s':>17} {'serial p50/p99 s':>17}"
    )
    for clients in clients_list:
        pooled, p50, p99 = summary("pooled", clients)
        serial, s50, s99 = summary("serial", clients)
        print(
            f"{clients:7} {pooled:12.2f} {pooled / base:15.2f} {serial:12.2f} {pooled / serial:13.2f} "
            f"{p50:8.2f}/{p99:<8.2f} {s50:8.2f}/{s99:<8.2f}"
        )


def instances(texts_by_title: list[tuple[str, list[str]]], clients: int, reps: int) -> None:
    """One server with every core against two servers with one thread each, balanced."""
    cores = len(os.sched_getaffinity(0))
    print(
        f"\n{clients} clients, medians of {reps}: one instance ({cores} threads) against "
        f"{cores} instances of one thread each, clients spread over them"
    )
    for title, texts in texts_by_title:
        times = {}
        for label, servers in (
            ("one", lambda: [Server()]),
            ("several", lambda: [Server("--threads", "1") for _ in range(cores)]),
        ):
            started = servers()
            try:
                urls = [s.url for s in started]
                run(urls, texts[:8], 4)
                times[label] = statistics.median(run(urls, texts, clients)[0] for _ in range(reps))
            finally:
                for server in started:
                    server.stop()
        print(
            f"  {title}: one instance {len(texts) / times['one']:.1f} req/s, {cores} instances "
            f"{len(texts) / times['several']:.1f} req/s -> {times['one'] / times['several']:.2f}x"
        )


def articles_together(count: int, reps: int) -> None:
    """``count`` articles sent at once against one after another — on the server and, in this
    process, with the library's ``translate_many`` (all at once against one at a time)."""
    import translit
    from translit.engines import DecodeOptions

    texts = [t for t in workload(8 * count, seed=1) if "\n\n" in t][:count]
    server = Server()
    try:
        run(server.url, texts[:4], 4)  # warm up
        alone, together = [], []
        for _ in range(reps):
            alone.append(run(server.url, texts, 1)[0])
            together.append(run(server.url, texts, count)[0])
    finally:
        server.stop()
    engine = translit.get_engine(str(MODEL), engine="ctranslate2")
    options = DecodeOptions(beams=4, batch_size=32, max_batch_tokens=1024)
    translit.translate_many(texts[:4], engine=engine, options=options)  # warm up
    lib_alone, lib_together = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        for text in texts:
            translit.translate_many([text], engine=engine, options=options, cache=None)
        lib_alone.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        translit.translate_many(texts, engine=engine, options=options, cache=None)
        lib_together.append(time.perf_counter() - t0)
    served = statistics.median(alone) / statistics.median(together)
    library = statistics.median(lib_alone) / statistics.median(lib_together)
    print(f"\n{count} articles of 12 sentences, medians of {reps}:")
    print(
        f"  server:  one after another {statistics.median(alone):.2f} s, all at once "
        f"{statistics.median(together):.2f} s -> {served:.2f}x"
    )
    print(
        f"  library: one at a time {statistics.median(lib_alone):.2f} s, translate_many "
        f"{statistics.median(lib_together):.2f} s -> {library:.2f}x"
    )
    print(f"  the server gains {served / library:.2f} of what translate_many gains (goal >= 0.9)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--requests", type=int, default=128)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument(
        "--long-chars", type=int, default=60_000, help="size of the long article of the blocking test"
    )
    parser.add_argument("--blocking-only", action="store_true", help="only the head-of-line test")
    parser.add_argument(
        "--articles-only", action="store_true", help="only 24 articles at once vs the library"
    )
    parser.add_argument("--instances-only", action="store_true", help="only one instance against several")
    parser.add_argument("--record", action="store_true", help="also write the result to bench/results/")
    args = parser.parse_args()
    # Each mode is its own result (bench/results/serve-instances.md, serve-articles.md, serve.md).
    if args.instances_only:
        with recording("serve-instances", args.record):
            instances(
                [
                    ("single sentences", workload(2 * args.requests, articles=False)),
                    ("mixed", workload(args.requests)),
                ],
                16,
                args.reps,
            )
        return
    if args.articles_only:
        with recording("serve-articles", args.record):
            articles_together(24, args.reps)
        return
    sentences = workload(2 * args.requests, articles=False)
    mixed = workload(args.requests)
    tables = [
        (f"{len(sentences)} single-sentence requests", sentences),
        (
            f"{len(mixed)} requests, {len(mixed) * 3 // 4} single sentences and {len(mixed) // 4} articles "
            "of 12 sentences",
            mixed,
        ),
    ]
    measured = (
        []
        if args.blocking_only
        else [(title, texts, measure(texts, args.clients, args.reps)) for title, texts in tables]
    )
    long_text = long_article(args.long_chars)
    short_text = "Ein Hund rennt über eine Wiese."
    blocking: dict[str, list[tuple[float, float]]] = {}
    for mode, extra in (("pooled", ()), ("serial", ("--one-at-a-time",))):
        server = Server(*extra)
        try:
            run(server.url, mixed[:8], 4)
            blocking[mode] = [head_of_line(server.url, long_text, short_text) for _ in range(args.reps)]
        finally:
            server.stop()
    with recording("serve", args.record):
        for title, texts, results in measured:
            table(title, texts, results, args.clients, args.reps)
        print(f"\na short sentence sent 0.3 s after a {len(long_text.split())}-word article (medians):")
        for mode, runs in blocking.items():
            short = statistics.median(s for s, _ in runs)
            long = statistics.median(t for _, t in runs)
            print(f"  {mode}: the sentence {short:.2f} s, the article {long:.2f} s")


if __name__ == "__main__":
    main()
