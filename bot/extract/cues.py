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
import sys
from dataclasses import dataclass

from bot.extract.text import Gated, Words, folded, lower_source, match_at
from bot.models import Kind

__all__ = ["Cue", "find_cues", "in_person"]

_PHONE = r"(?:(?:by|over\s+the|on\s+the|via)\s+(?:tele)?phone|by\s+video(?:\s*link|\s*conference)?)"
_VERB = (
    r"(?:spoke|speaks|spoken|speaking|talked|talking|conversed|chatted|rang)"
    r"(?:\s+(?:again|briefly|separately|twice|also|first|directly))?(?:\s+" + _PHONE + r")?"
    r"|discuss(?:ed|es)?\s+(?:[\w'-]+\s+){0,6}?"
    + _PHONE
    + r"|(?:tele)?phoned|phones|telephones|dial(?:l)?ed"
    r"|called(?!\s+(?:on|for|off|in|out|up|it|a|an|the|his|her"
    r"|their|its|them|to|as|by|after|"
    r"what|this|that|for)\b)"
    r"|met(?:\s+with)?|meets?(?:\s+with)?|meeting(?=\s+(?:with\s+)?(?-i:[A-Z]))"
    r"|(?:while|after|before|when|was|were|is|are|been|by)\s+meeting(?:\s+with)?|speak|talk(?=\s+(?:to|with)\b)"
    r"|hosted|hosts|received|receives|welcomed|welcomes|greeted|greets|sat\s+down\s+with"
    r"|(?:stood|standing)\s+(?:alongside|next\s+to|beside)"
    r"|(?:at\s+)?a\s+joint\s+(?:news|press)\s+conference(?:\s+with)?"
    r"|(?:shook|shake|shaking)\s+hands(?:\s+with)?|fist[- ]bump(?:ed)?|exchanged\s+a\s+fist[- ]bump"
    r"|spent\s+(?:almost\s+|nearly\s+|more\s+than\s+|about\s+)?\w+\s+hours"
    r"|joined(?=\s+(?:them|the\s+two|the\s+pair)\b)"
    # Russian and German
    r"|встретил(?:ся|ись|ась)?|встретиться|поговорил[аи]?|говорили|созвонились|общались|принял"
    r"|обсудил[аи]?\s+(?:\S+\s+){0,4}?по\s+телефону|по\s+телефону\s+(?:говорили|поговорили|обсудили)"
    r"|telefonierte[n]?|telefoniert|sprach(?:en)?|gesprochen|traf(?:en)?|getroffen|empfing"
    r"|empfangen|kamen\s+zusammen"
)
_NOUN = (
    r"(?:(?:tele)?phone\s+|video\s*|virtual\s+|face-to-face\s+|in-person\s+|bilateral\s+"
    r"|one-on-one\s+|private\s+|closed-door\s+|hour-long\s+|lengthy\s+|brief\s+|rare\s+)*"
    r"(?:calls?|conversations?|talks|meetings?|summits?|videoconference|video\s+conference"
    r"|video\s+link|handshake|tête-à-tête|tete-a-tete|sit-down|bilateral(?=\s+(?:with|between))|visit(?=\s+to\b))\b"
    r"|(?:телефонный\s+)?разговор[аеу]?|переговоры|переговорах|встреч[аиуе]|беседу|по\s+видеосвязи"
    r"|Treffen|Telefonat|Telefongespräch|Gespräch(?:e|en)?|Videokonferenz"
)
_CUES_SOURCE = rf"\b(?:(?P<verb>{_VERB})|(?P<noun>{_NOUN}))(?!\w)"
_CUES = re.compile(_CUES_SOURCE, re.I)
_CUES_LOWER = re.compile(lower_source(_CUES_SOURCE.replace("(?-i:[A-Z])", "[a-z]")))
"""``_CUES`` for lower-cased ASCII text: without IGNORECASE sre skips an alternative on its
first letter, twice as fast. Only a bare verb "meeting" needs the capital after it: that one
match is checked again on the text itself."""
_CALL = [
    "phone",
    "call",
    "video",
    "virtual",
    "rang",
    "dial",
    "телефон",
    "видео",
    "созвон",
    "telefon",
]
"""Words that make a cue a call (phone or video)."""
_SOFT_CALL = [
    "spoke", "speak", "talked", "talking", "convers", "chatted", "разговор", "говорил", "sprach",
    "gesprochen",
]  # fmt: skip
"""Words that make a cue a call unless the sentence places the two in one room."""


def _holds(text: str, words: list[str]) -> bool:
    """Whether one of ``words`` is in ``text``, in any case (as IGNORECASE would find it)."""
    low = text.casefold()
    for word in words:  # noqa: SIM110 (a loop is faster than any() over a generator)
        if word in low:
            return True
    return False


_IN_PERSON_WORDS = """sideline presence face person left margins visit met hosted summit
treffen dinner lunch breakfast banquet stroll walk"""
_IN_PERSON = Gated(
    re.compile(
        r"\b(?:sidelines?|in\s+(?:his|her|their)\s+presence|face-to-face|in\s+person"
        r"|in-person|as\s+they\s+left|on\s+the\s+margins|visit(?:ed|ing)?|met|hosted|summit"
        r"|встреч|treffen|dinner|lunch|breakfast|banquet|stroll|walk)\b",
        re.I,
    ),
    _IN_PERSON_WORDS.split(),
)


@dataclass(slots=True)
class Cue:
    """Words reporting a contact.

    Internal and not frozen (made by the dozen per item, and a frozen dataclass costs five
    times as much to build): treat it as read-only.

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


_TRIGGERS = folded(
    """standing stood conference meet speak talk spoke speaks spoken speaking talked talking
    conversed chatted rang discuss discussed discusses phoned phones telephoned telephones dialed
    dialled
    called met meets meeting hosted hosts received receives welcomed welcomes greeted greets
    sat shook shake shaking fist exchanged spent joined call calls conversation conversations
    talks meetings summit summits videoconference video link handshake tête tete sit bilateral visit
    встретил встретился встретились встретилась встретиться поговорил поговорила поговорили
    говорили созвонились общались принял обсудил обсудила обсудили по разговор разговора
    разговоре разговору переговоры переговорах встреча встречи встречу встрече беседу
    telefonierte telefonierten sprach sprachen traf trafen empfing kamen telefoniert
    gesprochen getroffen empfangen treffen telefonat telefongespräch gespräch gespräche
    gesprächen videokonferenz"""
)


_PREFIXES = folded(
    """while after before when was were is are been by joint news press at phone telephone video
    virtual face to in person bilateral one on private closed door hour long lengthy brief
    rare exchanged a shook shake shaking hands sat down телефонный по discussed discuss
    discusses"""
)


class _CaseBlind:
    """``_CUES`` as ``_CUES_LOWER`` on lower-cased text, with "meeting" checked again."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        m = _CUES_LOWER.match(string, pos, endpos)
        if m is not None and m.group() == "meeting":
            return _CUES.match(self.text, pos, endpos)
        return m


def find_cues(sentence: str, words: Words, lower: str | None = None) -> list[Cue]:
    """Every cue among ``words`` (those of one sentence of ``sentence``), in order.

    ``lower``: ``sentence`` lower-cased, when it is ASCII and the caller has it.
    """
    out: list[Cue] = []
    person = None
    if lower is None and sentence.isascii():
        lower = sentence.lower()
    found = (
        match_at(_CaseBlind(sentence), lower, words, _TRIGGERS, _PREFIXES)
        if lower is not None
        else match_at(_CUES, sentence, words, _TRIGGERS, _PREFIXES)
    )
    for m in found:
        start, end = m.span()
        text = sentence[start:end]
        form = "verb" if m.group("verb") else "noun"
        kind: Kind = "meeting"
        if _holds(text, _CALL):
            kind = "call"
        elif _holds(text, _SOFT_CALL):
            if person is None:
                person = in_person(sentence[words.starts[0] : words.ends[-1]])
            kind = "meeting" if person else "call"
        out.append(Cue(start, end, form, kind, text))
    for c in out:
        if c.form == "noun" and c.kind == "meeting" and c.text.lower() in _NEUTRAL:
            # "held talks with Xi by phone": the medium after the partner
            after = _CLAUSE_END.split(sentence[c.end : c.end + 90], 1)[0]
            phone = _BY_PHONE.search(after)
            if phone is not None and not _OTHER_VERB.search(after, 0, phone.start()):
                c.kind = "call"
    if len(out) > 1 and any(c.kind == "call" and _holds(c.text, _CALL) for c in out):
        # "held a video call on Tuesday, the first talks between the two": talks named after
        # a call are the call ("face-to-face talks" are not neutral)
        hard = False
        for c in out:
            if c.kind == "call" and _holds(c.text, _CALL):
                hard = True
            elif hard and c.form == "noun" and c.text.lower() in _NEUTRAL:
                c.kind = "call"
    return out


_NEUTRAL = frozenset({"talks", "conversation", "conversations"})
_CLAUSE_END = re.compile(r"[,;:.!?()]")
_BY_PHONE = re.compile(r"\b" + _PHONE, re.I)
_OTHER_VERB = re.compile(
    r"\b(?:after|before|while|having|when|speaking|spoke|spoken|talking|talked|calling)\b", re.I
)
"""Noun cues that say nothing of the medium: a call when the sentence names a call."""
