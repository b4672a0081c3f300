"""``lastcontact`` through the console front-end, on the real US–Russia record, on Sunday
June 1, 2025: a pair, a pair that changed roles, one official, two countries, and every
way of asking wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.models import Block, Link, SilenceClaim, Strong
from bot.store import NewSource
from tests.test_service import Desk

KSBY = "https://www.ksby.com/news/putin-biden-conclude-hourlong-call-on-ukraine-crisis"
CENSOR_MAY = "https://censor.net/en/news/3553100/trump-and-putin-hold-phone-call-on-may-19"
CENSOR_JULY = "https://censor.net/en/news/3499434/austin_spoke_on_the_phone_with_belousov"
PRAVDA = "https://news-pravda.com/world/2024/12/05/900682.html"


@pytest.fixture
async def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path)


async def test_a_pair_that_talks_now(desk: Desk) -> None:
    reply, printed = await desk.ask("lastcontact trump putin")
    assert reply.public
    assert printed == (
        "Last contact: Donald Trump – Vladimir Putin\n"
        "Date: Mon May 19, 2025\n"
        "Kind: call\n"
        "Days since: 13 days\n"
        "Before that: call on Tue March 18, 2025, 62 days earlier\n"
        f"censor.net <{CENSOR_MAY}> (bundled record)\n"
        "Event #34, 1 source\n"
    )
    assert reply.blocks == (
        Block("heading", (("Last contact: Donald Trump – Vladimir Putin",),)),
        Block(
            "fields",
            (
                (Strong("Date"), "Mon May 19, 2025"),
                (Strong("Kind"), "call"),
                (Strong("Days since"), "13 days"),
                (Strong("Before that"), "call on Tue March 18, 2025, 62 days earlier"),
            ),
        ),
        Block(
            "context",
            ((Link("censor.net", CENSOR_MAY), " (bundled record)"), ("Event #34, 1 source",)),
        ),
    )


async def test_a_pair_whose_roles_changed_hands_gets_the_role_level_answer(desk: Desk) -> None:
    assert await desk.say("lastcontact milley gerasimov") == (
        "Last contact: Mark Milley – Valery Gerasimov\n"
        "Date: Wed March 15, 2023\n"
        "Kind: call\n"
        "Days since: 809 days\n"
        "Before that: call on Mon October 24, 2022, 142 days earlier\n"
        "tass.com <https://tass.com/politics/1589365> (bundled record)\n"
        "Event #25, 1 source\n"
        "Mark Milley is no longer US top military officer; Dan Caine is.\n"
        "Last contact between the US and RU top military officers: Brown–Gerasimov call on "
        f"Wed November 27, 2024, 186 days ago — news-pravda.com <{PRAVDA}> (bundled record)\n"
        "Between today's holders (Caine–Gerasimov): none on record.\n"
    )


async def test_both_sides_left_and_the_current_holders_talked(desk: Desk) -> None:
    printed = await desk.say("lastcontact 'lloyd austin' Шойгу")
    assert printed.splitlines()[7:] == [
        "Lloyd Austin is no longer US defence chief; Pete Hegseth is.",
        "Sergei Shoigu is no longer RU defence chief; Andrei Belousov is.",
        "Last contact between the US and RU defence chiefs: Austin–Belousov call on Fri July "
        f"12, 2024, 324 days ago — censor.net <{CENSOR_JULY}> (bundled record)",
        "Between today's holders (Hegseth–Belousov): none on record.",
    ]


async def test_the_holder_now_is_named_when_the_last_contact_was_between_roles(
    desk: Desk,
) -> None:
    printed = await desk.say("lastcontact biden putin")
    assert printed.splitlines()[7:] == [
        "Joe Biden is no longer US head of state; Donald Trump is.",
        "Last contact between the US and RU heads of state: Trump–Putin call on Mon May 19, "
        f"13 days ago — censor.net <{CENSOR_MAY}> (bundled record)",
    ]


async def test_the_last_contact_of_a_pair_that_left_can_still_be_the_roles_last(
    desk: Desk,
) -> None:
    printed = await desk.say("lastcontact charles q brown gerasimov")
    assert printed.splitlines()[5:] == [
        f"news-pravda.com <{PRAVDA}> (bundled record)",
        "Event #28, 1 source",
        "Charles Q. Brown is no longer US top military officer; Dan Caine is.",
        "It is still the last contact between the US and RU top military officers.",
        "Between today's holders (Caine–Gerasimov): none on record.",
    ]


async def test_the_first_contact_on_record_says_so(desk: Desk) -> None:
    printed = await desk.say("lastcontact ratcliffe naryshkin")
    assert "Before that: none on record (this is the first)\n" in printed


async def test_no_contact_on_record_with_the_latest_silence_claim_and_the_roles(
    desk: Desk,
) -> None:
    desk.store.record_silence_claim(
        SilenceClaim(
            "andrei-belousov",
            "pete-hegseth",
            None,
            None,
            "Hegseth has not spoken with his Russian counterpart since taking office.",
        ),
        NewSource("feed", "Pentagon keeps line to Moscow cold", "", "https://wire.example/a1"),
    )
    reply, printed = await desk.ask("lastcontact pentagon chief belousov")
    assert reply.public
    assert printed == (
        "Last contact: Pete Hegseth – Andrei Belousov\n"
        "No contact between Pete Hegseth and Andrei Belousov is on record.\n"
        "The latest report about them says: “Hegseth has not spoken with his Russian "
        "counterpart since taking office.” — Pentagon keeps line to Moscow cold "
        "<https://wire.example/a1>\n"
        "Last contact between the US and RU defence chiefs: Austin–Belousov call on Fri "
        f"July 12, 2024, 324 days ago — censor.net <{CENSOR_JULY}> (bundled record)\n"
        "Between today's holders (Hegseth–Belousov): none on record.\n"
    )


async def test_a_report_of_a_later_contact_than_the_record_is_shown(desk: Desk) -> None:
    desk.store.record_silence_claim(
        SilenceClaim(
            "mark-milley",
            "valery-gerasimov",
            date(2023, 5, 2),
            "call",
            "The generals have not spoken since a May 2 call.",
        ),
        NewSource("feed", "Generals' line", "", "https://wire.example/g", feed="wire"),
    )
    printed = await desk.say("lastcontact milley gerasimov")
    assert printed.splitlines()[7] == (
        "A later report says: “The generals have not spoken since a May 2 call.” (last contact "
        "it names: May 2, 2023) — Generals' line <https://wire.example/g> (wire)"
    )


async def test_one_official_gets_their_latest_contacts(desk: Desk) -> None:
    reply, printed = await desk.ask("lastcontact shoigu")
    assert reply.public
    assert printed == (
        "Latest contacts: Sergei Shoigu\n"
        "• Wed March 15, 2023: call with Lloyd Austin (US), 809 days ago — news.antiwar.com "
        "<https://news.antiwar.com/2023/03/15/austin-speaks-with-russian-defense-minister-about"
        "-drone-incident/> (bundled record) · #24\n"
        "• Sun October 23, 2022: call with Lloyd Austin (US), 952 days ago — pledgetimes.com "
        "<https://pledgetimes.com/the-defense-ministers-of-america-and-russia-speak-for-the-"
        "second-time-in-three-days/> (bundled record) · #20\n"
        "• Fri October 21, 2022: call with Lloyd Austin (US), 954 days ago — politico.com "
        "<https://www.politico.com/news/2022/10/21/u-s-russian-defense-chiefs-00062903> "
        "(bundled record) · #19\n"
        "• Fri May 13, 2022: call with Lloyd Austin (US), 1115 days ago — stripes.com "
        "<https://www.stripes.com/theaters/us/2022-05-13/austin-russia-defense-minister-ukraine"
        "-war-5990392.html> (bundled record) · #16\n"
        "• Fri February 18, 2022: call with Lloyd Austin (US), 1199 days ago — "
        "ironbladeonline.com <https://ironbladeonline.com/us-defense-secretary-lloyd-austin-"
        "speaks-with-his-russian-counterpart-sergei-shoigu-for-the-first-time-since-russia-"
        "invaded-ukraine/> (bundled record) · #15\n"
        "Sergei Shoigu (RU defence chief 2012–2024; RU security adviser 2024–now)\n"
    )


async def test_one_official_with_no_contact(desk: Desk) -> None:
    assert await desk.say("lastcontact caine") == (
        "Latest contacts: Dan Caine\n"
        "No contact of Dan Caine is on record.\n"
        "Dan Caine (US top military officer 2025–now)\n"
    )


async def test_two_countries_get_a_board_by_role(desk: Desk) -> None:
    reply, printed = await desk.ask("lastcontact us russia")
    assert reply.public
    assert printed == (
        "Last contacts by role: United States – Russia\n"
        "Heads of state: Trump–Putin call on Mon May 19, 13 days ago — censor.net "
        f"<{CENSOR_MAY}> (bundled record) (now Trump and Putin)\n"
        "Foreign ministers: Rubio–Lavrov meeting on Tue February 18, 103 days ago — "
        "euromaidanpress.com <https://euromaidanpress.com/2025/02/18/us-russia-hold-five-hour"
        "-talks-in-saudi-arabia-without-ukraines-participation/> (bundled record) (now Rubio "
        "and Lavrov)\n"
        "Defence chiefs: Austin–Belousov call on Fri July 12, 2024, 324 days ago — censor.net "
        f"<{CENSOR_JULY}> (bundled record) (now Hegseth and Belousov)\n"
        "Top military officers: Brown–Gerasimov call on Wed November 27, 2024, 186 days ago "
        f"— news-pravda.com <{PRAVDA}> (bundled record) (now Caine and Gerasimov)\n"
        "Security advisers: Sullivan–Patrushev call on Mon April 19, 2021, 1504 days ago — "
        "devdiscourse.com <https://www.devdiscourse.com/article/law-order/1540868-us-russia-"
        "security-advisers-discuss-presidential-summit-prospects---white-house> (bundled "
        "record) (now Rubio and Shoigu)\n"
        "Intelligence chiefs: Ratcliffe–Naryshkin call on Tue March 11, 82 days ago — "
        "pravda.com.ua <https://www.pravda.com.ua/eng/news/2025/03/12/7502480/> (bundled "
        "record) (now Ratcliffe and Naryshkin)\n"
        "Each row counts contacts between whoever held the two roles at the time.\n"
    )


async def test_the_board_names_the_first_country_first(desk: Desk) -> None:
    printed = await desk.say("lastcontact russian american")
    assert printed.splitlines()[:2] == [
        "Last contacts by role: Russia – United States",
        f"Heads of state: Putin–Trump call on Mon May 19, 13 days ago — censor.net <{CENSOR_MAY}>"
        " (bundled record) (now Putin and Trump)",
    ]


async def test_a_board_for_countries_with_no_role_in_common(desk: Desk) -> None:
    assert await desk.say("lastcontact uk ukraine") == (
        "Last contacts by role: United Kingdom – Ukraine\n"
        "The registry lists no roles that both United Kingdom and Ukraine have.\n"
    )


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("lastcontact", "Give one or two names, or two countries."),
        (
            "lastcontact gerasimof milley",
            "I don't know 'gerasimof'. Did you mean Valery Gerasimov?",
        ),
        (
            "lastcontact brown gerasimov",
            "'brown' could be Charles Q. Brown (US top military officer 2023–2025) or Gordon "
            "Brown (GB head of government 2007–2010). Type the full name.",
        ),
        (
            "lastcontact austin milley",
            "Lloyd Austin and Mark Milley serve the same government (United States); Hotline "
            "records contacts between officials of different governments.",
        ),
        ("lastcontact milley milley", "Both names are Mark Milley; give two different officials."),
        (
            "lastcontact us austin",
            "Give two officials (lastcontact milley gerasimov) or two countries (lastcontact us "
            "russia), not one of each.",
        ),
        (
            "lastcontact russia",
            "'Russia' is a country: give two for a board (lastcontact us russia), or an "
            "official's name.",
        ),
        ("lastcontact us usa", "Give two different countries (lastcontact us russia)."),
    ],
    ids=lambda v: v if v.startswith("lastcontact") else None,
)
async def test_asking_wrong_gets_a_private_specific_answer(
    desk: Desk, line: str, error: str
) -> None:
    reply, printed = await desk.ask(line)
    assert not reply.public
    assert printed == f"{error}\nUsage: lastcontact A [B]\n"
