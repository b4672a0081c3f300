"""Tokens and folding shared by the registry and the detector.

Pure; no I/O. Words are cut with one compiled regex; each word is folded (lower case, accents
and special letters mapped to ASCII where Latin, common transliteration variants merged:
Zelenskyy/Zelenskiy -> zelenski, Sergey -> sergei, Shoygu -> shoigu) so that a name written
any usual way finds the registry's entry. A possessive ``'s`` is split off and remembered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import accumulate

__all__ = [
    "WORD",
    "Gated",
    "Token",
    "fold",
    "fold_word",
    "folded",
    "has_cjk",
    "key_pieces",
    "key_words",
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
    info = (fold_word(word), first.isupper() or not first.islower(), poss)
    if len(_WORD_INFO) > 200_000:
        _WORD_INFO.clear()
    return info


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text`` (or of ``text[start:end]``) with their offsets in ``text``.

    The text is cut with one ``re.split`` and every word's fold, case and possessive come
    from one cache, so that little of the per-word work is done in Python.
    """
    part = text if start == 0 and end is None else text[start:end]
    pieces = (_SPLIT_ASCII if part.isascii() else _SPLIT).split(part)  # gap, word, ..., gap
    if len(pieces) == 1:
        return []
    bounds = list(accumulate(map(len, pieces), initial=start))
    words = pieces[1::2]
    infos = list(map(_WORD_INFO.get, words))
    if None in infos:
        for k, info in enumerate(infos):
            if info is None:
                infos[k] = _WORD_INFO[words[k]] = _word_info(words[k])
    folds, caps, posses = zip(*infos, strict=True)
    ends = bounds[2::2]
    if True in posses:
        ends = [stop - 2 if poss else stop for stop, poss in zip(ends, posses, strict=True)]
    return list(map(Token, folds, bounds[1:-1:2], ends, caps, posses))


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
    return tuple(t.fold for t in tokenize(text))


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
            test = all if self.every else any
            if not test(needle in low for needle in self.needles):
                return None
        return self.pattern.search(text)


def positions(folds: Sequence[str], words: frozenset[str]) -> list[int]:
    """Where any of ``words`` stands in ``folds``, in order (none found in C)."""
    if words.isdisjoint(folds):
        return []
    return [i for i, w in enumerate(folds) if w in words]


def match_at(
    pattern: re.Pattern[str],
    text: str,
    tokens: Sequence[Token],
    triggers: frozenset[str],
    prefixes: Collection[str],
    *,
    digits: bool = False,
    folds: Sequence[str] | None = None,
) -> list[re.Match[str]]:
    """Matches of a large pattern, tried only where a trigger word is.

    A match may start up to three words before its trigger when those words are prefixes
    ("late last month", "phone call"); it must reach past the trigger. Matches do not overlap.
    Trying a pattern of many alternatives at a handful of places instead of at every
    character is what keeps the detector fast. ``folds`` are the tokens' folded words, when
    the caller has them.
    """
    out: list[re.Match[str]] = []
    if not tokens:
        return out
    if folds is None:
        folds = [t.fold for t in tokens]
    covered = -1
    end = tokens[-1].end
    hits = positions(folds, triggers)
    if digits and _MAY_HOLD_DIGITS.search(text, tokens[0].start, end) is not None:
        hits = sorted({*hits, *(i for i, f in enumerate(folds) if f[:1].isdigit())})
    for i in hits:
        token = tokens[i]
        if token.end <= covered:
            continue
        reach = 0
        while reach < min(i, 3) and folds[i - reach - 1] in prefixes:
            reach += 1
        for back in range(reach, -1, -1):
            start = tokens[i - back].start
            if start < covered:
                continue
            m = pattern.match(text, start, end)
            if m is not None and m.end() >= token.end:
                out.append(m)
                covered = m.end()
                break
    return out
