"""Names as journalists type them, resolved against a registry of real officials."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import CommandError
from bot.extract import Country
from bot.models import Official
from bot.names import NameResolver, describe, fold, role_label
from tests.fake_registry import REGISTRY

DAY = date(2022, 10, 24)
resolver = NameResolver(REGISTRY)  # type: ignore[arg-type]


def ids(found: list[Official | Country]) -> list[str]:
    return [p.id if isinstance(p, Official) else f"country:{p.code}" for p in found]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["milley"], ["mark-milley"]),
        (["Gerasimow"], ["valery-gerasimov"]),
        (["GERASIMOV"], ["valery-gerasimov"]),
        (["Шойгу"], ["sergei-shoigu"]),
        (["Sergey", "Shoigu"], ["sergei-shoigu"]),
        (["lloyd austin"], ["lloyd-austin"]),
        (["pentagon", "chief"], ["lloyd-austin"]),
        (["us.defense"], ["lloyd-austin"]),
        (["lloyd-austin"], ["lloyd-austin"]),
        (["milley", "gerasimov"], ["mark-milley", "valery-gerasimov"]),
        (["lloyd", "austin", "sergei", "shoigu"], ["lloyd-austin", "sergei-shoigu"]),
        (["Lloyd J. Austin", "Shoigu"], ["lloyd-austin", "sergei-shoigu"]),
        (["us", "russia"], ["country:US", "country:RU"]),
        (["china", "usa"], ["country:CN", "country:US"]),
        (["united", "states", "russia"], ["country:US", "country:RU"]),
        (["american"], ["country:US"]),
        (["wang", "yi"], ["wang-yi"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_names_resolve_forgivingly(words: list[str], expected: list[str]) -> None:
    assert ids(resolver.parties(words, DAY)) == expected


def test_a_role_resolves_to_its_holder_on_the_day() -> None:
    assert ids(resolver.parties(["pentagon", "chief"], date(2025, 6, 1))) == ["pete-hegseth"]
    assert ids(resolver.parties(["ru.defense"], date(2024, 6, 1))) == ["andrei-belousov"]


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["gerasimof"], "I don't know 'gerasimof'. Did you mean Valery Gerasimov?"),
        (["milly", "gerasimov"], "I don't know 'milly'. Did you mean Mark Milley?"),
        (["rusia", "us"], "I don't know 'rusia'. Did you mean Russia?"),
        (
            ["sergei"],
            "I don't know 'sergei'. Did you mean Sergei Naryshkin, Sergei Shoigu or Sergey Lavrov?",
        ),
        (["lloyd", "austin", "shoigy"], "I don't know 'shoigy'. Did you mean Sergei Shoigu?"),
        (
            ["xyz"],
            "I don't know 'xyz'. Try a surname (shoigu), a full name, a role (pentagon "
            "chief, us.defense) or a country (us).",
        ),
        (
            ["brown"],
            "'brown' could be Charles Q. Brown (US top military officer 2023–2025) or "
            "Gordon Brown (GB head of government 2007–2010). Type the full name.",
        ),
        (
            ["one", "two", "three"],
            "I don't know 'one two three'. Try a surname (shoigu), a full name, a role "
            "(pentagon chief, us.defense) or a country (us). Put quotes around names of "
            'more than one word: "lloyd austin".',
        ),
        ([], "Give a name."),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_unknown_and_ambiguous_names_say_why_with_suggestions(
    words: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as caught:
        resolver.parties(words, DAY)
    assert str(caught.value) == message


def test_a_role_nobody_holds_on_the_day_says_so() -> None:
    between = date(2025, 3, 1)  # Brown left on February 21, Caine came on April 11
    with pytest.raises(CommandError) as caught:
        resolver.parties(["us.military"], between)
    assert str(caught.value) == "Nobody is US top military officer on March 1, 2025."


def test_a_president_elect_does_not_hold_the_role_yet() -> None:
    assert ids(resolver.parties(["us.head_of_state"], date(2024, 12, 1))) == ["joe-biden"]
    assert ids(resolver.parties(["us.head_of_state"], date(2025, 1, 20))) == ["donald-trump"]
    assert describe(REGISTRY.officials["donald-trump"]) == (
        "Donald Trump (US head of state 2017–2021; US head of state-elect 2024–2025; US head "
        "of state 2025–now)"
    )


def test_of_several_with_one_name_the_one_in_office_is_meant() -> None:
    # in 2024 "brown" is the chairman of the joint chiefs, not the former prime minister
    assert ids(resolver.parties(["brown"], date(2024, 6, 1))) == ["charles-brown"]


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["milley"], "Give two names."),
        (["milley", "milley"], "Both names are Mark Milley; give two different officials."),
        (["us", "shoigu"], "'United States' is a country; give an official's name here."),
    ],
)
def test_pair_wants_two_different_officials(words: list[str], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        resolver.pair(words, DAY)
    assert str(caught.value) == message


def test_official_refuses_a_country_by_name() -> None:
    with pytest.raises(CommandError, match=r"^'russia' is a country \(Russia\)"):
        resolver.official("russia", DAY)


def test_labels() -> None:
    assert role_label("us.defense") == "US defence chief"
    assert role_label("ru.military", plural=True) == "RU top military officers"
    assert describe(REGISTRY.officials["sergei-shoigu"]) == (
        "Sergei Shoigu (RU defence chief 2012–2024; RU security adviser 2024–now)"
    )
    assert fold("  Valéry  GERASIMOV! ") == "valery gerasimov"
