"""``contacts A B [since DATE]`` through the console front-end: a pair's history, newest
first, with the gaps between contacts and a link to each one's first source."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.test_service import Desk

STRIPES = (
    "https://www.stripes.com/theaters/us/2022-05-13/austin-russia-defense-minister-ukraine-war"
    "-5990392.html"
)


@pytest.fixture
async def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path)


async def test_a_pairs_history_with_gaps_and_sources(desk: Desk) -> None:
    reply, printed = await desk.ask("contacts austin shoigu")
    assert reply.public
    assert printed == (
        "Contacts: Lloyd Austin – Sergei Shoigu\n"
        "5 contacts on record (5 calls); the last 809 days ago.\n"
        "• #24 Wed March 15, 2023: call, 143 days after the one before — news.antiwar.com "
        "<https://news.antiwar.com/2023/03/15/austin-speaks-with-russian-defense-minister-about"
        "-drone-incident/> (bundled record)\n"
        "• #20 Sun October 23, 2022: call, 2 days after the one before — pledgetimes.com "
        "<https://pledgetimes.com/the-defense-ministers-of-america-and-russia-speak-for-the-"
        "second-time-in-three-days/> (bundled record)\n"
        "• #19 Fri October 21, 2022: call, 161 days after the one before — politico.com "
        "<https://www.politico.com/news/2022/10/21/u-s-russian-defense-chiefs-00062903> "
        "(bundled record)\n"
        f"• #16 Fri May 13, 2022: call, 84 days after the one before — stripes.com <{STRIPES}> "
        "(bundled record)\n"
        "• #15 Fri February 18, 2022: call — ironbladeonline.com <https://ironbladeonline.com/"
        "us-defense-secretary-lloyd-austin-speaks-with-his-russian-counterpart-sergei-shoigu-"
        "for-the-first-time-since-russia-invaded-ukraine/> (bundled record)\n"
    )


@pytest.mark.parametrize(
    ("since", "heading", "first_shown", "oldest_line"),
    [
        ("2022", "since January 1, 2022", 4, "• #13 Fri February 11, 2022: call, 396 days after"),
        ("2022-05", "since May 1, 2022", 3, "• #17 Thu May 19, 2022: call, 97 days after"),
        ("2023-03-15", "since March 15, 2023", 1, "• #25 Wed March 15, 2023: call, 142 days"),
    ],
)
async def test_since_a_year_a_month_or_a_day(
    desk: Desk, since: str, heading: str, first_shown: int, oldest_line: str
) -> None:
    lines = (await desk.say(f"contacts milley gerasimov since {since}")).splitlines()
    assert lines[0] == f"Contacts: Mark Milley – Valery Gerasimov {heading}"
    assert lines[1].startswith(f"{first_shown} contact")
    assert len(lines) == 2 + first_shown
    # the oldest one shown still tells its gap to the contact before the window
    assert lines[-1].startswith(oldest_line)


async def test_a_long_history_is_cut_with_a_hint(tmp_path: Path) -> None:
    start = date(2025, 1, 6)
    weekly = [
        (
            (start + timedelta(weeks=n)).isoformat(),
            "marco-rubio",
            "sergey-lavrov",
            "call",
            f"https://readouts.example/{n}",
        )
        for n in range(20)
    ]
    desk = Desk(tmp_path, history=weekly * 2)  # the same call twice is one event
    assert desk.store.count_events() == 20
    more = [
        (
            (date(2024, 1, 1) + timedelta(days=3 * n)).isoformat(),
            "sergey-lavrov",
            "marco-rubio",
            "meeting",
            f"https://meetings.example/{n}",
        )
        for n in range(15)
    ]
    desk = Desk(tmp_path / "2", history=weekly + more)
    lines = (await desk.say("contacts rubio lavrov")).splitlines()
    assert lines[1] == "35 contacts on record (20 calls, 15 meetings); the last 13 days ago."
    assert len(lines) == 2 + 30 + 1
    assert lines[-2].startswith("• #26 Tue January 16, 2024: meeting, 3 days after the one before")
    assert lines[-1] == (
        "… and 5 earlier, back to January 1, 2024. The chart shows them all: chart rubio lavrov"
    )


async def test_no_contact_on_record(desk: Desk) -> None:
    assert await desk.say("contacts hegseth belousov") == (
        "Contacts: Pete Hegseth – Andrei Belousov\n"
        "No contact between Pete Hegseth and Andrei Belousov is on record.\n"
    )
    assert await desk.say("contacts biden putin since 2023") == (
        "Contacts: Joe Biden – Vladimir Putin since January 1, 2023\n"
        "No contact between Joe Biden and Vladimir Putin is on record since January 1, 2023.\n"
    )


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("contacts", "Give two names."),
        ("contacts biden", "Give two names."),
        ("contacts biden putin since", "Give one DATE after since (YYYY-MM-DD, YYYY-MM or YYYY)."),
        (
            "contacts biden putin since 2021 2022",
            "Give one DATE after since (YYYY-MM-DD, YYYY-MM or YYYY).",
        ),
        (
            "contacts biden putin since yesterday",
            "'yesterday' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY (since 2022-05).",
        ),
        ("contacts biden putin since 2022-02-30", "'2022-02-30' is not a real day."),
        ("contacts biden putn", "I don't know 'putn'. Did you mean Vladimir Putin?"),
        (
            "contacts biden sullivan",
            "Joe Biden and Jake Sullivan serve the same government (United States); Hotline "
            "records contacts between officials of different governments.",
        ),
    ],
    ids=lambda v: v if v.startswith("contacts") else None,
)
async def test_asking_wrong(desk: Desk, line: str, error: str) -> None:
    reply, printed = await desk.ask(line)
    assert not reply.public
    assert printed == f"{error}\nUsage: contacts A B [since DATE]\n"


async def test_a_contact_dated_ahead_of_today_is_flagged_and_not_the_last(tmp_path: Path) -> None:
    from tests.fake_registry import HISTORY

    ahead = ("2025-06-04", "donald-trump", "vladimir-putin", "call", "https://wire.example/x")
    desk = Desk(tmp_path, history=[*HISTORY, ahead])  # today is June 1, 2025
    lines = (await desk.say("contacts trump putin since 2025-05")).splitlines()
    assert lines[1:3] == [
        "2 contacts on record since May 1, 2025 (2 calls); the last 13 days ago.",
        "• #35 Wed June 4, 2025: call, 16 days after the one before (dated ahead of today: "
        "check it) — wire.example <https://wire.example/x> (bundled record)",
    ]
    assert (await desk.say("lastcontact trump putin")).splitlines()[1] == "Date: Mon May 19, 2025"
    assert "Trump–Putin call on Mon May 19" in (await desk.say("lastcontact us russia"))
    assert "Wed June 4" not in await desk.say("lastcontact putin")
