"""Prometheus metrics for ``/metrics``: read from the running parts at scrape time.

Counters come from the poller's and the dispatcher's running totals (they restart at zero
with the process, as Prometheus expects); gauges (outbox depth, feed health, mutes) are read
from the store when scraped. Each ``Hotline`` gets its own registry, so nothing is global.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from bot.notify import DeliveryStats
    from bot.poller import PollStats
    from bot.store import Store

__all__ = ["CONTENT_TYPE", "HotlineCollector", "metrics_registry", "render"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class HotlineCollector(Collector):
    """Reads the poller's and dispatcher's counters and the store's state."""

    def __init__(
        self,
        poll_stats: PollStats,
        delivery_stats: Callable[[], DeliveryStats | None],
        store: Store,
        feeds: Callable[[], list[str]],
    ) -> None:
        self.poll_stats = poll_stats
        self.delivery_stats = delivery_stats
        self.store = store
        self.feeds = feeds

    def collect(self) -> Iterator[Metric]:
        stats = self.poll_stats
        yield CounterMetricFamily(
            "hotline_feeds_polled", "Feed polls attempted.", value=stats.polls
        )
        errors = CounterMetricFamily(
            "hotline_fetch_errors", "Feed polls that failed, by kind.", labels=["kind"]
        )
        for kind, count in sorted(stats.fetch_errors.items()):
            errors.add_metric([kind], count)
        yield errors
        yield CounterMetricFamily("hotline_items", "New feed items recorded.", value=stats.items)
        yield CounterMetricFamily(
            "hotline_contacts", "Contacts recorded from feed items.", value=stats.contacts
        )
        yield CounterMetricFamily(
            "hotline_alerts_queued", "Alert deliveries queued in the outbox.", value=stats.alerts
        )
        delivery = self.delivery_stats()
        sent = CounterMetricFamily("hotline_alerts_sent", "Alert deliveries the platform took.")
        failed = CounterMetricFamily(
            "hotline_alerts_failed", "Alert deliveries a platform refused for good."
        )
        retried = CounterMetricFamily(
            "hotline_alert_retries", "Alert deliveries that failed and wait for a retry."
        )
        sent.add_metric([], delivery.sent if delivery else 0)
        failed.add_metric([], delivery.failed if delivery else 0)
        retried.add_metric([], delivery.retried if delivery else 0)
        yield sent
        yield failed
        yield retried
        yield GaugeMetricFamily(
            "hotline_poll_duration_seconds",
            "Wall time of the last poll of due feeds.",
            value=stats.last_duration,
        )
        outbox = GaugeMetricFamily(
            "hotline_outbox_depth", "Outbox rows by status.", labels=["status"]
        )
        counts = self.store.outbox_counts()
        for status in ("pending", "held", "failed"):
            outbox.add_metric([status], counts.get(status, 0))
        yield outbox
        yield GaugeMetricFamily(
            "hotline_alerts_held", "Alerts held by mutes.", value=counts.get("held", 0)
        )
        configured = set(self.feeds())
        states = self.store.feed_states()
        health = GaugeMetricFamily("hotline_feeds", "Configured feeds by health.", labels=["state"])
        tally = {"ok": 0, "failing": 0, "gone": 0, "never_polled": 0}
        for name in configured:
            state = states.get(name)
            if state is None or state.last_attempt is None:
                tally["never_polled"] += 1
            elif state.gone:
                tally["gone"] += 1
            elif state.errors:
                tally["failing"] += 1
            else:
                tally["ok"] += 1
        for label, count in tally.items():
            health.add_metric([label], count)
        yield health


def metrics_registry(collector: HotlineCollector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def render(registry: CollectorRegistry) -> bytes:
    """The text exposition format."""
    return generate_latest(registry)
