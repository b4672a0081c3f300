"""The store: SQLite through the standard library, the embedded default.

Everything that must survive a crash lives here: feed state, seen items, contact events
with their sources, silence claims, mutes, announced milestones, the alert outbox, the audit
trail. ``Store`` is one connection; its methods are grouped by area in the modules of this
package. Short transactions; the schema is versioned (``schema.py``).
"""

from __future__ import annotations

from bot.store.base import parse_ts, ts
from bot.store.events import Events, NewSource, Recorded
from bot.store.feeds import FeedStates
from bot.store.items import REPUBLISH_WINDOW, Items, NewItem
from bot.store.misc import Misc
from bot.store.outbox import HeldAlert, Outbox
from bot.store.records import Records
from bot.store.schema import SCHEMA_VERSION

__all__ = [
    "REPUBLISH_WINDOW",
    "SCHEMA_VERSION",
    "HeldAlert",
    "NewItem",
    "NewSource",
    "Recorded",
    "Store",
    "parse_ts",
    "ts",
]


class Store(FeedStates, Items, Events, Records, Outbox, Misc):
    """One SQLite database, opened and migrated on construction."""
