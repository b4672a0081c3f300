"""Words that report a call or a meeting, and how each finds its participants.

Pure; no I/O. One compiled regex finds every cue in a sentence. A cue has a ``form``:

- ``verb``: "met", "phoned", "hosted", "received", "welcomed", "sat down with", "spoke ...
  with", "talked", "shook hands with": a subject before it, an object after it (directly or
  after "with"/"to"), or a group subject alone ("Modi and Xi met");
- ``noun``: "call", "phone call", "talks", "meeting", "summit", "conversation": an owner (a
  possessive, the clause's subject) and a partner after "with", or a group after "between",
  or a hyphenated pair before it ("Trump-Putin summit").

The kind is ``call`` for phone and video words and ``meeting`` for the rest; "spoke",
"talked" and "conversation" are calls unless the sentence places the two in one room.
English, with the common Russian and German forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from collections.abc import Sequence

from bot.extract.text import Token, fold_word
from bot.models import Kind

__all__ = ["Cue", "find_cues", "in_person"]

_PHONE = r"(?:(?:by|over\s+the|on\s+the|via)\s+(?:tele)?phone|by\s+video(?:\s*link|\s*conference)?)"
_VERB = (
    r"(?:spoke|speaks|spoken|speaking|talked|talking|conversed|chatted|rang)"
    r"(?:\s+(?:again|briefly|separately|twice|also|first|directly))?(?:\s+" + _PHONE + r")?"
    r"|discuss(?:ed|es)?\s+(?:[\w'-]+\s+){0,6}?"
    + _PHONE
    + r"|(?:tele)?phoned|phones|telephones|called(?!\s+(?:on|for|off|in|out|up|it|a|an|the|his|her|their|its|them|to|as|by|after|"
    r"what|this|that|for)\b)"
    r"|met(?:\s+with)?|meets?(?:\s+with)?|meeting(?=\s+(?:with\s+)?(?-i:[A-Z]))|speak|talk(?=\s+(?:to|with)\b)"
    r"|hosted|hosts|received|receives|welcomed|welcomes|greeted|greets|sat\s+down\s+with"
    r"|(?:shook|shake|shaking)\s+hands(?:\s+with)?|fist[- ]bump(?:ed)?|exchanged\s+a\s+fist[- ]bump"
    r"|spent\s+(?:almost\s+|nearly\s+|more\s+than\s+|about\s+)?\w+\s+hours"
    r"|joined(?=\s+(?:them|the\s+two|the\s+pair)\b)"
    # Russian and German
    r"|встретил(?:ся|ись|ась)?|встретиться|поговорил[аи]?|говорили|созвонились|общались|принял"
    r"|обсудил[аи]?\s+(?:\S+\s+){0,4}?по\s+телефону|по\s+телефону\s+(?:говорили|поговорили|обсудили)"
    r"|telefonierte[n]?|sprach(?:en)?|traf(?:en)?|empfing|kamen\s+zusammen"
)
_NOUN = (
    r"(?:(?:tele)?phone\s+|video\s*|virtual\s+|face-to-face\s+|in-person\s+|bilateral\s+"
    r"|one-on-one\s+|private\s+|closed-door\s+|hour-long\s+|lengthy\s+|brief\s+|rare\s+)*"
    r"(?:calls?|conversations?|talks|meetings?|summits?|videoconference|video\s+conference"
    r"|video\s+link|handshake|tête-à-tête|tete-a-tete|sit-down|bilateral(?=\s+(?:with|between)))\b"
    r"|(?:телефонный\s+)?разговор[аеу]?|переговоры|переговорах|встреч[аиуе]|беседу|по\s+видеосвязи"
    r"|Treffen|Telefonat|Telefongespräch|Gespräch(?:e|en)?|Videokonferenz"
)
_CUES = re.compile(rf"\b(?:(?P<verb>{_VERB})|(?P<noun>{_NOUN}))(?!\w)", re.I)
_CALL = re.compile(r"phone|call|video|rang|телефон|видео|созвон|telefon|video", re.I)
_SOFT_CALL = re.compile(r"spoke|speak|talked|talking|convers|chatted|разговор|говорил|sprach", re.I)
_IN_PERSON = re.compile(
    r"\b(?:sidelines?|in\s+(?:his|her|their)\s+presence|face-to-face|in\s+person|in-person"
    r"|as\s+they\s+left|on\s+the\s+margins|visit(?:ed|ing)?|met|hosted|summit|встреч|treffen)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Cue:
    """Words reporting a contact.

    Attributes:
        start, end: offsets in the sentence.
        form: ``verb`` or ``noun``.
        kind: ``call`` or ``meeting``.
        text: the words.
    """

    start: int
    end: int
    form: str
    kind: Kind
    text: str


def in_person(sentence: str) -> bool:
    """Whether the sentence places the two in one room (so "spoke" is a meeting)."""
    return _IN_PERSON.search(sentence) is not None


_TRIGGERS = frozenset(
    fold_word(w)
    for w in """meet speak talk spoke speaks spoken speaking talked talking conversed chatted rang discuss
    discussed discusses phoned phones telephoned telephones called met meets meeting hosted
    hosts received receives welcomed welcomes greeted greets sat shook shake shaking fist
    exchanged spent joined call calls conversation conversations talks meetings summit
    summits videoconference video link handshake tête tete sit bilateral встретил встретился
    встретились встретилась встретиться поговорил поговорила поговорили говорили созвонились
    общались принял обсудил обсудила обсудили по разговор разговора разговоре разговору
    переговоры переговорах встреча встречи встречу встрече беседу telefonierte telefonierten
    sprach sprachen traf trafen empfing kamen treffen telefonat telefongespräch gespräch
    gespräche gesprächen videokonferenz""".split()
)


def find_cues(sentence: str, tokens: Sequence[Token]) -> list[Cue]:
    """Every cue among ``tokens`` (the words of one sentence of ``sentence``), in order."""
    out: list[Cue] = []
    person = None
    for m in _matches(sentence, tokens):
        text = m.group()
        form = "verb" if m.group("verb") else "noun"
        kind: Kind = "meeting"
        if _CALL.search(text):
            kind = "call"
        elif _SOFT_CALL.search(text):
            if person is None:
                person = in_person(sentence[tokens[0].start : tokens[-1].end])
            kind = "meeting" if person else "call"
        out.append(Cue(m.start(), m.end(), form, kind, text))
    return out


def _matches(text: str, tokens: Sequence[Token]) -> list[re.Match[str]]:
    """Cues, tried only where a cue word is (and up to three words before it)."""
    out: list[re.Match[str]] = []
    covered = -1
    end = tokens[-1].end if tokens else 0
    for i, token in enumerate(tokens):
        if token.end <= covered or token.fold not in _TRIGGERS:
            continue
        for back in range(min(i, 3), -1, -1):
            start = tokens[i - back].start
            if start < covered:
                continue
            m = _CUES.match(text, start, end)
            if m is not None and m.end() >= token.end:
                out.append(m)
                covered = m.end()
                break
    return out
