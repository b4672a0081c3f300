"""One poll of the due feeds: fetch, parse, record what is new, queue the alerts.

``Poller.poll_due(now)`` asks the store which feeds are due and polls them concurrently
(the poller limits requests overall and per host). For each feed a reader (in worker
processes, ``bot.workers``, or in this one, ``bot.parsing.LocalReader``) makes a conditional
GET; a 304 or a body identical to the last one skips parsing; otherwise the document is
parsed there and the extractor runs on its items (in this process either way). Then, in one
transaction, the new items,
their contact events and silence claims, the alerts (into the outbox) and the feed's new
state are written together: a crash leaves either all of it or none of it.

The recording step (``record_items``: new items, their contacts and silence claims) is
shared with ``bot.backfill``, which replays saved documents without alerts.

A feed seen for the first time is seeded (recorded without alerts) unless ``backfill``.
One item that fails is logged with its feed and skipped; one feed that fails never stops
the others. This module decides nothing itself: schedules come from
``bot.backoff.next_poll_after``, alert texts from ``bot.milestones``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.backoff import next_poll_after
from bot.clock import Clock
from bot.config import PollingSettings, Settings, format_duration
from bot.errors import FeedError, FetchError
from bot.milestones import Names, contact_alert, source_alert
from bot.models import Action, Alert, FeedOutcome, FeedSpec, FeedState, FeedStatus, Item
from bot.notify import Notifier
from bot.reading import FeedReader, ItemFindings, Limiter, Parsed, ReadJob, ReadResult
from bot.render import bullets, heading, plain, text
from bot.store import NewSource, Recorded, Store

__all__ = ["PollStats", "Poller", "RecordedItem", "record_items"]

log = logging.getLogger(__name__)


@dataclass
class PollStats:
    """Running counters, read by the metrics endpoint."""

    polls: int = 0
    fetch_errors: dict[str, int] = field(default_factory=dict)
    items: int = 0
    contacts: int = 0
    alerts: int = 0
    last_duration: float = 0.0
    polling: bool = False


class Poller:
    """Polls feeds and feeds the record.

    Args:
        settings: feeds, polling and milestone settings.
        store: the store.
        reader: fetches, parses and extracts (in this process or in workers).
        notifier: where alerts go.
        names: the officials registry, for alert texts.
        clock: the time.
        backfill: alert on the items of feeds seen for the first time too.
        rng: jitter for backoff (tests pass a seeded one).
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        reader: FeedReader,
        notifier: Notifier,
        names: Names,
        clock: Clock,
        *,
        backfill: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.reader = reader
        self.limiter = Limiter(settings.polling.concurrency, settings.polling.per_host)
        self.notifier = notifier
        self.names = names
        self.clock = clock
        self.backfill = backfill
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self.stats = PollStats()
        self._turn = asyncio.Lock()
        store.sync_feeds(settings.feeds)

    @property
    def polling(self) -> PollingSettings:
        return self.settings.polling

    def feeds(self) -> tuple[FeedSpec, ...]:
        """Every feed to poll: those of ``feeds.yaml``, then those added from chat."""
        return self.store.feed_specs(self.settings.feeds)

    async def poll_due(self, now: datetime | None = None) -> list[FeedOutcome]:
        """Poll every feed that is due at ``now``."""
        when = now or self.clock.now()
        specs = {spec.name: spec for spec in self.feeds()}
        due = self.store.due_feeds(when, list(specs))
        return await self.poll([specs[name] for name in due])

    async def poll_all(self) -> list[FeedOutcome]:
        """Poll every feed now, due or not (``hotline poll --once``)."""
        return await self.poll(self.feeds())

    async def poll(self, specs: Sequence[FeedSpec]) -> list[FeedOutcome]:
        if not specs:
            return []
        added = {spec.name for spec in self.store.added_feeds()}
        started = asyncio.get_running_loop().time()
        self.stats.polling = True
        try:
            outcomes = await asyncio.gather(
                *(self._guarded(spec, spec.name in added) for spec in specs)
            )
        finally:
            self.stats.polling = False
            self.stats.last_duration = asyncio.get_running_loop().time() - started
        return list(outcomes)

    async def _guarded(self, spec: FeedSpec, added: bool) -> FeedOutcome:
        try:
            return await self.poll_feed(spec, added=added)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in one feed's handling must not stop the poll
            log.exception("polling failed unexpectedly", extra={"feed": spec.name})
            return FeedOutcome(spec.name, "error", error=f"{type(exc).__name__}: {exc}")

    async def poll_feed(self, spec: FeedSpec, *, added: bool = False) -> FeedOutcome:
        """Poll one feed now (``added``: an editor added it from chat, so it may reach
        public addresses only, unless ``polling.allow_private``)."""
        state = self.store.feed_state(spec.name) or FeedState(spec.name, spec.url)
        if state.gone:
            return FeedOutcome(spec.name, "skipped", error=state.last_error)
        self.stats.polls += 1
        now = self.clock.now()
        job = ReadJob(
            feed=spec.name,
            url=state.url,
            etag=state.etag,
            last_modified=state.last_modified,
            body_hash=state.body_hash,
            tz=spec.tz,
            public_only=added and not self.polling.allow_private,
        )
        async with self.limiter.slot(state.url):
            result = await self.reader.read(job, reparse=not state.seeded)
        if result.moved_to:
            log.info("permanently moved to %s", result.moved_to, extra={"feed": spec.name})
        # One feed's writes at a time, each its own turn of the event loop: when hundreds of
        # feeds come back together, commands and deliveries still get their turns between.
        async with self._turn:
            if result.error is not None:
                return self._failed(spec, state, now, result.error.exception(), result)
            if result.status in ("not_modified", "unchanged") or result.parsed is None:
                return self._unchanged(spec, state, now, result)
            if result.parsed.warning:
                log.debug(
                    "ill-formed but usable: %s", result.parsed.warning, extra={"feed": spec.name}
                )
            return self._record(spec, state, now, result, result.parsed)

    # --- outcomes ---------------------------------------------------------------------------

    def _next(
        self,
        spec: FeedSpec,
        now: datetime,
        errors: int,
        retry_after: float | None,
        max_age: float | None,
    ) -> datetime:
        return next_poll_after(
            now,
            spec.interval,
            errors,
            retry_after,
            max_age=max_age,
            max_backoff=self.polling.max_backoff,
            jitter=self.rng.random(),
        )

    def _success_state(
        self, spec: FeedSpec, state: FeedState, now: datetime, result: ReadResult
    ) -> FeedState:
        kept = result.status == "not_modified"
        return dataclasses.replace(
            state,
            url=result.moved_to or state.url,
            etag=result.etag or (state.etag if kept else None),
            last_modified=result.last_modified or (state.last_modified if kept else None),
            next_poll=self._next(spec, now, 0, None, result.max_age),
            errors=0,
            last_error=None,
            error_kind=None,
            last_attempt=now,
            last_success=now,
            broken_since=None,
        )

    def _unchanged(
        self, spec: FeedSpec, state: FeedState, now: datetime, result: ReadResult
    ) -> FeedOutcome:
        new_state = self._success_state(spec, state, now, result)
        with self.store.transaction():
            self._recovered(spec, state, now)
            self.store.save_feed_state(new_state)
        status: FeedStatus = "not_modified" if result.status == "not_modified" else "unchanged"
        return FeedOutcome(spec.name, status, next_poll=new_state.next_poll)

    def _failed(
        self,
        spec: FeedSpec,
        state: FeedState,
        now: datetime,
        exc: FeedError,
        result: ReadResult | None = None,
    ) -> FeedOutcome:
        kind = exc.kind
        self.stats.fetch_errors[kind] = self.stats.fetch_errors.get(kind, 0) + 1
        errors = state.errors + 1
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None
        gone = kind == "gone"
        new_state = dataclasses.replace(
            state,
            url=(result.moved_to if result and result.moved_to else state.url),
            errors=errors,
            last_error=str(exc),
            error_kind=kind,
            last_attempt=now,
            next_poll=None if gone else self._next(spec, now, errors, retry_after, None),
            gone=gone,
        )
        log.warning(
            "%s (failure %d in a row; %s)",
            exc,
            errors,
            "disabled" if gone else f"next try {new_state.next_poll:%Y-%m-%d %H:%M} UTC",
            extra={"feed": spec.name},
        )
        threshold = self.settings.milestones.feed_broken_after
        with self.store.transaction():
            if state.broken_since is None and (gone or errors >= threshold):
                new_state = dataclasses.replace(new_state, broken_since=now)
                self._notify(self._broken_alert(spec, new_state, now), spec)
            self.store.save_feed_state(new_state)
        return FeedOutcome(
            spec.name, "gone" if gone else "error", error=str(exc), next_poll=new_state.next_poll
        )

    def _recovered(self, spec: FeedSpec, state: FeedState, now: datetime) -> None:
        if state.broken_since is None:
            return
        down = now - state.broken_since
        blocks = (
            heading(f"Feed {spec.name} recovered"),
            text(f"It answers again after {format_duration(down) or 'a moment'} of failures."),
        )
        alert = Alert(
            key=f"feed_recovered:{spec.name}:{state.broken_since.isoformat()}",
            kind="feed_recovered",
            text=plain(blocks),
            blocks=blocks,
            feed=spec.name,
        )
        self._notify(alert, spec)
        log.info("recovered", extra={"feed": spec.name})

    def _broken_alert(self, spec: FeedSpec, state: FeedState, now: datetime) -> Alert:
        if state.gone:
            detail = (
                "The publisher answered 410 Gone: the feed was removed. Hotline stopped "
                "polling it; fix or remove it in feeds.yaml."
            )
        else:
            detail = (
                f"{state.errors} failures in a row; last: {state.last_error}. Hotline keeps "
                "retrying with backoff."
            )
        blocks = (heading(f"Feed {spec.name} is broken"), text(detail), text(f"URL: {state.url}"))
        return Alert(
            key=f"feed_broken:{spec.name}:{now.isoformat()}",
            kind="feed_broken",
            text=plain(blocks),
            blocks=blocks,
            feed=spec.name,
        )

    def _record(
        self,
        spec: FeedSpec,
        state: FeedState,
        now: datetime,
        result: ReadResult,
        parsed: Parsed,
    ) -> FeedOutcome:
        alerting = state.seeded or self.backfill
        contacts = 0
        alerts: list[Alert] = []
        with self.store.transaction():
            self._recovered(spec, state, now)  # said before the news it brings
            new = record_items(self.store, parsed, now, undated=now.date())
            for done in new:
                contacts += len(done.recorded)
                if alerting:
                    alerts.extend(self._alerts_for(spec, done.recorded))
            for alert in self._flood_guard(spec, alerts):
                self._notify(alert, spec)
            new_state = dataclasses.replace(
                self._success_state(spec, state, now, result),
                body_hash=result.body_hash,
                seeded=True,
                last_new_item=now if new else state.last_new_item,
            )
            self.store.save_feed_state(new_state)
        self.stats.items += len(new)
        self.stats.contacts += contacts
        if new:
            log.info(
                "%d new items, %d contacts%s",
                len(new),
                contacts,
                "" if alerting else " (first poll: recorded without alerts)",
                extra={"feed": spec.name},
            )
        return FeedOutcome(
            spec.name,
            "new" if state.seeded else "seeded",
            items=len(parsed.items),
            new_items=len(new),
            contacts=contacts,
            next_poll=new_state.next_poll,
        )

    def _alerts_for(self, spec: FeedSpec, recorded: Sequence[Recorded]) -> list[Alert]:
        alerts: list[Alert] = []
        mute_for = format_duration(self.settings.slack.mute_button)
        for done in recorded:
            event = done.event
            if done.new:
                history = self.store.pair_events(
                    event.a,
                    event.b,
                    kind=event.kind,
                    before=event.date,
                    limit=10,
                    exclude=event.id,
                    with_sources=False,
                )
                alerts.append(
                    contact_alert(
                        self.names,
                        event,
                        history,
                        long_silence=self.settings.milestones.long_silence,
                        feed=spec.name,
                        mute_for=mute_for,
                    )
                )
            else:
                alerts.append(source_alert(self.names, event, done.source, feed=spec.name))
        return alerts

    def _flood_guard(self, spec: FeedSpec, alerts: list[Alert]) -> list[Alert]:
        """More contact alerts from one feed in one poll than ``backlog`` become one digest."""
        limit = self.settings.milestones.backlog
        if len(alerts) <= limit:
            return alerts
        lines = [
            a.text.splitlines()[0] + " — " + a.text.splitlines()[1]
            for a in alerts
            if a.kind == "contact" and len(a.text.splitlines()) > 1
        ]
        others = len(alerts) - len(lines)
        blocks = [
            heading(f"{len(alerts)} updates from {spec.name} at once"),
            text(
                f"The feed delivered a backlog; here is one digest instead of {len(alerts)} alerts."
            ),
        ]
        if lines:
            blocks.append(bullets(*lines[:25]))
            if len(lines) > 25:
                blocks.append(text(f"… and {len(lines) - 25} more contacts."))
        if others:
            blocks.append(text(f"Plus {others} more reports of contacts already announced."))
        keys = sorted(a.key for a in alerts)
        digest = Alert(
            key=f"digest:{spec.name}:{keys[0]}:{keys[-1]}:{len(keys)}",
            kind="digest",
            text=plain(blocks),
            blocks=tuple(blocks),
            feed=spec.name,
        )
        return [digest]

    def _notify(self, alert: Alert, spec: FeedSpec) -> None:
        if not alert.actions:  # every alert a feed caused offers the editor a mute button
            mute_for = format_duration(self.settings.slack.mute_button)
            alert = dataclasses.replace(
                alert,
                actions=(Action(f"Mute {spec.name} {mute_for}", f"mute {spec.name} {mute_for}"),),
            )
        self.stats.alerts += self.notifier.notify(alert, spec.channels)


@dataclass(frozen=True, slots=True)
class RecordedItem:
    """A new item as recorded.

    Attributes:
        item_id: the item's id in the store.
        item: the item.
        findings: what the extractor found in it.
        recorded: the contacts it reported that joined the record (a report the event
            already had is left out).
        undated: contacts left out because neither the text nor the item dates them.
        failed: recording its findings failed (logged; the item is kept, its findings not).
    """

    item_id: int
    item: Item
    findings: ItemFindings
    recorded: tuple[Recorded, ...] = ()
    undated: int = 0
    failed: bool = False


def record_items(
    store: Store, parsed: Parsed, now: datetime, *, undated: date | None
) -> list[RecordedItem]:
    """Add a parsed document's items to the store and record the contacts and silence
    claims of the new ones; returns the new items, in document order.

    The step a poll and a backfill share, run inside the caller's transaction; each item is
    a savepoint, so one that fails is logged, rolled back alone and skipped. ``undated`` is
    the day given to a contact that neither its text nor its item dates (a poll's today,
    marked approximate); ``None`` leaves such contacts out (a backfill of old documents).
    """
    findings = dict(zip(parsed.items, parsed.findings, strict=True))
    out: list[RecordedItem] = []
    for item_id, item in store.add_items(parsed.items, now):
        found = findings[item]
        if not (found.contacts or found.silences or found.error):
            out.append(RecordedItem(item_id, item, found))  # nothing to record: no savepoint
            continue
        try:
            with store.transaction():
                recorded, skipped = _record_item(store, item_id, item, found, now, undated)
        except Exception:
            log.exception("item %r skipped", item.key, extra={"feed": item.feed})
            out.append(RecordedItem(item_id, item, found, failed=True))
            continue
        out.append(RecordedItem(item_id, item, found, recorded, skipped))
    return out


def _record_item(
    store: Store,
    item_id: int,
    item: Item,
    found: ItemFindings,
    now: datetime,
    undated: date | None,
) -> tuple[tuple[Recorded, ...], int]:
    if found.error:
        log.error("extraction failed: %s", found.error, extra={"feed": item.feed})
    recorded: list[Recorded] = []
    skipped = 0
    source = NewSource(
        origin="feed",
        title=item.title,
        evidence="",
        url=item.url,
        feed=item.feed,
        item_id=item_id,
        published=item.published,
    )
    fallback = item.local_date or undated
    for contact in found.contacts:
        day = contact.date or fallback
        if day is None:
            skipped += 1
            continue
        done = store.record_contact(
            contact.a,
            contact.b,
            kind=contact.kind,
            day=day,
            approximate=contact.date is None,
            source=dataclasses.replace(
                source, evidence=contact.evidence, confidence=contact.confidence
            ),
            now=now,
        )
        if done is not None:
            recorded.append(done)
    for claim in found.silences:
        store.record_silence_claim(claim, dataclasses.replace(source, evidence=claim.evidence), now)
    return tuple(recorded), skipped
