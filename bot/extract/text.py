"""Tokens and folding shared by the registry and the detector.

Pure; no I/O. Words are cut with one compiled regex; each word is folded (lower case, accents
and special letters mapped to ASCII where Latin, common transliteration variants merged:
Zelenskyy/Zelenskiy -> zelenski, Sergey -> sergei, Shoygu -> shoigu) so that a name written
any usual way finds the registry's entry. A possessive ``'s`` is split off and remembered.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Protocol

__all__ = [
    "WORD",
    "Gated",
    "Token",
    "Words",
    "cut",
    "fold",
    "fold_word",
    "folded",
    "has_cjk",
    "key_pieces",
    "key_words",
    "lower_source",
    "match_at",
    "positions",
    "tokenize",
]

WORD = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*")
"""A word: letters and digits, with inner dots (U.S) and apostrophes (O'Brien, Sa'ar)."""
_SPECIAL = str.maketrans({"ı": "i", "ł": "l", "Ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "’": "'"})
_POSSESSIVE = frozenset({"'s", "’s", "'S", "’S"})
_CJK = re.compile(r"[\u3400-\u9fff]")
_CACHE: dict[str, str] = {}
_KEY_TABLE = bytes(
    (ord("i") if chr(c) in "yY" else ord(chr(c).lower()) if chr(c).isalnum() else ord(" "))
    if c < 128
    else ord(" ")
    for c in range(256)
)
_RUNS_OF_I = re.compile(rb"ii+")
_ASCII = bytes(range(128))
_NON_ASCII_ALNUM = re.compile(r"[^\W\x00-\x7f]")
_UNICODE_WORD = re.compile(r"[^\W_]+")
_MAY_HOLD_DIGITS = re.compile(r"[^\x00-/:-\x7f]")
"""A digit, or another script (whose digits ``str.isdigit`` knows better)."""


def _translit(word: str) -> str:
    if not word.isascii():
        return word.replace("ё", "е")
    word = word.replace("yy", "y").replace("iy", "y").replace("ey", "ei").replace("oy", "oi")
    if word.endswith("yi"):
        word = word[:-1]
    if word.endswith("ii"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("y"):
        word = word[:-1] + "i"
    return word


def fold_word(word: str) -> str:
    """One word folded for matching (``Zelenskyy`` -> ``zelenski``)."""
    hit = _CACHE.get(word)
    if hit is not None:
        return hit
    text = unicodedata.normalize("NFKD", word.translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.translate(_SPECIAL)
    # Cyrillic й and ё are letters of their own: NFKD would split them.
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    folded = _translit(text)
    if len(_CACHE) > 200_000:
        _CACHE.clear()
    _CACHE[word] = folded
    return folded


@dataclass(slots=True)
class Token:
    """A word of a text (not frozen: it is made by the hundred per item, and fast).

    Attributes:
        fold: the folded form (possessive ``'s`` removed).
        start, end: offsets in the text (``end`` before any possessive).
        cap: it starts with an upper-case letter (or is not Latin/Cyrillic).
        poss: it carried a possessive ``'s``.
    """

    fold: str
    start: int
    end: int
    cap: bool
    poss: bool


@dataclass(slots=True)
class Words:
    """The words of a text, or of one sentence of it, as parallel lists: word ``k`` is
    ``folds[k]``, from ``starts[k]`` to ``ends[k]``. No object per word is made: an item has
    hundreds, and the detector reads most of them once.

    Attributes:
        folds: the folded forms (possessive ``'s`` removed).
        starts, ends: offsets in the text (an end is before any possessive).
        caps: the word starts with an upper-case letter (or is not Latin/Cyrillic).
        poss: the word carried a possessive ``'s``.
    """

    folds: list[str]
    starts: list[int]
    ends: list[int]
    caps: Sequence[bool]
    poss: Sequence[bool]

    def __len__(self) -> int:
        return len(self.folds)

    def part(self, lo: int, hi: int) -> Words:
        """Words ``lo`` to ``hi`` (one sentence)."""
        return Words(
            self.folds[lo:hi],
            self.starts[lo:hi],
            self.ends[lo:hi],
            self.caps[lo:hi],
            self.poss[lo:hi],
        )


_SPLIT = re.compile(f"({WORD.pattern})")
_SPLIT_ASCII = re.compile(r"([a-zA-Z0-9]+(?:[.'][a-zA-Z0-9]+)*)")
"""``_SPLIT`` for ASCII text, where it cuts the same words faster."""
_WORD_INFO: dict[str, tuple[str, bool, bool]] = {}


def _word_info(word: str) -> tuple[str, bool, bool]:
    """``(fold, cap, poss)`` of one word as cut (possessive ``'s`` still on)."""
    poss = word[-2:] in _POSSESSIVE and len(word) > 2
    if poss:
        word = word[:-2]
    first = word[0]
    return (fold_word(word), first.isupper() or not first.islower(), poss)


def cut(text: str) -> Words:
    """The words of ``text`` with their offsets.

    The text is cut with one ``re.split`` and every word's fold, case and possessive come
    from one cache, so that little of the per-word work is done in Python.
    """
    pieces = (_SPLIT_ASCII if text.isascii() else _SPLIT).split(text)  # gap, word, ..., gap
    if len(pieces) == 1:
        return Words([], [], [], (), ())
    bounds = list(accumulate(map(len, pieces), initial=0))
    words = pieces[1::2]
    try:
        infos = list(map(_WORD_INFO.__getitem__, words))
    except KeyError:  # words not seen before
        if len(_WORD_INFO) > 200_000:
            _WORD_INFO.clear()
        for word in words:
            if word not in _WORD_INFO:
                _WORD_INFO[word] = _word_info(word)
        infos = list(map(_WORD_INFO.__getitem__, words))
    folds, caps, posses = zip(*infos, strict=True)
    ends = bounds[2::2]
    if True in posses:
        ends = [stop - 2 if poss else stop for stop, poss in zip(ends, posses, strict=True)]
    return Words(list(folds), bounds[1:-1:2], ends, caps, posses)


def tokenize(text: str) -> list[Token]:
    """The words of ``text``, one ``Token`` each (``cut`` is what the detector uses)."""
    words = cut(text)
    return list(map(Token, words.folds, words.starts, words.ends, words.caps, words.poss))


def key_words(text: str) -> tuple[list[bytes], list[str]]:
    """The words of ``text`` as the early exit compares them, at C speed.

    Returns the ASCII keys (ASCII letters and digits, lower case, "y" as "i" and runs of "i"
    as one, so that every transliteration ``fold_word`` merges keys alike: ``Zelenskyy`` and
    ``zelenski`` are both ``zelenski``) and, apart, the words holding other letters
    (``Erdoğan``, ``Путина``), which the caller folds one by one. Words are cut at every
    character that is not a letter or digit (``U.S.`` gives ``u`` and ``s``): compare them
    with ``key_pieces`` of folded words.
    """
    raw = text.encode()
    keyed = raw.translate(_KEY_TABLE)  # other letters' bytes become spaces
    if b"ii" in keyed:
        keyed = _RUNS_OF_I.sub(b"i", keyed)
    other: list[str] = []
    # Quotes and dashes are the usual other characters: look for words only past them.
    if len(raw) != len(text) and _NON_ASCII_ALNUM.search(raw.translate(None, _ASCII).decode()):
        other = [w for w in _UNICODE_WORD.findall(text) if not w.isascii()]
    return keyed.split(), other


def key_pieces(word: str) -> list[bytes]:
    """The keys ``key_words`` gives for a folded word (``u.s`` -> ``u``, ``s``)."""
    if word.isascii():
        return key_words(word)[0]
    out: list[bytes] = []
    for run in _UNICODE_WORD.findall(word):
        if run.isascii():
            out.extend(key_words(run)[0])
        else:
            out.append(run.encode())
    return out


def fold(text: str) -> tuple[str, ...]:
    """The folded words of a phrase: its key in the registry's indexes."""
    return tuple(cut(text).folds)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds Chinese characters (matched by substring, not by word)."""
    return _CJK.search(text) is not None


def folded(words: str) -> frozenset[str]:
    """A set of words as the tokenizer folds them (``"secretary deputy"`` -> secretari ...)."""
    return frozenset(fold_word(w) for w in words.split())


class Gated:
    """A pattern searched only in text that holds its ``needles`` (some, or ``every`` one).

    sre tries every alternative of a pattern at every character; one ``in`` test per needle
    on the lower-cased text is far cheaper and skips most scans. Text in another script is
    always searched (its case rules are not ASCII's).
    """

    __slots__ = ("every", "needles", "pattern")

    def __init__(
        self, pattern: re.Pattern[str], needles: Sequence[str], *, every: bool = False
    ) -> None:
        self.pattern = pattern
        self.needles = tuple(needles)
        self.every = every

    def search(self, text: str) -> re.Match[str] | None:
        """``pattern.search(text)``, when the needles allow a match."""
        if text.isascii():
            low = text.lower()
            if self.every:
                for needle in self.needles:
                    if needle not in low:
                        return None
            else:
                for needle in self.needles:
                    if needle in low:
                        break
                else:
                    return None
        return self.pattern.search(text)


def lower_source(source: str) -> str:
    """A pattern's source for lower-cased text: its letters lower-cased, escapes and group
    names kept."""
    return _SYNTAX.sub(lambda m: m.group() if m.group(1) else m.group().lower(), source)


_SYNTAX = re.compile(r"(\\.|\(\?P<\w+>)|[^\\(]+|\(")


class Matcher(Protocol):
    """What ``match_at`` needs of a pattern."""

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """A match at ``pos``, as ``re.Pattern.match``."""


def positions(folds: Sequence[str], words: frozenset[str]) -> list[int]:
    """Where any of ``words`` stands in ``folds``, in order (none found in C)."""
    if words.isdisjoint(folds):
        return []
    return [i for i, w in enumerate(folds) if w in words]


def match_at(
    pattern: Matcher,
    text: str,
    words: Words,
    triggers: frozenset[str],
    prefixes: Collection[str],
    *,
    digits: bool = False,
    no_start: Collection[str] = (),
) -> list[re.Match[str]]:
    """Matches of a large pattern among ``words``, tried only where a trigger word is.

    A match may start up to three words before its trigger when those words are prefixes
    ("late last month", "phone call"); it must reach past the trigger. Matches do not overlap.
    Trying a pattern of many alternatives at a handful of places instead of at every
    character is what keeps the detector fast. No match is tried at a prefix in
    ``no_start`` (one no match begins with, which only leads to another).
    """
    out: list[re.Match[str]] = []
    folds = words.folds
    if not folds:
        return out
    starts, ends = words.starts, words.ends
    covered = -1
    end = ends[-1]
    hits = positions(folds, triggers)
    if digits and _MAY_HOLD_DIGITS.search(text, starts[0], end) is not None:
        hits = sorted({*hits, *(i for i, f in enumerate(folds) if f[:1].isdigit())})
    for i in hits:
        reach_end = ends[i]
        if reach_end <= covered:
            continue
        reach = 0
        while reach < min(i, 3) and folds[i - reach - 1] in prefixes:
            reach += 1
        for back in range(reach, -1, -1):
            start = starts[i - back]
            if start < covered or (back and folds[i - back] in no_start):
                continue
            m = pattern.match(text, start, end)
            if m is not None and m.end() >= reach_end:
                out.append(m)
                covered = m.end()
                break
    return out
