"""Contact extraction: which leader-level officials of different governments talked, how, when.

``extract(item, registry)`` is pure (no I/O, no clock); ``load_registry`` reads the bundled
``bot/data/officials.yaml`` and the user's extra registry files. Importing this package is
light (the standard library's ``re`` and dataclasses; YAML is imported when a registry is
first loaded), so ``hotline extract`` and feed workers start fast.
"""

from __future__ import annotations

from bot.extract.detect import Extraction, extract, extract_contacts
from bot.extract.officials import Country, Registry, default_registry, load_registry

__all__ = [
    "Country",
    "Extraction",
    "Registry",
    "default_registry",
    "extract",
    "extract_contacts",
    "load_registry",
]
