"""Wiring: builds Hotline's parts from ``Settings`` and runs them.

The only place (with the entry point) that picks front-ends, and it imports them lazily, so
``import bot`` never loads a chat SDK. ``build`` assembles the core; ``serve`` runs the
scheduler, the delivery loop, the HTTP server and the front-ends until a stop signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from bot.clock import Clock, SystemClock
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.extract import Registry, load_registry
from bot.history import load_history
from bot.models import Delivery, Platform
from bot.netcheck import Resolver, system_resolver
from bot.notify import Dispatcher, Notifier
from bot.poller import Poller
from bot.reading import FeedReader
from bot.render import plural
from bot.service import CommandService
from bot.store import Store

if TYPE_CHECKING:
    import httpx

    from bot.parsing import Parser

__all__ = [
    "TICK",
    "ChatFrontend",
    "Hotline",
    "active_platforms",
    "build",
    "chat_frontends",
    "check_references",
    "load",
    "make_reader",
    "open_registry",
    "serve",
]

log = logging.getLogger(__name__)

TICK = timedelta(seconds=15)
"""How often the scheduler asks which feeds are due."""
MUTE_CHECK = timedelta(seconds=30)
"""How often mutes are checked for expiry."""
SILENCE_CHECK = timedelta(minutes=10)
"""How often watched silences are checked for marks."""


class ChatFrontend(Protocol):
    """A front-end that runs beside the core (Slack, Matrix)."""

    platform: Platform

    async def start(self, web: Any) -> None:
        """Connect, and register HTTP routes on ``web`` (a ``bot.web.WebServer``) if any."""
        ...

    async def deliver(self, delivery: Delivery) -> str | None: ...

    async def stop(self) -> None: ...


def check_references(settings: Settings, registry: Registry) -> list[str]:
    """Problems with names in the settings that only the registry can check (watches)."""
    problems = []
    for index, watch in enumerate(settings.watches):
        for side in ("a", "b"):
            value = getattr(watch, side)
            if not registry.is_party(value):
                line = settings.places.get(f"watch[{index}].{side}")
                where = f"line {line}: " if line else ""
                problems.append(
                    f"{where}watch[{index}].{side}: {value!r} is neither an official's id nor "
                    "a role key (such as 'us.defense') in the registry"
                )
    return problems


def open_registry(settings: Settings) -> Registry:
    """The bundled registry plus the configured extra files; references checked."""
    registry = load_registry(settings.officials)
    problems = check_references(settings, registry)
    if problems:
        raise ConfigError(problems, str(settings.config_path or "feeds.yaml"))
    return registry


def load(
    config: str | Path | None, environ: Mapping[str, str], db: str | None = None
) -> tuple[Settings, Registry]:
    """Settings and registry, every problem reported at once."""
    settings = load_settings(config, environ, db=db)
    return settings, open_registry(settings)


@dataclass
class Hotline:
    """The assembled core."""

    settings: Settings
    store: Store
    registry: Registry
    clock: Clock
    reader: FeedReader
    notifier: Notifier
    service: CommandService
    poller: Poller
    extras: dict[str, Any] = field(default_factory=dict)

    def jobs(self) -> dict[str, tuple[timedelta, Callable[[], Awaitable[object]]]]:
        """The periodic jobs beside the poll tick, by name."""

        async def expire_mutes() -> int:
            return self.notifier.expire_mutes()

        async def check_silences() -> int:
            return self.service.watchbook.check()

        return {
            "mutes": (MUTE_CHECK, expire_mutes),
            "silences": (SILENCE_CHECK, check_silences),
        }

    async def aclose(self) -> None:
        await self.reader.aclose()
        self.store.close()


def build(
    settings: Settings,
    registry: Registry,
    *,
    platforms: Collection[Platform],
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    parser: Parser | None = None,
    store: Store | None = None,
    backfill: bool = False,
    history: bool = False,
    resolve: Resolver = system_resolver,
) -> Hotline:
    """Assemble the core for the given active platforms (alerts are queued for those).

    Feeds are read in worker processes unless ``polling.workers`` is 0, or a test passes an
    HTTP ``transport`` or a ``parser`` (then everything runs in this process). ``history``
    loads the configured record of past contacts (``settings.history``) into the store if
    it is not there yet: every command that answers users asks for it (``hotline run``,
    ``poll``, ``ask``); a test that wants an empty record leaves it out. ``resolve``: host
    name resolution for feeds added from chat (tests pass a fake).
    """
    clock = clock or SystemClock()
    store = store or Store(settings.db, clock)
    if history:
        load_history(store, registry, settings.history, today=clock.now().date())
    reader = make_reader(
        settings,
        clock=clock,
        transport=transport,
        parser=parser,
        resolve=resolve,
        registry=registry,
    )
    notifier = Notifier(
        store,
        settings.alerts,
        platforms,
        clock,
        feed_channels={f.name: f.channels for f in settings.feeds},
    )
    service = CommandService(settings, store, registry, clock, notifier, resolve=resolve)
    poller = Poller(settings, store, reader, notifier, registry, clock, backfill=backfill)
    return Hotline(settings, store, registry, clock, reader, notifier, service, poller)


def make_reader(
    settings: Settings,
    *,
    clock: Clock,
    transport: httpx.AsyncBaseTransport | None = None,
    parser: Parser | None = None,
    resolve: Resolver = system_resolver,
    registry: Registry | None = None,
) -> FeedReader:
    """Worker processes by default; the main process when asked (or for fakes).

    ``registry``: the officials the extractor knows (default: the bundled registry plus the
    configuration's files)."""
    from bot.reading import extractor_of

    polling = settings.polling
    extractor = None
    if registry is not None:
        extractor = extractor_of(registry)
    elif parser is None:
        extractor = extractor_of(load_registry(list(settings.officials)))
    if transport is None and parser is None and polling.workers != 0:
        from bot.workers import WorkerConfig, WorkerPool

        config = WorkerConfig(
            timeout=polling.timeout.total_seconds(),
            max_bytes=polling.max_bytes,
            user_agent=polling.user_agent,
            log_format=settings.log_format,
            log_level=settings.log_level,
        )
        return WorkerPool(config, polling.workers or 0, extractor=extractor)
    from bot.fetch import Fetcher
    from bot.parsing import InlineParser, LocalReader

    fetcher = Fetcher(
        timeout=polling.timeout,
        max_bytes=polling.max_bytes,
        user_agent=polling.user_agent,
        transport=transport,
        clock=clock,
        resolve=resolve,
    )
    return LocalReader(fetcher, parser or InlineParser(extractor))


def chat_frontends(hotline: Hotline) -> list[ChatFrontend]:
    """The configured chat front-ends (imported only when their credentials are set)."""
    frontends: list[ChatFrontend] = []
    for platform in hotline.settings.chat_platforms:
        if platform == "slack":
            from handlers.slack import SlackFrontend  # type: ignore[import-not-found,import-untyped,unused-ignore]

            frontends.append(SlackFrontend.from_hotline(hotline))
        elif platform == "matrix":
            from handlers.matrix import MatrixFrontend  # type: ignore[import-not-found,import-untyped,unused-ignore]

            frontends.append(MatrixFrontend.from_hotline(hotline))
    return frontends


@contextlib.asynccontextmanager
async def _stop_on_signals() -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread
            pass
    try:
        yield stop
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def serve(
    hotline: Hotline,
    *,
    console: bool,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stop: asyncio.Event | None = None,
    http: bool = True,
    host: str = "0.0.0.0",  # noqa: S104 - the server is meant to be reachable in a container
) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM): the scheduler's tick, the delivery
    loop, the HTTP server, and the front-ends.

    Chat front-ends start together; one that cannot reach its platform yet keeps trying in
    the background (its alerts wait in the outbox), and one whose credentials are refused
    stops the start after the others were stopped again.
    """
    from bot.schedule import Scheduler

    frontends: dict[str, Any] = {}
    tasks: list[asyncio.Task[Any]] = []
    started: list[ChatFrontend] = []
    scheduler = Scheduler()
    web = None
    async with _stop_on_signals() as signalled:
        try:
            if http:
                from bot.web import WebServer

                web = WebServer(host, hotline.settings.http_port, lambda: _health(hotline))
                hotline.extras["web"] = web
                _add_metrics(web, hotline)
            chats = chat_frontends(hotline)
            outcomes = await asyncio.gather(
                *(chat.start(web) for chat in chats), return_exceptions=True
            )
            for chat, outcome in zip(chats, outcomes, strict=True):
                if not isinstance(outcome, BaseException):
                    started.append(chat)
            failures = [o for o in outcomes if isinstance(o, BaseException)]
            if failures:
                raise failures[0]
            frontends.update((chat.platform, chat) for chat in started)
            if console:
                from handlers.console import ConsoleFrontend, stdin_lines

                console_frontend = ConsoleFrontend(hotline.service, stdout, clock=hotline.clock)
                frontends["console"] = console_frontend
                tasks.append(asyncio.create_task(console_frontend.serve(stdin_lines(stdin))))
            dispatcher = Dispatcher(hotline.store, frontends, hotline.clock)
            hotline.notifier.subscribe(dispatcher.wake)
            hotline.extras["dispatcher"] = dispatcher
            tasks.append(asyncio.create_task(dispatcher.run(), name="dispatcher"))
            scheduler.every("tick", TICK, hotline.poller.poll_due)
            for name, (interval, job) in hotline.jobs().items():
                scheduler.every(name, interval, job)
            if web is not None:
                await web.start()
            scheduler.start()
            log.info(
                "Hotline is running: %s, front-ends: %s",
                plural(len(hotline.poller.feeds()), "feed"),
                ", ".join(frontends) or "none",
            )
            waiters = [asyncio.create_task(signalled.wait())]
            if stop is not None:
                waiters.append(asyncio.create_task(stop.wait()))
            _done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        finally:
            log.info("stopping")
            scheduler.shutdown()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for chat in started:
                with contextlib.suppress(Exception):
                    await chat.stop()
            if web is not None:
                await web.stop()


def _add_metrics(web: Any, hotline: Hotline) -> None:
    from aiohttp import web as aioweb

    from bot.metrics import CONTENT_TYPE, HotlineCollector, metrics_registry, render

    registry = metrics_registry(
        HotlineCollector(
            hotline.poller.stats,
            lambda: getattr(hotline.extras.get("dispatcher"), "stats", None),
            hotline.store,
            lambda: [f.name for f in hotline.poller.feeds()],
        )
    )

    async def metrics(request: aioweb.Request) -> aioweb.Response:
        return aioweb.Response(body=render(registry), headers={"Content-Type": CONTENT_TYPE})

    web.add_route("GET", "/metrics", metrics)


def _health(hotline: Hotline) -> dict[str, Any]:
    states = hotline.store.feed_states()
    configured = {f.name for f in hotline.poller.feeds()}
    broken = sorted(n for n, s in states.items() if n in configured and s.broken_since)
    return {
        "ok": True,
        "feeds": len(configured),
        "broken_feeds": broken,
        "outbox": hotline.store.outbox_counts(),
    }


def active_platforms(settings: Settings, *, console: bool) -> tuple[Platform, ...]:
    """The platforms alerts are queued for: the chat front-ends configured, plus the
    console when it runs."""
    platforms: list[Platform] = list(settings.chat_platforms)
    if console:
        platforms.append("console")
    return tuple(platforms)
