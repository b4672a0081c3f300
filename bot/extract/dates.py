"""Dates in news text, resolved against the publication's local calendar date.

Pure; no I/O and no clock: every relative form is resolved against the ``ref`` day it is
given (the publication's local date) or, for chained forms ("the previous day"), against the
last day the text fixed before it (the anchor).

Why not dateparser: it resolves a bare weekday forward ("on Sunday" in a Monday item becomes
next Sunday), knows nothing of anchors ("the previous day" after "on the 2nd"), costs about
0.3 s to import and tens of microseconds per call. News says "on Tuesday" of the past, so
every weekday here is the latest such day on or before publication unless the text says
"next". The forms, in English with the common Russian and German ones:

- weekdays (on Sunday, late on Tuesday, Friday afternoon, last Thursday), yesterday, today,
  this morning/evening, tonight, last night, the day before yesterday, N days ago;
- chained: the previous day/evening, a day earlier, the same day, that day, the next day;
- explicit: October 23, Oct. 23, 23 October 2022, October 23-24, on the 23rd, 2022-10-23;
- spans that fix no single day (last week, last weekend, earlier this week, late last month,
  in March 2016, in 2019, last year): ``day`` is ``None`` but the span is kept so that old
  events can be told from recent ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.extract.text import Gated, Words, cut, fold_word, match_at

__all__ = ["DATE_WORDS", "NUMBERS", "DateMention", "find_dates"]

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
    # Russian (genitive) and German
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    "januar": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
}  # fmt: skip
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
    "понедельник": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3, "пятницу": 4,
    "пятница": 4, "субботу": 5, "суббота": 5, "воскресенье": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6,
}  # fmt: skip
_ABBREVIATED = frozenset(
    {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)
"""Month abbreviations, months only with a day, a year or a full stop ("Jun 5", "Dec. 2023")."""
NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
"""Number words of counts ("two days ago", "a day after"); "an" counts as one where allowed."""

_MONTH = (
    r"(?P<{n}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    r"|januar|februar|märz|maerz|mai|juni|juli|oktober|dezember)\.?"
)
_WEEKDAY = (
    r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|понедельник|вторник|среду|среда|четверг|пятницу|пятница|субботу|суббота|воскресенье"
    r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag)"
)
_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    (
        "dmy",
        r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?(?:\s*[-–]\s*\d{1,2}(?:st|nd|rd|th)?\.?)?\s+(?:of\s+)?"
        + _MONTH.format(n="mon")
        + r"(?:,?\s+(?P<y>\d{4}))?",
    ),
    (
        "mdy",
        _MONTH.format(n="mon")
        + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:\s*[-–]\s*\d{1,2})?(?:,?\s+(?P<y>\d{4}))?",
    ),
    ("nth", r"\bthe\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:century|anniversary))"),
    (
        "month",
        r"(?:(?P<part>early|mid|late|earlier|end\s+of|beginning\s+of)[\s-]*)?(?:in\s+)?"
        + _MONTH.format(n="mon")
        + r"(?:\s+(?P<y>\d{4}))?",
    ),
    ("year", r"\b(?:in|from|since|of|until|before)\s+(?P<y>(?:19|20)\d{2})\b"),
    ("ago", r"\b(?P<n>a|one|two|three|four|five|six|seven|\d)\s+days?\s+ago\b"),
    (
        "agos",
        r"\b(?P<n>an?|one|two|three|four|five|six|seven|\d{1,2})\s+(?P<unit>week|month|year)s?"
        r"\s+ago\b",
    ),
    ("chain", r"\b(?:the\s+)?(?P<rel>previous\s+(?:day|evening|night)"
     r"|day\s+before(?!\s+yesterday)(?!\s+(?:his|her|their|its|the|a|an|this|that)\b)"
     r"|(?:a|one|two|three)\s+days?\s+(?:earlier|later"
     r"|before(?!\s+(?:his|her|their|its|the|a|an|this|that)\b))|same\s+day|that\s+day"
     r"|next\s+day|following\s+day|eve(?!\s+of\b))\b"),
    ("dby", r"\bthe\s+day\s+before\s+yesterday\b|позавчера|vorgestern"),
    ("yesterday", r"\byesterday\b|\blast\s+night\b|вчера|gestern"),
    (
        "today",
        r"\btoday\b|\bthis\s+(?:morning|afternoon|evening)\b|\btonight\b"
        r"|\bearlier\s+in\s+the\s+day\b|сегодня|\bheute\b",
    ),
    ("tomorrow", r"\btomorrow\b|завтра|\bmorgen\b"),
    (
        "weekday",
        r"(?P<q>\blast\s+|\bthis\s+(?:past\s+)?|\bnext\s+|\bcoming\s+|в\s+прошл\w+\s+|в\s+|во\s+"
        r"|am\s+|vergangenen\s+)?\b"
        + _WEEKDAY
        + r"\b",
    ),
    (
        "span",
        r"\b(?P<span>(?:late\s+|early\s+|earlier\s+|later\s+)?(?:last|this|next|past)\s+"
        r"(?:week(?:end)?|month|year)|earlier\s+(?:this|in\s+the)\s+(?:week|month|year)"
        r"|in\s+recent\s+(?:days|weeks)|на\s+прошлой\s+неделе|vergangene\s+woche|letzte\s+woche)\b",
    ),
]  # fmt: skip
_NAMED_GROUP = re.compile(r"[(][?]P<([a-z]+)>")


def _kind(kind: str, pattern: str) -> str:
    """One kind's pattern as a group of ``_ANY``, its own groups renamed ``{kind}_{name}``."""
    inner = _NAMED_GROUP.sub(lambda m: f"(?P<{kind}_{m.group(1)}>", pattern)
    return f"(?P<k_{kind}>{inner})"


_ANY_SOURCE = "|".join(_kind(k, p) for k, p in _PATTERNS)
_ANY = re.compile(_ANY_SOURCE, re.I)
_ANY_LOWER = re.compile(_ANY_SOURCE)
"""``_ANY`` for lower-cased ASCII text: without IGNORECASE, sre skips an alternative on its
first letter, several times faster (the source has no upper-case letters)."""
_GROUPS = {k: [(name, f"{k}_{name}") for name in re.compile(p).groupindex] for k, p in _PATTERNS}
_TRIGGERS = frozenset(
    fold_word(w)
    for w in [*_MONTHS, *_WEEKDAYS, "sept", "yesterday", "today", "tonight", "tomorrow", "night",
     "evening", "morning", "afternoon", "week", "weekend", "month", "year", "day", "days",
     "weeks", "months", "years",
     "eve", "ago", "вчера", "сегодня", "позавчера", "завтра", "неделе", "gestern", "heute",
     "vorgestern", "morgen", "woche", "maerz"]
)  # fmt: skip
_PREFIXES = frozenset(
    fold_word(w)
    for w in [
        "last",
        "this",
        "next",
        "coming",
        "past",
        "late",
        "early",
        "earlier",
        "later",
        "mid",
        "the",
        "previous",
        "same",
        "that",
        "following",
        "a",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "in",
        "from",
        "since",
        "of",
        "until",
        "before",
        "end",
        "beginning",
        "в",
        "во",
        "на",
        "прошлой",
        "прошлый",
        "прошлую",
        "am",
        "vergangenen",
        "vergangene",
        "letzte",
        "on",
    ]
)
_NO_START = frozenset({"on"})
"""Prefix words no date expression begins with ("on" only leads to one: "on Monday")."""
DATE_WORDS = _TRIGGERS | _PREFIXES
"""Words of date expressions (folded): they may stand between a cue and its partner."""
_SINCE = Gated(
    re.compile(r"(?:since|until|before)\s+(?:the\s+|early\s+|mid-?|late\s+|on\s+)?$", re.I),
    ["since", "until", "before"],
)
_OVERNIGHT = re.compile(r"\bovernight\b", re.I)


@dataclass(slots=True)
class DateMention:
    """A date expression found in a text.

    Internal and not frozen (made by the dozen per item, and a frozen dataclass costs five
    times as much to build): treat it as read-only.

    Attributes:
        start, end: offsets in the text.
        day: the day it fixes, if it fixes one.
        first, last: the span it covers (``first == last == day`` for a day).
        since: it follows "since"/"until"/"before" (it bounds a silence, it dates nothing).
        text: the words.
    """

    start: int
    end: int
    day: date | None
    first: date
    last: date
    since: bool
    text: str


def _latest(ref: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        found = date(ref.year, month, day)
    except ValueError:
        return None
    try:
        if found > ref + timedelta(days=7):
            found = date(ref.year - 1, month, day)
        elif found < ref - timedelta(days=358):
            found = date(ref.year + 1, month, day)  # "January 2" late in December
    except ValueError:
        return None
    return found


def _month_span(ref: date, month: int, year: int | None, part: str | None) -> tuple[date, date]:
    if year is None:
        year = ref.year if month <= ref.month else ref.year - 1
    first = date(year, month, 1)
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last = nxt - timedelta(days=1)
    part = (part or "").lower()
    if part.startswith(("late", "end")):
        first = date(year, month, 21)
    elif part.startswith(("early", "begin")):
        last = date(year, month, 10)
    elif part.startswith("mid"):
        first, last = date(year, month, 11), date(year, month, 20)
    return first, last


_AGO_UNITS = {"week": (7, 3), "month": (30, 10), "year": (365, 45)}
"""A unit's days, and how far either side of "N units ago" the day may be."""


def _span(ref: date, words: str) -> tuple[date, date]:
    w = " ".join(words.lower().split())
    monday = ref - timedelta(days=ref.weekday())
    if "weekend" in w:
        sat = monday - timedelta(days=2)
        return sat, sat + timedelta(days=1)
    if "week" in w or "недел" in w or "woche" in w:
        if "last" in w or "прошл" in w or "vergangen" in w or "letzte" in w:
            return monday - timedelta(days=7), monday - timedelta(days=1)
        if "next" in w:
            return monday + timedelta(days=7), monday + timedelta(days=13)
        if "recent" in w:
            return ref - timedelta(days=14), ref
        return monday, ref
    if "month" in w:
        start = ref.replace(day=1)
        if "last" in w or "past" in w:
            end = start - timedelta(days=1)
            first = end.replace(day=1)
            if w.startswith("late"):
                first = end.replace(day=21)
            elif w.startswith("early"):
                end = first.replace(day=10)
            return first, end
        return start, ref
    if "last" in w or "past" in w:
        return date(ref.year - 1, 1, 1), date(ref.year - 1, 12, 31)
    return date(ref.year, 1, 1), ref


def _weekday(ref: date, weekday: int, qualifier: str) -> date:
    q = qualifier.lower().strip()
    back = (ref.weekday() - weekday) % 7
    if q.startswith(("next", "coming")):
        return ref + timedelta(days=(weekday - ref.weekday()) % 7 or 7)
    if (q.startswith(("last", "vergangen")) or "прошл" in q) and back == 0:
        back = 7
    return ref - timedelta(days=back)


def find_dates(
    text: str,
    ref: date,
    anchor: date | None = None,
    words: Words | None = None,
    lower: str | None = None,
) -> list[DateMention]:
    """Every date expression in ``text``, in order, resolved against ``ref``.

    ``anchor`` is the last day fixed earlier in the same item (for "the previous day"); it
    moves along as this text fixes days. ``words`` limits the search to those words of
    ``text`` (one sentence of a longer text); offsets are always ``text``'s. ``lower``:
    ``text`` lower-cased, when it is ASCII and the caller has it.
    """
    out: list[DateMention] = []
    if words is None:
        words = cut(text)
    if not words:
        return out
    lo, hi = words.starts[0], words.ends[-1]
    if lower is None and text.isascii():
        lower = text.lower()  # the same offsets
    found = match_at(
        _ANY_LOWER if lower is not None else _ANY,
        lower if lower is not None else text,
        words,
        _TRIGGERS,
        _PREFIXES,
        digits=True,
        no_start=_NO_START,
    )
    for m in found:
        kind = (m.lastgroup or "k_")[2:]
        g = {name: m.group(group) for name, group in _GROUPS[kind]}
        first = last = None
        if kind == "iso":
            first = _latest(ref, int(g["m"]), int(g["d"]), int(g["y"]))
        elif kind in ("dmy", "mdy"):
            month = _MONTHS[g["mon"].lower().rstrip(".")]
            first = _latest(ref, month, int(g["d"]), int(g["y"]) if g["y"] else None)
        elif kind == "nth":
            d = int(g["d"])
            for back in range(0, 3):
                y, mth = ref.year, ref.month - back
                while mth < 1:
                    y, mth = y - 1, mth + 12
                try:
                    cand = date(y, mth, d)
                except ValueError:
                    continue
                if cand <= ref:
                    first = cand
                    break
        elif kind == "month":
            name = g["mon"].lower().rstrip(".")
            month = _MONTHS[name]
            if (
                name in _ABBREVIATED
                and not g["y"]
                and not g["part"]
                and not m.group().endswith(".")
            ):
                continue  # a bare "Jun" or "Dec" is a name ("Dong Jun"), not a month
            if month == 5 and g["mon"].lower() == "may" and not g["y"] and not g["part"]:
                # "may" is mostly the verb; only "in May" or "May 2024" names the month.
                before = text[lo : m.start(f"{kind}_mon")]
                if not re.search(r"\b(?:in|since|of|until|from)\s+$", before, re.I):
                    continue
            first, last = _month_span(ref, month, int(g["y"]) if g["y"] else None, g["part"])
        elif kind == "year":
            y = int(g["y"])
            first, last = date(y, 1, 1), date(y, 12, 31)
        elif kind == "ago":
            n = NUMBERS.get(g["n"].lower()) or int(g["n"])
            first = ref - timedelta(days=n)
        elif kind == "agos":  # "about a year ago": around then, no day
            n = NUMBERS.get(g["n"].lower(), 1) if not g["n"].isdigit() else int(g["n"])
            days, slack = _AGO_UNITS[g["unit"].lower()]
            first, last = ref - timedelta(days=days * n + slack), ref - timedelta(days=days * n)
            last = min(ref, last + timedelta(days=slack))
        elif kind == "chain":
            base = anchor or ref
            rel = " ".join(g["rel"].lower().split())
            if rel.startswith(("same", "that")):
                first = base
            elif rel.startswith(("next", "following")) or rel.endswith("later"):
                n = NUMBERS.get(rel.split()[0], 1) if rel.endswith("later") else 1
                first = base + timedelta(days=n)
            else:
                n = NUMBERS.get(rel.split()[0], 1)
                first = base - timedelta(days=n)
        elif kind == "dby":
            first = ref - timedelta(days=2)
        elif kind == "yesterday":
            first = ref - timedelta(days=1)
        elif kind == "today":
            first = ref - timedelta(days=1 if _OVERNIGHT.search(text, lo, hi) else 0)
        elif kind == "tomorrow":
            first = ref + timedelta(days=1)
        elif kind == "weekday":
            first = _weekday(ref, _WEEKDAYS[g["wd"].lower()], g["q"] or "")
        elif kind == "span":
            first, last = _span(ref, g["span"])
        if first is None:
            continue
        last = last or first
        day = first if first == last and kind not in ("month", "year", "span", "agos") else None
        since = bool(_SINCE.search(text[max(lo, m.start() - 20) : m.start()]))
        out.append(
            DateMention(m.start(), m.end(), day, first, last, since, text[m.start() : m.end()])
        )
        if day is not None and not since:
            anchor = day
    return out
