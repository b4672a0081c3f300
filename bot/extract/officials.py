"""The officials registry: load, validate and look up leader-level officials.

Reads ``bot/data/officials.yaml`` and the user's extra registry files (same format, described
at the top of that file), validates them together and builds the indexes the detector uses.
The only I/O in ``bot.extract`` is this module reading those YAML files; it never reads a clock
or the network. A bad file raises ``ConfigError`` listing every problem with its file and
place (``extra.yaml: officials[3].tenures[1]: overlaps ...``).

Role keys are ``{country code lower}.{role}`` with the roles of ``bot.models.ROLES``
(``us.defense``, ``ru.head_of_state``). The Secretaries General of NATO and the UN and the
President of the European Commission hold ``nato.head_of_government``,
``un.head_of_government`` and ``eu.head_of_government``; the EU's High Representative holds
``eu.foreign``. Every role but ``envoy`` has one holder at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.extract.text import fold, has_cjk
from bot.models import ROLES, Official, Tenure

__all__ = [
    "BUNDLED",
    "MULTI_HOLDER_ROLES",
    "Country",
    "NameIndex",
    "Registry",
    "default_registry",
    "load_registry",
]

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "officials.yaml"
"""The registry shipped with Hotline."""

MULTI_HOLDER_ROLES = frozenset({"envoy"})
"""Roles that several people hold at once; every other role has one holder at a time."""

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CODE = re.compile(r"^[A-Z]{2,4}$")
_CYRILLIC_ENDINGS = ("ами", "ями", "ого", "ему", "ому", "ом", "ем", "ым", "им", "ой", "ей", "ую")
_CYRILLIC_ENDINGS_1 = ("а", "я", "у", "ю", "е", "ы", "и")
_COMMON_SHORT = frozenset(
    fold(w)[0]
    for w in (
        "Lee Kim Park Cho Chung Kang Han Shin Moon Li Wang Chen Liu Yang Dong Wei Qin Chang "
        "Brown Miller Moore Hunt Powell Cohen Singh Austin Kerry Caine Gabriel Philippe Conte "
        "Duda Han Rau Park Jin Choe Katz Gallant"
    ).split()
)


@dataclass(frozen=True, slots=True)
class Country:
    """A government or body the registry knows.

    Attributes:
        code: ISO 3166 alpha-2 (``US``), or ``NATO`` / ``UN`` / ``EU``.
        name: its English name.
        aliases: names, adjectives, capitals and codes, lower case (``u.s.``, ``american``).
    """

    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class NameIndex:
    """Folded-word indexes over names, short forms, countries and role titles.

    Internal to ``bot.extract``: the detector scans texts with it. Keys are tuples of folded
    words (``("sergei", "lavrov")``).
    """

    names: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)
    shorts: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)
    countries: dict[tuple[str, ...], str] = field(default_factory=dict)
    titles: dict[str, dict[tuple[str, ...], str]] = field(default_factory=dict)
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)
    generic_titles: dict[tuple[str, ...], str] = field(default_factory=dict)
    longest: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    name_sizes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    title_ends: dict[str, tuple[int, ...]] = field(default_factory=dict)
    title_starts: frozenset[str] = frozenset()
    title_words: frozenset[str] = frozenset()
    common_shorts: frozenset[str] = frozenset()
    cjk: dict[str, frozenset[str]] = field(default_factory=dict)
    cyrillic: frozenset[str] = frozenset()
    _canon: dict[str, str] = field(default_factory=dict)

    def note(self, key: tuple[str, ...]) -> None:
        """Remember that a key starts with its first word (for the scanner's fast path)."""
        if key and self.longest.get(key[0], 0) < len(key):
            self.longest[key[0]] = len(key)
        if key:
            self.sizes[key[0]] = _add_size(self.sizes.get(key[0], ()), len(key))

    def canon(self, word: str) -> str:
        """A folded word with a Russian case ending removed when that names someone."""
        if word.isascii():
            return word
        hit = self._canon.get(word)
        if hit is not None:
            return hit
        out = word
        if word not in self.cyrillic:
            for end in ("ского", "скому", "ским", "ском"):
                if word.endswith(end) and word[: -len(end)] + "ский" in self.cyrillic:
                    out = word[: -len(end)] + "ский"
                    break
            else:
                for ending in _CYRILLIC_ENDINGS + _CYRILLIC_ENDINGS_1:
                    stem = word[: -len(ending)]
                    if word.endswith(ending) and stem in self.cyrillic:
                        out = stem
                        break
        self._canon[word] = out
        return out

    def country_titles(self, code: str) -> dict[tuple[str, ...], str]:
        """Title words -> role for one country."""
        return self.titles.get(code, {})


class Registry:
    """Leader-level officials and the governments they serve, validated and indexed.

    Attributes:
        officials: by id.
        countries: by code.
        index: the detector's word indexes.
    """

    def __init__(
        self,
        officials: Mapping[str, Official],
        countries: Mapping[str, Country],
        index: NameIndex,
    ) -> None:
        self.officials: Mapping[str, Official] = officials
        self.countries: Mapping[str, Country] = countries
        self.index = index
        holders: dict[str, list[tuple[Tenure, Official]]] = {}
        for official in officials.values():
            for tenure in official.tenures:
                if not tenure.elect:
                    key = _key(official, tenure)
                    holders.setdefault(key, []).append((tenure, official))
        for spells in holders.values():
            spells.sort(key=lambda s: s[0].start)
        self._holders = holders
        self._serves: dict[tuple[str, date], bool] = {}

    def get(self, official_id: str) -> Official | None:
        """The official with this id, if any."""
        return self.officials.get(official_id)

    def holders(self, role_key: str, day: date | None = None) -> tuple[Official, ...]:
        """Who held ``role_key`` on ``day``; with no day, every holder in tenure order."""
        out: list[Official] = []
        for tenure, official in self._holders.get(role_key.lower(), ()):
            if (day is None or tenure.covers(day)) and official not in out:
                out.append(official)
        return tuple(out)

    def role_keys(self) -> frozenset[str]:
        """Every role key someone holds or held."""
        return frozenset(self._holders)

    def is_party(self, text: str) -> bool:
        """Whether ``text`` is an official's id or a role key (a side of a watch)."""
        text = text.strip().lower()
        return text in self.officials or text in self._holders

    def serves(self, official_id: str, day: date) -> bool:
        """Whether the official held a leader-level role (or was one elect) on ``day``."""
        key = (official_id, day)
        hit = self._serves.get(key)
        if hit is None:
            official = self.officials.get(official_id)
            hit = official is not None and any(t.covers(day) for t in official.tenures)
            if len(self._serves) > 100_000:
                self._serves.clear()
            self._serves[key] = hit
        return hit

    def country_of(self, official_id: str, day: date | None) -> str:
        """The government the official served on ``day`` (their own country otherwise)."""
        official = self.officials[official_id]
        if day is not None:
            for tenure in official.tenures:
                if tenure.covers(day) and tenure.country:
                    return tenure.country
        return official.country

    def country(self, text: str) -> Country | None:
        """The country or body a word names (``u.s.``, ``Russian``, ``Kremlin``, ``NATO``)."""
        key = fold(text)
        if key and key[0] == "the" and key not in self.index.countries:
            key = key[1:]
        code = self.index.countries.get(key)
        if code is None and text.strip().upper() in self.countries:
            code = text.strip().upper()
        return self.countries.get(code) if code else None

    def lookup(self, text: str, day: date | None = None) -> list[Official]:
        """Every official a name typed by a journalist may mean; holders on ``day`` first.

        Exact (case-, accent- and transliteration-insensitive) on full names, aliases,
        surnames and other short forms, native script, handles (``MBS``), ids and role
        phrases (``pentagon chief``, ``Russia's top diplomat``, ``us.defense``).
        """
        text = text.strip()
        ids: set[str] = set()
        if text.lower() in self.officials:
            ids.add(text.lower())
        if text.lower() in self._holders:
            return list(self.holders(text.lower(), day) or self.holders(text.lower()))
        key = tuple(self.index.canon(w) for w in fold(text))
        if key and key[0] == "the" and len(key) > 1:
            key = key[1:]
        ids |= self.index.names.get(key, frozenset())
        ids |= self.index.shorts.get(key, frozenset())
        if has_cjk(text):
            ids |= self.index.cjk.get(text, frozenset())
        if not ids:
            role_key = self.role_key_of(key)
            if role_key is not None:
                return list(self.holders(role_key, day) or self.holders(role_key))
        found = sorted((self.officials[i] for i in ids), key=lambda o: o.name)
        if day is not None:
            found.sort(key=lambda o: not self.serves(o.id, day))
        return found

    def role_key_of(self, key: tuple[str, ...]) -> str | None:
        """The role key a folded role phrase names (``russia's top diplomat`` -> ru.foreign)."""
        index = self.index
        if key in index.phrases:
            return index.phrases[key]
        for cut in range(len(key) - 1, 0, -1):
            code = index.countries.get(key[:cut])
            if code is not None:
                role = index.country_titles(code).get(key[cut:])
                if role is not None:
                    return f"{code.lower()}.{role}"
            if key[cut] == "of":
                code = index.countries.get(key[cut + 1 :])
                if code is not None:
                    role = index.country_titles(code).get(key[:cut])
                    if role is not None:
                        return f"{code.lower()}.{role}"
        return None

    def names(self) -> Iterable[tuple[str, str]]:
        """``(folded name, official id)`` for every full name, alias and short form."""
        for table in (self.index.names, self.index.shorts):
            for key, ids in table.items():
                for official_id in sorted(ids):
                    yield " ".join(key), official_id


def _add_size(sizes: tuple[int, ...], size: int) -> tuple[int, ...]:
    """Sizes, longest first, with ``size`` in them."""
    return tuple(sorted({*sizes, size}, reverse=True))


def _key(official: Official, tenure: Tenure) -> str:
    return f"{(tenure.country or official.country).lower()}.{tenure.role}"


# --- loading ------------------------------------------------------------------------------


def _read(path: Path) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)  # noqa: S506 (a safe loader)


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _strings(value: object) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return [v.strip() for v in value]
    return None


class _Builder:
    """Collects documents, checks them and reports every problem with its place."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.countries: dict[str, Country] = {}
        self.country_titles: dict[str, dict[str, list[str]]] = {}
        self.country_phrases: dict[str, dict[str, list[str]]] = {}
        self.default_titles: dict[str, list[str]] = {}
        self.officials: dict[str, Official] = {}
        self.shorts: dict[str, list[str]] = {}
        self.places: dict[str, str] = {}
        self.pending: list[tuple[str, Mapping[str, Any]]] = []

    def add(self, label: str, doc: object) -> None:
        if doc is None:
            return
        if not isinstance(doc, dict):
            self.problems.append(f"{label}: expected a mapping with an 'officials' list")
            return
        for key in doc:
            if key not in ("countries", "titles", "officials"):
                self.problems.append(f"{label}: unknown key {key!r}")
        self._titles(label, doc.get("titles"))
        self._countries(label, doc.get("countries"))
        officials = doc.get("officials", [])
        if not isinstance(officials, list):
            self.problems.append(f"{label}: officials: expected a list")
            return
        for i, entry in enumerate(officials):
            place = f"{label}: officials[{i}]"
            if not isinstance(entry, dict):
                self.problems.append(f"{place}: expected a mapping")
                continue
            self.pending.append((place, entry))

    def _titles(self, label: str, titles: object) -> None:
        if titles is None:
            return
        if not isinstance(titles, dict):
            self.problems.append(f"{label}: titles: expected a mapping of role to words")
            return
        for role, words in titles.items():
            listed = _strings(words)
            if role not in ROLES:
                self.problems.append(f"{label}: titles.{role}: unknown role")
            elif listed is None:
                self.problems.append(f"{label}: titles.{role}: expected a list of words")
            else:
                self.default_titles.setdefault(role, []).extend(listed)

    def _countries(self, label: str, countries: object) -> None:
        if countries is None:
            return
        if not isinstance(countries, list):
            self.problems.append(f"{label}: countries: expected a list")
            return
        for i, entry in enumerate(countries):
            place = f"{label}: countries[{i}]"
            if not isinstance(entry, dict):
                self.problems.append(f"{place}: expected a mapping")
                continue
            code = entry.get("code")
            name = entry.get("name")
            aliases = _strings(entry.get("aliases"))
            if not isinstance(code, str) or not _CODE.match(code):
                self.problems.append(f"{place}.code: expected an upper-case code such as 'US'")
                continue
            if code in self.countries:
                self.problems.append(f"{place}.code: {code} is defined twice")
                continue
            if not isinstance(name, str) or not name.strip():
                self.problems.append(f"{place}.name: missing")
                continue
            if aliases is None:
                self.problems.append(f"{place}.aliases: expected a list of words")
                continue
            self.countries[code] = Country(code, name.strip(), tuple(a.lower() for a in aliases))
            for section, target in (
                ("titles", self.country_titles),
                ("phrases", self.country_phrases),
            ):
                table = entry.get(section) or {}
                if not isinstance(table, dict):
                    self.problems.append(f"{place}.{section}: expected a mapping")
                    continue
                for role, words in table.items():
                    listed = _strings(words)
                    if role not in ROLES:
                        self.problems.append(f"{place}.{section}.{role}: unknown role")
                    elif listed is None:
                        self.problems.append(f"{place}.{section}.{role}: expected a list")
                    else:
                        target.setdefault(code, {}).setdefault(role, []).extend(listed)

    def officials_pass(self) -> None:
        for place, entry in self.pending:
            self._official(place, entry)

    def _official(self, place: str, entry: Mapping[str, Any]) -> None:
        before = len(self.problems)
        oid, name, country = entry.get("id"), entry.get("name"), entry.get("country")
        for key in entry:
            if key not in ("id", "name", "country", "aliases", "short", "tenures"):
                self.problems.append(f"{place}: unknown key {key!r}")
        if not isinstance(oid, str) or not _ID.match(oid):
            self.problems.append(f"{place}.id: expected lower-case words joined by '-'")
            oid = None
        elif oid in self.officials:
            self.problems.append(f"{place}.id: {oid!r} is already used at {self.places[oid]}")
        if not isinstance(name, str) or not name.strip():
            self.problems.append(f"{place}.name: missing")
        if not isinstance(country, str) or country not in self.countries:
            self.problems.append(f"{place}.country: unknown country {country!r}")
        aliases = _strings(entry.get("aliases"))
        if aliases is None:
            self.problems.append(f"{place}.aliases: expected a list of names")
        shorts = _strings(entry.get("short")) if "short" in entry else None
        if "short" in entry and shorts is None:
            self.problems.append(f"{place}.short: expected a list of names")
        tenures = self._tenures(place, entry.get("tenures"))
        if len(self.problems) > before or oid is None:
            return
        assert isinstance(name, str) and isinstance(country, str)
        official = Official(
            id=oid,
            name=name.strip(),
            country=country,
            tenures=tuple(tenures),
            aliases=tuple(dict.fromkeys(aliases or ())),
        )
        self.officials[oid] = official
        self.places[oid] = place
        self.shorts[oid] = shorts if shorts is not None else [name.split()[-1]]

    def _tenures(self, place: str, value: object) -> list[Tenure]:
        if not isinstance(value, list) or not value:
            self.problems.append(f"{place}.tenures: expected a list of roles with dates")
            return []
        out: list[Tenure] = []
        for j, item in enumerate(value):
            where = f"{place}.tenures[{j}]"
            if not isinstance(item, dict):
                self.problems.append(f"{where}: expected a mapping")
                continue
            role, start, end = item.get("role"), _as_date(item.get("start")), item.get("end")
            end_day = _as_date(end) if end is not None else None
            gov = item.get("country")
            for key in item:
                if key not in ("role", "start", "end", "country", "elect"):
                    self.problems.append(f"{where}: unknown key {key!r}")
            if role not in ROLES:
                self.problems.append(f"{where}.role: {role!r} is not one of {', '.join(ROLES)}")
            if start is None:
                self.problems.append(f"{where}.start: expected a date (YYYY-MM-DD)")
            if end is not None and end_day is None:
                self.problems.append(f"{where}.end: expected a date (YYYY-MM-DD)")
            if start and end_day and end_day < start:
                self.problems.append(f"{where}: ends ({end_day}) before it starts ({start})")
            if gov is not None and gov not in self.countries:
                self.problems.append(f"{where}.country: unknown country {gov!r}")
            if isinstance(role, str) and role in ROLES and start is not None:
                out.append(Tenure(role, start, end_day, gov, bool(item.get("elect", False))))
        return out

    def check_overlaps(self) -> None:
        spells: dict[str, list[tuple[Tenure, Official, int]]] = {}
        for official in self.officials.values():
            for j, tenure in enumerate(official.tenures):
                if tenure.role not in MULTI_HOLDER_ROLES and not tenure.elect:
                    spells.setdefault(_key(official, tenure), []).append((tenure, official, j))
        for key, items in sorted(spells.items()):
            items.sort(key=lambda s: s[0].start)
            for (t1, o1, j1), (t2, o2, j2) in zip(items, items[1:], strict=False):
                if t1.end is None or t2.start <= t1.end:
                    until = t1.end.isoformat() if t1.end else "today"
                    self.problems.append(
                        f"{self.places[o2.id]}.tenures[{j2}]: overlaps {o1.name}'s {key} tenure "
                        f"{t1.start.isoformat()}..{until} ({self.places[o1.id]}.tenures[{j1}]): "
                        "a single-holder role has one holder at a time"
                    )

    def index(self) -> NameIndex:
        index = NameIndex()
        names: dict[tuple[str, ...], set[str]] = {}
        shorts: dict[tuple[str, ...], set[str]] = {}
        owners: dict[tuple[str, ...], str] = {}
        cyrillic: set[str] = set()
        cjk: dict[str, set[str]] = {}
        for official in self.officials.values():
            for text in (official.name, *official.aliases):
                if has_cjk(text):
                    cjk.setdefault(text, set()).add(official.id)
                    continue
                key = fold(text)
                if not key:
                    continue
                other = owners.get(key)
                if other is not None and other != official.id:
                    self._clash(text, other, official.id)
                owners[key] = official.id
                names.setdefault(key, set()).add(official.id)
                cyrillic.update(w for w in key if not w.isascii())
            for text in self.shorts[official.id]:
                key = fold(text)
                if key:
                    shorts.setdefault(key, set()).add(official.id)
                    cyrillic.update(w for w in key if not w.isascii())
        index.names = {k: frozenset(v) for k, v in names.items()}
        index.shorts = {k: frozenset(v) for k, v in shorts.items() if k not in names}
        index.cjk = {k: frozenset(v) for k, v in cjk.items()}
        index.cyrillic = frozenset(cyrillic)
        common = {k[0] for k, v in index.shorts.items() if len(v) > 1 and len(k) == 1}
        index.common_shorts = frozenset(common | _COMMON_SHORT)
        title_words: set[str] = set()
        for country in self.countries.values():
            for alias in (*country.aliases, country.code.lower()):
                index.countries[fold(alias)] = country.code
            table: dict[tuple[str, ...], str] = {}
            own = self.country_titles.get(country.code, {})
            for role in ROLES:
                for words in own.get(role) or self.default_titles.get(role, []):
                    key = fold(words)
                    table.setdefault(key, role)
                    table.setdefault((*key[:-1], key[-1] + "s"), role)
                    title_words.update(key)
            index.titles[country.code] = table
            for key, role in table.items():
                index.generic_titles.setdefault(key, role)
            for role, phrases in self.country_phrases.get(country.code, {}).items():
                for words in phrases:
                    index.phrases[fold(words)] = f"{country.code.lower()}.{role}"
        index.title_words = frozenset(title_words)
        for table_keys in (index.names, index.shorts, index.countries, index.phrases):
            for key in table_keys:
                index.note(key)
        for titles in index.titles.values():
            for key in titles:
                index.note(key)
                index.title_ends[key[-1]] = _add_size(index.title_ends.get(key[-1], ()), len(key))
        index.title_starts = frozenset(key[0] for key in index.generic_titles)
        for key in index.names:
            index.name_sizes[key[0]] = _add_size(index.name_sizes.get(key[0], ()), len(key))
        return index

    def _clash(self, text: str, first: str, second: str) -> None:
        """Two people named alike: a problem only when both serve on some day."""
        a, b = self.officials.get(first), self.officials.get(second)
        if a is None or b is None:
            return
        for t1 in a.tenures:
            for t2 in b.tenures:
                lo = max(t1.start, t2.start)
                hi = min(t1.end or date.max, t2.end or date.max)
                if lo <= hi:
                    self.problems.append(
                        f"{self.places[second]}.aliases: {text!r} also names {a.name} "
                        f"({self.places[first]}) on {lo.isoformat()}: ambiguous"
                    )
                    return


def load_registry(extra: Sequence[Path] = ()) -> Registry:
    """The bundled registry plus the user's extra YAML files, validated.

    Raises:
        ConfigError: listing every problem, each with its file and place.
    """
    if not extra:
        return default_registry()
    return _load((BUNDLED, *extra))


@cache
def default_registry() -> Registry:
    """The bundled registry (loaded once)."""
    return _load((BUNDLED,))


def _load(paths: Sequence[Path]) -> Registry:
    builder = _Builder()
    for path in paths:
        label = path.name if path == BUNDLED else str(path)
        try:
            doc = _read(path)
        except OSError as exc:
            builder.problems.append(f"{label}: cannot be read ({exc.strerror or exc})")
            continue
        except Exception as exc:  # yaml.YAMLError; yaml is imported lazily
            builder.problems.append(f"{label}: not valid YAML ({exc})")
            continue
        builder.add(label, doc)
    builder.officials_pass()
    builder.check_overlaps()
    index = builder.index()
    if builder.problems:
        raise ConfigError(builder.problems, source="officials registry")
    return Registry(builder.officials, builder.countries, index)
