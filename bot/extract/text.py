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

__all__ = [
    "WORD",
    "Token",
    "fold",
    "fold_word",
    "folded",
    "has_cjk",
    "key_pieces",
    "key_words",
    "match_at",
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


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text`` (or of ``text[start:end]``) with their offsets in ``text``."""
    out: list[Token] = []
    append = out.append
    cache = _CACHE
    for m in WORD.finditer(text, start, len(text) if end is None else end):
        word = m.group()
        begin, stop = m.span()
        poss = word[-2:] in _POSSESSIVE and len(word) > 2
        if poss:
            word = word[:-2]
            stop -= 2
        first = word[0]
        append(
            Token(
                cache.get(word) or fold_word(word),
                begin,
                stop,
                first.isupper() or not first.islower(),
                poss,
            )
        )
    return out


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


def match_at(
    pattern: re.Pattern[str],
    text: str,
    tokens: Sequence[Token],
    triggers: Collection[str],
    prefixes: Collection[str],
    *,
    digits: bool = False,
) -> list[re.Match[str]]:
    """Matches of a large pattern, tried only where a trigger word is.

    A match may start up to three words before its trigger when those words are prefixes
    ("late last month", "phone call"); it must reach past the trigger. Matches do not overlap.
    Trying a pattern of many alternatives at a handful of places instead of at every
    character is what keeps the detector fast.
    """
    out: list[re.Match[str]] = []
    if not tokens:
        return out
    covered = -1
    end = tokens[-1].end
    if digits:
        hits = [i for i, t in enumerate(tokens) if t.fold in triggers or t.fold[:1].isdigit()]
    else:
        hits = [i for i, t in enumerate(tokens) if t.fold in triggers]
    for i in hits:
        token = tokens[i]
        if token.end <= covered:
            continue
        reach = 0
        while reach < min(i, 3) and tokens[i - reach - 1].fold in prefixes:
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
