"""From one feed item to the contacts it reports and the silences it claims.

Pure; no I/O, no clock: dates are resolved against the item's local calendar date. The item
is cut into sentences (the title first); in each, mentions (``mentions``), cues (``cues``) and
dates (``dates``) are found, each cue's participants are worked out from the clause around it
(subject group, partner after "with", group after "between", "the two", "his Russian
counterpart", "he ... him"), and the contact is kept only when nothing in its clause makes it
planned, refused, denied, hypothetical, negated, historical or vague (``modality``). Items
that name no official are dropped before their words are cut (``NameIndex.may_name``).
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Container, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.extract.cues import Cue, find_cues
from bot.extract.dates import DATE_WORDS, NUMBERS, DateMention, find_dates
from bot.extract.mentions import FUNCTION_WORDS, Found, find_mentions, full_names_in
from bot.extract.modality import (
    LAST_CONTACT,
    NEGATED,
    REPEATED,
    clause_cuts,
    is_infinitive,
    rejected,
    tail_rejected,
)
from bot.extract.officials import Registry
from bot.extract.text import Gated, Words, cut, folded
from bot.models import Contact, Item, SilenceClaim, pair

__all__ = ["Extraction", "extract", "extract_contacts", "split_sentences"]

HISTORY_DAYS = 14
"""A contact dated more than this many days before publication is background, not news."""
HISTORY_SPAN_DAYS = 45
"""The same for a span ("in March", "last year"): its last day must be this recent."""

_ABBREVIATIONS = frozenset(
    [
        "gen",
        "lt",
        "col",
        "adm",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "no",
        "sen",
        "rep",
        "gov",
        "prof",
        "jr",
        "sr",
        "vs",
        "maj",
        "capt",
        "sgt",
        "cmdr",
    ]
)
_SPLIT = re.compile(r"[.!?…][\"'”’»)]*\s+(?=[\"'“‘«(]*[A-ZА-ЯЁІЇЄ0-9])")
_PRONOUN_SUBJECT = folded("he she his her он она er sie")
_PRONOUN_PAIR = folded("they their them они их")
_PRONOUN_OBJECT = folded("him her его ihn")
_REFERRING = _PRONOUN_OBJECT | _PRONOUN_PAIR
_REPORTING = re.compile(
    r"\b(?:that|said|says|told|tells|announced|reported|added|confirmed|noted)\b", re.I
)
_NOT_PARTICIPANT_HEADS = folded(
    """aide aides ambassador ambassadors envoy envoys spokesman spokeswoman spokesperson adviser
    advisers advisor advisors official officials delegation delegations representative
    representatives behalf message letter administration government team staff office allies
    critic critics supporter supporters son wife daughter brother"""
)
_NOT_PARTICIPANT_LINKS = folded("to for of from")
_ENVOY_WORDS = folded(
    """special envoy envoys presidential personal representative adviser advisor chief top
    senior and the"""
)
"""Words between an official's possessive and the one who acts for them ("Xi's special envoy
Li Hui")."""
_NEAR_OK = folded(
    """the a an his her their its by phone telephone video link videolink on in at via over with
    to visiting counterpart counterparts also again briefly separately later earlier morning
    afternoon evening night late early for first time s late-night top own new host hosting
    fellow коллегой коллегами коллега с со по телефону телефонный видеосвязи в во на am im mit
    dem der den die das per telefon service services agency ministry department directorate
    bureau office"""
)
_WITH = folded("with to between by с mit и and")
_EVENT_LIST = folded(
    """a an the and working joint bilateral private official state lunch luncheon dinner
    breakfast banquet reception press news conference talks meeting meetings discussions"""
)
"""Words of a list of events that ends in "with" after a meeting cue."""
_GROUP_SEP = re.compile(
    r"[\s,.]*(?:,|\band\b|&|\bas\s+well\s+as\b|\btogether\s+with\b|\balong\s+with\b"
    r"|\balongside\b|\bjoined\s+by\b|\baccompanied\s+by\b|\bat\s+the\s+side\s+of\b|\bи\b|\bund\b)",
    re.I,
)
_FIRST_SINCE = Gated(
    re.compile(
        r"\bfirst\s+(?:[\w-]+\s+){0,3}?(?:call|conversation|talks|meeting|contact|time|summit|"
        r"encounter|exchange)s?\b[^.;]*?\bsince\b",
        re.I,
    ),
    ["first", "since"],
    every=True,
)


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one item reports.

    Attributes:
        contacts: contacts it reports as having happened.
        silences: its claims that two officials have not talked since a day.
    """

    contacts: tuple[Contact, ...] = ()
    silences: tuple[SilenceClaim, ...] = ()


_EMPTY = Extraction()


@dataclass(slots=True)
class _State:
    """What earlier sentences of the item tell later ones."""

    registry: Registry
    ref: date | None
    named: Container[str]
    last_pair: tuple[str, str] | None = None
    subject: str | None = None
    anchor: date | None = None
    lead: date | None = None
    contacts: list[Contact] = field(default_factory=list)
    silences: list[SilenceClaim] = field(default_factory=list)
    refused: set[tuple[str, str]] = field(default_factory=set)
    denied: set[tuple[str, str]] = field(default_factory=set)
    pending: list[Words] = field(default_factory=list)
    starts: Sequence[int] = ()
    lower: str | None = None


class _NamedInFull:
    """Who the item names in full (context for short forms), read when first asked."""

    __slots__ = ("folds", "ids", "registry")

    def __init__(self, folds: Sequence[str], registry: Registry) -> None:
        self.folds = folds
        self.registry = registry
        self.ids: set[str] | None = None

    def __contains__(self, official_id: object) -> bool:
        if self.ids is None:
            self.ids = full_names_in(self.folds, self.registry)
        return official_id in self.ids


@dataclass(slots=True)
class _Sentence:
    """One sentence (``text[lo:hi]``) and what was found in it."""

    text: str
    lo: int
    hi: int
    words: Words
    mentions: Sequence[Found]
    title: bool
    starts: Sequence[int] = ()
    base: int = 0
    cuts: list[tuple[int, int]] = field(default_factory=list)
    read: list[DateMention] | None = None

    def __post_init__(self) -> None:
        self.cuts.extend(clause_cuts(self.text, self.words))

    def dates(self, state: _State) -> list[DateMention]:
        """The sentence's dates, read the first time a cue needs them."""
        if self.read is None:
            self.read = _dates(self.text, self.words, state)
        return self.read


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of a summary (abbreviations do not end one)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SPLIT.finditer(text):
        end = m.start() + 1
        lo = max(start, end - 40)
        last = text[lo:end].rsplit(None, 1)  # the word before the stop, from a short window
        if len(last) == 1 and lo > start:
            last = text[start:end].rsplit(None, 1)
        before = last[-1].rstrip(".!?…").lower()
        word = before.rsplit("(", 1)[-1]
        if word in _ABBREVIATIONS or len(word) == 1 or "." in word:
            continue
        spans.append((start, end))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def extract(item: Item, registry: Registry) -> Extraction:
    """The contacts and silence claims one item reports."""
    title, summary = item.title or "", item.summary or ""
    text = f"{title}\n{summary}"
    index = registry.index
    if not (title and index.may_name(title)) and not index.may_name(text):
        return _EMPTY  # names nobody: most news, dropped before its words are cut
    return _extract(text, len(title), item, registry)


def _extract(text: str, title_end: int, item: Item, registry: Registry) -> Extraction:
    """``extract`` without the early exit (the tests check that the exit loses nothing)."""
    title, summary = text[:title_end], text[title_end + 1 :]
    words = cut(text)
    if not words:
        return _EMPTY
    if not text.isascii():
        canon = registry.index.canon
        words.folds = [f if f.isascii() else canon(f) for f in words.folds]  # Russian endings
    starts = words.starts
    ref = item.local_date or (item.published.date() if item.published else None)
    state = _State(registry, ref, _NamedInFull(words.folds, registry))
    state.starts = starts
    state.lower = text.lower() if text.isascii() else None  # the same offsets

    # The headline is read last, and only when it may add something: it mostly repeats the
    # summary's lead. Who it names seeds "the two" of the summary.
    b = bisect_left(starts, len(title))
    head = words.part(0, b)
    head_cues = find_cues(text, head, state.lower) if head else []
    head_mentions = find_mentions(head, text, registry, state.ref, state.named) if head_cues else []
    named_in_title = {m.official for m in head_mentions if m.official}
    if len(named_in_title) == 2:
        x, y = sorted(named_in_title)
        if registry.country_of(x, ref) != registry.country_of(y, ref):
            state.last_pair = (x, y)
    base = len(title) + 1
    for start, end in split_sentences(summary):
        lo, hi = base + start, base + end
        a, b = bisect_left(starts, lo, b), bisect_left(starts, hi, b)
        _sentence(text, lo, hi, words.part(a, b), state, title=False)
    contacts = _in_person(_merge(state.contacts))
    covered = {x for c in contacts for x in (c.a, c.b)}
    if len(named_in_title) >= 2 and not named_in_title <= covered:
        state.contacts = []
        _sentence(
            text, 0, len(title), head, state, title=True,
            found=(head_cues, head_mentions),
        )  # fmt: skip
        for c in state.contacts:
            key = (c.a, c.b)
            if not any((x.a, x.b) == key for x in contacts) and key not in state.refused:
                contacts.append(c)
    if state.denied:
        # "Trump said Xi had called him ... Beijing said it was not aware of any call":
        # a contact the item gives no day for and also denies is in dispute, not news
        contacts = [c for c in contacts if c.date is not None or (c.a, c.b) not in state.denied]
    silences = list(dict.fromkeys(state.silences))
    if not contacts and not silences:
        return _EMPTY
    return Extraction(tuple(contacts), tuple(silences))


def extract_contacts(item: Item, registry: Registry) -> list[Contact]:
    """The contacts one item reports (``extract(...).contacts``)."""
    return list(extract(item, registry).contacts)


def _merge(contacts: list[Contact]) -> list[Contact]:
    out: list[Contact] = []
    for c in contacts:
        for k, seen in enumerate(out):
            if (seen.a, seen.b, seen.kind) != (c.a, c.b, c.kind):
                continue
            if seen.date == c.date or seen.date is None or c.date is None:
                out[k] = replace(
                    seen,
                    date=seen.date or c.date,
                    evidence=seen.evidence if seen.date or not c.date else c.evidence,
                    confidence=max(seen.confidence, c.confidence),
                )
                break
        else:
            out.append(c)
    return out


def _in_person(contacts: list[Contact]) -> list[Contact]:
    """A bare "conversation" of a pair who met that day or the next is part of the visit:
    "held talks in the Kremlin on 21 March ... On the eve, the two leaders had an informal
    conversation" is a meeting, not a call, when nothing says phone or video."""
    met = {(c.a, c.b): c.date for c in contacts if c.kind == "meeting" and c.date is not None}
    if not met or all(c.kind == "meeting" for c in contacts):
        return contacts
    out = []
    for c in contacts:
        day = met.get((c.a, c.b))
        if (
            c.kind == "call"
            and day is not None
            and c.date is not None
            and abs((day - c.date).days) <= 1
            and not _REMOTE.search(c.evidence)
        ):
            out.append(replace(c, kind="meeting"))
        else:
            out.append(c)
    return _merge(out)


# --- one sentence ----------------------------------------------------------------------------


def _sentence(
    text: str,
    lo: int,
    hi: int,
    words: Words,
    state: _State,
    *,
    title: bool,
    found: tuple[list[Cue], list[Found]] | None = None,
) -> None:
    """One sentence: ``text[lo:hi]``, whose words are ``words``.

    ``found``: its cues and mentions when the caller has them already.
    """
    if not words:
        return
    registry = state.registry
    if found is not None:
        cues, mentions = found
    else:
        cues = find_cues(text, words, state.lower)
        mentions = find_mentions(words, text, registry, state.ref, state.named) if cues else []
    if cues:
        officials = {m.official for m in mentions if m.official}
    else:
        # no contact here: only who is named (for "the two" later) and the dates matter
        officials = {
            o
            for o in full_names_in(words.folds, registry)
            if state.ref is None or registry.serves(o, state.ref)
        }
    found_pair: tuple[str, str] | None = None
    sent: _Sentence | None = None
    if cues and (
        len(officials) >= 2
        or state.last_pair
        or _refers(mentions, words.folds)
        or (state.subject is not None and not _HE.isdisjoint(words.folds))
    ):
        base = bisect_left(state.starts, words.starts[0])
        sent = _Sentence(text, lo, hi, words, mentions, title, state.starts, base)
        for cue in cues:
            got = _cue(sent, cue, state)
            if got is not None:
                found_pair = state.last_pair = got
    if sent is not None and sent.read is not None:
        _anchor(sent.read, state)
    elif state.ref is not None:
        state.pending.append(words)  # its dates matter only as anchors of later sentences
    # who "he" at the start of the next sentence is: this one's subject, if it has one
    if mentions:
        first = mentions[0]
        state.subject = first.official if first.i <= 6 and not first.poss else None
    elif officials:
        state.subject = next(iter(officials)) if len(officials) == 1 else None
    if found_pair is not None:
        state.last_pair = found_pair
    elif len(officials) == 2:
        a, b = sorted(officials)
        if registry.country_of(a, state.ref) != registry.country_of(b, state.ref):
            state.last_pair = (a, b)


def _dates(text: str, words: Words, state: _State) -> list[DateMention]:
    """The dates of one sentence, after those of earlier ones (they set the anchor).

    Sentences that report no contact are read for dates only when a later one needs them.
    """
    if state.ref is None:
        return []
    for earlier in state.pending:
        _anchor(
            find_dates(text, state.ref, state.lead or state.anchor, earlier, state.lower), state
        )
    state.pending.clear()
    return find_dates(text, state.ref, state.lead or state.anchor, words, state.lower)


def _anchor(dates: Sequence[DateMention], state: _State) -> None:
    for d in dates:
        if d.day is not None and not d.since:
            state.anchor = d.day


def _refers(mentions: Sequence[Found], folds: Sequence[str]) -> bool:
    """Whether a sentence names someone through a reference ("his counterpart", "him")."""
    if any(m.via in ("pair", "counterpart") for m in mentions):
        return True
    return not _REFERRING.isdisjoint(folds)


def _token_at(sent: _Sentence, offset: int) -> int:
    """The position of the first word that starts at or after ``offset``."""
    return bisect_left(sent.starts, offset) - sent.base


def _clause_start(sent: _Sentence, offset: int) -> int:
    """Where the clause holding ``offset`` begins (the end of the boundary before it)."""
    k = bisect_left(sent.cuts, (offset, offset)) - 1
    while k >= 0 and sent.cuts[k][1] > offset:
        k -= 1
    return sent.cuts[k][1] if k >= 0 else sent.lo


def _clause_end(sent: _Sentence, offset: int) -> int:
    """Where the clause holding ``offset`` ends (the start of the boundary after it)."""
    k = bisect_left(sent.cuts, (offset, offset))
    return sent.cuts[k][0] if k < len(sent.cuts) else sent.hi


def _eligible(text: str, m: Found, cue: Cue, folds: Sequence[str]) -> bool:
    if m.via in {"pair", "counterpart"}:
        return True
    # "aides to Biden", "a letter from the Kremlin's Putin": someone else's people or things
    k = m.i - 1
    if k >= 1 and folds[k] == "the":
        k -= 1
    if k >= 1 and folds[k] in _NOT_PARTICIPANT_LINKS and folds[k - 1] in _NOT_PARTICIPANT_HEADS:
        return False
    if m.poss:
        # "Trump's envoy Witkoff": Trump is not the one talking; "Austin's call with" is.
        between = text[m.end : cue.start]
        return m.end <= cue.start and len(between.split()) <= 4 and cue.form == "noun"
    return True


def _group(
    text: str,
    mentions: Sequence[Found],
    first: int,
    limit: int,
    words: Words,
    *,
    loose: bool = False,
) -> list[Found]:
    """The mention at ``first`` and those joined to it by "and", commas and titles.

    A comma alone joins a list only when "and" closes it ("A, B and C"): "standing alongside
    Rutte, Zelensky said" is not a group. Headlines (``loose``) join with commas alone
    ("Xi, Putin hold talks").
    """
    group = [mentions[first]]
    closed = 1
    k = first + 1
    while k < len(mentions) and mentions[k].start < limit:
        lo, hi = group[-1].end, mentions[k].start
        sep = _GROUP_SEP.match(text, lo, hi)
        if group[-1].poss or not sep:
            break
        i, j = group[-1].j, mentions[k].i
        between = words.folds[i:j]
        caps = words.caps[i:j]
        if any(
            not (f in _GROUP_WORDS or cap or f in _TITLE_CACHE)
            for f, cap in zip(between, caps, strict=True)
        ):
            break
        group.append(mentions[k])
        if loose or sep.group().strip(" ,.") or "and" in between:
            closed = len(group)
        k += 1
    return group[:closed]


_GROUP_WORDS = FUNCTION_WORDS | folded(
    """and as well together along with alongside joined by accompanied at the side of his her
    their its и und visiting"""
)
_TITLE_CACHE: set[str] = set()


def _first_mention(
    text: str,
    mentions: Sequence[Found],
    cue: Cue,
    words: Words,
    span: tuple[int, int],
    *,
    loose: bool = False,
) -> list[Found]:
    """The first group of participants named in ``text[lo:hi]``."""
    lo, hi = span
    for k, m in enumerate(mentions):
        if m.start >= lo and m.end <= hi and _eligible(text, m, cue, words.folds):
            return _group(text, mentions, k, hi, words, loose=loose)
    return []


def _cue(sent: _Sentence, cue: Cue, state: _State) -> tuple[str, str] | None:
    """Work out one cue; records its contact, refusal or silence. Returns its pair."""
    text, words, mentions, title = sent.text, sent.words, sent.mentions, sent.title
    registry = state.registry
    if not _TITLE_CACHE:
        _TITLE_CACHE.update(registry.index.title_words)
        for key in registry.index.countries:
            _TITLE_CACHE.update(key)
    lo, hi = sent.lo, sent.hi
    visit = cue.text[:5].lower() == "visit"
    trailing = -1  # where the main clause starts when the cue trails it (", during a call")
    in_course = False  # the participants are those named before "in/during/at" the cue
    sentence = text[lo:hi].strip()
    clause_start = _clause_start(sent, cue.start)
    clause_end = _clause_end(sent, cue.end)
    cue_ti = _token_at(sent, cue.start)
    cue_tj = _token_at(sent, cue.end)
    folds = words.folds
    before_words = folds[max(0, cue_ti - 3) : cue_ti]

    left: list[Found] = []
    right: list[Found] = []
    symmetric: list[Found] = []
    after = [m for m in mentions if m.start >= cue.end and m.start < clause_end]
    gap_end = after[0].i if after else 0
    if after and after[0].poss and after[0].via not in ("pair", "counterpart"):
        # "met Xi's special envoy Li Hui": the one named after the title, if anyone
        holder, rest = after[0], after[1:]
        between = folds[holder.j : rest[0].i] if rest else []
        if rest and all(w in _TITLE_CACHE or w in _ENVOY_WORDS for w in between):
            after = rest
        else:
            after = []  # "met Wang Yi's deputy", "Netanyahu's chief of staff"
    if cue.text.lower().startswith(("discuss", "обсуд")):
        # "discussed Gaza with Yoav Gallant by phone": the partner is inside the cue
        inner = [m for m in mentions if cue.start < m.start and m.end <= cue.end]
        if inner:
            after = inner
    gap_words: list[str] = []
    if after and after[0].start < cue.end:
        gap_words = ["with"]
    elif after:
        gap_words = folds[cue_tj : min(gap_end, after[0].i)]

    # Noun cue with a hyphenated pair before it: "Trump-Putin summit".
    hyphen = (
        [
            (a, b)
            for a, b in itertools.pairwise(mentions)
            if b.end <= cue.start
            and text[a.end : b.start].strip() in ("-", "–")
            and len(text[b.end : cue.start].split()) <= 2
        ]
        if cue.form == "noun"
        else []
    )
    if cue.form == "noun" and hyphen:
        symmetric = list(hyphen[-1])
    elif cue.form == "noun" and gap_words[:1] == ["between"] and after:
        k = mentions.index(after[0])
        symmetric = _group(text, mentions, k, clause_end, words, loose=title)
    else:
        # the partner: after the cue, directly (a transitive verb) or after "with"/"to"
        if cue.form == "noun" and "with" in gap_words:
            k = gap_words.index("with")
            if k and all(w in _EVENT_LIST for w in gap_words[:k]):
                # "a bilateral meeting, working lunch and joint press conference with Moon"
                gap_words = gap_words[k:]
        if after and len(gap_words) <= 9:
            words_ok = (
                all(
                    w in _NEAR_OK
                    or w in _TITLE_CACHE
                    or w.removesuffix("s") in _TITLE_CACHE
                    or w in FUNCTION_WORDS
                    or w in DATE_WORDS
                    or w[:1].isdigit()
                    for w in gap_words
                )
                and "and" not in gap_words
            )
            needs_with = cue.form == "noun" or not _transitive(cue.text)
            if words_ok and (not needs_with or any(w in _WITH for w in gap_words)):
                k = mentions.index(after[0])
                right = _group(text, mentions, k, clause_end, words, loose=title)
        # an object pronoun: "Waltz called him", "held talks with him"
        if not right:
            nxt = folds[cue_tj : cue_tj + 2]
            if nxt and (nxt[0] in _PRONOUN_OBJECT or nxt[-1] in _PRONOUN_OBJECT):
                right = _first_mention(text, mentions, cue, words, (lo, cue.start), loose=title)
                # "Ushakov said Waltz called him": the subject is the nearest one.
                nearest = [m for m in mentions if m.end <= cue.start and m not in right]
                if right and nearest and _eligible(text, nearest[-1], cue, folds):
                    left = [nearest[-1]]
            elif nxt and nxt[0] == "them" and state.last_pair:
                right = [_pair_found(state.last_pair)]
        # the subject: the clause's first mention, or the sentence's through a pronoun
        owner = (
            [m for m in mentions if m.poss and m.end <= cue.start and m.start >= clause_start]
            if cue.form == "noun"
            else []
        )
        if left:
            pass
        elif cue.form == "noun" and owner and len(text[owner[-1].end : cue.start].split()) <= 4:
            left = [owner[-1]]
        else:
            left = _first_mention(
                text, mentions, cue, words, (clause_start, cue.start), loose=title
            )
        if not left and before_words[-1:] == ["who"]:
            # "Biden, who met Xi in Lima, said ...": the one named just before
            nearest = [m for m in mentions if m.end <= cue.start]
            if nearest and _eligible(text, nearest[-1], cue, folds):
                left = [nearest[-1]]
        if not left:
            pronoun = [w for w in before_words if w in _PRONOUN_SUBJECT or w in _PRONOUN_PAIR]
            gerund = cue.text.lower().endswith("ing") or cue.form == "noun"
            if pronoun and pronoun[-1] in _PRONOUN_PAIR and state.last_pair:
                left = [_pair_found(state.last_pair)]
            elif pronoun or (gerund and clause_start > lo):
                left = _first_mention(text, mentions, cue, words, (lo, cue.start), loose=title)
            if (
                not left
                and state.subject is not None
                and cue.form == "verb"
                and not title
                and _opens_with_he(folds, cue_ti)
            ):
                # "Trump met Putin on Wednesday. On Tuesday he spoke with Zelensky."
                left = [Found(None, 0, 0, 0, 0, "pair", ambiguous=(state.subject,))]
        left = [m for m in left if m not in right]
        if (
            right
            and not left
            and clause_start == lo
            and (cue.form == "noun" or cue.text.lower().startswith(("standing", "stood")))
        ):
            # "In a call with Mohammed bin Salman, Biden discussed ...": the next subject
            taken = {m.official for m in right}
            later = [m for m in mentions if m.start >= right[-1].end and m.official not in taken]
            if later and _eligible(text, later[0], cue, folds):
                left = [later[0]]
        present: list[Found] = []
        if not right and _in_the_course(folds, cue_ti, cue):
            reach = clause_start
            ti = _token_at(sent, clause_start)
            if 0 < cue_ti - ti <= 4 and not _COURSE.isdisjoint(folds[max(0, ti - 1) : ti + 1]):
                reach = trailing = lo  # "Biden warned Putin on Saturday ..., during a call"
            present = [
                m
                for m in mentions
                if reach <= m.start and m.end <= cue.start and _eligible(text, m, cue, folds)
            ]
        if visit and not (
            len(present) >= 2 and not _TOLD.isdisjoint(folds[present[0].j : present[-1].i])
        ):
            return None  # a visit is a contact only as "told Zelensky during a visit to Kyiv"
        if len({m.official for m in present if m.official}) >= 2:
            # "Putin told Erdogan in a phone call", "Scholz hat mit Putin telefoniert"
            symmetric, left = present, []
            in_course = True
        elif not right and not left and after and cue.form == "verb":
            # verb first (Russian word order): "по телефону говорили Путин и Эрдоган"
            k = mentions.index(after[0])
            symmetric = _group(text, mentions, k, clause_end, words, loose=title)
        elif not right and (
            _symmetric(cue.text) if cue.form == "verb" else _held(folds, cue_ti, left)
        ):
            symmetric = left
            left = []
        elif not right:
            left = []

    pairs = _pairs(left, right, symmetric, state)
    if (
        pairs
        and cue.kind == "meeting"
        and len(left) >= 2
        and right
        and _SEPARATELY.isdisjoint(folds[left[0].i : cue_ti + 1])
    ):
        # "Scholz and Macron met Zelensky in Kyiv": the two visitors met too
        pairs += [p for p in _pairs(left, [], left, state) if p not in pairs]
    if not pairs:
        return None
    dates = sent.dates(state)

    # modality
    first_start = min([m.start for m in (*left, *symmetric)] + [cue.start])
    scope_start = _clause_start(sent, first_start)
    scope_end = cue.end
    if trailing >= 0 and symmetric:
        # what was said ("that the West would respond") does not qualify the call itself
        said = _SAID.search(text, symmetric[-1].end, cue.start)
        scope_end = said.start() if said else cue.start
    scope = _outside_mentions(text, scope_start, scope_end, mentions)
    if scope_end != cue.end:
        scope = f"{scope} {text[clause_start : cue.end]}"
    last_end = max([m.end for m in (*right, *symmetric)] + [cue.end])
    if in_course:
        scope = _RESULT_NEGATION.sub(" ", scope)
    reason = rejected(scope) or (
        "infinitive" if is_infinitive(text[scope_start : min(scope_end, cue.start)]) else None
    )
    if reason is None and _SINCE.search(text, max(lo, cue.start - 80), cue.start):
        reason = "since"  # "their first call since Putin and Erdogan met in Sochi": the last one
    if reason is None and cue.form == "noun":
        tail = text[last_end : min(hi, last_end + 90)]
        if tail_rejected(tail):
            reason = "tail"
    if reason is None and REPEATED.search(text[scope_start:clause_end]):
        reason = "repeated"
    when = _when(text, dates, cue, state, title=title, lo=scope_start)
    if scope_end != cue.end and when[1] is None:
        # "warned Putin on Saturday that ..., during a call": the day is the main clause's
        told = [d for d in dates if first_start <= d.start and d.end <= scope_end and not d.since]
        if told:
            when = (told[-1].day, told[-1])
    if (
        when[0] is not None
        and when[1] is not None
        and text.find("day", max(lo, cue.start - 40), cue.start) >= 0
    ):
        # "spoke with Zelensky on Wednesday, a day after his call with Putin"
        offset = _DAYS_APART.search(text, max(lo, cue.start - 40), cue.start)
        way = offset.group("dir").lower() if offset is not None else ""
        if offset is None and cue.text[:5].lower() in ("after", "befor"):
            offset = _DAYS.search(text, max(lo, cue.start - 20), cue.start)  # "a day after meeting"
            way = cue.text[:5].lower()
        if offset is not None and when[1].end <= offset.start():
            n = NUMBERS.get(offset.group("n").lower(), 1)
            when = (when[0] + timedelta(days=-n if way == "after" else n), None)
    since = [d for d in dates if d.since]
    last = LAST_CONTACT.search(scope)
    if last is not None:
        for a, b in pairs:
            state.silences.append(
                SilenceClaim(a, b, _since_day(when[1]) if when[1] else None, cue.kind, sentence)
            )
        return pairs[0]
    if reason is not None:
        denial = not since and _DENIAL.search(text, scope_start, min(hi, last_end + 80)) is not None
        for a, b in pairs:
            state.refused.add((a, b))
            if denial:
                state.denied.add((a, b))
            if NEGATED.search(scope) and since:
                state.silences.append(SilenceClaim(a, b, _since_day(since[0]), cue.kind, sentence))
        return pairs[0] if len(pairs) == 1 else None
    day, mention = when
    if state.ref is not None:
        old = day is not None and (
            day > state.ref or day < state.ref - timedelta(days=HISTORY_DAYS)
        )
        old = old or (
            mention is not None
            and mention.day is None
            and (
                mention.last < state.ref - timedelta(days=HISTORY_SPAN_DAYS)
                or mention.first > state.ref
            )
        )
        if old:
            state.refused.update(pairs)
            return pairs[0] if len(pairs) == 1 else None
    confidence = _confidence(left, right, symmetric, title=title, dated=day is not None)
    for a, b in pairs:
        check = day or state.ref  # no day at all: the names said who they are
        if check is not None and not (registry.serves(a, check) and registry.serves(b, check)):
            continue
        state.contacts.append(Contact(a, b, cue.kind, day, sentence, confidence))
        if state.lead is None and day is not None and not title:
            state.lead = day
    first_since = _FIRST_SINCE.search(sentence)
    if first_since is not None and since:
        for a, b in pairs:
            state.silences.append(SilenceClaim(a, b, _since_day(since[0]), cue.kind, sentence))
    return pairs[0] if len(pairs) == 1 else None


def _transitive(cue_text: str) -> bool:
    """Whether the cue's verb takes its partner as a direct object ("met Xi")."""
    return any(word in _TRANSITIVE for word in cue_text.lower().split())


_TRANSITIVE = frozenset(
    {
        "met", "meets", "meeting", "phoned", "telephoned", "phones", "telephones", "called",
        "dialled", "dialed",
        "hosted", "hosts", "received", "receives", "welcomed", "welcomes", "greeted",
        "greets", "joined", "sat", "shook", "shake", "shaking", "встретил", "принял",
        "empfing", "traf", "trafen", "встретился", "встретились",
    "standing", "stood", "alongside", "beside"}
)  # fmt: skip


_LIGHT_VERBS = folded(
    """held hold holds holding had have has conducted conduct began begin opened open concluded
    wrapped started start in for during their провели провел провёл провела führten"""
)


_QUANTITY = folded(
    """more than over nearly almost about some several a an of hour hours minute minutes day
    days round rounds two three four five six seven eight nine ten"""
)
"""Words of a length or count between a light verb and its noun ("held two days of talks")."""
_SINCE = re.compile(r"\bsince\s+[^,;:.()]*$", re.I)
""""since" in the words right before a cue ("since Putin and Erdogan met"): the earlier one."""
_SAID = re.compile(r"\bthat\b|,")
"""Where the words of what was said begin, after whom it was said to."""
_COURSE = folded("in during over")
_VISIT_COURSE = folded("during on")
_AT_COURSE = folded("in during over at")
_DAYS_APART = re.compile(
    r"\b(?P<n>a|one|two|three|four|five|six)\s+days?\s+(?P<dir>after|before)\s+"
    r"(?:(?:his|her|their|its|the|a|an|this|that|[A-Z][\w.-]*'s|[A-Z][\w-]*)\s+){0,3}$",
    re.I,
)
"""A contact named as so many days from the one the clause reports and dates."""
_DAYS = re.compile(r"\b(?P<n>a|one|two|three|four|five|six)\s+days?\s+$", re.I)
_DENIAL = re.compile(
    r"\b(?:den(?:y|ied|ies|ying)|denial|not\s+aware|unaware|no\s+such|fake|false|untrue"
    r"|fabricat\w*|(?:did|has|have)\s+not\s+(?:take\s+place|taken\s+place|happen(?:ed)?)"
    r"|never\s+(?:took\s+place|happened)|no\b[^.;]{0,80}\b(?:took\s+place|happened|occurred))\b",
    re.I,
)
"""A rejected contact that one side says did not happen (not one that is only planned)."""
_REMOTE = re.compile(
    r"phon|call|video|line|dial|tele|virtual|remote|online|по\s+телефону|телефон|видео", re.I
)
"""Words that make a conversation remote."""
_HE = folded("he she он она er sie")
_SUBJECT_GAP = folded("also then later separately had has have already briefly again")
_OPENERS = folded(
    """on in at the same day later earlier also then separately meanwhile afterwards and but
    that evening morning night after before"""
)
_SEPARATELY = folded("separately each individually respectively also both")
_AT_NOUNS = frozenset({"talks", "negotiations", "peace talks"})
"""Cues that name the participants' own exchange, so that "at" one means taking part."""
_RESULT_NEGATION = re.compile(
    r"\b(?:made|makes|reached|reaches|achieved|produced|yielded|had|saw)\s+(?:little\s+or\s+)?"
    r"no\s+(?:\w+\s+)?(?:progress|breakthrough|headway|agreement|deal|consensus|compromise)\b"
    r"|\bfail(?:ed|s)?\s+to\s+(?:agree|reach|make|bridge|secure|produce|narrow|break|settle)\b",
    re.I,
)
"""What failed was the talks' result, not the talks: "made no progress at talks in Antalya"."""
_HELD_STOP = folded(
    """after before ahead following with to at since until and or but that which who said
    says"""
)
"""Words that end the longer look back from a noun cue for the verb that holds it."""
_COURSE_STOP = folded("after before ahead with to of at for since until following and or")
"""Words that end the look back from a noun cue for "in"/"during"."""
_TOLD = folded(
    """told tells assured assures thanked thanks briefed briefs promised promises urged urges
    asked asks presented handed gave embraced hugged greeted"""
)
"""Verbs that put their object in the room when a visit follows ("told Zelensky during a visit")."""
_FINAL_VERBS = folded("telefoniert gesprochen getroffen")


def _opens_with_he(folds: Sequence[str], at: int) -> bool:
    """Whether the sentence's words before ``at`` are "he"/"she" after only date and linking
    words ("On Tuesday he", "Later she also"), so that it refers to the last subject."""
    k = at - 1
    while k >= 0 and folds[k] in _SUBJECT_GAP:
        k -= 1  # "he also"
    if k < 0 or folds[k] not in _HE:
        return False
    return all(w in _OPENERS or w in DATE_WORDS for w in folds[:k])


def _in_the_course(folds: Sequence[str], at: int, cue: Cue) -> bool:
    """A noun cue after "in"/"during" ("told Erdogan in a phone call", "during a visit"), or
    a German verb at the clause's end: everyone named before it in the clause took part."""
    if cue.form == "verb":
        return folds[at] in _FINAL_VERBS if at < len(folds) else False
    if cue.text[:5].lower() == "visit":
        course = _VISIT_COURSE
    elif cue.text.lower() in _AT_NOUNS:
        course = _AT_COURSE  # "Lavrov and Kuleba made no progress at talks in Antalya"
    else:
        course = _COURSE  # not "at": "Erdogan and Biden spoke at the summit" is a gathering
    for k in range(at - 1, max(-1, at - 6), -1):  # "in a heated Oval Office meeting"
        if folds[k] in course:
            return True
        if folds[k] in _COURSE_STOP:
            return False
    return False


def _held(folds: Sequence[str], at: int, left: Sequence[Found]) -> bool:
    """Whether a noun cue reports the group's own contact ("Modi and Xi held talks", "their
    call"), not a gathering they were at ("Erdogan and Biden attended the summit")."""
    if any(m.via == "pair" and m.poss for m in left):
        return True
    k = at
    while k > 0 and (folds[k - 1] in _QUANTITY or folds[k - 1][:1].isdigit()):
        k -= 1  # "held more than four hours of talks"
    if any(w in _LIGHT_VERBS for w in folds[max(0, k - 4) : at]):
        return True
    for w in reversed(folds[max(0, at - 7) : max(0, k - 4)]):  # "held ... of informal talks"
        if w in _LIGHT_VERBS:
            return True
        if w in _HELD_STOP:
            break
    return bool(left) and left[-1].poss and left[-1].j >= at - 3


def _symmetric(cue_text: str) -> bool:
    """Whether the verb can have a group for subject and no object ("Modi and Xi met")."""
    word = cue_text.lower().split()[0]
    return word not in {
        "phoned", "telephoned", "phones", "telephones", "called", "dialled", "dialed", "hosted",
        "hosts",
        "received", "receives", "welcomed", "welcomes", "greeted", "greets", "joined", "sat",
        "spent", "rang", "принял", "empfing",
    }  # fmt: skip


def _pair_found(ids: tuple[str, str]) -> Found:
    return Found(None, 0, 0, 0, 0, "pair", ambiguous=ids)


def _members(m: Found, other: Sequence[Found], state: _State) -> list[str]:
    if m.via == "pair":
        ids = m.ambiguous or state.last_pair or ()
        return list(ids)
    if m.via == "counterpart" and m.country:
        partners = [o.official for o in other if o.official]
        if len(partners) != 1:
            return []
        partner = state.registry.officials[partners[0]]
        if state.ref is None:
            return []  # without a day, who held the role is unknown
        for role in partner.roles_on(state.ref):
            holders = state.registry.holders(f"{m.country.lower()}.{role}", state.ref)
            if len(holders) == 1:
                return [holders[0].id]
        return []
    return [m.official] if m.official else []


def _pairs(
    left: Sequence[Found], right: Sequence[Found], symmetric: Sequence[Found], state: _State
) -> list[tuple[str, str]]:
    registry = state.registry
    sides: list[tuple[list[str], list[str]]] = []
    if right:
        a_ids = [i for m in left for i in _members(m, right, state)]
        b_ids = [i for m in right for i in _members(m, left, state)]
        sides.append((a_ids, b_ids))
    else:
        ids = [i for m in symmetric for i in _members(m, symmetric, state)]
        sides.extend(([x], ids[k + 1 :]) for k, x in enumerate(ids))
    out: list[tuple[str, str]] = []
    for a_ids, b_ids in sides:
        for a in a_ids:
            for b in b_ids:
                if a == b:
                    continue
                if registry.country_of(a, state.ref) == registry.country_of(b, state.ref):
                    continue
                p = pair(a, b)
                if p not in out:
                    out.append(p)
    return out


def _outside_mentions(text: str, lo: int, hi: int, mentions: Sequence[Found]) -> str:
    parts: list[str] = []
    pos = lo
    for m in mentions:
        if m.end <= lo or m.start >= hi:
            continue
        parts.append(text[pos : max(pos, m.start)])
        pos = max(pos, m.end)
    parts.append(text[pos:hi])
    return " ".join(parts)


def _when(
    text: str,
    dates: Sequence[DateMention],
    cue: Cue,
    state: _State,
    *,
    title: bool,
    lo: int,
) -> tuple[date | None, DateMention | None]:
    """The day of the contact a cue reports, and the date words that fixed it."""
    best: DateMention | None = None
    best_gap = 10**9
    for d in dates:
        if d.since:
            continue
        if d.end <= cue.start:
            if _REPORTING.search(text[d.end : cue.start]):
                continue
            gap = cue.start - d.end
        else:
            gap = max(0, d.start - cue.end)
        if gap < best_gap:
            best, best_gap = d, gap
    if best is not None:
        return best.day, best
    if title:
        return None, None
    return state.lead or state.anchor, None


def _since_day(d: DateMention) -> date | None:
    if d.day is not None:
        return d.day
    return d.first if (d.last - d.first).days <= 31 else None


def _confidence(
    left: Sequence[Found],
    right: Sequence[Found],
    symmetric: Sequence[Found],
    *,
    title: bool,
    dated: bool,
) -> float:
    score = 0.9
    if any(m.via in ("role", "pair", "counterpart") for m in (*left, *right, *symmetric)):
        score -= 0.1
    if any(m.via == "short" for m in (*left, *right, *symmetric)):
        score -= 0.05
    if title:
        score -= 0.15
    if not dated:
        score -= 0.05
    return round(score, 2)
