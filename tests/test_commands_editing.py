"""Editors correct the record: ``contact add`` and ``contact remove`` through the console
front-end and as chat users, validated, audited, and felt by every answer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.test_service import NOW, Desk

REUTERS = "https://www.reuters.com/world/hegseth-belousov-call"
USAGE = "Usage: contact add A B DATE KIND URL | contact remove ID"


@pytest.fixture
async def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path)


async def test_an_editor_adds_a_contact_and_every_answer_knows_it(desk: Desk) -> None:
    reply, printed = await desk.ask(f"contact add hegseth belousov 2025-05-30 call {REUTERS}")
    assert reply.public
    assert printed == (
        f"Recorded event #35: Hegseth–Belousov call on Fri May 30, 2025.\n{REUTERS} · by console\n"
    )
    assert await desk.say("lastcontact hegseth belousov") == (
        "Last contact: Pete Hegseth – Andrei Belousov\n"
        "Date: Fri May 30, 2025\n"
        "Kind: call\n"
        "Days since: 2 days\n"
        "Before that: none on record (this is the first)\n"
        f"Added by console <{REUTERS}> (added by an editor)\n"
        "Event #35, 1 source\n"
    )
    event = desk.store.event(35)
    assert event is not None
    (source,) = event.sources
    assert (source.origin, source.url, source.evidence) == ("editor", REUTERS, REUTERS)
    (entry,) = desk.store.audit_trail()
    assert entry == {
        "at": NOW,
        "platform": "console",
        "user": "console",
        "action": "contact add",
        "detail": {
            "event": 35,
            "a": "andrei-belousov",
            "b": "pete-hegseth",
            "day": "2025-05-30",
            "kind": "call",
            "url": REUTERS,
            "new_event": True,
        },
    }


async def test_a_second_report_of_the_same_contact_joins_its_event_once(desk: Desk) -> None:
    await desk.say(f"contact add hegseth belousov 2025-05-30 call {REUTERS}")
    assert await desk.say(
        "contact add 'pete hegseth' 'andrei belousov' 2025-05-30 call https://tass.com/defense/1"
    ) == (
        "Added the source to event #35: Hegseth–Belousov call on Fri May 30, 2025 (now 2 "
        "sources).\nhttps://tass.com/defense/1 · by console\n"
    )
    reply, printed = await desk.ask(f"contact add hegseth belousov 2025-05-30 call {REUTERS}")
    assert not reply.public
    assert printed == f"Already on record: event #35 has that source. Nothing changed.\n{USAGE}\n"
    event = desk.store.event(35)
    assert event is not None and len(event.sources) == 2


async def test_a_contact_outside_the_registrys_tenures_is_recorded_with_a_note(
    desk: Desk,
) -> None:
    assert await desk.say("contact add hegseth belousov 2019-01-01 meeting https://x.org/a") == (
        "Recorded event #35: Hegseth–Belousov meeting on Tue January 1, 2019.\n"
        "Note: the registry lists no role for Pete Hegseth on January 1, 2019.\n"
        "Note: the registry lists no role for Andrei Belousov on January 1, 2019.\n"
        "https://x.org/a · by console\n"
    )


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("contact", "Say contact add … or contact remove …."),
        ("contact fix 3", "Say contact add … or contact remove …."),
        ("contact add", "Give two names, a DATE, a KIND and a URL."),
        (
            "contact add hegseth belousov call https://x.org",
            "Give two names, a DATE, a KIND and a URL.",
        ),
        (
            "contact add hegseth belousov 30/05/2025 call https://x.org",
            "'30/05/2025' is not a date; write it as YYYY-MM-DD (2022-10-23).",
        ),
        (
            "contact add hegseth belousov 2025-02-30 call https://x.org",
            "'2025-02-30' is not a real day.",
        ),
        (
            "contact add hegseth belousov 2025-06-02 call https://x.org",
            "2025-06-02 is in the future; a contact is recorded once it happened.",
        ),
        (
            "contact add hegseth belousov 2025-05-30 phone https://x.org",
            "KIND is call or meeting, not 'phone'.",
        ),
        (
            "contact add hegseth belousov 2025-05-30 call ftp://x.org",
            "'ftp://x.org' is not a web address; give the report's http(s) URL.",
        ),
        (
            "contact add hegseth belousov 2025-05-30 call www.x.org",
            "'www.x.org' is not a web address; give the report's http(s) URL.",
        ),
        (
            "contact add hegseth rubio 2025-05-30 call https://x.org",
            "Pete Hegseth and Marco Rubio serve the same government (United States); a contact "
            "is between officials of different governments.",
        ),
        (
            "contact add hegset belousov 2025-05-30 call https://x.org",
            "I don't know 'hegset'. Did you mean Pete Hegseth?",
        ),
        ("contact remove", "Give the event's id (the #42 in lastcontact and contacts)."),
        ("contact remove abc", "'abc' is not an event id; ids are numbers like 42."),
        ("contact remove #999", "There is no event #999."),
    ],
    ids=lambda v: v if v.startswith("contact") else None,
)
async def test_bad_corrections_change_nothing_and_say_why(
    desk: Desk, line: str, error: str
) -> None:
    before = desk.store.count_events()
    reply, printed = await desk.ask(line)
    assert not reply.public
    assert printed == f"{error}\n{USAGE}\n"
    assert desk.store.count_events() == before
    assert desk.store.audit_trail() == []


async def test_removing_an_event_takes_it_out_of_every_answer_and_is_audited(
    desk: Desk,
) -> None:
    reply, printed = await desk.ask("contact remove #27")
    assert reply.public
    assert printed == (
        "Removed event #27: Austin–Belousov call on Fri July 12, 2024 (1 source). It no longer "
        "counts in answers, silences or alerts; later reports of it stay out too. The audit "
        "trail keeps who removed it and when.\n"
    )
    assert (await desk.say("lastcontact austin belousov")).splitlines()[1:3] == [
        "Date: Tue June 25, 2024",
        "Kind: call",
    ]
    assert (
        (await desk.say("lastcontact us russia"))
        .splitlines()[3]
        .startswith("Defence chiefs: Austin–Belousov call on Tue June 25, 2024, 341 days ago")
    )
    assert "324 days" not in await desk.say("silences")
    reply, printed = await desk.ask("contact remove 27")
    assert not reply.public
    assert printed == (
        f"Event #27 was already removed, on 2025-06-01 09:00 UTC by console:console.\n{USAGE}\n"
    )
    (entry,) = desk.store.audit_trail()
    assert (entry["at"], entry["user"], entry["action"]) == (NOW, "console", "contact remove")
    assert entry["detail"] == {
        "event": 27,
        "a": "andrei-belousov",
        "b": "lloyd-austin",
        "day": "2024-07-12",
        "kind": "call",
        "sources": 1,
    }


async def test_only_editors_correct_the_record(desk: Desk) -> None:
    refused = await desk.ask_as(
        "U0SOMEONE", f"contact add hegseth belousov 2025-05-30 call {REUTERS}"
    )
    assert not refused.public
    assert refused.text.startswith("Only editors may use contact.")
    refused = await desk.ask_as("U0SOMEONE", "contact remove 27")
    assert refused.text.startswith("Only editors may use contact.")
    assert desk.store.pair_events("lloyd-austin", "andrei-belousov")[0].date == date(2024, 7, 12)

    done = await desk.ask_as("U0EDITOR1", f"contact add hegseth belousov 2025-05-30 call {REUTERS}")
    assert done.public
    assert done.text == (
        f"Recorded event #35: Hegseth–Belousov call on Fri May 30, 2025.\n{REUTERS} · by U0EDITOR1"
    )
    event = desk.store.event(35)
    assert event is not None and event.sources[0].title == "Added by U0EDITOR1"
    removed = await desk.ask_as("U0EDITOR1", "contact remove 35")
    assert removed.public
    assert desk.store.removal(35) == (NOW, "slack:U0EDITOR1")
    assert [(e["user"], e["action"]) for e in desk.store.audit_trail()] == [
        ("U0EDITOR1", "contact remove"),
        ("U0EDITOR1", "contact add"),
    ]
