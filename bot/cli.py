"""The ``hotline`` command (also ``python -m bot``).

Parses arguments and hands each subcommand to the module that does the work, importing it
only then, so that ``hotline extract`` starts without loading the HTTP client, the scheduler
or the configuration schema. Exit status: 0 on success, 2 for usage and configuration
errors, 3 for store errors, 1 for anything unexpected.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

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
        "--no-progress", action="store_true", help="no progress bar, even on a terminal"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hotline`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    command: str = args.command
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
    sys.stderr.write(f"hotline: {command!r} is not available in this build\n")
    return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
