"""Where a text names leader-level officials: names, short forms, role phrases, references.

Pure; no I/O. Works on the words of one sentence (``bot.extract.text.cut``) with the
registry's indexes, for one calendar day (the item's): a name resolves only to someone who
held a leader-level role that day, so "former prime minister Boris Johnson" names nobody the
detector may pair. Short forms (surnames, "Xi", "Kim") must be capitalised; common ones
("Kim", "Wang", "Austin", "Brown") also need context: the full name elsewhere in the item or a
title or country right before them. A surname right after an unknown first name ("Gordon
Brown", "John Sullivan") or a place preposition ("in Austin", "Austin, Texas") names nobody.
Role phrases ("the Pentagon chief", "Russia's top diplomat", "the defence ministers of
Britain, France and Turkey") resolve to the holders on the day; "his Russian counterpart" and
"the two" are kept as references for the detector to resolve. An item without a publication
date has no day: a name then names its bearer whenever they served ("former" before it still
names nobody), and a role phrase names nobody rather than a guess. A rank between a title and
a name ("Joint Chiefs Chairman Gen. Mark Milley") leaves the title to the name.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.extract.officials import Registry
from bot.extract.text import Words, folded, positions

__all__ = ["FUNCTION_WORDS", "Found", "find_mentions", "full_names_in"]

FUNCTION_WORDS = folded(
    """a an the and or but of in on at to for from by with as after before since while when
    that this these those his her their its he she they we it also then later earlier both
    said says told tells added new visiting incoming outgoing acting sitting meanwhile however
    on monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec mr mrs ms dr sir lord lady gen general adm admiral lt col gen. sheikh
    prince king queen emir emperor ayatollah president premier chancellor secretary minister
    leader chief chairman director envoy commander head crown supreme vice prime foreign
    defense defence state national security adviser advisor top senior officials official
    spokesman as if whether where which who whom what how why about against between among
    under over into onto upon toward towards through during without within near
    ukrainian russian american chinese british french german italian polish turkish indian
    japanese korean israeli iranian saudi qatari emirati egyptian belarusian canadian
    brazilian north south u.s. u.k. u.n. e.u. us uk un eu nato white house kremlin pentagon
    first last only even just still yet already again not no never now today yesterday
    tonight tomorrow week month year weekend morning afternoon evening night late early"""
)
_NOT_ROLE_TITLES = folded(
    """ambassador ambassadors spokesman spokeswoman spokesperson deputy deputies vice former ex
    late candidate nominee governor senator congressman congresswoman mayor representative
    rep sen judge justice journalist actor singer businessman billionaire then"""
)
_SUFFIXES = folded("jr junior")
_PLACE_BEFORE = folded("in at near outside from downtown")
_PLACE_AFTER = folded(
    """texas university college street road city county airport hotel center centre square
    institute stadium park river valley district"""
)
_COUNTERPART = frozenset({"counterpart", "counterparts", "colleague", "коллегой", "коллега"})
_COUNTERPARTS = frozenset({"counterparts", "colleagues", "коллегами"})
_PAIR_HEADS = folded(
    """leaders men women ministers presidents officials diplomats chiefs generals sides heads
    envoys counterparts top"""
)
_PRONOUN_POSS = frozenset({"his", "her", "their"})
_RANKS = folded("gen general adm admiral lt col colonel maj capt cmdr sgt marshal brig")
"""Ranks between a title and a name ("Joint Chiefs Chairman Gen. Mark Milley")."""

_PAIR_TAIL = _PAIR_HEADS | folded("of state government foreign defence defense")
_NOT_DEFINITE = folded("a an former ex then deputy vice late")


@dataclass(slots=True)
class Found:
    """A mention in one sentence.

    Internal and not frozen (made by the dozen per item, and a frozen dataclass costs five
    times as much to build): treat it as read-only.

    Attributes:
        official: the official's id; ``None`` for a person who is not leader-level that day,
            an ambiguous short form, or a reference to resolve.
        i, j: word positions ``[i, j)`` in the sentence.
        start, end: offsets in the text.
        via: ``name``, ``short``, ``role``, ``counterpart`` or ``pair``.
        poss: followed by a possessive ``'s``.
        country: for a counterpart, the government it serves.
        ambiguous: the candidates when a short form fits several people.
    """

    official: str | None
    i: int
    j: int
    start: int
    end: int
    via: str
    poss: bool = False
    country: str | None = None
    ambiguous: tuple[str, ...] = ()


@dataclass(slots=True)
class _Scan:
    """One sentence being scanned: its words, their folded forms, and the day."""

    words: Words
    folds: list[str]
    registry: Registry
    day: date | None
    named: Container[str]
    text: str = ""


def full_names_in(folds: Sequence[str], registry: Registry) -> set[str]:
    """Ids of everyone named in full (not by a short form) in these folded words."""
    index = registry.index
    sizes = index.name_sizes
    out: set[str] = set()
    for i in positions(folds, index.name_firsts):
        for size in sizes[folds[i]]:
            ids = index.names.get(tuple(folds[i : i + size]))
            if ids:
                out |= ids
                break
    return out


def _context(
    folds: Sequence[str], at: int, registry: Registry
) -> tuple[str | None, str | None, bool]:
    """(country, role, blocked) from the words right before position ``at``."""
    index = registry.index
    country: str | None = None
    role: str | None = None
    k = at - 1
    # A title ending right before the name ("Defense Secretary Lloyd Austin").
    for size in index.title_ends.get(folds[at - 1], ()) if at else ():
        if size > at:
            continue
        key = tuple(folds[at - size : at])
        found = index.generic_titles.get(key)
        if found is not None:
            k = at - size - 1
            for cut in range(max(0, k - 2), k + 1):
                code = index.countries.get(tuple(folds[cut : k + 1]))
                if code is not None:
                    country = code
                    role = index.country_titles(code).get(key, found)
                    k = cut - 1
                    break
            else:
                role = found
            break
    if role is None:
        for cut in range(max(0, at - 3), at):
            code = index.countries.get(tuple(folds[cut:at]))
            if code is not None:
                country = code
                k = cut - 1
                break
    blocked = k >= 0 and folds[k] in _NOT_ROLE_TITLES
    return country, role, blocked


def find_mentions(
    words: Words,
    text: str,
    registry: Registry,
    day: date | None,
    named: Container[str] = (),
) -> list[Found]:
    """Every mention in one sentence's words, in order.

    ``named`` holds the ids named in full anywhere in the item (context for short forms).
    Without a ``day`` (an item with no publication date), a name names its one bearer in the
    registry whenever they served, unless "former" or the like comes before it; a role
    phrase names nobody, as who held the role is unknown.
    """
    index = registry.index
    folds = words.folds
    caps = words.caps
    scan = _Scan(words, folds, registry, day, named, text)
    n = len(folds)
    out: list[Found] = []
    free = 0
    entries = index.entries
    has_of = "of" in folds  # "the defence ministers of Britain" needs it
    for i in positions(folds, index.scan_words):
        if i < free:
            continue
        word = folds[i]
        hit: Found | None = None
        many: list[Found] = []
        used = size = 0
        for width in index.sizes.get(word, ()):
            if width > n - i:
                continue
            size = width
            entry = entries.get(tuple(folds[i : i + size]))
            if entry is None:
                if word in _PRONOUN_POSS:
                    break
                continue
            ids, shorts, role_key, code = entry
            if ids is not None:
                hit = _person(scan, i, i + size, ids, "name")
                break
            if shorts is not None and caps[i]:
                hit = _person(scan, i, i + size, shorts, "short")
                if hit is not None:
                    break
                continue
            if role_key is not None:
                hit = _role_mention(scan, i, i + size, role_key)
                break
            if code is not None:
                many, used = _countries_role(scan, i, size, code)
                if many:
                    break
                hit, size = _country_role(scan, i, size, code)
                if hit is not None or size:
                    break
            if word in _PRONOUN_POSS:
                break
        if many:
            out.extend(many)
            free = i + used
            continue
        if hit is None and word in _PRONOUN_POSS:
            listed, used = _counterparts(scan, i)
            if listed:
                out.extend(listed)
                free = i + used
                continue
            hit, size = _counterpart(scan, i)
        if hit is None and word == "both" and i + 1 < n:
            hit, size = _pair(scan, i)
        elif hit is None and word in ("two", "pair") and i > free and folds[i - 1] == "the":
            hit, size = _pair(scan, i - 1)
        if hit is None and has_of and word in index.title_starts:
            listed, used = _titles_of(scan, i)
            if listed:
                out.extend(listed)
                free = i + used
                continue
        if hit is not None:
            last = out[-1] if out else None
            if (
                last is not None
                and last.official
                and last.official == hit.official
                and (last.j == hit.i)
            ):
                # "Crown Prince Mohammed" + "bin Salman": one mention
                hit = replace(last, j=hit.j, end=hit.end, poss=hit.poss)
                out[-1] = hit
            else:
                out.append(hit)
            free = hit.j
    return out


def _person(scan: _Scan, i: int, j: int, ids: frozenset[str], via: str) -> Found | None:
    words, folds, registry, day = scan.words, scan.folds, scan.registry, scan.day
    named = scan.named
    n = len(folds)
    start, end = words.starts[i], words.ends[j - 1]
    poss = words.poss[j - 1]
    if j < n and folds[j] in _SUFFIXES:
        return None  # "Donald Trump Jr."
    serving: Sequence[str] = registry.serving(ids, day) if day is not None else sorted(ids)
    if via == "name" and len(serving) == 1 and day is not None:
        return Found(serving[0], i, j, start, end, via, poss)  # the common case, no context
    country, role, blocked = _context(folds, i, registry)
    if via == "name" and len(serving) == 1:
        # no day: "former defence secretary Mark Esper" did not talk as one
        return Found(None if blocked else serving[0], i, j, start, end, via, poss)
    if via == "short":
        # a word joined to the name by a space only ("Gordon Brown"), not by a comma
        prev = folds[i - 1] if i and "," not in scan.text[words.ends[i - 1] : start] else None
        if (
            prev is not None
            and words.caps[i - 1]
            and prev.isalpha()
            and prev not in FUNCTION_WORDS
            and prev not in registry.index.title_words
        ) and registry.index.countries.get((prev,)) is None:
            return None  # "Gordon Brown", "John Sullivan": someone else
        if prev is not None and prev in _PLACE_BEFORE and role is None:
            return None
        if j < n and folds[j] in _PLACE_AFTER:
            return None
        if blocked:
            return None
        nxt = folds[j] if j < n and "," not in scan.text[end : words.starts[j]] else None
        if (
            nxt is not None
            and words.caps[j]
            and nxt.isalpha()
            and nxt not in FUNCTION_WORDS
            and nxt not in registry.index.name_words
            and any(registry.officials[o].name.split()[0] == folds[i].title() for o in ids)
        ):
            return None  # "Kim Yo Jong": another of the family, named surname first
    if country is not None and len(serving) > 1:
        serving = [o for o in serving if registry.country_of(o, day) == country] or serving
    if role is not None and len(serving) > 1:
        serving = [o for o in serving if role in _roles(registry, o, day)] or serving
    if via == "short" and len(serving) == 1:
        chosen = serving[0]
        common = folds[i] in registry.index.common_shorts
        if role is not None and role not in _roles(registry, chosen, day):
            return None  # "envoy Sullivan": a different Sullivan
        if common and chosen not in named and country is None and role is None:
            return Found(None, i, j, start, end, via, poss, ambiguous=(chosen,))
    if len(serving) == 1:
        return Found(serving[0], i, j, start, end, via, poss)
    if serving:
        return Found(None, i, j, start, end, via, poss, ambiguous=tuple(serving))
    return Found(None, i, j, start, end, via, poss)


def _roles(registry: Registry, official_id: str, day: date | None) -> tuple[str, ...]:
    """The roles held on ``day``; without a day, every role ever held."""
    official = registry.officials[official_id]
    if day is None:
        return tuple(t.role for t in official.tenures)
    return official.roles_on(day)


def _role_mention(scan: _Scan, i: int, j: int, role_key: str) -> Found | None:
    """A role phrase names its holder unless a name follows it or it is not definite."""
    words, folds, registry, day = scan.words, scan.folds, scan.registry, scan.day
    if day is None or (i and folds[i - 1] in _NOT_DEFINITE):
        return None  # without a day, who held the role is unknown
    k = j
    while k < len(folds) and folds[k] in _RANKS:
        k += 1  # "Joint Chiefs Chairman Gen. Mark Milley"
    if k < len(folds):
        nxt = folds[k]
        if words.caps[k] and nxt.isalpha() and nxt not in FUNCTION_WORDS:
            return None  # the title of a person named next (or of someone unknown)
    holders = registry.holders(role_key, day)
    if len(holders) != 1:
        return None
    end = words.ends[j - 1]
    return Found(holders[0].id, i, j, words.starts[i], end, "role", words.poss[j - 1])


def _countries_role(scan: _Scan, i: int, size: int, code: str) -> tuple[list[Found], int]:
    """'the U.S. and Chinese defence chiefs': each country's holder of a plural title."""
    folds, registry = scan.folds, scan.registry
    index = registry.index
    n = len(folds)
    spans = [(i, i + size, code)]
    k = i + size
    while k < n:
        j = k + 1 if folds[k] == "and" else k
        for width in index.sizes.get(folds[j], ()) if j < n else ():
            other = index.countries.get(tuple(folds[j : j + width]))
            if other is not None:
                spans.append((j, j + width, other))
                k = j + width
                break
        else:
            break
    if len(spans) < 2:
        return [], 0
    for tsize in index.title_first.get(folds[k], ()) if k < n else ():
        key = tuple(folds[k : k + tsize])
        if len(key) < tsize or not key[-1].endswith("s"):
            continue
        found: list[Found] = []
        for start, end, each in spans:
            role = index.country_titles(each).get(key)
            holders = (
                registry.holders(f"{each.lower()}.{role}", scan.day)
                if role and scan.day is not None
                else ()
            )
            if len(holders) == 1:
                begin, stop = scan.words.starts[start], scan.words.ends[end - 1]
                found.append(Found(holders[0].id, start, end, begin, stop, "role"))
        if found:
            return found, k + tsize - i
    return [], 0


def _country_role(scan: _Scan, i: int, size: int, code: str) -> tuple[Found | None, int]:
    """A country word and the title after it ("Russia's top diplomat")."""
    folds, registry = scan.folds, scan.registry
    titles = registry.index.country_titles(code)
    k = i + size
    if k < len(folds) and folds[k] == "s":
        k += 1
    for tsize in registry.index.title_first.get(folds[k], ()) if k < len(folds) else ():
        if tsize > len(folds) - k:
            continue
        role = titles.get(tuple(folds[k : k + tsize]))
        if role is not None:
            found = _role_mention(scan, i, k + tsize, f"{code.lower()}.{role}")
            return found, (k + tsize - i) if found is None else 0
    return None, 0


def _titles_of(scan: _Scan, i: int) -> tuple[list[Found], int]:
    """'the defence ministers of Britain, France and Turkey': each country's holder."""
    words, folds, registry, day = scan.words, scan.folds, scan.registry, scan.day
    index = registry.index
    n = len(folds)
    if i and folds[i - 1] in _NOT_DEFINITE:
        return [], 0
    for tsize in index.title_first.get(folds[i], ()):
        if tsize > n - i - 2:
            continue
        key = tuple(folds[i : i + tsize])
        role = index.generic_titles.get(key)
        if role is None or folds[i + tsize] != "of":
            continue
        k = i + tsize + 1
        found: list[Found] = []
        while k < n:
            if folds[k] == "the":
                k += 1
            for size in range(min(4, n - k), 0, -1):
                code = index.countries.get(tuple(folds[k : k + size]))
                if code is not None:
                    break
            else:
                break
            own = index.country_titles(code).get(key)
            after = k + size
            named_next = (
                after < n
                and words.caps[after]
                and folds[after] not in FUNCTION_WORDS
                and folds[after] not in index.longest
            )
            holders = registry.holders(f"{code.lower()}.{own}", day) if own and day else ()
            if len(holders) == 1 and not named_next:
                begin, stop = words.starts[k], words.ends[k + size - 1]
                found.append(Found(holders[0].id, k, k + size, begin, stop, "role"))
            k += size
            if k < n and folds[k] == "and":
                k += 1
        if found:
            return found, found[-1].j - i
        return [], 0
    return [], 0


def _counterpart(scan: _Scan, i: int) -> tuple[Found | None, int]:
    """'his Russian counterpart' (no name after it): the same role in another government."""
    words, folds, registry = scan.words, scan.folds, scan.registry
    n = len(folds)
    k = i + 1
    country: str | None = None
    for size in range(3, 0, -1):
        code = registry.index.countries.get(tuple(folds[k : k + size]))
        if code is not None:
            country = code
            k += size
            break
    if k < n and folds[k] in _COUNTERPART and country is not None:
        after = k + 1
        while after < n and folds[after] in _RANKS:
            after += 1
        if after < n and words.caps[after] and folds[after] not in FUNCTION_WORDS:
            return None, 0  # named next ("his Russian counterpart Gen. Valery Gerasimov")
        return Found(
            None, i, k + 1, words.starts[i], words.ends[k], "counterpart", country=country
        ), k + 1 - i
    return None, 0


def _counterparts(scan: _Scan, i: int) -> tuple[list[Found], int]:
    """'his French, British and Turkish counterparts': one mention a country, each the same
    role in that government (no name after them)."""
    words, folds, registry = scan.words, scan.folds, scan.registry
    n = len(folds)
    k = i + 1
    found: list[tuple[str, int, int]] = []  # (country, first word, end word)
    while k < n:
        for size in range(3, 0, -1):
            code = registry.index.countries.get(tuple(folds[k : k + size]))
            if code is not None:
                found.append((code, k, k + size))
                k += size
                break
        else:
            break
        if k < n and folds[k] == "and":
            k += 1
    if len(found) < 2 or k >= n or folds[k] not in _COUNTERPARTS:
        return [], 0
    if k + 1 < n and words.caps[k + 1] and folds[k + 1] not in FUNCTION_WORDS:
        return [], 0  # named next: the names are the mentions
    last = len(found) - 1
    out = [
        Found(
            None,
            a,
            k + 1 if x == last else b,
            words.starts[a],
            words.ends[k] if x == last else words.ends[b - 1],
            "counterpart",
            country=code,
        )
        for x, (code, a, b) in enumerate(found)
    ]
    return out, k + 1 - i


def _pair(scan: _Scan, i: int) -> tuple[Found | None, int]:
    """'the two', 'the pair', 'both leaders', 'the two ministers'' ..."""
    words, folds = scan.words, scan.folds
    n = len(folds)
    k = i + 1
    if (folds[i] == "the" and folds[k] in ("two", "pair")) or (
        folds[i] == "both" and k < n and folds[k] in _PAIR_HEADS
    ):
        k += 1
    else:
        return None, 0
    while k < n and folds[k] in _PAIR_TAIL:
        k += 1
    poss = words.poss[k - 1]
    return Found(None, i, k, words.starts[i], words.ends[k - 1], "pair", poss), k - i
