"""The fast paths give what the plain ones give.

The early exit drops news that names nobody before its words are cut, and never an item the
full detector would find a contact or a silence claim in; the word cutter, the gated patterns
and the word-by-word search for modality words find what the patterns alone find.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.errors import FeedError
from bot.extract import Extraction, Registry, cues, dates, default_registry, extract, modality
from bot.extract import text as text_module
from bot.extract.cues import _IN_PERSON
from bot.extract.detect import _FIRST_SINCE, _extract
from bot.extract.jsonl import parse_line
from bot.extract.text import Gated, Token, fold_word, key_words, tokenize
from bot.feeds import parse_feed
from bot.models import Item
from tests.conftest import SHARED
from tests.test_extract_rules import NEGATIVE, POSITIVE

D = date(2023, 10, 24)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return default_registry()


def _text(item: Item) -> str:
    return f"{item.title}\n{item.summary}"


def _full(item: Item, registry: Registry) -> object:
    """What the detector finds without the early exit."""
    return _extract(_text(item), len(item.title), item, registry)


def _check(items: list[Item], registry: Registry) -> int:
    """Asserts the exit keeps every item with a finding; returns how many it drops."""
    dropped = 0
    for item in items:
        full = _full(item, registry)
        assert extract(item, registry) == full, item
        if not registry.index.may_name(_text(item)):
            assert full == Extraction(), item
            dropped += 1
    return dropped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zelenskyy's aide", ([b"zelenski", b"s", b"aide"], [])),
        ("U.S. President", ([b"u", b"s", b"president"], [])),
        ("O’Brien — “no”", ([b"o", b"brien", b"no"], [])),
        ("Erdoğan met Путина", ([b"erdo", b"an", b"met"], ["Erdoğan", "Путина"])),
        ("MI6 chief, 2024", ([b"mi6", b"chief", b"2024"], [])),
    ],
    ids=["transliteration", "dots", "quotes and dashes", "other letters", "digits"],
)
def test_words_are_keyed_at_c_speed(text: str, expected: tuple[list[bytes], list[str]]) -> None:
    assert key_words(text) == expected


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        ("Zelenskiy spoke with Erdoğan", True),
        ("Президент встретился с Путиным", True),
        ("Scholz traf den Außenminister", True),
        ("习近平会见了外宾", True),
        ("Russia's top diplomat arrived", True),
        ("the defence ministers of Britain and France", True),
        ("The Pentagon chief flew to Asia", True),
        ("his Russian counterpart arrived", False),  # a reference needs someone named
        ("The two met in Geneva on Monday", False),
        ("Floods displace thousands in Brazil as officials warn", False),
        ("Rain is expected across the region tomorrow.", False),
    ],
)
def test_the_exit_keeps_names_and_role_phrases(
    registry: Registry, text: str, *, passes: bool
) -> None:
    assert registry.index.may_name(text) is passes


def test_every_name_alias_and_short_form_passes(registry: Registry) -> None:
    index = registry.index
    for official in registry.officials.values():
        for name in (official.name, *official.aliases):
            assert index.may_name(f"Earlier, {name}'s aides said so."), name
            if not name.isascii():
                for ending in ("а", "у", "ом", "ым", "ого"):
                    assert index.may_name(f"встреча с {name}{ending}"), (name, ending)
    for key in (*index.shorts, *index.phrases):
        assert index.may_name(" ".join(key).upper()), key


def test_every_country_word_with_a_title_passes(registry: Registry) -> None:
    index = registry.index
    for country in registry.countries.values():
        for alias in country.aliases:
            for key in index.country_titles(country.code):
                assert index.may_name(f"The {alias}'s {' '.join(key)} said"), (alias, key)


def test_nothing_the_detector_finds_is_dropped_from_the_rule_tables(registry: Registry) -> None:
    items = [
        Item("t", "k", None, title, summary, None, day, "")
        for _, day, summary, _ in POSITIVE
        for title, day in (("", day), (summary, None))
    ]
    items += [Item("t", "k", None, "", summary, None, D, "") for _, summary in NEGATIVE]
    _check(items, registry)


def test_nothing_the_detector_finds_is_dropped_from_the_labelled_set(registry: Registry) -> None:
    path = SHARED / "eval" / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [parse_line(line)[1] for line in lines]
    headless = [Item(i.feed, i.key, None, "", i.summary, None, i.local_date, "") for i in items]
    undated = [Item(i.feed, i.key, None, i.title, i.summary, None, None, "") for i in items]
    _check(items + headless + undated, registry)


def test_ordinary_news_is_dropped_and_real_feeds_lose_nothing(registry: Registry) -> None:
    from benchmarks.feedgen import feed_document

    generated = [item for i in range(8) for item in parse_feed(feed_document(i), feed="f").items]
    named = ("Shoigu", "Blinken", "Erdogan", "Milley")
    plain = [i for i in generated if not any(n in _text(i) for n in named)]
    assert _check(plain, registry) == len(plain)
    _check(generated, registry)
    folder = SHARED / "feeds-real"
    real: list[Item] = []
    for path in sorted(folder.glob("*.xml")) if folder.exists() else []:
        try:
            real.extend(parse_feed(path.read_bytes(), feed="real").items)
        except FeedError:
            continue
    _check(real, registry)


def _texts(*, tails: bool = True) -> list[str]:
    """Sentences to compare fast and plain paths on: the rule tables, the labelled set and
    some made to reach the corners; with ``tails``, also each one's tails."""
    texts = [summary for _, _, summary, _ in POSITIVE] + [summary for _, summary in NEGATIVE]
    path = SHARED / "eval" / "dev.jsonl"
    if path.exists():
        items = [parse_line(line)[1] for line in path.read_text(encoding="utf-8").splitlines()]
        texts += [f"{i.title}\n{i.summary}" for i in items]
    texts += [
        "We'll meet him; they won't talk. Will he? No 10 said so, and no, not now.",
        "If not, she'd call off the talks: the cancellation was cancelled - again.",
        "Putin wird nicht sprechen, keinesfalls; Scholz plant ein Treffen.",
        "MAY 2024: plans to meet Kim were shelved x'll 1'll _'ll 'll",
        "He met them twice, regularly, several times; the first call since May.",
        "They last spoke in March, previously met at the sidelines, in person.",
    ]
    return [t[k:] for t in texts for k in range(0, len(t), 5)] if tails else texts


def test_rejected_finds_what_the_whole_pattern_finds() -> None:
    for text in _texts():
        if text.isascii():
            fast = [(m.span(), m.group()) for m in modality._reject_matches(text)]
            plain = [(m.span(), m.group()) for m in modality._REJECT.finditer(text)]
            assert fast == plain, text


@pytest.mark.parametrize(
    "gated",
    [modality.NEGATED, modality.LAST_CONTACT, modality.REPEATED, _FIRST_SINCE, _IN_PERSON],
    ids=["negated", "last contact", "repeated", "first since", "in person"],
)
def test_gated_patterns_find_what_the_patterns_find(gated: Gated) -> None:
    for text in _texts():
        fast, plain = gated.search(text), gated.pattern.search(text)
        assert (fast and fast.span()) == (plain and plain.span()), text


def _cut_one_by_one(text: str) -> list[Token]:
    """The words as a plain loop over the word pattern's matches cuts them."""
    out = []
    for m in text_module.WORD.finditer(text):
        word, end = m.group(), m.end()
        poss = word[-2:] in ("'s", "’s", "'S", "’S") and len(word) > 2
        if poss:
            word, end = word[:-2], end - 2
        cap = word[0].isupper() or not word[0].islower()
        out.append(Token(fold_word(word), m.start(), end, cap, poss))
    return out


def test_words_are_cut_as_one_by_one() -> None:
    for text in [*_texts(), "Путина’s Erdoğan's «talks» 2024-05-01 U.S.'s O’Brien"]:
        assert tokenize(text) == _cut_one_by_one(text), text
        if text.isascii():
            assert text_module._SPLIT_ASCII.split(text) == text_module._SPLIT.split(text)


def test_dates_match_lower_cased_text_as_the_case_blind_pattern() -> None:
    assert not re.search(r"[A-Z]", re.sub(r"\\.|\(\?P<\w+>", "", dates._ANY_SOURCE))
    for text in _texts(tails=False):
        if text.isascii():
            low = text.lower()
            for at in range(len(text)):
                fast, plain = dates._ANY_LOWER.match(low, at), dates._ANY.match(text, at)
                assert (fast and (fast.span(), fast.lastgroup)) == (
                    plain and (plain.span(), plain.lastgroup)
                ), text[at:]


def test_cues_match_lower_cased_text_as_the_case_blind_pattern() -> None:
    texts = [
        *_texts(tails=False),
        "After meeting Putin, he was meeting officials; a meeting with Xi. Meeting Modi.",
        "Scholz traf Putin. Ein Treffen und ein Telefonat, ein Gespräch.",
    ]
    for text in texts:
        if text.isascii():
            blind = cues._CaseBlind(text)
            low = text.lower()
            for at in range(len(text)):
                fast, plain = blind.match(low, at, len(text)), cues._CUES.match(text, at)
                assert (fast and (fast.span(), bool(fast.group("verb")))) == (
                    plain and (plain.span(), bool(plain.group("verb")))
                ), text[at:]
