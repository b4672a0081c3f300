"""Tokens and folding shared by the registry and the detector.

Pure; no I/O. Words are cut with one compiled regex; each word is folded (lower case, accents
and special letters mapped to ASCII where Latin, common transliteration variants merged:
Zelenskyy/Zelenskiy -> zelenski, Sergey -> sergei, Shoygu -> shoigu) so that a name written
any usual way finds the registry's entry. A possessive ``'s`` is split off and remembered.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Token", "fold", "fold_word", "folded", "has_cjk", "tokenize"]

_WORD = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*")
"""A word: letters and digits, with inner dots (U.S) and apostrophes (O'Brien, Sa'ar)."""
_SPECIAL = str.maketrans({"ı": "i", "ł": "l", "Ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "’": "'"})
_POSSESSIVE = frozenset({"'s", "’s", "'S", "’S"})
_CJK = re.compile(r"[\u3400-\u9fff]")
_CACHE: dict[str, str] = {}


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
    for m in _WORD.finditer(text, start, len(text) if end is None else end):
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


def fold(text: str) -> tuple[str, ...]:
    """The folded words of a phrase: its key in the registry's indexes."""
    return tuple(t.fold for t in tokenize(text))


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds Chinese characters (matched by substring, not by word)."""
    return _CJK.search(text) is not None


def folded(words: str) -> frozenset[str]:
    """A set of words as the tokenizer folds them (``"secretary deputy"`` -> secretari ...)."""
    return frozenset(fold_word(w) for w in words.split())
