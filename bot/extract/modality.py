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

__all__ = [
    "BOUNDARY",
    "LAST_CONTACT",
    "NEGATED",
    "REPEATED",
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
_TAIL = re.compile(
    rf"^[^,;:.]*?\b(?:is|was|are|were|has|have|had|will|would|could|may|might|can|been|being)\b"
    rf"[^,;:.]*?\b(?:not|never|scheduled|planned|expected|possible|likely|due|set|arranged|"
    rf"prepared|considered|cancel+ed|postponed|confirmed|agreed|discussed|envisaged|happen)\b"
    rf"|^[^,;:.]*?\b(?:never|not)\s+(?:took|take|happened|materiali[sz]ed)\b"
    rf"|^[^,;:.]*?\b(?:if|unless)\b",
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

NEGATED = re.compile(r"\b(?:not|n't|never|no)\b|n't\b|\bне\b|\bnicht\b|\bkein\w*", re.I)
"""A negation, which turns a contact with "since" into a silence claim."""

LAST_CONTACT = re.compile(
    r"\b(?:last|previously)\s+(?:spoke|met|talked|held|had|saw|conversed|spoken)\b"
    r"|\blast\s+(?:call|conversation|meeting|talks|contact|encounter|summit)\b",
    re.I,
)
"""'The two last spoke in July': the date of the latest contact, not a new one."""

REPEATED = re.compile(
    r"\b(?:several|many|multiple|numerous|few|\d+|two|three|four)\s+times\b|\bregular(?:ly)?\b",
    re.I,
)
"""Counts and habits without a date: not one contact."""


def rejected(scope: str) -> str | None:
    """The word that makes the contact in ``scope`` not (or not yet) real, if any."""
    for m in _REJECT.finditer(scope):
        word = m.group()
        if word.lower() in _LOWER_ONLY and not word.islower():
            continue  # "May" the month, "No 10"
        if word.lower() == "no" and re.match(r"\s*\d", scope[m.end() :]):
            continue
        return word
    return None


def tail_rejected(tail: str) -> bool:
    """Whether the words after a noun cue's partner undo it ("... has not been scheduled")."""
    return _TAIL.search(tail) is not None


def is_infinitive(before: str) -> bool:
    """'to meet', 'to call': a plan, unless a past motion verb leads to it ("crossed ... to
    shake hands")."""
    if not _INFINITIVE.search(before):
        return False
    return _PAST_BEFORE_TO.search(before) is None
