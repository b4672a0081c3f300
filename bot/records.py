"""Contact records in CSV: reading and validating a file's rows. Pure; no I/O, no clock.

A record file (the bundled history, ``history: PATH``, ``hotline import FILE.csv``) is UTF-8
CSV with a header naming its columns::

    date,a,a_country,b,b_country,kind,source_url,note
    2021-06-16,Joe Biden,US,Vladimir Putin,RU,meeting,https://www.dw.com/...,Geneva summit

``date``, ``a``, ``b``, ``kind`` and ``source_url`` are required; ``a_country``,
``b_country`` and ``note`` are optional (as columns and as values). ``read_records`` turns
the text into the valid rows, each resolved to two officials of the registry, and the
problems of the others, each with its line number; a whole-file problem (not UTF-8, no
header, unknown or missing columns) is a ``RecordFileError``. A row is valid when its day is
a real day not after ``today``, its kind is ``call`` or ``meeting``, its source is an http(s)
URL, and each name means exactly one official who held a leader-level role that day (the
row's country, when given, chooses between namesakes), the two serving different
governments (NATO, the UN and the EU count as their own).

This module never reads files or the store and never decides how rows are recorded (see
``bot.history``).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import cast
from urllib.parse import urlsplit

from bot.errors import HotlineError
from bot.extract import Registry
from bot.extract.text import fold
from bot.models import Kind, Official, pair

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "Problem",
    "RecordFile",
    "RecordFileError",
    "RecordRow",
    "decode",
    "read_records",
]

COLUMNS: tuple[str, ...] = (
    "date",
    "a",
    "a_country",
    "b",
    "b_country",
    "kind",
    "source_url",
    "note",
)
"""Every column a record file may have, in the bundled file's order."""

REQUIRED: tuple[str, ...] = ("date", "a", "b", "kind", "source_url")
"""The columns every record file must have."""

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_FIRST = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*,")
"""How a row's line starts (a later line of a quoted field that starts so is another row)."""
_KINDS: tuple[Kind, ...] = ("call", "meeting")
_SUGGEST_CUTOFF = 80.0
"""Least rapidfuzz score (0..100) for a registry name to be suggested for an unknown one."""
_MAX_SUGGESTIONS = 3


class RecordFileError(HotlineError):
    """A record file cannot be read at all (encoding, header). Its rows are not looked at."""


@dataclass(frozen=True, slots=True)
class RecordRow:
    """A valid row: one contact between two officials, with its source.

    Attributes:
        line: the file's line where the row starts (1 is the header).
        day: the day the contact happened.
        a, b: the officials' ids, in the file's order.
        kind: ``call`` or ``meeting``.
        url: the source's http(s) URL.
        note: the row's note (empty when it has none).
    """

    line: int
    day: date
    a: str
    b: str
    kind: Kind
    url: str
    note: str = ""

    @property
    def key(self) -> tuple[date, str, str, Kind]:
        """What identifies the contact: the day, the unordered pair and the kind."""
        first, second = pair(self.a, self.b)
        return (self.day, first, second, self.kind)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row was rejected: one problem of the row starting at ``line``."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class RecordFile:
    """A read record file.

    Attributes:
        rows: the valid rows, in file order.
        problems: every problem of the rejected rows, in line order (a row may have several).
        read: the data rows read (blank lines are not rows).
    """

    rows: tuple[RecordRow, ...]
    problems: tuple[Problem, ...]
    read: int

    @property
    def rejected(self) -> int:
        """How many rows were rejected."""
        return len({p.line for p in self.problems})


def decode(data: bytes, name: str) -> str:
    """A record file's bytes as text: UTF-8, with or without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RecordFileError(
            f"{name}: not UTF-8 text (line {line}: byte 0x{data[exc.start]:02x}); "
            "save it as UTF-8 CSV"
        ) from None


def read_records(text: str, registry: Registry, *, today: date, name: str = "file") -> RecordFile:
    """The valid rows of a record file and the problems of the others.

    ``today`` is the last acceptable day; ``name`` names the file in a ``RecordFileError``.
    A row whose quoted field runs over several lines and does not make a valid row is
    reported at its first line, and reading goes on from the next line, so one unclosed
    quote never swallows the rows after it.
    """
    lines = io.StringIO(text, newline="").readlines()
    columns = _header(lines, name)
    checker = _Checker(registry, today)
    rows: list[RecordRow] = []
    problems: list[Problem] = []
    read = 0
    for start, fields in _records(lines, len(columns)):
        if isinstance(fields, str):
            read += 1
            problems.append(Problem(start, fields))
            continue
        if not any(f.strip() for f in fields):
            continue  # a blank line
        read += 1
        if len(fields) != len(columns):
            problems.append(
                Problem(
                    start,
                    f"{len(fields)} fields, but the header names {len(columns)} "
                    f"({','.join(columns)})",
                )
            )
            continue
        row, found = checker.row(start, dict(zip(columns, fields, strict=True)))
        if row is not None:
            rows.append(row)
        problems.extend(Problem(start, message) for message in found)
    return RecordFile(tuple(rows), tuple(problems), read)


# --- the CSV layer -----------------------------------------------------------------------


def _header(lines: Sequence[str], name: str) -> tuple[str, ...]:
    if not lines or not lines[0].strip():
        raise RecordFileError(
            f"{name}: the first line must be the header naming the columns ({','.join(COLUMNS)})"
        )
    try:
        names = next(csv.reader(lines[:1], strict=True))
    except csv.Error as exc:
        raise RecordFileError(f"{name}:1: the header is not valid CSV ({exc})") from None
    columns = tuple(n.strip().lower() for n in names)
    if columns and _DAY.fullmatch(columns[0]):
        raise RecordFileError(
            f"{name}:1: no header: the first line must name the columns "
            f"({','.join(COLUMNS)}), not hold a contact"
        )
    problems = []
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        problems.append(
            f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            f"(the columns are {','.join(COLUMNS)})"
        )
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        problems.append(f"column named twice: {', '.join(duplicated)}")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        problems.append(
            f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    if problems:
        raise RecordFileError(f"{name}:1: bad header: {'; '.join(problems)}")
    return columns


def _records(lines: Sequence[str], width: int) -> Iterator[tuple[int, list[str] | str]]:
    """``(first line, fields)`` of each record after the header (line numbers are 1-based),
    or ``(line, message)`` for one that is not valid CSV. A record spanning lines that
    does not have ``width`` fields, or whose later lines start with a day as rows do, has a
    stray quote: it is reported at its first line, and reading restarts on the next line."""
    position = 1
    while position < len(lines):
        reader = csv.reader(itertools.islice(lines, position, None), strict=True)
        base, position = position, len(lines)
        while True:
            start = base + reader.line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                end = base + reader.line_num
                if end == start and "unexpected end of data" not in str(exc):
                    yield start, f"not valid CSV: {exc}"
                    continue
                message = "a quoted field is never closed (a stray '\"'?)"
            else:
                end = base + reader.line_num
                span = f"a quoted field runs from line {start} to line {end}"
                if end == start:
                    yield start, fields
                    continue
                if len(fields) != width:
                    message = f"{span}, leaving {len(fields)} fields (a stray '\"'?)"
                elif any(_DAY_FIRST.match(line) for line in lines[start:end]):
                    message = f"{span}, over what look like other rows (a stray '\"'?)"
                else:
                    yield start, fields  # a note of several lines
                    continue
            yield start, message
            position = start  # read on from the line after this record's first
            break


# --- rows --------------------------------------------------------------------------------


@dataclass
class _Checker:
    """Validates rows against the registry (suggestions are computed once, on demand)."""

    registry: Registry
    today: date
    _choices: dict[str, list[str]] | None = field(default=None, repr=False)

    def row(self, line: int, values: dict[str, str]) -> tuple[RecordRow | None, list[str]]:
        get = {k: v.strip() for k, v in values.items()}
        problems: list[str] = []
        day = self._day(get.get("date", ""), problems)
        kind = get.get("kind", "").lower()
        if not kind:
            problems.append("kind is missing (call or meeting)")
        elif kind not in _KINDS:
            problems.append(f"kind {get['kind']!r} is neither call nor meeting")
        url = get.get("source_url", "")
        if not url:
            problems.append("source_url is missing: every contact needs its source")
        elif not _is_http(url):
            problems.append(f"source_url {url!r} is not an http(s) URL")
        a = self._official("a", get.get("a", ""), get.get("a_country", ""), day, problems)
        b = self._official("b", get.get("b", ""), get.get("b_country", ""), day, problems)
        if a is not None and b is not None:
            if a.id == b.id:
                problems.append(f"a and b are the same official ({a.name})")
            elif day is not None:
                country = self.registry.country_of(a.id, day)
                if country == self.registry.country_of(b.id, day):
                    problems.append(
                        f"{a.name} and {b.name} both serve {country}: a contact is between "
                        "two governments"
                    )
        if problems or a is None or b is None or day is None:
            return None, problems
        return RecordRow(line, day, a.id, b.id, cast(Kind, kind), url, get.get("note", "")), []

    def _day(self, text: str, problems: list[str]) -> date | None:
        if not text:
            problems.append("date is missing (YYYY-MM-DD)")
            return None
        if not _DAY.fullmatch(text):
            problems.append(f"date {text!r} is not a day written YYYY-MM-DD")
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            problems.append(f"date {text} is not a real day")
            return None
        if day > self.today:
            problems.append(f"date {text} is in the future (today is {self.today.isoformat()})")
            return None
        return day

    def _official(
        self, side: str, name: str, country_text: str, day: date | None, problems: list[str]
    ) -> Official | None:
        if not name:
            problems.append(f"{side} is missing (an official's name)")
            return None
        country = None
        if country_text:
            found_country = self.registry.country(country_text)
            if found_country is None:
                problems.append(
                    f"{side}_country {country_text!r} is not a country the registry knows "
                    "(ISO 3166 alpha-2 such as US, or NATO, UN, EU)"
                )
                return None
            country = found_country.code
        found = self.registry.lookup(name, day)
        if not found:
            close = self.suggestions(name)
            hint = f"; did you mean {_or_list(close)}?" if close else ""
            problems.append(f"{side}: no official called {name!r} in the registry{hint}")
            return None
        if country is not None:
            theirs = [o for o in found if self._country(o, day) == country]
            if not theirs:
                who = _or_list([f"{o.name} ({self._country(o, day)})" for o in found[:4]])
                problems.append(f"{side}: {name!r} is {who}, not an official of {country}")
                return None
            found = theirs
        if day is not None:
            serving = [o for o in found if self.registry.serves(o.id, day)]
            if not serving:
                spells = "; ".join(_spells(o) for o in found[:4])
                problems.append(
                    f"{side}: {name!r} held no leader-level role on {day.isoformat()} ({spells})"
                )
                return None
            found = serving
        if len(found) > 1:
            options = _or_list([f"{o.name} ({self._country(o, day)})" for o in found[:5]])
            problems.append(f"{side}: {name!r} could be {options}; write the full name")
            return None
        return found[0]

    def _country(self, official: Official, day: date | None) -> str:
        return self.registry.country_of(official.id, day)

    def suggestions(self, name: str) -> list[str]:
        """Up to three officials' names close to an unknown ``name``, best first."""
        from rapidfuzz import fuzz, process

        if self._choices is None:
            choices: dict[str, list[str]] = {}
            for key, official_id in self.registry.names():
                ids = choices.setdefault(key, [])
                if official_id not in ids:
                    ids.append(official_id)
            self._choices = choices
        query = " ".join(fold(name))
        if not query:
            return []
        matches = process.extract(
            query, list(self._choices), scorer=fuzz.ratio, score_cutoff=_SUGGEST_CUTOFF, limit=20
        )
        names: list[str] = []
        for key, score, _index in matches:
            if score < matches[0][1] - 10:  # only those about as close as the closest
                break
            for official_id in self._choices[key]:
                official = self.registry.get(official_id)
                if official is not None and official.name not in names:
                    names.append(official.name)
        return names[:_MAX_SUGGESTIONS]


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme.lower() in ("http", "https")
        and bool(parts.hostname)
        and not any(c.isspace() for c in url)
    )


def _spells(official: Official) -> str:
    spells = [
        f"{t.role} {t.start.isoformat()} to {t.end.isoformat() if t.end else 'now'}"
        for t in official.tenures
    ]
    return f"{official.name}: {', '.join(spells)}" if spells else official.name


def _or_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
