"""Prometheus metrics of the service (``translit serve --metrics``), with prometheus-client.

Requests by route and status, their latency, the characters asked for, and — read from the
scheduler when scraped — units translated, served from the cache and shared, engine busy
seconds and the units waiting (queue depth). A registry of its own, so that nothing else in the
process is exported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ROUTES = frozenset(
    "/translate /translate_file /brief /detect /languages /frontend/settings /health /jobs /metrics".split()
)


class _SchedulerCollector(Collector):
    """The scheduler's counters, read when Prometheus scrapes."""

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler

    def collect(self) -> Iterator[Any]:
        stats = self.scheduler.stats
        yield CounterMetricFamily(
            "translit_units_translated", "Units the engine translated", value=stats.inputs
        )
        yield CounterMetricFamily("translit_units_cached", "Units served from the cache", value=stats.cached)
        yield CounterMetricFamily(
            "translit_units_shared", "Units shared between requests", value=stats.shared
        )
        yield CounterMetricFamily("translit_engine_rounds", "Engine calls", value=stats.rounds)
        yield CounterMetricFamily(
            "translit_engine_busy_seconds", "Seconds the engine spent translating", value=stats.busy_seconds
        )
        yield GaugeMetricFamily(
            "translit_queue_units", "Units waiting for the engine", value=self.scheduler.pending_inputs()
        )


class Metrics:
    """The service's metrics."""

    def __init__(self, scheduler: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "translit_requests", "Requests by route and status", ["route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "translit_request_seconds",
            "Request latency by route",
            ["route"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.characters = Counter(
            "translit_characters", "Characters asked to translate", registry=self.registry
        )
        self.registry.register(_SchedulerCollector(scheduler))

    def observe(self, path: str, status: int, seconds: float) -> None:
        """Count one request (unknown paths are one route, so scanners add no series)."""
        route = path if path in ROUTES else "other"
        self.requests.labels(route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def render(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return bytes(generate_latest(self.registry))
