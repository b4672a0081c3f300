"""The record from day one: the bundled history, ``history: PATH`` and imported files.

``record_rows`` writes valid rows (``bot.records``) into the store as contacts with origin
``history`` or ``import``: each row is one report whose source is the row's link and note,
merged like any report (``bot.contacts.merge_target``: a live report a day off joins the
row's event later). It is idempotent: a row whose event (same day, pair and kind) already
has a source of the same origin and URL is counted as already recorded, so re-running a
file adds only the rows that are new. Rows are written in batches, one transaction each;
every row is atomic (a savepoint).

``load_history`` is the first start's step: it loads the configured history file
(``Settings.history``) once, remembering the file's SHA-256 in the store so that later
starts skip it, and a changed file loads only its new rows. ``hotline import`` is
``read_file`` and ``record_rows``.

Nothing here alerts, parses feeds or reads the clock (``today`` is a parameter).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from bot.errors import ConfigError
from bot.extract import Registry
from bot.records import RecordFile, RecordFileError, RecordRow, decode, read_records
from bot.store import NewSource, Store

__all__ = [
    "BATCH",
    "BUNDLED_HISTORY",
    "HISTORY_KEY",
    "HistoryLoad",
    "Tally",
    "load_history",
    "read_file",
    "record_rows",
]

log = logging.getLogger(__name__)

BUNDLED_HISTORY = Path(__file__).resolve().parent / "data" / "history.csv"
"""The bundled record of leader-level contacts since 2021 (a copy of the project's sourced
``history/contacts.csv``)."""

HISTORY_KEY = "history:sha256"
"""The store's key for the SHA-256 of the last history file loaded in full."""

BATCH = 500
"""Rows per transaction."""

RecordOrigin = Literal["history", "import"]
Progress = Callable[[int], object]
"""Told how many more rows were done (a progress bar's ``update``)."""


@dataclass(frozen=True, slots=True)
class Tally:
    """What recording rows did.

    Attributes:
        recorded: rows that added a source (a new event or one more source of an event).
        new_events: of those, the rows that started an event.
        already: rows recorded before (the same origin and URL on that contact).
    """

    recorded: int = 0
    new_events: int = 0
    already: int = 0


@dataclass(frozen=True, slots=True)
class HistoryLoad:
    """The first start's loading of the history file.

    Attributes:
        path: the file.
        skipped: loaded before, unchanged since (nothing was read).
        read: data rows in the file.
        rejected: rows that failed validation (logged, not loaded).
        tally: what recording the valid rows did.
    """

    path: Path
    skipped: bool
    read: int = 0
    rejected: int = 0
    tally: Tally = Tally()


def _title(url: str, fallback: str) -> str:
    """A source's label: the publication's host (``dw.com``), which answers show linked."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or fallback


def record_rows(
    store: Store,
    rows: Sequence[RecordRow],
    *,
    origin: RecordOrigin,
    added_by: str | None = None,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> Tally:
    """Record valid rows as contacts with ``origin``; see the module's docstring."""
    recorded = new_events = already = 0
    fallback = "Bundled record" if origin == "history" else "Imported record"
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        with store.transaction():
            for row in chunk:
                if store.has_record_source(
                    row.a, row.b, kind=row.kind, day=row.day, origin=origin, url=row.url
                ):
                    already += 1
                    continue
                done = store.record_contact(
                    row.a,
                    row.b,
                    kind=row.kind,
                    day=row.day,
                    approximate=False,
                    source=NewSource(
                        origin=origin,
                        title=_title(row.url, fallback),
                        evidence=row.note or "Recorded contact",
                        url=row.url,
                        added_by=added_by,
                    ),
                )
                if done is not None:
                    recorded += 1
                    new_events += done.new
        if progress is not None:
            progress(len(chunk))
    return Tally(recorded, new_events, already)


def read_file(path: Path, registry: Registry, *, today: date) -> RecordFile:
    """Read and validate a record file. Raises ``RecordFileError`` when it cannot be read
    at all (missing, not UTF-8, bad header)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RecordFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return read_records(decode(data, path.name), registry, today=today, name=path.name)


def load_history(
    store: Store, registry: Registry, setting: bool | Path, *, today: date
) -> HistoryLoad | None:
    """Load the history file ``Settings.history`` names (``True``: the bundled one; a path;
    ``False``: none) unless it was loaded before, unchanged.

    A row that fails validation is logged and skipped (in the bundled file that is a bug a
    test guards against). A file that cannot be read at all is a ``ConfigError``: the
    ``history`` key names a file that is not a record.
    """
    if setting is False:
        return None
    path = BUNDLED_HISTORY if setting is True else setting
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"history: cannot read {path} ({exc.strerror or exc})") from None
    digest = hashlib.sha256(data).hexdigest()
    if store.get_value(HISTORY_KEY) == digest:
        return HistoryLoad(path, skipped=True)
    try:
        found = read_records(decode(data, path.name), registry, today=today, name=path.name)
    except RecordFileError as exc:
        raise ConfigError(f"history: {exc}") from None
    for problem in found.problems:
        log.warning("history row skipped: %s:%d: %s", path.name, problem.line, problem.message)
    tally = record_rows(store, found.rows, origin="history")
    if not found.problems:  # a rejected row is tried again at the next start
        store.set_value(HISTORY_KEY, digest)
    log.info(
        "history: %d contacts recorded from %s (%d new events; %d rows already recorded, "
        "%d rejected)",
        tally.recorded,
        "the bundled record" if path == BUNDLED_HISTORY else path,
        tally.new_events,
        tally.already,
        found.rejected,
    )
    return HistoryLoad(path, False, found.read, found.rejected, tally)
