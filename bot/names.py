"""Names as users type them, resolved against the registry. Pure; no I/O, no clock.

``NameResolver`` turns what a journalist typed (``milley``, ``Gerasimow``, ``pentagon chief``,
``us.defense``, ``"lloyd austin"``, ``usa``) into an ``Official`` or a ``Country``:

1. exact: an official's id, a role key (its holders on the day asked about), then the
   registry's forgiving lookup (full name, surname, alias, transliteration, native script,
   role phrase; case and accents ignored), and countries by name, code or demonym;
2. otherwise a ``CommandError`` that says so, with suggestions found by fuzzy matching
   (rapidfuzz) over every name the registry knows: "I don't know 'gerasimof'. Did you mean
   Valery Gerasimov?". A typo is never silently taken for someone: an answer about the wrong
   official is worse than a second try.

Several officials for one name is a ``CommandError`` listing them with their roles. Words
typed without quotes are split into two names where only one split makes sense
(``lastcontact lloyd austin sergei shoigu``).

Also the labels answers use for roles and countries (``US defence chief``). This module
never reads the store and never formats a whole reply.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from functools import cached_property

from rapidfuzz import fuzz, process

from bot.errors import CommandError
from bot.extract import Country, Registry
from bot.models import ROLES, Official
from bot.render import format_day

__all__ = [
    "ROLE_PLURALS",
    "ROLE_TITLES",
    "NameResolver",
    "Party",
    "country_name",
    "describe",
    "fold",
    "role_label",
    "role_title",
]

Party = Official | Country
"""What a typed name can stand for."""

ROLE_TITLES: dict[str, str] = {
    "head_of_state": "head of state",
    "head_of_government": "head of government",
    "foreign": "foreign minister",
    "defense": "defence chief",
    "military": "top military officer",
    "security": "security adviser",
    "intelligence": "intelligence chief",
    "aide": "foreign-policy aide",
    "envoy": "special envoy",
}
ROLE_PLURALS: dict[str, str] = {
    "head_of_state": "heads of state",
    "head_of_government": "heads of government",
    "foreign": "foreign ministers",
    "defense": "defence chiefs",
    "military": "top military officers",
    "security": "security advisers",
    "intelligence": "intelligence chiefs",
    "aide": "foreign-policy aides",
    "envoy": "special envoys",
}
assert set(ROLE_TITLES) == set(ROLES) == set(ROLE_PLURALS)

FUZZY_CUTOFF = 80.0
"""Least rapidfuzz ratio (0..100) for a name to be suggested."""
MAX_SUGGESTIONS = 3


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name (for fuzzy matching)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def country_name(registry: Registry, code: str) -> str:
    """A country's name from its code (the code itself when the registry lacks it)."""
    country = registry.countries.get(code.upper())
    return country.name if country else code.upper()


def role_title(role: str, *, plural: bool = False) -> str:
    """``defense`` -> ``defence chief`` (``defence chiefs`` with ``plural``)."""
    titles = ROLE_PLURALS if plural else ROLE_TITLES
    return titles.get(role, role.replace("_", " "))


def role_label(role_key: str, *, plural: bool = False) -> str:
    """``us.defense`` -> ``US defence chief`` (``US defence chiefs`` with ``plural``)."""
    code, _, role = role_key.partition(".")
    return f"{code.upper()} {role_title(role, plural=plural)}"


def describe(official: Official) -> str:
    """``Lloyd Austin (US defence chief 2021–2025)``: who someone is, for disambiguation."""
    spells = []
    for tenure in official.tenures:
        key = f"{(tenure.country or official.country).lower()}.{tenure.role}"
        end = f"{tenure.end.year}" if tenure.end else "now"
        years = f"{tenure.start.year}–{end}" if end != str(tenure.start.year) else end
        spells.append(f"{role_label(key)}{'-elect' if tenure.elect else ''} {years}")
    return f"{official.name} ({'; '.join(spells)})" if spells else official.name


def _or_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


class NameResolver:
    """Resolves typed names against one registry (which it treats as immutable).

    Args:
        registry: the officials registry.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    @cached_property
    def _role_keys(self) -> frozenset[str]:
        return self.registry.role_keys()

    # --- exact -------------------------------------------------------------------------

    def officials(self, text: str, day: date) -> list[Official]:
        """Every official ``text`` names exactly (holders on ``day`` for a role), in the
        registry's order, each once."""
        wanted = text.strip()
        if not wanted:
            return []
        found: list[Official] = []
        key = wanted.lower()
        direct = self.registry.get(key)
        if direct is not None:
            found.append(direct)
        elif key in self._role_keys:
            found.extend(self.registry.holders(key, day))
        else:
            found.extend(self.registry.lookup(wanted, day))
        unique: dict[str, Official] = {}
        for official in found:
            unique.setdefault(official.id, official)
        return list(unique.values())

    def country(self, text: str) -> Country | None:
        """The country ``text`` names exactly, if any."""
        return self.registry.country(text.strip()) if text.strip() else None

    # --- one name ----------------------------------------------------------------------

    def _one(self, found: list[Official], day: date) -> Official | None:
        """The official meant among candidates: the only one, or the only one in office on
        ``day`` (``brown`` in 2024 is the general, not the former prime minister)."""
        if len(found) == 1:
            return found[0]
        serving = [o for o in found if o.roles_on(day)]
        return serving[0] if len(serving) == 1 else None

    def official(self, text: str, day: date) -> Official:
        """The one official ``text`` names, or a ``CommandError`` that says why not."""
        found = self.officials(text, day)
        one = self._one(found, day)
        if one is not None:
            return one
        if found:
            raise self._ambiguous(text, found)
        if text.strip().lower() in self._role_keys:
            raise CommandError(
                f"Nobody is {role_label(text.strip().lower())} on {format_day(day)}."
            )
        country = self.country(text)
        if country is not None:
            raise CommandError(
                f"'{text}' is a country ({country.name}); give an official's name here."
            )
        raise self.unknown(text)

    def party(self, text: str, day: date) -> Party:
        """The official or, failing that, the country ``text`` names."""
        if not self.officials(text, day):
            country = self.country(text)
            if country is not None:
                return country
        return self.official(text, day)

    def parties(self, words: Sequence[str], day: date) -> list[Party]:
        """One or two parties from the words of a command.

        Quoted names arrive as one word each. Unquoted words are read as one name when
        they make one, else split where both sides name someone (or a country); an
        unknown name raises with suggestions.
        """
        words = [w for w in words if w.strip()]
        if not words:
            raise CommandError("Give a name.")
        if len(words) == 1:
            return [self.party(words[0], day)]
        joined = " ".join(words)
        if self._known(joined, day):
            return [self.party(joined, day)]
        if len(words) == 2:
            return [self.party(words[0], day), self.party(words[1], day)]
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        both = [(a, b) for a, b in splits if self._known(a, day) and self._known(b, day)]
        if len(both) == 1:
            a, b = both[0]
            return [self.party(a, day), self.party(b, day)]
        if len(both) > 1:
            options = "; ".join(f'"{a}" and "{b}"' for a, b in both)
            raise CommandError(f"I can read '{joined}' as {options}. Put quotes around each name.")
        for a, b in splits:  # one side known: the other is the problem
            if self._known(a, day):
                self.party(b, day)
            if self._known(b, day):
                self.party(a, day)
        raise self.unknown(joined, hint=True)

    def pair(self, words: Sequence[str], day: date) -> tuple[Official, Official]:
        """Exactly two distinct officials."""
        found = self.parties(words, day)
        if len(found) != 2:
            raise CommandError("Give two names.")
        a, b = (self._as_official(p) for p in found)
        if a.id == b.id:
            raise CommandError(f"Both names are {a.name}; give two different officials.")
        return a, b

    def _as_official(self, party: Party) -> Official:
        if isinstance(party, Official):
            return party
        raise CommandError(f"'{party.name}' is a country; give an official's name here.")

    def _known(self, text: str, day: date) -> bool:
        return bool(self.officials(text, day)) or self.country(text) is not None

    # --- errors and suggestions ----------------------------------------------------------

    def _ambiguous(self, text: str, found: Sequence[Official]) -> CommandError:
        options = [describe(o) for o in found[:6]]
        more = f" (and {len(found) - 6} more)" if len(found) > 6 else ""
        return CommandError(f"'{text}' could be {_or_list(options)}{more}. Type the full name.")

    def unknown(self, text: str, *, hint: bool = False) -> CommandError:
        """The error for a name nobody has, with the closest names the registry knows."""
        close = self.suggestions(text)
        message = f"I don't know '{text}'."
        if close:
            message += f" Did you mean {_or_list(close)}?"
        else:
            message += (
                " Try a surname (shoigu), a full name, a role (pentagon chief, us.defense) "
                "or a country (us)."
            )
        if hint:
            message += ' Put quotes around names of more than one word: "lloyd austin".'
        return CommandError(message)

    @cached_property
    def _choices(self) -> dict[str, list[str]]:
        """Folded names, and the words of several-word names, to the ids they name
        (countries as ``country:CODE``)."""
        choices: dict[str, list[str]] = {}

        def add(name: str, target: str) -> None:
            key = fold(name)
            if not key:
                return
            keys = [key] + [w for w in key.split() if len(w) >= 3 and w != key]
            for k in keys:
                targets = choices.setdefault(k, [])
                if target not in targets:
                    targets.append(target)

        for name, official_id in self.registry.names():
            add(name, official_id)
        for official in self.registry.officials.values():
            add(official.name, official.id)
        for country in self.registry.countries.values():
            for name in (country.name, *country.aliases):
                add(name, f"country:{country.code}")
        return choices

    def suggestions(self, text: str) -> list[str]:
        """Up to three names close to ``text`` (full names), best first."""
        query = fold(text)
        if len(query) < 4:
            return []
        choices = self._choices
        matches = process.extract(
            query, list(choices), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=30
        )
        best: dict[str, float] = {}
        for key, score, _ in matches:
            for target in choices[key]:
                best[target] = max(best.get(target, 0.0), score)
        ranked = sorted(best, key=lambda t: (-best[t], self._label(t)))
        if not ranked:
            return []
        top = best[ranked[0]]
        labels: list[str] = []
        for target in ranked:
            if best[target] < top - 10:
                break
            label = self._label(target)
            if label not in labels:
                labels.append(label)
        return labels[:MAX_SUGGESTIONS]

    def _label(self, target: str) -> str:
        if target.startswith("country:"):
            return country_name(self.registry, target.removeprefix("country:"))
        official = self.registry.get(target)
        return official.name if official else target
