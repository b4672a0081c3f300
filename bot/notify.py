"""Alerts from the core to the chat platforms: routing, mutes, the outbox, delivery.

``Notifier`` decides where an alert goes (``route``, pure) and whether it is held by a mute
(``muted_by``, pure), then writes it to the store's outbox. ``Dispatcher`` drains the outbox
into the running front-ends, one row at a time per destination, in order, retrying with
backoff (honouring a platform's ``retry_after``) until the platform accepts it. Nothing is
sent from anywhere else, so a chat outage or a restart loses nothing and repeats nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.backoff import retry_delay
from bot.clock import Clock
from bot.errors import FrontendError
from bot.models import Alert, Delivery, Destination, Mute, Platform
from bot.store import Store

__all__ = [
    "CONSOLE",
    "DeliveryStats",
    "Dispatcher",
    "Frontend",
    "Notifier",
    "muted_by",
    "route",
]

log = logging.getLogger(__name__)

CONSOLE = Destination("console", "stdout")
"""The console front-end's one destination."""


class Frontend(Protocol):
    """A chat front-end as the dispatcher sees it."""

    platform: Platform

    async def deliver(self, delivery: Delivery) -> str | None:
        """Post one alert; return the platform's id of the new message (for threads).

        Raise ``FrontendError`` (with ``retry_after`` or ``permanent``) when the platform
        refuses it.
        """
        ...


def route(
    channels: Sequence[Destination],
    defaults: Mapping[str, Sequence[Destination]],
    platforms: Collection[Platform],
) -> list[Destination]:
    """Where an alert goes: its own channels (a feed's or a watch's) on each active
    platform, else that platform's defaults; the console, when active, gets everything."""
    out: list[Destination] = []
    for platform in platforms:
        if platform == "console":
            out.append(CONSOLE)
            continue
        own = [d for d in channels if d.platform == platform]
        chosen = own or list(defaults.get(platform, ()))
        out.extend(d for d in chosen if d not in out)
    return out


def muted_by(feed: str | None, mutes: Iterable[Mute], now: datetime) -> Mute | None:
    """The mute that holds an alert from ``feed`` at ``now``, if any. Alerts that no feed
    caused (silence milestones) are never held."""
    if feed is None:
        return None
    for mute in mutes:
        if mute.until > now and mute.target in (feed, "*"):
            return mute
    return None


class Notifier:
    """Queues alerts in the outbox for the active platforms.

    Args:
        store: the store (its outbox).
        defaults: per platform, where alerts go when they name no channels.
        platforms: the platforms alerts are queued for.
        clock: for mutes.
    """

    def __init__(
        self,
        store: Store,
        defaults: Mapping[str, Sequence[Destination]],
        platforms: Collection[Platform],
        clock: Clock,
        feed_channels: Mapping[str, Sequence[Destination]] | None = None,
    ) -> None:
        self.store = store
        self.defaults = defaults
        self.platforms = tuple(platforms)
        self.clock = clock
        self.feed_channels = dict(feed_channels or {})
        self._wake: list[asyncio.Event] = []

    def notify(self, alert: Alert, channels: Sequence[Destination] = ()) -> int:
        """Queue ``alert``; held (not sent) while its feed is muted. Returns rows added.

        An alert that belongs under another (a later report of a contact) goes where that
        one went, so it lands in its thread whatever its own feed's channels are.
        """
        destinations = route(channels, self.defaults, self.platforms)
        if alert.thread is not None:
            parents = [
                d for d in self.store.destinations_of(alert.thread) if d.platform in self.platforms
            ]
            destinations = parents or destinations
        if not destinations:
            log.warning(
                "alert %s has no destination on any active platform",
                alert.key,
                extra={"feed": alert.feed},
            )
            return 0
        held = muted_by(alert.feed, self.store.mutes(), self.clock.now()) is not None
        added = self.store.enqueue(alert, destinations, held=held)
        if added and not held:
            self._woken()
        return added

    def _woken(self) -> None:
        for event in self._wake:
            event.set()

    def mute(self, mute: Mute) -> None:
        """Start (or replace) a mute."""
        self.store.set_mute(mute)

    def unmute(self, target: str, why: str) -> tuple[list[Mute], int]:
        """End the mute of ``target`` (``"*"`` ends every mute) and post what it held.

        Returns the mutes ended and how many held alerts went out in digests.
        """
        ended = [m for m in self.store.mutes() if target in ("*", m.target)]
        released = 0
        for mute in ended:
            self.store.remove_mute(mute.target)
        for mute in ended:
            released += self._release(mute, why)
        return ended, released

    def expire_mutes(self, now: datetime | None = None) -> int:
        """End the mutes whose time is up, announcing each with a digest. Returns how many
        ended (the scheduler runs this every minute)."""
        when = now or self.clock.now()
        expired = [m for m in self.store.mutes() if m.until <= when]
        for mute in expired:
            self.store.remove_mute(mute.target)
            self._release(mute, "expired")
            log.info("mute of %s expired", mute.target, extra={"feed": mute.target})
        return len(expired)

    def _release(self, ended: Mute, why: str) -> int:
        """One digest per destination of the alerts ``ended`` held that no other mute still
        holds; a notice where nothing was held."""
        from bot.milestones import mute_digest

        now = self.clock.now()
        still = [m for m in self.store.mutes() if m.until > now]
        by_destination: dict[Destination, list[tuple[int, Alert]]] = {}
        for row_id, dest, alert, _held_at in self.store.held_alerts():
            if ended.target not in ("*", alert.feed):
                continue
            if muted_by(alert.feed, still, now) is not None:
                continue
            by_destination.setdefault(dest, []).append((row_id, alert))
        channels = self.feed_channels.get(ended.target, ())
        notice_to = [
            d for d in route(channels, self.defaults, self.platforms) if d not in by_destination
        ]
        stamp = f"{ended.target}:{ended.created.isoformat()}:{now.isoformat()}"
        digests: list[tuple[Alert, Destination]] = []
        for dest, rows in by_destination.items():
            alert = mute_digest(
                ended.target, [a for _, a in rows], key=f"mute:{stamp}:{dest}", why=why, feed=None
            )
            digests.append((alert, dest))
        ids = [row_id for rows in by_destination.values() for row_id, _ in rows]
        with self.store.transaction():
            self.store.release_held(ids, digests)
            if notice_to:
                notice = mute_digest(ended.target, [], key=f"mute:{stamp}", why=why, feed=None)
                self.store.enqueue(notice, notice_to)
        self._woken()
        return len(ids)

    def subscribe(self, event: asyncio.Event) -> None:
        """Have ``event`` set whenever something new is queued (a dispatcher waits on it)."""
        self._wake.append(event)


@dataclass
class DeliveryStats:
    """Counters for metrics."""

    sent: int = 0
    failed: int = 0
    retried: int = 0


class Dispatcher:
    """Drains the outbox into the front-ends.

    Args:
        store: the store (its outbox).
        frontends: by platform.
        clock: for retry times.
        idle: longest sleep between passes when nothing wakes it.
        rng: jitter source (tests pass a seeded ``random.Random``).
    """

    def __init__(
        self,
        store: Store,
        frontends: Mapping[str, Frontend],
        clock: Clock,
        *,
        idle: timedelta = timedelta(seconds=30),
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.frontends = dict(frontends)
        self.clock = clock
        self.idle = idle
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self.wake = asyncio.Event()
        self.stats = DeliveryStats()

    async def deliver_due(self) -> int:
        """One pass: every due row of every platform, in order per destination. Returns how
        many were sent."""
        counts = await asyncio.gather(
            *(self._drain(platform, frontend) for platform, frontend in self.frontends.items())
        )
        return sum(counts)

    async def _drain(self, platform: str, frontend: Frontend) -> int:
        sent = 0
        while True:
            batch = self.store.due_deliveries(platform, self.clock.now())
            if not batch:
                return sent
            progressed = False
            for delivery in batch:
                if await self._deliver(frontend, delivery):
                    sent += 1
                    progressed = True
            if not progressed:
                return sent

    async def _deliver(self, frontend: Frontend, delivery: Delivery) -> bool:
        try:
            message_id = await frontend.deliver(delivery)
        except FrontendError as exc:
            if exc.permanent:
                self.stats.failed += 1
                log.error(
                    "delivery of %s to %s refused for good: %s",
                    delivery.alert.key,
                    delivery.destination,
                    exc,
                    extra={"feed": delivery.alert.feed},
                )
                self.store.mark_failed(delivery.id, str(exc))
                return False
            self._retry(delivery, str(exc), exc.retry_after)
            return False
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a front-end bug must not stop deliveries
            log.exception(
                "delivery of %s to %s failed",
                delivery.alert.key,
                delivery.destination,
                extra={"feed": delivery.alert.feed},
            )
            self._retry(delivery, f"{type(exc).__name__}: {exc}", None)
            return False
        self.store.mark_sent(delivery.id, message_id)
        self.stats.sent += 1
        return True

    def _retry(self, delivery: Delivery, error: str, retry_after: float | None) -> None:
        self.stats.retried += 1
        delay = retry_delay(delivery.attempts + 1, retry_after, jitter=self.rng.random())
        log.warning(
            "delivery of %s to %s failed (attempt %d), retrying in %.0fs: %s",
            delivery.alert.key,
            delivery.destination,
            delivery.attempts + 1,
            delay.total_seconds(),
            error,
            extra={"feed": delivery.alert.feed},
        )
        self.store.mark_retry(delivery.id, error, self.clock.now() + delay)

    def _next_wait(self) -> float:
        now = self.clock.now()
        soonest = self.idle.total_seconds()
        for platform in self.frontends:
            due = self.store.next_attempt_at(platform)
            if due is not None:
                soonest = min(soonest, max(0.05, (due - now).total_seconds()))
        return soonest

    async def run(self) -> None:
        """Deliver until cancelled, waking when something is queued or a retry falls due."""
        while True:
            self.wake.clear()
            try:
                await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the delivery pass failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self._next_wait())
