"""Watches against the record: each watch's current silence, and the periodic check that
announces silence marks.

A watch's sides are officials or role keys; ``bot.contacts`` says which pairs (and which
days) count for it, the store finds the latest of those contacts for every watch in a few
queries, and ``bot.milestones.silence_alerts`` decides what to announce. This module only
reads the store and queues alerts through the ``Notifier``; it decides nothing itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cached_property

from bot.clock import Clock
from bot.config import Settings, format_duration
from bot.contacts import PairWindow, clamp_windows, order_windows, pair_windows, spells
from bot.extract import Registry
from bot.milestones import Silence, silence_alerts, watch_key, watch_label
from bot.models import SilenceClaim, Source, Watch
from bot.notify import Notifier
from bot.store import Store

__all__ = ["CATCH_UP", "WatchBook"]

log = logging.getLogger(__name__)

CATCH_UP = timedelta(minutes=15)
"""A feed due for longer than this means the record is behind its feeds (after a restart or
an outage); in a normal poll cycle no feed waits that long."""
_SEEN = "watch-seen:"
"""Announcement-key prefix marking a watch as evaluated once (its first look is quiet)."""


class _Announced:
    """The store's announced keys as a container (for the pure decision)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.store.announced(key)


class WatchBook:
    """The configured watches, read against the record.

    Args:
        settings: the watches (and milestone settings).
        store: the record.
        registry: tenures, for role watches.
        notifier: where silence alerts go.
        clock: today.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        registry: Registry,
        notifier: Notifier,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.store = store
        self.registry = registry
        self.notifier = notifier
        self.clock = clock
        self._sides: dict[tuple[str, date], str] = {}
        self._waiting_since: datetime | None = None
        self._day_windows: tuple[date, list[list[PairWindow]]] | None = None

    @property
    def watches(self) -> tuple[Watch, ...]:
        return self.settings.watches

    @cached_property
    def _windows(self) -> list[list[PairWindow]]:
        """Each watch's pair windows (the registry does not change while Hotline runs)."""
        return [
            pair_windows(spells(self.registry, w.a), spells(self.registry, w.b))
            for w in self.watches
        ]

    def _windows_on(self, today: date) -> list[list[PairWindow]]:
        """Each watch's windows as of ``today``, latest-ending first (kept for the day)."""
        if self._day_windows is None or self._day_windows[0] != today:
            prepared = [clamp_windows(order_windows(w), today) for w in self._windows]
            self._day_windows = (today, prepared)
        return self._day_windows[1]

    @cached_property
    def _labels(self) -> list[str]:
        return [watch_label(self.registry, w) for w in self.watches]

    @cached_property
    def _claim_pairs(self) -> frozenset[tuple[str, str]]:
        """The pairs whose silence claims matter: those who may still talk for a watch
        (a role watch's pairs of past holders are history)."""
        return frozenset((w.a, w.b) for ws in self._windows for w in ws if w.end is None)

    @cached_property
    def _leads(self) -> list[frozenset[str]]:
        """The officials who stand for each watch's first side."""
        return [frozenset(s.official for s in spells(self.registry, w.a)) for w in self.watches]

    def _side_now(self, side: str, day: date) -> str:
        """An official's surname, or who holds a role on ``day`` (remembered per day)."""
        key = (side, day)
        if key not in self._sides:
            official = self.registry.get(side)
            if official is not None:
                name = official.surname
            else:
                found = self.registry.holders(side, day)
                name = " and ".join(o.surname for o in found) if found else "nobody"
            if len(self._sides) > 4096:
                self._sides.clear()
            self._sides[key] = name
        return self._sides[key]

    def silences(self, today: date) -> list[Silence]:
        """Every watch's current silence, in configuration order."""
        watches = self.watches
        windows = self._windows
        lasts = self.store.latest_events(
            [(w, watch.kind) for w, watch in zip(self._windows_on(today), watches, strict=True)],
            ordered=True,
        )
        claims = self.store.latest_silence_claims(self._claim_pairs)
        out: list[Silence] = []
        for index, (watch, pairs, last) in enumerate(zip(watches, windows, lasts, strict=True)):
            out.append(
                Silence(
                    watch=watch,
                    label=self._labels[index],
                    last=last,
                    claim=_newest_claim(pairs, claims),
                    holders=self._sides_now(watch, today),
                    lead=self._leads[index],
                )
            )
        return out

    def _sides_now(self, watch: Watch, today: date) -> tuple[str, str] | None:
        """For a watch with a role side, who stands for each side today."""
        if self.registry.get(watch.a) is not None and self.registry.get(watch.b) is not None:
            return None
        return self._side_now(watch.a, today), self._side_now(watch.b, today)

    def check(self) -> int:
        """Announce the silence marks crossed since the last check. Returns how many alerts
        were queued.

        Nothing is announced while a feed is overdue for a poll (after a restart, or
        while the poller catches up): the contact that ends a silence may be in it.
        A watch's first check is quiet: the marks its silence has already passed are
        claimed without posting (a new watch on a pair silent for a year does not open
        with an alert). A mark is claimed and its alert queued in one transaction, so a
        crash never loses nor repeats one.
        """
        now = self.clock.now()
        behind = self.store.due_feeds(
            now - CATCH_UP, [f.name for f in self.store.feed_specs(self.settings.feeds)]
        )
        if behind:
            # a contact may be waiting in a feed not yet read: a late mark beats a false one
            self._waiting_since = self._waiting_since or now
            waited = now - self._waiting_since
            level = logging.WARNING if waited >= timedelta(hours=1) else logging.INFO
            log.log(
                level,
                "silence marks wait (for %s now) until %d overdue feeds are read: %s",
                format_duration(waited),
                len(behind),
                ", ".join(behind[:5]),
            )
            return 0
        self._waiting_since = None
        silences = self.silences(now.date())
        due = silence_alerts(self.registry, silences, _Announced(self.store), now.date())
        queued = 0
        seen_marks = {s.watch: self.store.announced(_SEEN + _identity(s.watch)) for s in silences}
        for alert, silence in due:
            with self.store.transaction():
                if not self.store.announce_once(alert.key, now):
                    continue
                if seen_marks[silence.watch]:
                    queued += self.notifier.notify(alert, silence.watch.channels)
                    log.info("silence mark: %s", alert.text.splitlines()[1])
        for silence in silences:
            if not seen_marks[silence.watch]:
                self.store.announce_once(_SEEN + _identity(silence.watch), now)
        return queued


def _identity(watch: Watch) -> str:
    return watch_key(watch) + ":" + ",".join(str(t) for t in sorted(watch.thresholds))


def _newest_claim(
    pairs: Sequence[PairWindow],
    claims: dict[tuple[str, str], tuple[SilenceClaim, Source]],
) -> tuple[SilenceClaim, Source] | None:
    """The newest claim about any of the pairs whose named day (if any) falls in that
    pair's window."""
    best: tuple[SilenceClaim, Source] | None = None
    if not claims:
        return None
    for window in pairs:
        found = claims.get((window.a, window.b))
        if found is None:
            continue
        since = found[0].since
        if since is not None and (
            (window.start is not None and since < window.start)
            or (window.end is not None and since > window.end)
        ):
            continue
        if best is None or (found[1].added, found[1].id) > (best[1].added, best[1].id):
            best = found
    return best
