"""The ``hotline`` command (also ``python -m bot``).

Parses arguments and hands each subcommand to the module that does the work, importing it
only then, so that ``hotline extract`` starts without loading the HTTP client, the scheduler
or the configuration schema. Exit status: 0 on success, 2 for usage and configuration
errors, 3 for store errors, 1 for anything unexpected.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.extract import Registry

__all__ = ["EXIT_CONFIG", "EXIT_STORE", "build_parser", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2
EXIT_STORE = 3


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="feeds.yaml to use (default: $HOTLINE_CONFIG, else ./feeds.yaml)",
    )
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="SQLite database (default: $HOTLINE_DB, else ./hotline.db)",
    )
    common.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=argparse.SUPPRESS,
        help="log lines as readable text (default) or JSON",
    )
    common.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        type=str.upper,
        default=argparse.SUPPRESS,
        help="least severe log level shown (default INFO)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every subcommand."""
    from bot import __version__

    common = _common()
    parser = argparse.ArgumentParser(
        prog="hotline",
        description="Hotline: leader-level contacts from news feeds, for foreign desks.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"hotline {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser(
        "run",
        parents=[common],
        help="poll feeds and serve every configured front-end (the console alone when no "
        "chat tokens are set)",
    )
    run.add_argument(
        "--console",
        action="store_true",
        help="also run the console front-end when chat front-ends are configured",
    )
    run.add_argument(
        "--backfill",
        action="store_true",
        help="alert on the items of feeds seen for the first time instead of only recording them",
    )

    poll = sub.add_parser(
        "poll", parents=[common], help="poll every feed once and print outcomes and alerts"
    )
    poll.add_argument(
        "--once", action="store_true", help="one poll of every feed, then exit (the default)"
    )
    poll.add_argument(
        "--backfill",
        action="store_true",
        help="alert on the items of feeds seen for the first time",
    )

    ask = sub.add_parser(
        "ask", parents=[common], help="answer one command, as a chat user would ask it"
    )
    ask.add_argument("text", nargs="+", help="the command, e.g. lastcontact austin shoigu")
    ask.add_argument("--user", default="cli", help="who asks (for editor-only commands)")

    sub.add_parser("check", parents=[common], help="validate the configuration and print a summary")

    sub.add_parser(
        "extract",
        parents=[common],
        help="read JSON lines {id, published, title, summary} on stdin; write the contacts "
        "found in each, one JSON line per input",
    )

    imp = sub.add_parser(
        "import", parents=[common], help="load a CSV file of contacts into the record"
    )
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument(
        "--no-progress", action="store_true", help="no progress bar, even on a terminal"
    )

    back = sub.add_parser(
        "backfill",
        parents=[common],
        help="replay saved feed documents (files or folders) into the record, without alerts",
    )
    back.add_argument("paths", nargs="+", metavar="PATH")
    back.add_argument(
        "--feed",
        metavar="NAME",
        help="the feed of documents no configured feed's url names (default: each file's "
        "name without its extensions); give one name to snapshots of one feed",
    )
    back.add_argument(
        "--no-progress", action="store_true", help="no progress bar, even on a terminal"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hotline`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    command: str = args.command
    try:
        return _main(command, args)
    except BrokenPipeError:  # `hotline check | head`: the reader left; that is fine
        with contextlib.suppress(OSError):  # as the Python docs advise: no error at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _main(command: str, args: argparse.Namespace) -> int:
    if command == "extract":
        from bot.extract.jsonl import run_extract

        return run_extract(
            sys.stdin,
            sys.stdout,
            config=getattr(args, "config", None),
            environ=os.environ,
        )

    return _dispatch(command, args)


def _dispatch(command: str, args: argparse.Namespace) -> int:
    from bot.errors import ConfigError, StoreError

    try:
        if command == "check":
            return _check(args)
        if command == "poll":
            return asyncio.run(_poll(args))
        if command == "ask":
            return asyncio.run(_ask(args))
        if command == "run":
            return asyncio.run(_run(args))
        if command == "import":
            return _import(args)
        if command == "backfill":
            return asyncio.run(_backfill(args))
    except ConfigError as exc:
        sys.stderr.write(f"hotline: {exc}\n")
        return EXIT_CONFIG
    except StoreError as exc:
        sys.stderr.write(f"hotline: {exc}\n")
        return EXIT_STORE
    except KeyboardInterrupt:
        return 130
    sys.stderr.write(f"hotline: unknown command {command!r}\n")
    return EXIT_CONFIG


def _setup(args: argparse.Namespace) -> tuple[Settings, Registry]:
    from bot.app import load
    from bot.logs import configure_logging

    settings, registry = load(getattr(args, "config", None), os.environ, getattr(args, "db", None))
    secrets = [
        s.reveal()
        for s in (
            settings.slack.bot_token,
            settings.slack.signing_secret,
            settings.slack.app_token,
            settings.matrix.access_token,
            settings.matrix.password,
        )
        if s is not None
    ]
    configure_logging(
        getattr(args, "log_format", None) or settings.log_format,
        getattr(args, "log_level", None) or settings.log_level,
        secrets=secrets,
    )
    return settings, registry


def _check(args: argparse.Namespace) -> int:
    from bot.config import format_duration

    settings, registry = _setup(args)
    out = sys.stdout
    where = settings.config_path or "feeds.yaml"
    out.write(f"{where}: valid\n")
    out.write(f"  feeds:     {len(settings.feeds)}\n")
    for feed in settings.feeds:
        routes = ", ".join(str(d) for d in feed.channels) or "default destinations"
        out.write(f"    {feed.name:<22} every {format_duration(feed.interval):<6} -> {routes}\n")
    out.write(f"  watches:   {len(settings.watches)}\n")
    for watch in settings.watches:
        label = watch.name or f"{watch.a} / {watch.b}"
        marks = ", ".join(str(t) for t in watch.thresholds)
        out.write(f"    {label} (marks: {marks} days)\n")
    out.write(f"  officials: {len(registry.officials)} in the registry\n")
    history = settings.history
    out.write(
        "  history:   "
        + ("bundled record" if history is True else "off" if history is False else str(history))
        + "\n"
    )
    out.write(f"  database:  {settings.db}\n")
    platforms = ", ".join(settings.chat_platforms) or "none (console only)"
    out.write(f"  chat:      {platforms}\n")
    for platform in settings.chat_platforms:
        if not settings.alerts.get(platform) and not any(
            d.platform == platform for f in settings.feeds for d in f.channels
        ):
            out.write(
                f"  warning:   {platform} is configured but no alert destinations are set "
                f"for it (alerts.{platform} in feeds.yaml)\n"
            )
    return EXIT_OK


async def _poll(args: argparse.Namespace) -> int:
    from bot.app import active_platforms, build
    from bot.notify import Dispatcher
    from handlers.console import ConsoleFrontend

    settings, registry = _setup(args)
    hotline = build(
        settings,
        registry,
        platforms=active_platforms(settings, console=True),
        backfill=args.backfill,
        history=True,
    )
    try:
        outcomes = await hotline.poller.poll_all()
        out = sys.stdout
        for o in outcomes:
            detail = o.error or (
                f"{o.items} items, {o.new_items} new, {o.contacts} contacts"
                if o.status in ("new", "seeded")
                else ""
            )
            out.write(f"{o.feed:<24} {o.status:<13} {detail}\n")
        console = ConsoleFrontend(hotline.service, out, clock=hotline.clock)
        await Dispatcher(hotline.store, {"console": console}, hotline.clock).deliver_due()
    finally:
        await hotline.aclose()
    return EXIT_OK


async def _ask(args: argparse.Namespace) -> int:
    from bot.app import build
    from bot.models import IncomingMessage
    from handlers.console import render_reply

    settings, registry = _setup(args)
    hotline = build(settings, registry, platforms=(), history=True)
    try:
        reply = await hotline.service.handle(
            IncomingMessage(
                platform="console", user=args.user, channel="cli", text=" ".join(args.text)
            )
        )
        sys.stdout.write(render_reply(reply))
    finally:
        await hotline.aclose()
    return EXIT_OK


async def _run(args: argparse.Namespace) -> int:
    from bot.app import active_platforms, build, serve
    from bot.render import plural

    settings, registry = _setup(args)
    console = args.console or not settings.chat_platforms
    hotline = build(
        settings,
        registry,
        platforms=active_platforms(settings, console=console),
        backfill=args.backfill,
        history=True,
    )
    # What start-up loaded (modules, the registry) lives as long as the process: keep the
    # garbage collector from walking it on every full collection (shorter pauses).
    gc.freeze()
    try:
        if console and sys.stdin.isatty():
            sys.stdout.write(
                f"Hotline is watching {plural(len(hotline.poller.feeds()), 'feed')}. Type help "
                "for commands; Ctrl-C stops.\n"
            )
        await serve(hotline, console=console)
    finally:
        await hotline.aclose()
    return EXIT_OK


def _progress_bar(args: argparse.Namespace, unit: str) -> Any:
    """A progress bar on standard error, when it is a terminal and not ``--no-progress``."""
    from tqdm import tqdm

    return tqdm(
        total=0,
        unit=unit,
        file=sys.stderr,
        disable=args.no_progress or not sys.stderr.isatty(),
        leave=False,
        dynamic_ncols=True,
    )


def _import(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.history import read_file, record_rows
    from bot.records import RecordFileError
    from bot.render import plural
    from bot.store import Store

    settings, registry = _setup(args)
    path = Path(args.file)
    clock = SystemClock()
    try:
        found = read_file(path, registry, today=clock.now().date())
    except RecordFileError as exc:
        sys.stderr.write(f"hotline: {exc}\n")
        return EXIT_CONFIG
    for problem in found.problems:
        sys.stderr.write(f"{args.file}:{problem.line}: {problem.message}\n")
    store = Store(settings.db, clock)
    try:
        with _progress_bar(args, "row") as bar:
            bar.reset(total=len(found.rows))
            tally = record_rows(
                store,
                found.rows,
                origin="import",
                added_by=f"import {path.name}",
                progress=bar.update,
            )
    finally:
        store.close()
    joined = plural(tally.recorded - tally.new_events, "more source")
    sys.stdout.write(
        f"{args.file}: {plural(found.read, 'row')} read\n"
        f"  imported:          {tally.recorded} ({plural(tally.new_events, 'new contact')}, "
        f"{joined} of known ones)\n"
        f"  already recorded:  {tally.already}\n"
        f"  rejected:          {found.rejected}\n"
    )
    return EXIT_FAILURE if found.rejected else EXIT_OK


async def _backfill(args: argparse.Namespace) -> int:
    from bot.app import make_reader
    from bot.backfill import backfill
    from bot.clock import SystemClock
    from bot.config import FEED_NAME
    from bot.render import plural
    from bot.store import Store

    settings, registry = _setup(args)
    if args.feed is not None and not FEED_NAME.match(args.feed):
        sys.stderr.write(
            f"hotline: --feed {args.feed!r}: a feed name is lower-case letters, digits, "
            "'-', '_' and '.'\n"
        )
        return EXIT_CONFIG
    clock = SystemClock()
    store = Store(settings.db, clock)
    reader = make_reader(settings, clock=clock, registry=registry)
    try:
        with _progress_bar(args, "file") as bar:
            done = await backfill(
                [Path(p) for p in args.paths],
                store=store,
                reader=reader,
                clock=clock,
                feeds=settings.feeds,
                feed=args.feed,
                progress=bar.update,
                total=lambda n: bar.reset(total=n),
            )
    finally:
        await reader.aclose()
        store.close()
    out = sys.stdout
    out.write(f"backfill: {plural(done.files, 'file')} read, {len(done.unreadable)} unreadable\n")
    for bad in done.unreadable:
        out.write(f"  unreadable: {bad.path}: {bad.reason}\n")
    joined = plural(done.recorded - done.new_events, "more source")
    out.write(
        f"  items:               {done.items} ({done.new_items} new)\n"
        f"  contacts found:      {done.contacts}\n"
        f"  new contact events:  {done.new_events} ({joined} of known ones)\n"
    )
    if done.undated:
        out.write(f"  left out, undated:   {done.undated}\n")
    if not done.files and done.unreadable:
        return EXIT_CONFIG  # nothing named a document that could be read
    return EXIT_OK
