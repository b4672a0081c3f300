"""``help`` and the help of every command, privately, through the console front-end."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import COMMANDS
from tests.test_service import Desk


@pytest.fixture
async def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path)


async def test_help_lists_every_command_privately(desk: Desk) -> None:
    reply, printed = await desk.ask("help")
    assert not reply.public
    assert printed == (
        "Hotline commands\n"
        "• lastcontact A [B] — the last contact between two officials, A's latest contacts, or "
        "a board for two countries\n"
        "• contacts A B [since DATE] — the history of a pair's contacts, newest first\n"
        "• silences — the watched pairs and roles, longest silence first\n"
        "• feeds — every feed's health: last success, new items, errors, mutes\n"
        "• mute FEED|all DURATION [reason] — hold a feed's alerts for a while (editors only)\n"
        "• unmute FEED|all — end a mute now (editors only)\n"
        "• feed add NAME URL [INTERVAL] | feed remove NAME — add a feed from chat, or remove "
        "one added so (editors only)\n"
        "• mutes — the mutes in force\n"
        "• contact add A B DATE KIND URL | contact remove ID — correct the record (editors "
        "only)\n"
        "• chart A B — a timeline picture of a pair's contacts\n"
        "• help [COMMAND] — this list, or one command's help\n"
        "Type help COMMAND for more on one command.\n"
    )
    assert await desk.console.answer("   ") is None  # blank lines are not commands


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda s: s.name)
async def test_every_command_has_help_with_examples_that_work(desk: Desk, spec) -> None:  # type: ignore[no-untyped-def]
    reply, printed = await desk.ask(f"help {spec.name}")
    assert not reply.public
    lines = printed.splitlines()
    assert lines[0] == spec.usage
    assert lines[1] == spec.summary[0].upper() + spec.summary[1:] + "."
    assert spec.examples, f"{spec.name} has no example"
    for command, what in spec.examples:
        assert f"• {command} — {what}" in lines
        example, _ = await desk.ask(command)  # every example is a command that is answered
        assert (
            example.text.splitlines()[0]
            != "Something went wrong answering that; it has been logged. Try again, or type help."
        )
        assert not example.text.startswith("I don't know"), command


async def test_help_for_a_command_that_does_not_exist(desk: Desk) -> None:
    reply, printed = await desk.ask("help lastcontacts")
    assert not reply.public
    assert (
        printed
        == "There is no command 'lastcontacts'. Did you mean lastcontact? Type help for the list.\n"
    )
    assert await desk.say("/help /silences") == (await desk.say("help silences"))
