"""Contact extraction: the interface the pipeline calls.

Placeholder until the extractor lands: the registry is empty and nothing is extracted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.models import Contact, Item, Official, SilenceClaim

__all__ = ["Country", "Extraction", "Registry", "default_registry", "extract", "load_registry"]


@dataclass(frozen=True, slots=True)
class Extraction:
    contacts: tuple[Contact, ...] = ()
    silences: tuple[SilenceClaim, ...] = ()


@dataclass(frozen=True, slots=True)
class Country:
    """A government: ``code`` (``US``, ``RU``, ``NATO``), ``name``, and the names, demonyms
    and codes users type for it (``us``, ``usa``, ``america``, ``american``)."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registry:
    officials: Mapping[str, Official] = field(default_factory=dict)
    countries: Mapping[str, Country] = field(default_factory=dict)

    def country(self, text: str) -> Country | None:
        return None

    def get(self, official_id: str) -> Official | None:
        return self.officials.get(official_id)

    def holders(self, role_key: str, day: date | None = None) -> tuple[Official, ...]:
        return ()

    def role_keys(self) -> frozenset[str]:
        return frozenset()

    def is_party(self, text: str) -> bool:
        return text in self.officials or "." in text

    def lookup(self, text: str, day: date | None = None) -> list[Official]:
        return []

    def names(self) -> Iterable[tuple[str, str]]:
        return ()


def load_registry(extra: Sequence[Path] = ()) -> Registry:
    return Registry()


def default_registry() -> Registry:
    return Registry()


def extract(item: Item, registry: Registry) -> Extraction:
    return Extraction()
