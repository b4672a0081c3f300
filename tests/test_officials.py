"""The officials registry: bundled data, validation with places, lookups, extra files."""

from __future__ import annotations

import csv
import itertools
from datetime import date
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.extract import Country, Registry, default_registry, load_registry
from bot.models import ROLES
from tests.conftest import DATA, shared_path

EXTRA = DATA / "extract"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return default_registry()


def test_bundled_registry_is_valid_and_covers_the_issue(registry: Registry) -> None:
    codes = {
        "US", "RU", "CN", "UA", "GB", "FR", "DE", "IT", "PL", "TR", "IN", "JP", "KR", "KP",
        "IL", "IR", "SA", "QA", "AE", "EG", "BY", "CA", "BR", "NATO", "UN", "EU",
    }  # fmt: skip
    assert codes <= set(registry.countries)
    assert len(registry.officials) >= 200
    for official in registry.officials.values():
        assert official.tenures
        assert all(t.role in ROLES for t in official.tenures)
    # every listed government has a head of state or government today
    today = date(2026, 11, 24)
    for code in codes:
        held = registry.holders(f"{code.lower()}.head_of_state", today) or registry.holders(
            f"{code.lower()}.head_of_government", today
        )
        assert held, code


def test_load_is_cached(registry: Registry) -> None:
    assert load_registry() is registry


@pytest.mark.parametrize(
    ("role_key", "day", "expected"),
    [
        ("us.head_of_state", date(2021, 1, 20), ["joe-biden"]),
        ("us.head_of_state", date(2025, 1, 19), ["joe-biden"]),
        ("us.head_of_state", date(2025, 1, 20), ["donald-trump"]),
        ("us.defense", date(2025, 6, 1), ["pete-hegseth"]),
        ("us.security", date(2025, 3, 1), ["mike-waltz"]),
        ("us.security", date(2025, 6, 1), ["marco-rubio"]),
        ("us.military", date(2025, 5, 1), ["dan-caine"]),
        ("ru.defense", date(2024, 5, 13), ["sergei-shoigu"]),
        ("ru.defense", date(2024, 5, 14), ["andrei-belousov"]),
        ("ru.security", date(2024, 6, 1), ["sergei-shoigu"]),
        ("ua.security", date(2025, 8, 1), ["rustem-umerov"]),
        ("ua.defense", date(2025, 8, 1), ["denys-shmyhal"]),
        ("ua.head_of_government", date(2025, 8, 1), ["yulia-svyrydenko"]),
        ("ua.aide", date(2025, 12, 15), []),
        ("gb.foreign", date(2025, 10, 1), ["yvette-cooper"]),
        ("jp.head_of_government", date(2025, 11, 1), ["sanae-takaichi"]),
        ("il.defense", date(2024, 12, 1), ["israel-katz"]),
        ("nato.head_of_government", date(2024, 10, 1), ["mark-rutte"]),
        ("eu.foreign", date(2025, 2, 26), ["kaja-kallas"]),
        (
            "us.envoy",
            date(2025, 12, 1),
            [
                "steve-witkoff",
                "keith-kellogg",
                "richard-grenell",
                "adam-boehler",
                "tom-barrack",
                "jared-kushner",
                "dan-driscoll",
            ],
        ),
    ],
    ids=str,
)
def test_holders_on_a_day(
    registry: Registry, role_key: str, day: date, expected: list[str]
) -> None:
    assert [o.id for o in registry.holders(role_key, day)] == expected


def test_holders_over_time_in_tenure_order(registry: Registry) -> None:
    ids = [o.id for o in registry.holders("us.defense")]
    assert ids == [
        "jim-mattis", "patrick-shanahan", "mark-esper", "christopher-miller", "lloyd-austin",
        "pete-hegseth",
    ]  # fmt: skip


def test_president_elect_is_leader_level_but_not_the_holder(registry: Registry) -> None:
    day = date(2025, 1, 17)
    assert registry.serves("donald-trump", day)
    assert [o.id for o in registry.holders("us.head_of_state", day)] == ["joe-biden"]
    assert not registry.serves("donald-trump", date(2024, 7, 20))  # a candidate


@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        ("Zelenskyy", None, ["volodymyr-zelensky"]),
        ("Zelenskiy", None, ["volodymyr-zelensky"]),
        ("Vladimir Zelensky", None, ["volodymyr-zelensky"]),
        ("Sergey Shoygu", None, ["sergei-shoigu"]),
        ("erdoğan", None, ["recep-tayyip-erdogan"]),
        ("Kim Jong-un", None, ["kim-jong-un"]),
        ("MBS", None, ["mohammed-bin-salman"]),
        ("Путин", None, ["vladimir-putin"]),
        ("Путина", None, ["vladimir-putin"]),
        ("Зеленський", None, ["volodymyr-zelensky"]),
        ("习近平", None, ["xi-jinping"]),
        ("Yury Ushakov", None, ["yuri-ushakov"]),
        ("lloyd-austin", None, ["lloyd-austin"]),
        ("pentagon chief", date(2023, 1, 1), ["lloyd-austin"]),
        ("the Pentagon chief", date(2025, 6, 1), ["pete-hegseth"]),
        ("Russia's top diplomat", date(2024, 1, 1), ["sergei-lavrov"]),
        ("the Kremlin leader", date(2024, 1, 1), ["vladimir-putin"]),
        ("the Chinese leader", date(2024, 1, 1), ["xi-jinping"]),
        ("the U.S. defense secretary", date(2019, 3, 1), ["patrick-shanahan"]),
        ("us.defense", date(2022, 1, 1), ["lloyd-austin"]),
        ("Nobody Atall", None, []),
    ],
    ids=str,
)
def test_lookup(registry: Registry, text: str, day: date | None, expected: list[str]) -> None:
    assert [o.id for o in registry.lookup(text, day)] == expected


def test_lookup_returns_every_candidate_holders_first(registry: Registry) -> None:
    ids = [o.id for o in registry.lookup("Kim", date(2024, 10, 1))]
    assert set(ids) == {"kim-jong-un", "kim-yong-hyun"}
    assert next(o.id for o in registry.lookup("Kim", date(2025, 6, 1))) == "kim-jong-un"
    assert {o.id for o in registry.lookup("Li", date(2023, 6, 1))} >= {"li-qiang", "li-shangfu"}


def test_names_countries_and_parties(registry: Registry) -> None:
    names = set(registry.names())
    assert ("xi", "xi-jinping") in names
    assert ("lloyd austin", "lloyd-austin") in names
    us = registry.country("U.S.")
    assert isinstance(us, Country)
    assert us.code == "US"
    assert registry.country("Russian") == registry.countries["RU"]
    assert registry.country("the Kremlin") == registry.countries["RU"]
    assert registry.country("NATO") == registry.countries["NATO"]
    assert registry.country("Atlantis") is None
    assert registry.is_party("us.defense")
    assert registry.is_party("lloyd-austin")
    assert not registry.is_party("us.plumber")
    assert "ru.head_of_state" in registry.role_keys()


def test_single_holder_roles_never_overlap(registry: Registry) -> None:
    for key in registry.role_keys():
        if key.endswith(".envoy"):
            continue
        spells = sorted(
            (t.start, t.end or date.max)
            for o in registry.holders(key)
            for t in o.tenures
            if not t.elect and f"{(t.country or o.country).lower()}.{t.role}" == key
        )
        for (_, end), (start, _) in itertools.pairwise(spells):
            assert end < start, key


@pytest.mark.parametrize(
    ("official_id", "short"),
    [
        # family name first: Chinese, Korean (both Koreas)
        ("xi-jinping", "Xi"),
        ("wang-yi", "Wang"),
        ("li-qiang", "Li"),
        ("dong-jun", "Dong"),
        ("kim-jong-un", "Kim"),
        ("choe-son-hui", "Choe"),
        ("ri-son-gwon", "Ri"),
        ("lee-jae-myung", "Lee"),
        ("moon-jae-in", "Moon"),
        ("yoon-suk-yeol", "Yoon"),
        # Japanese names are registered given name first: the last word is the family name
        ("fumio-kishida", "Kishida"),
        ("shigeru-ishiba", "Ishiba"),
        ("sanae-takaichi", "Takaichi"),
        # particles, patronymics and titles
        ("ursula-von-der-leyen", "von der Leyen"),
        ("jean-yves-le-drian", "Le Drian"),
        ("luigi-di-maio", "Di Maio"),
        ("luiz-inacio-lula-da-silva", "Lula"),
        ("abdel-fattah-al-sisi", "Sisi"),
        ("mohammed-bin-salman", "bin Salman"),
        ("salman-bin-abdulaziz", "King Salman"),
        ("tamim-bin-hamad-al-thani", "Sheikh Tamim"),
        ("mohamed-bin-zayed", "Sheikh Mohamed"),
        ("charles-iii", "King Charles"),
        ("elizabeth-ii", "Queen Elizabeth"),
        # the last word is right: no short name is stored
        ("vladimir-putin", "Putin"),
        ("rajnath-singh", "Singh"),
        ("recep-tayyip-erdogan", "Erdogan"),
        ("wladyslaw-kosiniak-kamysz", "Kosiniak-Kamysz"),
    ],
)
def test_short_names_for_display(registry: Registry, official_id: str, short: str) -> None:
    official = registry.officials[official_id]
    assert official.surname == short
    assert official.short == (None if short == official.name.split()[-1] else short)


def test_a_short_name_is_one_of_the_names_words_or_aliases(registry: Registry) -> None:
    for official in registry.officials.values():
        words = {w for text in (official.name, *official.aliases) for w in text.split()}
        assert set(official.surname.split()) <= words, official.id


def test_extra_file_adds_officials_and_countries() -> None:
    registry = load_registry([EXTRA / "extra_ok.yaml"])
    assert registry.get("claudia-sheinbaum") is not None
    assert [o.id for o in registry.lookup("Sheinbaum", date(2025, 1, 1))] == ["claudia-sheinbaum"]
    assert registry.country("Mexican") == registry.countries["MX"]
    assert registry.get("vladimir-putin") is not None
    ebrard = registry.officials["marcelo-ebrard"]  # maternal surname last: its short form shows
    assert (ebrard.short, ebrard.surname) == ("Ebrard", "Ebrard")
    assert registry.officials["claudia-sheinbaum"].short is None


def test_every_problem_is_reported_with_its_file_and_place() -> None:
    path = EXTRA / "extra_bad.yaml"
    with pytest.raises(ConfigError) as info:
        load_registry([path])
    problems = info.value.problems
    text = "\n".join(problems)
    assert f"{path}: officials[0].id: 'joe-biden' is already used at officials.yaml" in text
    assert f"{path}: officials[1].id: expected lower-case words" in text
    assert f"{path}: officials[1].name: missing" in text
    assert f"{path}: officials[1].country: unknown country 'XX'" in text
    assert f"{path}: officials[1].tenures[0].role: 'emperor' is not one of" in text
    assert f"{path}: officials[1].tenures[0].start: expected a date" in text
    assert f"{path}: officials[2].tenures[0]: ends (2019-01-01) before it starts" in text
    assert f"{path}: officials[4].display: expected a name" in text
    assert any(
        p.startswith(f"{path}: officials[3].tenures[0]: overlaps Joe Biden's us.head_of_state")
        for p in problems
    )
    assert len(problems) >= 8


def test_an_alias_two_people_share_on_one_day_is_reported() -> None:
    path = EXTRA / "extra_alias.yaml"
    with pytest.raises(ConfigError) as info:
        load_registry([path])
    assert any("'Sergei Lavrov' also names Sergei Lavrov" in p for p in info.value.problems)
    assert any("ambiguous" in p for p in info.value.problems)


def test_unreadable_and_malformed_files_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("officials: [\n", encoding="utf-8")
    listed = tmp_path / "listed.yaml"
    listed.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_registry([tmp_path / "missing.yaml", broken, listed])
    text = "\n".join(info.value.problems)
    assert f"{tmp_path / 'missing.yaml'}: cannot be read" in text
    assert f"{broken}: not valid YAML" in text
    assert f"{listed}: expected a mapping" in text


def test_every_name_in_the_history_resolves_to_one_serving_official(registry: Registry) -> None:
    path = shared_path("history", "contacts.csv")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        day = date.fromisoformat(row["date"])
        for side in ("a", "b"):
            name, country = row[side], row[f"{side}_country"]
            found = [o for o in registry.lookup(name, day) if registry.serves(o.id, day)]
            assert len(found) == 1, (row["date"], name)
            assert registry.country_of(found[0].id, day) == country, (row["date"], name)
