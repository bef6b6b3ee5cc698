"""Service benchmark: batching across requests against one request at a time.

Runs ``translit serve`` (a subprocess, on 127.0.0.1) with the small real translator
(``tests/fixtures/models/mt-de-en-small``, CTranslate2, beam 4, no cache) and sends the
same workload — held-out Multi30k validation sentences, as single sentences and as
"articles" of several paragraphs — from N concurrent clients (threads with httpx):

  pooled     translit's server: units of all requests in flight share engine calls
  serial     the same server with --one-at-a-time: one request at a time, all of it in one
             call (LibreTranslate's model, more generous than LibreTranslate, which also
             translates sentence after sentence)

For each N in 1, 4, 16, 64: throughput (requests/s) and p50/p99 latency, medians of --reps
runs; the ratio against the same requests sent one at a time (N = 1) to the pooled server,
and against the serial server at the same N. Then head-of-line blocking: a short sentence
sent while a long article is in flight, its latency on both servers.

    python bench/serve.py                 # about 10 minutes on 2 cores
    python bench/serve.py --reps 1 --clients 1 16
"""

from __future__ import annotations

import argparse
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

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"
VAL = REPO.parent / "shared" / "data" / "parallel" / "multi30k" / "val.de"


def workload(requests: int, seed: int = 0) -> list[str]:
    """Three single sentences for every article of 3 paragraphs x 4 sentences, held-out, shuffled."""
    rng = random.Random(seed)
    lines = [line.strip() for line in VAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng.shuffle(lines)
    pool = iter(lines * 4)
    texts = []
    for i in range(requests):
        if i % 4 == 3:
            texts.append("\n\n".join(" ".join(next(pool) for _ in range(4)) for _ in range(3)))
        else:
            texts.append(next(pool))
    return texts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``translit serve`` in a subprocess, up until stopped."""

    def __init__(self, *extra: str) -> None:
        import httpx

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "translit", "serve", "--model", str(MODEL), "--port", str(self.port)),
                *("--no-cache", "--char-limit", "0", "--max-concurrent", "0", "--beams", "4", *extra),
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


def run(url: str, texts: list[str], clients: int) -> tuple[float, list[float]]:
    """Send every text once from ``clients`` threads; (seconds, latency of each request)."""
    import httpx

    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(enumerate(texts))

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=600) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    _, text = queue.pop(0)
                began = time.perf_counter()
                reply = client.post("/translate", json={"q": text, "source": "de", "target": "en"})
                reply.raise_for_status()
                with lock:
                    latencies.append(time.perf_counter() - began)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    return time.perf_counter() - started, latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def head_of_line(url: str, long_text: str, short_text: str) -> float:
    """Latency of a short sentence sent 0.3 s after a long article."""
    import httpx

    result: dict[str, float] = {}

    def long() -> None:
        httpx.post(url + "/translate", json={"q": long_text, "source": "de", "target": "en"}, timeout=600)

    thread = threading.Thread(target=long)
    thread.start()
    time.sleep(0.3)
    began = time.perf_counter()
    httpx.post(url + "/translate", json={"q": short_text, "source": "de", "target": "en"}, timeout=600)
    result["short"] = time.perf_counter() - began
    thread.join()
    return result["short"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--requests", type=int, default=128)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16, 64])
    args = parser.parse_args()
    texts = workload(args.requests)
    long_text = "\n\n".join(t for t in texts if "\n\n" in t)[:20_000]
    short_text = "Ein Hund rennt über eine Wiese."
    results: dict[tuple[str, int], list[tuple[float, list[float]]]] = {}
    hol: dict[str, list[float]] = {"pooled": [], "serial": []}
    for mode, extra in (("pooled", ()), ("serial", ("--one-at-a-time",))):
        server = Server(*extra)
        try:
            run(server.url, texts[:8], 4)  # warm up
            for rep in range(args.reps):
                for clients in args.clients:
                    seconds, latencies = run(server.url, texts, clients)
                    results.setdefault((mode, clients), []).append((seconds, latencies))
                    print(f"{mode:6} rep {rep + 1} clients {clients:3}: {seconds:6.2f} s", file=sys.stderr)
                hol[mode].append(head_of_line(server.url, long_text, short_text))
        finally:
            server.stop()

    def summary(mode: str, clients: int) -> tuple[float, float, float]:
        runs = results[(mode, clients)]
        seconds = statistics.median(s for s, _ in runs)
        p50 = statistics.median(percentile(lat, 0.5) for _, lat in runs)
        p99 = statistics.median(percentile(lat, 0.99) for _, lat in runs)
        return args.requests / seconds, p50, p99

    base = summary("pooled", 1)[0] if 1 in args.clients else float("nan")
    print(
        f"\n{args.requests} requests ({args.requests * 3 // 4} sentences, {args.requests // 4} articles "
        f"of 12 sentences), mt-de-en-small on CTranslate2, beam 4, no cache, medians of {args.reps} runs\n"
    )
    print(
        f"{'clients':>7} {'pooled req/s':>12} {'x one at a time':>15} {'serial req/s':>12} "
        f"{'pooled/serial':>13} {'pooled p50/p99 s':>17} {'serial p50/p99 s':>17}"
    )
    for clients in args.clients:
        pooled, p50, p99 = summary("pooled", clients)
        serial, s50, s99 = summary("serial", clients)
        print(
            f"{clients:7} {pooled:12.2f} {pooled / base:15.2f} {serial:12.2f} {pooled / serial:13.2f} "
            f"{p50:8.2f}/{p99:<8.2f} {s50:8.2f}/{s99:<8.2f}"
        )
    print(
        f"\nshort sentence sent while a {len(long_text.split())}-word article is in flight: "
        f"pooled {statistics.median(hol['pooled']):.2f} s, serial {statistics.median(hol['serial']):.2f} s "
        "(medians)"
    )


if __name__ == "__main__":
    main()
