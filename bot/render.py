"""Building and flattening the neutral rich text of replies and alerts. Pure; no I/O.

Front-ends render ``Block`` values in their own markup; ``plain`` is the text form every
message also carries (console output, notification fallbacks, ``hotline ask``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.models import Block, Inline, Link, Strong

__all__ = [
    "ago",
    "bullets",
    "context",
    "fields",
    "format_day",
    "heading",
    "inline_text",
    "ordinal",
    "plain",
    "plural",
    "text",
]


def heading(*runs: Inline) -> Block:
    return Block("heading", (tuple(runs),))


def text(*lines: Sequence[Inline] | str) -> Block:
    return Block("text", tuple((line,) if isinstance(line, str) else tuple(line) for line in lines))


def fields(*pairs: tuple[str, Sequence[Inline] | str]) -> Block:
    return Block(
        "fields",
        tuple(
            (Strong(label), *((value,) if isinstance(value, str) else tuple(value)))
            for label, value in pairs
        ),
    )


def bullets(*lines: Sequence[Inline] | str) -> Block:
    return Block("list", tuple((line,) if isinstance(line, str) else tuple(line) for line in lines))


def context(*lines: Sequence[Inline] | str) -> Block:
    return Block(
        "context", tuple((line,) if isinstance(line, str) else tuple(line) for line in lines)
    )


def inline_text(run: Inline) -> str:
    """One run as plain text (a link shows its address after its text)."""
    if isinstance(run, Link):
        if not run.text or run.text == run.url:
            return run.url
        return f"{run.text} <{run.url}>"
    if isinstance(run, Strong):
        return run.text
    return run


def plain(blocks: Sequence[Block]) -> str:
    """The plain-text form of a message."""
    out: list[str] = []
    for block in blocks:
        for line in block.lines:
            if block.kind == "fields" and line and isinstance(line[0], Strong):
                rendered = f"{line[0].text}: " + "".join(inline_text(r) for r in line[1:])
            else:
                rendered = "".join(inline_text(r) for r in line)
            if block.kind == "list":
                rendered = f"• {rendered}"
            out.append(rendered)
    return "\n".join(out)


_ORDINALS = (
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
    "ninth", "tenth", "eleventh", "twelfth",
)  # fmt: skip
_NUMBERS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip


def ordinal(n: int) -> str:
    """``second``, ``fifth``; ``13th`` beyond twelve."""
    if 0 <= n < len(_ORDINALS):
        return _ORDINALS[n]
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def plural(n: int, word: str, plural_form: str | None = None, *, spell: bool = False) -> str:
    """``1 day``, ``3 days``; with ``spell``, numbers up to twelve in words (``three days``)."""
    name = word if n == 1 else (plural_form or f"{word}s")
    number = _NUMBERS[n] if spell and 0 <= n < len(_NUMBERS) else str(n)
    return f"{number} {name}"


def format_day(day: date, *, reference: date | None = None, weekday: bool = False) -> str:
    """``May 13`` (same year as ``reference``) or ``May 13, 2021``; ``Sun May 13`` with
    ``weekday``."""
    text = f"{day:%B} {day.day}"
    if reference is None or reference.year != day.year:
        text += f", {day.year}"
    if weekday:
        text = f"{day:%a} {text}"
    return text


def ago(delta_seconds: float) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago``."""
    seconds = int(delta_seconds)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"
