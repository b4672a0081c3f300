"""Where a text names leader-level officials: names, short forms, role phrases, references.

Pure; no I/O. Works on the words of one sentence (``bot.extract.text.tokenize``) with the
registry's indexes, for one calendar day (the item's): a name resolves only to someone who
held a leader-level role that day, so "former prime minister Boris Johnson" names nobody the
detector may pair. Short forms (surnames, "Xi", "Kim") must be capitalised; common ones
("Kim", "Wang", "Austin", "Brown") also need context: the full name elsewhere in the item or a
title or country right before them. A surname right after an unknown first name ("Gordon
Brown", "John Sullivan") or a place preposition ("in Austin", "Austin, Texas") names nobody.
Role phrases ("the Pentagon chief", "Russia's top diplomat", "the defence ministers of
Britain, France and Turkey") resolve to the holders on the day; "his Russian counterpart" and
"the two" are kept as references for the detector to resolve.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from bot.extract.officials import Registry
from bot.extract.text import Token, folded

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
_PLACE_BEFORE = folded("in at near outside from downtown")
_PLACE_AFTER = folded(
    """texas university college street road city county airport hotel center centre square
    institute stadium park river valley district"""
)
_COUNTERPART = frozenset({"counterpart", "counterparts", "colleague", "коллегой", "коллега"})
_PAIR_HEADS = folded(
    """leaders men women ministers presidents officials diplomats chiefs generals sides heads
    envoys counterparts top"""
)
_PRONOUN_POSS = frozenset({"his", "her", "their"})
_PAIR_TAIL = _PAIR_HEADS | folded("of state government foreign defence defense")
_NOT_DEFINITE = folded("a an former ex then deputy vice late")


@dataclass(frozen=True, slots=True)
class Found:
    """A mention in one sentence.

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


def full_names_in(tokens: Sequence[Token], registry: Registry) -> set[str]:
    """Ids of everyone named in full (not by a short form) in these words."""
    index = registry.index
    folds = [t.fold for t in tokens]
    out: set[str] = set()
    sizes = index.name_sizes
    for i, word in enumerate(folds):
        for size in sizes.get(word, ()):
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
    tokens: Sequence[Token],
    text: str,
    registry: Registry,
    day: date,
    named: Collection[str] = (),
) -> list[Found]:
    """Every mention in one sentence's words, in order.

    ``named`` holds the ids named in full anywhere in the item (context for short forms).
    """
    index = registry.index
    folds = [t.fold for t in tokens]
    n = len(folds)
    out: list[Found] = []
    i = 0
    while i < n:
        word = folds[i]
        sizes = index.sizes.get(word, ())
        hit: Found | None = None
        size = 0
        for size in sizes:
            if size > n - i:
                continue
            key = tuple(folds[i : i + size])
            ids = index.names.get(key)
            if ids is not None:
                hit = _person(tokens, folds, i, i + size, ids, "name", registry, day, named)
                break
            ids = index.shorts.get(key)
            if ids is not None and tokens[i].cap:
                hit = _person(tokens, folds, i, i + size, ids, "short", registry, day, named)
                if hit is not None:
                    break
                continue
            role_key = index.phrases.get(key)
            if role_key is not None:
                hit = _role(tokens, folds, i, i + size, role_key, registry, day, out)
                break
            code = index.countries.get(key)
            if code is not None:
                hit, size = _country_role(tokens, folds, i, size, code, registry, day, out)
                if hit is not None or size:
                    break
            if word in _PRONOUN_POSS:
                break
        if hit is None and word in _PRONOUN_POSS:
            hit, size = _counterpart(tokens, folds, i, registry)
        if hit is None and word in ("the", "both") and i + 1 < n:
            hit, size = _pair(tokens, folds, i)
        if hit is None and word in index.title_starts:
            listed, used = _titles_of(tokens, folds, i, registry, day)
            if listed:
                out.extend(listed)
                i += used
                continue
        if hit is not None:
            out.append(hit)
            i = hit.j
        else:
            i += 1
    return out


def _person(
    tokens: Sequence[Token],
    folds: Sequence[str],
    i: int,
    j: int,
    ids: frozenset[str],
    via: str,
    registry: Registry,
    day: date,
    named: Collection[str],
) -> Found | None:
    start, end = tokens[i].start, tokens[j - 1].end
    poss = tokens[j - 1].poss
    country, role, blocked = _context(folds, i, registry)
    if via == "short":
        prev = tokens[i - 1] if i else None
        if (
            prev is not None
            and prev.cap
            and prev.fold.isalpha()
            and prev.fold not in (FUNCTION_WORDS | registry.index.title_words)
        ):
            if registry.index.countries.get((prev.fold,)) is None:
                return None  # "Gordon Brown", "John Sullivan": someone else
        if prev is not None and prev.fold in _PLACE_BEFORE and role is None:
            return None
        if j < len(tokens) and tokens[j].fold in _PLACE_AFTER:
            return None
        if blocked:
            return None
    serving = [o for o in sorted(ids) if registry.serves(o, day)]
    if country is not None and len(serving) > 1:
        serving = [o for o in serving if registry.country_of(o, day) == country] or serving
    if role is not None and len(serving) > 1:
        serving = [o for o in serving if role in registry.officials[o].roles_on(day)] or serving
    if via == "short" and len(serving) == 1:
        chosen = serving[0]
        common = folds[i] in registry.index.common_shorts
        if role is not None and role not in registry.officials[chosen].roles_on(day):
            return None  # "envoy Sullivan": a different Sullivan
        if common and chosen not in named and country is None and role is None:
            return Found(None, i, j, start, end, via, poss, ambiguous=(chosen,))
    if len(serving) == 1:
        return Found(serving[0], i, j, start, end, via, poss)
    if serving:
        return Found(None, i, j, start, end, via, poss, ambiguous=tuple(serving))
    return Found(None, i, j, start, end, via, poss)


def _role_mention(
    tokens: Sequence[Token],
    i: int,
    j: int,
    role_key: str,
    registry: Registry,
    day: date,
    earlier: Sequence[Found],
) -> Found | None:
    """A role phrase names its holder unless a name follows it or it is not definite."""
    if i and tokens[i - 1].fold in _NOT_DEFINITE:
        return None
    if j < len(tokens):
        nxt = tokens[j]
        if nxt.cap and nxt.fold.isalpha() and nxt.fold not in FUNCTION_WORDS:
            return None  # the title of a person named next (or of someone unknown)
    holders = registry.holders(role_key, day)
    if len(holders) != 1:
        return None
    end = tokens[j - 1].end
    return Found(holders[0].id, i, j, tokens[i].start, end, "role", tokens[j - 1].poss)


def _role(
    tokens: Sequence[Token],
    folds: Sequence[str],
    i: int,
    j: int,
    role_key: str,
    registry: Registry,
    day: date,
    earlier: Sequence[Found],
) -> Found | None:
    return _role_mention(tokens, i, j, role_key, registry, day, earlier)


def _country_role(
    tokens: Sequence[Token],
    folds: Sequence[str],
    i: int,
    size: int,
    code: str,
    registry: Registry,
    day: date,
    earlier: Sequence[Found],
) -> tuple[Found | None, int]:
    """A country word and the title after it ("Russia's top diplomat")."""
    titles = registry.index.country_titles(code)
    k = i + size
    if k < len(folds) and folds[k] == "s":
        k += 1
    for tsize in range(min(7, len(folds) - k), 0, -1):
        role = titles.get(tuple(folds[k : k + tsize]))
        if role is not None:
            found = _role_mention(
                tokens, i, k + tsize, f"{code.lower()}.{role}", registry, day, earlier
            )
            return found, (k + tsize - i) if found is None else 0
    return None, 0


def _titles_of(
    tokens: Sequence[Token], folds: Sequence[str], i: int, registry: Registry, day: date
) -> tuple[list[Found], int]:
    """'the defence ministers of Britain, France and Turkey': each country's holder."""
    index = registry.index
    n = len(folds)
    if i and folds[i - 1] in _NOT_DEFINITE:
        return [], 0
    for tsize in range(min(6, n - i - 2), 0, -1):
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
                and tokens[after].cap
                and tokens[after].fold not in FUNCTION_WORDS
                and tokens[after].fold not in index.longest
            )
            holders = registry.holders(f"{code.lower()}.{own}", day) if own else ()
            if len(holders) == 1 and not named_next:
                t1, t2 = tokens[k], tokens[k + size - 1]
                found.append(Found(holders[0].id, k, k + size, t1.start, t2.end, "role"))
            k += size
            if k < n and folds[k] == "and":
                k += 1
        if found:
            return found, found[-1].j - i
        return [], 0
    return [], 0


def _counterpart(
    tokens: Sequence[Token], folds: Sequence[str], i: int, registry: Registry
) -> tuple[Found | None, int]:
    """'his Russian counterpart' (no name after it): the same role in another government."""
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
        if k + 1 < n and tokens[k + 1].cap and tokens[k + 1].fold not in FUNCTION_WORDS:
            return None, 0
        return Found(
            None, i, k + 1, tokens[i].start, tokens[k].end, "counterpart", country=country
        ), k + 1 - i
    return None, 0


def _pair(tokens: Sequence[Token], folds: Sequence[str], i: int) -> tuple[Found | None, int]:
    """'the two', 'the pair', 'both leaders', 'the two ministers'' ..."""
    n = len(folds)
    k = i + 1
    if folds[i] == "the" and folds[k] in ("two", "pair"):
        k += 1
    elif folds[i] == "both" and k < n and folds[k] in _PAIR_HEADS:
        k += 1
    else:
        return None, 0
    while k < n and folds[k] in _PAIR_TAIL:
        k += 1
    poss = tokens[k - 1].poss
    return Found(None, i, k, tokens[i].start, tokens[k - 1].end, "pair", poss), k - i
