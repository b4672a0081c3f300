"""The SQLite connection: opening, migrating, transactions, and how times are written.

Standard library ``sqlite3`` in autocommit mode with explicit short transactions
(``BEGIN IMMEDIATE``), WAL journal, a busy timeout so a second process (``hotline ask``
beside ``hotline run``) waits instead of failing, and ``PRAGMA user_version`` for the schema
version. Times are stored as ISO 8601 UTC text with a fixed width so that they sort.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from bot.clock import Clock, SystemClock
from bot.errors import StoreError
from bot.store.schema import MIGRATIONS

__all__ = ["StoreBase", "day_text", "parse_day", "parse_ts", "stamp", "ts"]

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def ts(value: datetime) -> str:
    """An aware datetime as sortable UTC text."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} cannot be stored")
    return value.astimezone(UTC).strftime(_TS_FORMAT)


def parse_ts(text: str | None) -> datetime | None:
    """The inverse of ``ts``; ``None`` stays ``None``."""
    if text is None:
        return None
    return stamp(text)


def stamp(text: str) -> datetime:
    """``parse_ts`` for columns that are never NULL. (``fromisoformat`` reads the fixed
    ``ts`` form, trailing ``Z`` included, a hundred times faster than ``strptime``.)"""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def day_text(value: date) -> str:
    return value.isoformat()


def parse_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class StoreBase:
    """Owns the connection. Area mixins (feeds, items, events, ...) build on it."""

    def __init__(
        self,
        path: str | Path,
        clock: Clock | None = None,
        *,
        migrations: Sequence[str] = MIGRATIONS,
    ) -> None:
        self.path = str(path)
        self.migrations = tuple(migrations)
        self.clock: Clock = clock or SystemClock()
        self._depth = 0
        try:
            if self.path != ":memory:":
                Path(self.path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA busy_timeout = 10000")
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            # up to 4 MiB of pages in memory (the default is 2 MiB): commands on a record of
            # a million contacts answer as fast as with 64 MiB (benchmarks/bench_commands.py)
            self.db.execute("PRAGMA cache_size = -4096")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise StoreError(f"cannot use the database {self.path}: {exc}") from exc

    @property
    def version(self) -> int:
        """The schema version of the open database."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.version
        latest = len(self.migrations)
        if current > latest:
            raise StoreError(
                f"the database {self.path} has schema version {current}, newer than this "
                f"Hotline understands ({latest}); upgrade Hotline or use another --db"
            )
        for number in range(current + 1, latest + 1):
            script = self.migrations[number - 1]
            try:
                self.db.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
                )
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise StoreError(f"migration to schema version {number} failed: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction. A nested use is a savepoint: an error inside it rolls
        back only the nested part (and propagates)."""
        if self._depth:
            name = f"sp{self._depth}"
            self.db.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self.db
            except BaseException:
                self.db.execute(f"ROLLBACK TO {name}")
                self.db.execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1
            self.db.execute(f"RELEASE {name}")
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.db
        except BaseException:
            self._depth = 0
            self.db.execute("ROLLBACK")
            raise
        self._depth = 0
        self.db.execute("COMMIT")

    def now(self) -> datetime:
        return self.clock.now()

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        self.db.close()

    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
