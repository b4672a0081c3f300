"""A pair's contacts as a PNG timeline, for front-ends that can upload pictures.

The only module that imports matplotlib, and it does so inside ``timeline_png`` (the Agg
backend, through the object API: no pyplot, no global state, safe off the event loop), so
importing the core never loads it. Pure apart from that: values in, PNG bytes out; no
store, no clock.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from bot.models import Kind

__all__ = ["Mark", "timeline_png"]


@dataclass(frozen=True, slots=True)
class Mark:
    """One contact on the timeline."""

    day: date
    kind: Kind
    approximate: bool = False


_STYLE: dict[str, tuple[str, str, str]] = {
    # kind: (marker, colour, legend label)
    "call": ("o", "#1f77b4", "call"),
    "meeting": ("D", "#d62728", "meeting"),
}


def timeline_png(
    title: str, marks: Sequence[Mark], today: date, *, width: float = 9.0, dpi: int = 110
) -> bytes:
    """A timeline of ``marks`` up to ``today``: calls and meetings on two rows, the longest
    silence shaded, and the current silence to ``today`` dashed. Deterministic for the same
    input (no timestamps in the file)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    if not marks:
        raise ValueError("nothing to chart")
    ordered = sorted(marks, key=lambda m: m.day)
    first, last = ordered[0].day, ordered[-1].day
    end = max(today, last)
    pad = max(timedelta(days=7), (end - first) / 30)
    figure = Figure(figsize=(width, 2.8), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    rows = {"call": 1.0, "meeting": 0.0}
    for kind, (marker, colour, label) in _STYLE.items():
        of_kind = [m for m in ordered if m.kind == kind]
        for approximate in (False, True):
            days = [date2num(m.day) for m in of_kind if m.approximate == approximate]
            if not days:
                continue
            axes.scatter(
                days,
                [rows[kind]] * len(days),
                marker=marker,
                s=46,
                color=colour,
                facecolors="none" if approximate else colour,
                alpha=0.85,
                label=f"{label}, day approximate ({len(days)})"
                if approximate
                else f"{label} ({len(days)})",
                zorder=3,
            )
    gaps = [(b.day - a.day, a.day, b.day) for a, b in pairwise(ordered)]
    if gaps:
        longest, start, stop = max(gaps)
        if longest.days > 0:
            axes.axvspan(
                float(date2num(start)),
                float(date2num(stop)),
                color="#999999",
                alpha=0.18,
                label=f"longest gap ({longest.days} days)",
                zorder=1,
            )
    if today > last:
        axes.plot(
            [date2num(last), date2num(today)],
            [0.5, 0.5],
            linestyle="--",
            color="#555555",
            linewidth=1.2,
            label=f"since last ({(today - last).days} days)",
            zorder=2,
        )
    axes.set_xlim(float(date2num(first - pad)), float(date2num(end + pad)))
    axes.set_ylim(-0.8, 1.8)
    axes.set_yticks([0.0, 1.0], labels=["meetings", "calls"])
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.grid(axis="x", alpha=0.3)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.set_title(title, loc="left", fontsize=11)
    axes.legend(loc="upper left", fontsize=8, ncols=4, frameon=False, bbox_to_anchor=(0, -0.18))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
