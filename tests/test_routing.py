"""Who is named first, and where a later report of a contact goes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.extract import default_registry
from bot.milestones import pair_label, reading_order
from bot.models import Alert, Destination
from bot.notify import Notifier
from bot.store import Store

REGISTRY = default_registry()


@pytest.mark.parametrize(
    ("a", "b", "label"),
    [
        ("vladimir-putin", "joe-biden", "Biden–Putin"),
        ("joe-biden", "vladimir-putin", "Biden–Putin"),
        ("sergei-naryshkin", "william-burns", "Burns–Naryshkin"),
        ("vladimir-putin", "recep-tayyip-erdogan", "Erdogan–Putin"),
        ("xi-jinping", "emmanuel-macron", None),  # short names: see the registry
    ],
    ids=["us-first", "us-first-either-way", "us-first-spy-chiefs", "else-alphabetical", "no-us"],
)
def test_a_pair_reads_us_side_first_else_alphabetically(a: str, b: str, label: str | None) -> None:
    got = pair_label(REGISTRY, a, b)
    if label is not None:
        assert got == label
    first, second = reading_order(REGISTRY, a, b)
    assert reading_order(REGISTRY, b, a) == (first, second)  # the order never depends on input
    assert pair_label(REGISTRY, a, b, as_given=True).startswith(REGISTRY.get(a).surname)  # type: ignore[union-attr]


def test_a_later_report_goes_where_the_first_alert_went(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2024, 5, 1, tzinfo=UTC))
    store = Store(tmp_path / "h.db", clock)
    desk_a, desk_b = Destination("slack", "C0DESKA"), Destination("slack", "C0DESKB")
    notifier = Notifier(store, {"slack": (desk_a,)}, ("slack", "console"), clock)
    first = Alert(key="contact:7", kind="contact", text="first", feed="tass")
    assert notifier.notify(first, [desk_a]) == 2  # desk A and the console
    later = Alert(key="source:7:9", kind="source", text="later", feed="bbc", thread="contact:7")
    assert notifier.notify(later, [desk_b]) == 2  # its own feed routes to desk B: ignored
    assert store.destinations_of("source:7:9") == [desk_a, Destination("console", "stdout")]
    orphan = Alert(key="source:8:1", kind="source", text="x", feed="bbc", thread="contact:8")
    notifier.notify(orphan, [desk_b])  # no first alert known: routed as usual
    assert store.destinations_of("source:8:1") == [desk_b, Destination("console", "stdout")]
