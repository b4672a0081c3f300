"""Contact extraction: which leader-level officials of different governments talked, how, when.

``extract(item, registry)`` is pure (no I/O, no clock); ``load_registry`` reads the bundled
``bot/data/officials.yaml`` and the user's extra registry files. Importing this package is
light (the standard library's ``re`` and dataclasses; YAML is imported when a registry is
first loaded), so ``hotline extract`` and feed workers start fast.

When a current mypyc build of the detector is there (``bot.extract.native``), its folder
comes first on this package's path, so the detector's modules load compiled.
"""

from __future__ import annotations

from bot.extract import native

if native.usable():
    __path__.insert(0, str(native.FOLDER))  # before any detector module is imported

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
