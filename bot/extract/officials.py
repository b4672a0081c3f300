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

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.extract.text import fold, fold_word, has_cjk, key_pieces, key_words
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
    for w in [
        "Lee",
        "Kim",
        "Park",
        "Cho",
        "Chung",
        "Kang",
        "Han",
        "Shin",
        "Moon",
        "Li",
        "Wang",
        "Chen",
        "Liu",
        "Yang",
        "Dong",
        "Wei",
        "Qin",
        "Chang",
        "Brown",
        "Miller",
        "Moore",
        "Hunt",
        "Powell",
        "Cohen",
        "Singh",
        "Austin",
        "Kerry",
        "Caine",
        "Gabriel",
        "Philippe",
        "Conte",
        "Duda",
        "Han",
        "Rau",
        "Park",
        "Jin",
        "Choe",
        "Katz",
        "Gallant",
    ]
)


_NAMED, _COUNTRY, _TITLE = 1, 2, 4
"""What a phrase is, for ``NameIndex.may_name``: a name or role phrase names someone alone; a
country word and a title do together."""

_PARTICLES = frozenset(fold("bin al el von der de da le sir crown prince king queen emperor"))
_STOP = frozenset(
    fold("the of and for in on to a an s by at people's republic democratic islamic kingdom us un")
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
    name_firsts: frozenset[str] = frozenset()
    title_ends: dict[str, tuple[int, ...]] = field(default_factory=dict)
    title_starts: frozenset[str] = frozenset()
    title_first: dict[str, tuple[int, ...]] = field(default_factory=dict)
    name_words: frozenset[str] = frozenset()
    scan_words: frozenset[str] = frozenset()
    title_words: frozenset[str] = frozenset()
    common_shorts: frozenset[str] = frozenset()
    entries: dict[
        tuple[str, ...], tuple[frozenset[str] | None, frozenset[str] | None, str | None, str | None]
    ] = field(default_factory=dict)
    """Every key of ``names``, ``shorts``, ``phrases`` and ``countries`` with what each table
    holds for it: one lookup instead of four for the scanner."""
    cjk: dict[str, frozenset[str]] = field(default_factory=dict)
    cyrillic: frozenset[str] = frozenset()
    anchors: dict[bytes, tuple[tuple[frozenset[bytes], int], ...]] = field(default_factory=dict)
    anchor_words: frozenset[bytes] = frozenset()
    pieces: frozenset[bytes] = frozenset()
    always: int = 0
    _canon: dict[str, str] = field(default_factory=dict)
    _keyed: dict[str, tuple[bytes, ...]] = field(default_factory=dict)

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

    def may_name(self, text: str) -> bool:
        """The early exit: may ``text`` name an official? ``False`` only when it cannot.

        A contact needs at least one official named by name, alias, short form, role phrase
        or a country word with a title. Each such phrase is kept as the set of its words'
        keys (``text.key_pieces``), filed under its longest word; the text's words
        are cut and keyed at C speed (``text.key_words``) and only the phrases filed under
        the words it has are checked, as sets.
        """
        keys, other = key_words(text)
        if other:
            if has_cjk(text) and any(alias in text for alias in self.cjk):
                return True
            keyed = self._keyed
            for word in other:
                hit = keyed.get(word)
                if hit is None:
                    folded = fold_word(word)
                    stem = self.canon(folded)
                    hit = (*key_pieces(folded), *(key_pieces(stem) if stem != folded else ()))
                    if len(keyed) > 100_000:
                        keyed.clear()
                    keyed[word] = hit
                keys.extend(hit)
        found = self.always
        if found & _NAMED or found == _COUNTRY | _TITLE:
            return True
        present = self.pieces.intersection(keys)
        if not present:
            return False
        for anchor in self.anchor_words.intersection(present):
            for rest, kind in self.anchors[anchor]:
                if found & kind or not rest <= present:
                    continue
                found |= kind
                if found & _NAMED or found == _COUNTRY | _TITLE:
                    return True
        return False

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
        shorts: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.officials: Mapping[str, Official] = officials
        self._shorts = shorts or {}
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
        self._serving: dict[tuple[frozenset[str], date], tuple[str, ...]] = {}
        self._abroad = frozenset(
            o.id for o in officials.values() if any(t.country for t in o.tenures)
        )

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

    def serving(self, ids: frozenset[str], day: date) -> tuple[str, ...]:
        """Those of ``ids`` who served on ``day`` (``serves``), sorted; remembered."""
        key = (ids, day)
        hit = self._serving.get(key)
        if hit is None:
            hit = tuple(sorted(o for o in ids if self.serves(o, day)))
            if len(self._serving) > 100_000:
                self._serving.clear()
            self._serving[key] = hit
        return hit

    def country_of(self, official_id: str, day: date | None) -> str:
        """The government the official served on ``day`` (their own country otherwise)."""
        official = self.officials[official_id]
        if day is not None and official.id in self._abroad:
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
        """``(normalised name, official id)`` for every full name, alias and short form.

        Normalised: lower case, accents removed, hyphens and dots as spaces (``kim jong un``).
        """
        for official in self.officials.values():
            seen: set[str] = set()
            for text in (official.name, *official.aliases, *self._shorts.get(official.id, ())):
                plain = _plain(text)
                if plain and plain not in seen:
                    seen.add(plain)
                    yield plain, official.id


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[-.’'·]", " ", folded).split())


def _no_the(key: tuple[str, ...]) -> tuple[str, ...]:
    """A phrase without its leading "the" (the scanner reads "the Kremlin leader" from
    "Kremlin")."""
    return key[1:] if len(key) > 1 and key[0] == "the" else key


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


def _display(name: str, display: object, shorts: Sequence[str] | None) -> str | None:
    """``Official.short``: the ``display`` name, else the first short form, unless either is
    just the last word of the name."""
    chosen = display.strip() if isinstance(display, str) else (shorts[0] if shorts else None)
    return None if chosen is None or chosen == name.rsplit(maxsplit=1)[-1] else chosen


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
        self.pending: list[tuple[str, dict[str, Any]]] = []

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
        self.pending.extend(self._entries(label, "officials", doc.get("officials")))

    def _entries(self, label: str, key: str, value: object) -> list[tuple[str, dict[str, Any]]]:
        """The mappings of a list section, each with its place (``officials[3]``)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.append(f"{label}: {key}: expected a list")
            return []
        out: list[tuple[str, dict[str, Any]]] = []
        for i, entry in enumerate(value):
            place = f"{label}: {key}[{i}]"
            if isinstance(entry, dict):
                out.append((place, entry))
            else:
                self.problems.append(f"{place}: expected a mapping")
        return out

    def _titles(self, label: str, titles: object) -> None:
        if titles is None:
            return
        if not isinstance(titles, dict):
            self.problems.append(f"{label}: titles: expected a mapping of role to words")
            return
        self._role_words(f"{label}: titles", titles, self.default_titles)

    def _role_words(
        self, place: str, table: Mapping[Any, Any], target: dict[str, list[str]]
    ) -> None:
        """``role -> [words]`` checked and added to ``target``."""
        for role, words in table.items():
            listed = _strings(words)
            if role not in ROLES:
                self.problems.append(f"{place}.{role}: unknown role")
            elif listed is None:
                self.problems.append(f"{place}.{role}: expected a list of words")
            else:
                target.setdefault(role, []).extend(listed)

    def _countries(self, label: str, countries: object) -> None:
        for place, entry in self._entries(label, "countries", countries):
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
                self._role_words(f"{place}.{section}", table, target.setdefault(code, {}))

    def officials_pass(self) -> None:
        for place, entry in self.pending:
            self._official(place, entry)

    def _official(self, place: str, entry: Mapping[str, Any]) -> None:
        before = len(self.problems)
        oid, name, country = entry.get("id"), entry.get("name"), entry.get("country")
        for key in entry:
            if key not in ("id", "name", "country", "aliases", "short", "display", "tenures"):
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
        display = entry.get("display")
        if display is not None and not (isinstance(display, str) and display.strip()):
            self.problems.append(f"{place}.display: expected a name")
        tenures = self._tenures(place, entry.get("tenures"))
        if len(self.problems) > before or oid is None:
            return
        assert isinstance(name, str)
        assert isinstance(country, str)
        official = Official(
            id=oid,
            name=name.strip(),
            country=country,
            tenures=tuple(tenures),
            aliases=tuple(dict.fromkeys(aliases or ())),
            short=_display(name.strip(), display, shorts),
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
            for (t1, o1, j1), (t2, o2, j2) in itertools.pairwise(items):
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
            for alias in country.aliases:
                index.countries[_no_the(fold(alias))] = country.code
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
                    index.phrases[_no_the(fold(words))] = f"{country.code.lower()}.{role}"
        index.title_words = frozenset(title_words)
        for table_keys in (index.names, index.shorts, index.countries, index.phrases):
            for key in table_keys:
                index.note(key)
        for titles in index.titles.values():
            for key in titles:
                index.note(key)
                index.title_ends[key[-1]] = _add_size(index.title_ends.get(key[-1], ()), len(key))
                index.title_first[key[0]] = _add_size(index.title_first.get(key[0], ()), len(key))
        index.title_starts = frozenset(key[0] for key in index.generic_titles)
        skip = _STOP | index.title_words | _PARTICLES
        index.name_words = frozenset(
            next((w for w in k if w not in skip), k[-1])
            for table in (index.names, index.shorts, index.phrases)
            for k in table
        )
        index.scan_words = frozenset(
            {*index.sizes, *index.title_starts, "his", "her", "their", "both", "two", "pair"}
        )
        for key in index.names:
            index.name_sizes[key[0]] = _add_size(index.name_sizes.get(key[0], ()), len(key))
        index.name_firsts = frozenset(index.name_sizes)
        index.entries = {
            key: (
                index.names.get(key),
                index.shorts.get(key),
                index.phrases.get(key),
                index.countries.get(key),
            )
            for key in {*index.names, *index.shorts, *index.phrases, *index.countries}
        }
        _anchor(index)
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


def _bag(key: tuple[str, ...]) -> frozenset[bytes]:
    """The keys every text that holds the phrase ``key`` holds (see ``NameIndex.may_name``).

    A word in another script loses its last piece when it has several: a Russian case ending
    is taken off a whole word, not off its pieces.
    """
    out: set[bytes] = set()
    for word in key:
        pieces = key_pieces(word)
        if not word.isascii() and len(pieces) > 1:
            pieces = pieces[:-1]
        out.update(pieces)
    return frozenset(out)


def _anchor(index: NameIndex) -> None:
    """File every phrase that can name someone under one of its keys, for the early exit."""
    tables: list[tuple[Iterable[tuple[str, ...]], int]] = [
        (index.names, _NAMED),
        (index.shorts, _NAMED),
        (index.phrases, _NAMED),
        (index.countries, _COUNTRY),
        *((titles, _TITLE) for titles in index.titles.values()),
        (index.generic_titles, _TITLE),
    ]
    filed: dict[bytes, set[tuple[frozenset[bytes], int]]] = {}
    for keys, kind in tables:
        for key in keys:
            bag = _bag(key)
            if not bag:
                index.always |= kind  # cannot be told apart: never exit early on it
                continue
            anchor = max(bag, key=lambda w: (len(w), w))
            filed.setdefault(anchor, set()).add((bag - {anchor}, kind))
    for word, entries in filed.items():
        ordered = sorted(entries, key=lambda e: (len(e[0]), e[1], sorted(e[0])))
        # A phrase whose keys hold another's of the same kind adds nothing.
        kept: list[tuple[frozenset[bytes], int]] = []
        for rest, kind in ordered:
            if not any(k == kind and r <= rest for r, k in kept):
                kept.append((rest, kind))
        index.anchors[word] = tuple(kept)
    index.anchor_words = frozenset(index.anchors)
    index.pieces = (
        frozenset(
            word for entries in index.anchors.values() for rest, _ in entries for word in rest
        )
        | index.anchor_words
    )


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
    return Registry(builder.officials, builder.countries, index, builder.shorts)
