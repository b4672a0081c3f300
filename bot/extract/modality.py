"""Whether a reported contact happened: plans, refusals, denials, hypotheses, negation.

Pure; no I/O. Each check looks at a stretch of one sentence that the detector gives it (the
clause from its start to the cue, and for noun cues the words after the partner). A contact
is dropped when that stretch is future or planned ("will meet", "to call", "expected",
"scheduled", "proposed", "invited"), refused or cancelled ("declined", "ruled out", "called
off"), denied or doubted ("denied", "no phone call took place", "claim"), hypothetical
("if", "could", "would") or negated ("has not spoken"). A negated contact with "since" is a
silence claim, as is "last spoke on ...". Words of other languages: Russian and German.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.extract.text import Gated, Words, positions

__all__ = [
    "BOUNDARY",
    "LAST_CONTACT",
    "NEGATED",
    "REPEATED",
    "clause_cuts",
    "is_infinitive",
    "rejected",
    "tail_rejected",
]

_FUTURE = (
    r"will|won't|'ll|shall|would|could|might|can|should|going\s+to|due\s+to|set\s+to|slated|poised"
    r"|plans?|planned|planning|intends?|intended|intention|expects?|expected|expecting"
    r"|hopes?\s+to|hoping|wants?\s+to|wanted\s+to|wish(?:es)?|would\s+like|ready\s+to|prepared\s+to"
    r"|willing|open\s+to|offer(?:ed|s)?|proposal|proposed?|proposes|invit(?:e|ed|es|ation)"
    r"|request(?:ed|s)?|asked\s+for|seeks?|sought|seeking|trying\s+to|tries\s+to|try\s+to"
    r"|arrang(?:e|ed|es|ing)|preparations?|under\s+consideration|consider(?:ing|ed)?|weighing"
    r"|upcoming|next\s+(?:week|month|year)|tomorrow|later\s+(?:today|this|on)|coming\s+(?:days|weeks)"
    r"|in\s+the\s+future|possible|possibly|potential|prospective|prospects?|agreed\s+to|agree\s+to"
    r"|on\s+the\s+agenda|on\s+the\s+cards|scheduled|schedule|announced\s+plans|pending|awaited"
    r"|call(?:s|ed)?\s+for|urg(?:e|ed|es|ing)|demand(?:ed|s)?|push(?:ed|es|ing)?\s+for|appeal(?:ed|s)?"
    r"|rumou?rs?|rumou?red|speculation|may|likely|unlikely|soon|eager|keen|count(?:s|ing)?\s+on"
    r"|looking\s+to|looks\s+to|aims?\s+to|aiming|heads?\s+(?:to|for)|heading|departs?|leaves\s+for"
    r"|preparing|in\s+the\s+works|organi[sz]ing|mulls?|mulling|eyes|eyeing|floated|floats"
    r"|ahead\s+of|to\s+(?:meet|speak|talk|call|hold|host|visit|see|phone|receive|sit\s+down|discuss)"
)
_NEGATIVE = (
    r"not|n't|never|no|nor|refus(?:e|ed|es|ing)|declin(?:e|ed|es|ing)|ruled?\s+out|rules\s+out"
    r"|cancel(?:l?ed|s|ling)?|called\s+off|call\s+off|scrap(?:ped|s)?|shelved|postponed"
    r"|put\s+on\s+(?:indefinite\s+)?hold|den(?:y|ied|ies|ying)|deni[ae]l|reject(?:ed|s|ing)?"
    r"|dismiss(?:ed|es)?|fiction|turned\s+down|snub(?:bed)?|instead|failed\s+to|collapsed"
    r"|claim(?:ed|s)?|unconfirmed|without|fake|false|last\s+time|stalled|frozen|halted"
)
_HYPOTHETICAL = r"if|unless|whether|in\s+case|hypothetical"
_FOREIGN = (
    r"может|могут|мог|должн\w*|планиру\w*|ожида\w*|намер\w*|готов\w*|предлож\w*|отказ\w*"
    r"|исключ\w*|будет|будут|состоится|возможн\w*|не|нет|ни"
    r"|nicht|kein\w*|wird|werden|soll|sollen|plant|geplant|möchte|könnte|möglich|abgesagt"
    r"|dementiert|bestritt|erwartet"
)
_REJECT = re.compile(
    rf"\b(?:{_FUTURE}|{_NEGATIVE}|{_HYPOTHETICAL})\b|(?<!\w)(?:{_FOREIGN})(?!\w)|n't\b", re.I
)
_LOWER_ONLY = frozenset({"may", "can", "will", "no"})


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern's source."""
    out, depth, start = [], 0, 0
    for k, c in enumerate(pattern):
        if c == "\\":
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0 and (k == 0 or pattern[k - 1] != "\\"):
            out.append(pattern[start:k])
            start = k + 1
    out.append(pattern[start:])
    return out


def _by_first_letter() -> dict[str, re.Pattern[str]]:
    """``_REJECT`` cut by the letter its alternatives begin with, in their order.

    At a given place only the alternatives that begin with its letter can match, and they
    match there exactly as in the whole pattern; trying a few instead of two hundred at each
    word is what makes ``rejected`` fast.
    """
    groups: dict[str, list[str]] = {}
    for wrap, source in (
        (r"\b(?:{})\b", "|".join((_FUTURE, _NEGATIVE, _HYPOTHETICAL))),
        (r"(?<!\w)(?:{})(?!\w)", _FOREIGN),
        ("{}", r"n't\b"),
    ):
        firsts: dict[str, list[str]] = {}
        for alternative in _alternatives(source):
            first = alternative[0].lower()
            if not (first.isalpha() or first == "'"):
                raise ValueError(f"an alternative must begin with a letter: {alternative!r}")
            firsts.setdefault(first, []).append(alternative)
        for first, alternatives in firsts.items():
            groups.setdefault(first, []).append(wrap.format("|".join(alternatives)))
    return {first: re.compile("|".join(parts), re.I) for first, parts in groups.items()}


_REJECT_AT = _by_first_letter()
_WORD_STARTS = re.compile(r"\b[A-Za-z]\w*")
_APOSTROPHES = re.compile(r"(?<=\w)'")


def _first_words() -> re.Pattern[str]:
    """Every word a match of ``_REJECT`` may begin with (its alternatives up to the first
    space): in text without apostrophes, a match begins only at a word it fully matches."""
    heads = [
        alternative.split("\\s", 1)[0]
        for source in ("|".join((_FUTURE, _NEGATIVE, _HYPOTHETICAL)), _FOREIGN)
        for alternative in _alternatives(source)
    ]
    return re.compile("|".join(f"(?:{head})" for head in heads), re.I)


_FIRST_WORDS = _first_words()
_BEGINS: dict[str, bool] = {}


def _begins(word: str) -> bool:
    """Whether a match of ``_REJECT`` may begin with this word (remembered)."""
    hit = _BEGINS.get(word)
    if hit is None:
        if len(_BEGINS) > 50_000:
            _BEGINS.clear()
        hit = _BEGINS[word] = _FIRST_WORDS.fullmatch(word) is not None
    return hit


def _reject_matches(scope: str) -> list[re.Match[str]]:
    """``_REJECT.finditer(scope)`` for ASCII text, tried only where a match may begin: at a
    word it may begin with, or anywhere a word begins or an apostrophe stands inside a word
    ("we'll") when the text has apostrophes."""
    out: list[re.Match[str]] = []
    covered = 0
    if "'" in scope:
        places = sorted(
            [
                *(m.start() for m in _WORD_STARTS.finditer(scope)),
                *(m.start() for m in _APOSTROPHES.finditer(scope)),
            ]
        )
    else:
        places = [m.start() for m in _WORD_STARTS.finditer(scope) if _begins(m.group())]
    for at in places:
        if at < covered:
            continue
        pattern = _REJECT_AT.get(scope[at].lower())
        m = pattern.match(scope, at) if pattern is not None else None
        if m is not None:
            out.append(m)
            covered = m.end()
    return out


_TAIL = re.compile(
    r"^[^,;:.]*?\b(?:is|was|are|were|has|have|had|will|would|could|may|might|can|been|being)\b"
    r"[^,;:.]*?\b(?:not|never|scheduled|planned|expected|possible|likely|due|set|arranged|"
    r"prepared|considered|cancel+ed|postponed|confirmed|agreed|discussed|envisaged|happen|"
    r"called\s+off|put\s+off|scrapped|shelved|suspended|delayed|dropped|halted|frozen)\b"
    r"|^[^,;:.]*?\b(?:never|not)\s+(?:took|take|happened|materiali[sz]ed)\b"
    r"|^[^,;:.]*?\b(?:if|unless)\b",
    re.I,
)
_INFINITIVE = re.compile(
    r"(?:\bto|\bzu|\bum|\bfor)\s+(?:(?:hold|have|host|conduct|attend|join|a|an|the|new|fresh|"
    r"more|further|direct|possible|bilateral|formal|first)\s+){0,3}$",
    re.I,
)
_PAST_BEFORE_TO = re.compile(
    r"\b(?:crossed|flew|travell?ed|went|came|arrived|stopped|returned|used|took|headed\s+back"
    r"|walked|drove|rushed)\b[^,;]*$",
    re.I,
)

BOUNDARY = re.compile(
    r"[;:—–]|\s-\s|,\s*(?:but|while|whereas|although|though|during\s+which|after\s+which|where|which"
    r"|who|when|as|after|before|with|including|and\s+(?:then|later))\b"
    r"|\b(?:after|before|as|while|when|whereas|although|following|ahead\s+of|amid|but)\b"
    r"|\bа\b|\bно\b|\bи\s+(?=[а-я]+(?:ли|ла|л)\b)",
    re.I,
)
"""Where one clause ends and the next begins, inside a sentence."""

_PUNCTUATION_CUT = re.compile(r"[;:—–]|\s-\s")
_CUT_WORDS = frozenset(
    [
        "after",
        "before",
        "as",
        "while",
        "when",
        "whereas",
        "although",
        "following",
        "amid",
        "but",
        "ahead",
        "а",
        "но",
    ]
)
_CUT_AFTER_COMMA = frozenset(["though", "where", "which", "who", "with", "including", "during"])
_CLAUSE_WORDS = _CUT_WORDS | _CUT_AFTER_COMMA | {"and"}


def clause_cuts(text: str, words: Words) -> list[tuple[int, int]]:
    """The spans of ``BOUNDARY`` in one sentence (its ``words``), in order.

    Found from the words rather than by running the pattern over every character, which is
    several times faster; a sentence in another script falls back to the pattern.
    """
    folds = words.folds
    if not folds:
        return []
    starts, ends = words.starts, words.ends
    lo, hi = starts[0], ends[-1]
    sentence = text[lo:hi]
    if not sentence.isascii():
        return [m.span() for m in BOUNDARY.finditer(text, lo, hi)]
    cuts = (
        [m.span() for m in _PUNCTUATION_CUT.finditer(text, lo, hi)]
        if ";" in sentence or ":" in sentence or "-" in sentence
        else []
    )
    n = len(folds)
    for k in positions(folds, _CLAUSE_WORDS):
        word = folds[k]
        if word in _CUT_WORDS:
            if word != "ahead":
                cuts.append((starts[k], ends[k]))
            elif k + 1 < n and folds[k + 1] == "of":
                cuts.append((starts[k], ends[k + 1]))
        elif word != "and" or (k + 1 < n and folds[k + 1] in ("then", "later")):
            comma = text.rfind(",", ends[k - 1] if k else lo, starts[k])
            if comma >= 0:
                cuts.append((comma, ends[k]))
    cuts.sort()
    return cuts


NEGATED = Gated(
    re.compile(r"\b(?:not|n't|never|no)\b|n't\b|\bне\b|\bnicht\b|\bkein\w*", re.I),
    ["no", "n't", "never", "nicht", "kein"],
)
"""A negation, which turns a contact with "since" into a silence claim."""

LAST_CONTACT = Gated(
    re.compile(
        r"\b(?:last|previously)\s+(?:spoke|met|talked|held|had|saw|conversed|spoken)\b"
        r"|\blast\s+(?:call|conversation|meeting|talks|contact|encounter|summit)\b",
        re.I,
    ),
    ["last", "previously"],
)
"""'The two last spoke in July': the date of the latest contact, not a new one."""

REPEATED = Gated(
    re.compile(
        r"\b(?:several|many|multiple|numerous|few|\d+|two|three|four|five|six|seven|eight|nine"
        r"|ten|eleven|twelve|dozen|dozens\s+of|a\s+number\s+of|countless)\s+times\b"
        r"|\bregular(?:ly)?\b|\b(?:twice|thrice|repeatedly|frequently|often)\b",
        re.I,
    ),
    ["times", "regular", "twice", "thrice", "repeatedly", "frequently", "often"],
)
"""Counts and habits without a date: not one contact."""


_HINTS = frozenset(
    re.findall(
        r"\S+",
        """will won't ll shall would could might can should going due set slated poised plan plans
    planned planning intend intends intended intention expect expects expected expecting hope
    hopes hoping want wants wanted wish wishes like ready prepared willing open offer offered
    offers proposal propose proposed proposes invite invited invites invitation request
    requested requests asked seek seeks sought seeking trying tries try arrange arranged
    arranges arranging preparation preparations consideration consider considering considered
    weighing upcoming next tomorrow later coming future agreed agree agenda cards scheduled
    schedule announced pending awaited call calls called urge urged urges urging demand
    demanded demands push pushed pushes pushing appeal appealed appeals rumour rumours rumor
    rumors rumoured rumored speculation may likely unlikely soon eager keen count counts
    counting looking looks aim aims aiming head heads heading depart departs leaves not never
    no nor refuse refused refuses refusing decline declined declines declining rule ruled rules
    cancel cancelled canceled cancels cancelling scrap scrapped scraps shelved postponed hold
    deny denied denies denying denial denials reject rejected rejects rejecting dismiss
    dismissed dismisses fiction turned snub snubbed instead failed collapsed claim claimed
    claims unconfirmed without fake false last stalled frozen halted if unless whether case
    hypothetical ahead preparing works organising organizing mull mulls mulling eyes eyeing
    floated floats meet speak talk hold host visit see phone receive sit discuss""",
    )
)
_HINT_WORDS = str.maketrans({c: " " for c in map(chr, range(128)) if not re.match("[a-z']", c)})
"""Lower-case ASCII to its words (runs of letters and apostrophes) once split."""


def rejected(scope: str) -> str | None:
    """The word that makes the contact in ``scope`` not (or not yet) real, if any."""
    if scope.isascii():
        if "n't" not in scope and _HINTS.isdisjoint(scope.lower().translate(_HINT_WORDS).split()):
            return None
        found: Iterable[re.Match[str]] = _reject_matches(scope)
    else:
        found = _REJECT.finditer(scope)
    for m in found:
        word = m.group()
        if word.lower() in _LOWER_ONLY and not word.islower():
            continue  # "May" the month, "No 10"
        if word.lower() == "no" and re.match(r"\s*\d", scope[m.end() :]):
            continue
        return word
    return None


def tail_rejected(tail: str) -> bool:
    """Whether the words after a noun cue's partner undo it ("... has not been scheduled").

    What was said in it does not: the tail ends where a "that" clause with its own subject
    begins ("told Putin in a video call that the West would respond if Russia invaded").
    """
    said = _SAID_THAT.search(tail)
    if said is not None:
        tail = tail[: said.start()]
    return _TAIL.search(tail) is not None


_SAID_THAT = re.compile(
    r"\bthat\s+(?!(?:is|was|were|are|has|have|had|will|would|could|may|might|can|never|did|"
    r"does|do|not|took|had|been|became|ended|lasted)\b)",
    re.I,
)


def is_infinitive(before: str) -> bool:
    """'to meet', 'to call': a plan, unless a past motion verb leads to it ("crossed ... to
    shake hands")."""
    if not _INFINITIVE.search(before[-60:]):
        return False
    return _PAST_BEFORE_TO.search(before) is None
