"""The Matrix front-end against a real Synapse (see conftest.py and tests/matrix_server.py).

Each test registers its own bot and people, so tests do not share rooms or sync positions. The
people are driven over plain HTTP; waits are on ``/sync`` responses with deadlines. Where a
test checks that something did NOT happen, it first waits for the answer to a later command
(a sentinel): the bot handles events in order, so by then it has had its chance.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import Hotline, build, serve
from bot.clock import FixedClock
from bot.config import Secret, Settings, parse_settings
from bot.errors import FrontendError
from bot.milestones import contact_alert, source_alert
from bot.models import (
    Alert,
    Delivery,
    Destination,
    Image,
    IncomingMessage,
    Reply,
)
from bot.notify import Dispatcher
from bot.parsing import InlineParser
from bot.render import text
from bot.store import NewSource
from handlers.matrix import ENCRYPTION_NOTICE, MatrixFrontend, Pacer, blocks_html
from tests.fakes import KeywordExtractor
from tests.matrix_server import Account, Event, Homeserver, Person, free_port
from tests.test_poller import REGISTRY as POLLER_REGISTRY

pytestmark = pytest.mark.slow

NOW = datetime(2022, 10, 24, 9, 0, tzinfo=UTC)


REGISTRY = POLLER_REGISTRY  # the real officials registry


def config_text(*, rooms: list[str] = (), invite_from: list[str] = (), **extra: Any) -> str:
    lines = [
        "feeds:",
        "  - {name: wire, url: 'https://wire.example/feed.xml'}",
        "matrix:",
        f"  rooms: {list(rooms)!r}",
        f"  invite_from: {list(invite_from)!r}",
    ]
    if "mentions" in extra:
        lines.append(f"  mentions: {extra['mentions']!r}")
    if "editors" in extra:
        lines.append(f"editors: {{matrix: {extra['editors']!r}}}")
    if "alerts" in extra:
        lines.append(f"alerts: {{matrix: {extra['alerts']!r}}}")
    return "\n".join(lines) + "\n"


def environment(server: Homeserver, bot: Account, *, password: bool = False) -> dict[str, str]:
    env = {"MATRIX_HOMESERVER": server.base_url, "MATRIX_USER_ID": bot.user_id}
    if password:
        env["MATRIX_PASSWORD"] = bot.password
    else:
        env["MATRIX_ACCESS_TOKEN"] = bot.access_token
    return env


def core(tmp_path: Path, settings: Settings) -> Hotline:
    return build(
        settings,
        REGISTRY,
        platforms=("matrix",),
        clock=FixedClock(NOW),
        parser=InlineParser(KeywordExtractor()),
    )


def record_call(hotline: Hotline, evidence: str, *, day: date = date(2022, 10, 23)) -> Any:
    recorded = hotline.store.record_contact(
        "lloyd-austin",
        "sergei-shoigu",
        kind="call",
        day=day,
        approximate=False,
        source=NewSource(
            "feed",
            "Shoigu holds call with Austin",
            evidence,
            url="https://news.example/m2",
            feed="wire",
        ),
        now=NOW,
    )
    assert recorded is not None
    return recorded


@dataclass
class Desk:
    """One test's world: a homeserver, a bot account, people, the core, the bot."""

    server: Homeserver
    tmp_path: Path
    bot: Account
    people: list[Person] = field(default_factory=list)
    frontends: list[MatrixFrontend] = field(default_factory=list)

    def person(self, stem: str = "ann") -> Person:
        person = Person(self.server, self.server.register(stem))
        self.people.append(person)
        return person

    def settings(self, *, password: bool = False, **config: Any) -> Settings:
        return parse_settings(
            config_text(**config),
            environment(self.server, self.bot, password=password),
            db=str(self.tmp_path / "hotline.db"),
        )

    async def start(
        self,
        hotline: Hotline,
        *,
        service: Any = None,
        state: Any = None,
        pace: float | Pacer = 0.0,
    ) -> MatrixFrontend:
        settings = hotline.settings
        frontend = MatrixFrontend(
            settings.matrix,
            service or hotline.service,
            state or hotline.store,
            join=[d.target for d in settings.alerts.get("matrix", ())],
            pace=pace,
            poll=5.0,
        )
        self.frontends.append(frontend)
        await frontend.start(None)
        assert frontend.ready.is_set()
        return frontend

    async def bot_in_new_room(
        self, *, service: Any = None, password: bool = False, pace: float | Pacer = 0.0
    ) -> tuple[Person, str, Hotline, MatrixFrontend]:
        """Ann's new room, with the bot invited by her (she may invite it) and joined."""
        ann = self.person("ann")
        room_id = await ann.create_room(invite=(self.bot.user_id,))
        hotline = core(self.tmp_path, self.settings(invite_from=[ann.user_id], password=password))
        frontend = await self.start(hotline, service=service, pace=pace)
        await ann.wait_membership(room_id, self.bot.user_id, "join")
        return ann, room_id, hotline, frontend


@pytest.fixture
async def desk(homeserver: Homeserver, tmp_path: Path) -> AsyncIterator[Desk]:
    world = Desk(homeserver, tmp_path, homeserver.register("hotline"))
    try:
        yield world
    finally:
        for frontend in world.frontends:
            with contextlib.suppress(BaseException):
                await frontend.stop()
        for person in world.people:
            await person.aclose()


def reply_to(event_id: str, sender: str) -> Callable[[Event], bool]:
    def matches(event: Event) -> bool:
        relates = event.get("content", {}).get("m.relates_to", {})
        return (
            event.get("sender") == sender
            and relates.get("m.in_reply_to", {}).get("event_id") == event_id
        )

    return matches


def replies(events: list[Event], event_id: str, sender: str) -> list[Event]:
    return [e for e in events if reply_to(event_id, sender)(e)]


async def ask(person: Person, room_id: str, bot: str, command: str) -> Event:
    """Send a command and wait for the bot's answer to it."""
    event_id = await person.say(room_id, command)
    return await person.wait_for(room_id, reply_to(event_id, bot))


# --- the bar -------------------------------------------------------------------------------


async def test_bot_joins_a_configured_room_and_answers_lastcontact(desk: Desk) -> None:
    ann = desk.person("ann")
    alias = desk.server.unique("desk")
    room_id = await ann.create_room(alias=alias, public=True)
    settings = desk.settings(rooms=[f"#{alias}:{desk.server.server_name}"])
    hotline = core(desk.tmp_path, settings)
    record_call(hotline, "Austin spoke by phone with Shoigu on Sunday.")
    await desk.start(hotline)
    await ann.wait_membership(room_id, desk.bot.user_id, "join")

    answer = await ask(ann, room_id, desk.bot.user_id, "!lastcontact austin shoigu")

    expected = await hotline.service.handle(
        IncomingMessage("matrix", ann.user_id, room_id, "lastcontact austin shoigu")
    )
    content = answer["content"]
    assert content["msgtype"] == "m.notice"
    assert content["format"] == "org.matrix.custom.html"
    assert content["body"] == expected.text
    assert content["formatted_body"] == blocks_html(expected.blocks)
    assert content["body"].startswith("Last contact: Lloyd Austin – Sergei Shoigu\nDate: Sun")
    assert "<h4>Last contact: Lloyd Austin – Sergei Shoigu</h4>" in content["formatted_body"]
    assert '<a href="https://news.example/m2">' in content["formatted_body"]

    help_answer = await ask(ann, room_id, desk.bot.user_id, "!help")
    assert help_answer["content"]["body"].startswith("Hotline commands\n• lastcontact A [B]")
    assert "<ul><li>lastcontact A [B]" in help_answer["content"]["formatted_body"]


async def test_invites_are_accepted_only_from_allowed_users(desk: Desk) -> None:
    ann, mallory = desk.person("ann"), desk.person("mallory")
    hotline = core(desk.tmp_path, desk.settings(invite_from=[ann.user_id]))
    await desk.start(hotline)

    refused = await mallory.create_room(invite=(desk.bot.user_id,))
    accepted = await ann.create_room()
    before = await ann.say(accepted, "!help")  # said before the bot was there
    await ann.invite(accepted, desk.bot.user_id)
    await ann.wait_membership(accepted, desk.bot.user_id, "join")
    await mallory.wait_membership(refused, desk.bot.user_id, "leave")

    answer = await ask(ann, accepted, desk.bot.user_id, "!mutes")
    assert answer["content"]["msgtype"] == "m.notice"
    assert replies(await ann.timeline(accepted), before, desk.bot.user_id) == []


async def test_an_invite_to_a_configured_room_is_accepted_from_anyone(desk: Desk) -> None:
    bob = desk.person("bob")
    room_id = await bob.create_room()
    hotline = core(desk.tmp_path, desk.settings(rooms=[room_id]))
    await desk.start(hotline)  # cannot join yet: not invited
    await bob.invite(room_id, desk.bot.user_id)
    await bob.wait_membership(room_id, desk.bot.user_id, "join")


async def test_invites_from_an_allowed_server(desk: Desk) -> None:
    ann = desk.person("ann")
    hotline = core(desk.tmp_path, desk.settings(invite_from=[f":{desk.server.server_name}"]))
    await desk.start(hotline)
    room_id = await ann.create_room(invite=(desk.bot.user_id,))
    await ann.wait_membership(room_id, desk.bot.user_id, "join")


async def test_an_alert_is_posted_and_a_later_source_lands_in_its_thread(desk: Desk) -> None:
    ann = desk.person("ann")
    room_id = await ann.create_room(invite=(desk.bot.user_id,))
    hotline = core(desk.tmp_path, desk.settings(invite_from=[ann.user_id], alerts=[room_id]))
    frontend = await desk.start(hotline)
    await ann.wait_membership(room_id, desk.bot.user_id, "join")
    dispatcher = Dispatcher(hotline.store, {"matrix": frontend}, hotline.clock)

    evidence = 'Shoigu <b>"called"</b> Austin & <script>alert(1)</script>'
    first = record_call(hotline, evidence)
    assert hotline.notifier.notify(contact_alert(REGISTRY, first.event, [], feed="wire")) == 1
    assert await dispatcher.deliver_due() == 1

    later = hotline.store.record_contact(
        "lloyd-austin",
        "sergei-shoigu",
        kind="call",
        day=date(2022, 10, 23),
        approximate=False,
        source=NewSource("feed", "Pentagon readout", "Austin spoke with Shoigu.", feed="wire"),
        now=NOW + timedelta(minutes=5),
    )
    assert later is not None and not later.new
    assert hotline.notifier.notify(source_alert(REGISTRY, later.event, later.source)) == 1
    assert await dispatcher.deliver_due() == 1

    def alert(event: Event) -> bool:
        return event.get("sender") == desk.bot.user_id and "Call: Lloyd" in str(
            event.get("content", {}).get("body")
        )

    posted = await ann.wait_for(room_id, alert)
    content = posted["content"]
    assert content["msgtype"] == "m.notice"
    assert content["m.mentions"] == {}
    assert (
        "&lt;b&gt;&quot;called&quot;&lt;/b&gt; Austin &amp; &lt;script&gt;"
        in (content["formatted_body"])
    )
    assert "<script>" not in content["formatted_body"]
    assert "<b>" not in content["formatted_body"]
    assert evidence in content["body"]
    assert content["body"].endswith("\nEditors: !mute wire 1h")
    assert (
        hotline.store.sent_message("contact:1", Destination("matrix", room_id))
        == (posted["event_id"])
    )

    thread = await ann.relations(room_id, posted["event_id"], "m.thread")
    assert [e["content"]["body"].splitlines()[0] for e in thread] == [
        "Another report of the Austin–Shoigu call on October 23, 2022:"
    ]
    assert thread[0]["content"]["m.relates_to"]["rel_type"] == "m.thread"
    assert thread[0]["content"]["m.relates_to"]["event_id"] == posted["event_id"]
    assert hotline.store.outbox_counts() == {"sent": 2}


async def test_a_long_silence_broken_is_text_that_mentions_the_room(desk: Desk) -> None:
    ann = desk.person("ann")
    loud = await ann.create_room(invite=(desk.bot.user_id,))
    quiet = await ann.create_room(invite=(desk.bot.user_id,))
    settings = desk.settings(
        invite_from=[ann.user_id], alerts=[loud, quiet], mentions={quiet: False}
    )
    hotline = core(desk.tmp_path, settings)
    frontend = await desk.start(hotline)
    for room_id in (loud, quiet):
        await ann.wait_membership(room_id, desk.bot.user_id, "join")
    record_call(hotline, "They spoke in May.", day=date(2022, 5, 13))
    october = record_call(hotline, "Shoigu holds call with Austin.")
    history = hotline.store.pair_events("lloyd-austin", "sergei-shoigu", exclude=october.event.id)
    alert = contact_alert(REGISTRY, october.event, history, feed="wire")
    assert alert.urgent
    hotline.notifier.notify(alert)
    dispatcher = Dispatcher(hotline.store, {"matrix": frontend}, hotline.clock)
    assert await dispatcher.deliver_due() == 2

    def urgent(event: Event) -> bool:
        return event.get("sender") == desk.bot.user_id and "163 days" in str(
            event.get("content", {}).get("body")
        )

    loud_event = (await ann.wait_for(loud, urgent))["content"]
    quiet_event = (await ann.wait_for(quiet, urgent))["content"]
    assert (loud_event["msgtype"], loud_event["m.mentions"]) == ("m.text", {"room": True})
    assert loud_event["body"].startswith("@room Call: Lloyd Austin – Sergei Shoigu")
    assert (quiet_event["msgtype"], quiet_event["m.mentions"]) == ("m.text", {})


async def test_a_restart_does_not_answer_old_commands_again(desk: Desk) -> None:
    ann = desk.person("ann")
    room_id = await ann.create_room(invite=(desk.bot.user_id,))
    settings = desk.settings(invite_from=[ann.user_id], password=True)
    hotline = core(desk.tmp_path, settings)
    first = await desk.start(hotline)
    await ann.wait_membership(room_id, desk.bot.user_id, "join")
    before = await ann.say(room_id, "!help")
    await ann.wait_for(room_id, reply_to(before, desk.bot.user_id))
    await first.stop()
    device = hotline.store.get_value(f"matrix.device_id:{desk.bot.user_id}")
    assert device

    while_down = await ann.say(room_id, "!mutes")
    second = await desk.start(hotline)
    await ann.wait_for(room_id, reply_to(while_down, desk.bot.user_id))
    sentinel = await ann.say(room_id, "!feeds")
    await ann.wait_for(room_id, reply_to(sentinel, desk.bot.user_id))
    await second.stop()
    # A password login reuses its device, so retried sends keep deduplicating.
    assert hotline.store.get_value(f"matrix.device_id:{desk.bot.user_id}") == device

    events = await ann.timeline(room_id)
    assert len(replies(events, before, desk.bot.user_id)) == 1
    assert len(replies(events, while_down, desk.bot.user_id)) == 1
    assert len(replies(events, sentinel, desk.bot.user_id)) == 1


async def test_a_session_the_homeserver_ends_is_opened_again(desk: Desk) -> None:
    ann, room_id, _hotline, frontend = await desk.bot_in_new_room(password=True)
    device = frontend.client.device_id
    logout = await ann.http.post(
        "/_matrix/client/v3/logout",
        headers={"Authorization": f"Bearer {frontend.client.access_token}"},
    )
    assert logout.status_code == 200
    with pytest.raises(FrontendError, match="logging in again"):
        await frontend.deliver(delivery(1, room_id, ROUTINE))

    await ask(ann, room_id, desk.bot.user_id, "!help")
    assert frontend.client.device_id == device
    assert await frontend.deliver(delivery(1, room_id, ROUTINE))


async def test_a_first_start_reads_history_without_answering_it(desk: Desk) -> None:
    ann, room_id, _hotline, first = await desk.bot_in_new_room()
    await ask(ann, room_id, desk.bot.user_id, "!mutes")
    await first.stop()
    old = await ann.say(room_id, "!help")  # typed while the bot was away

    # A new database (and so a new device): nothing tells it what was answered before.
    fresh = parse_settings(
        config_text(invite_from=[ann.user_id]),
        environment(desk.server, desk.bot, password=True),
        db=str(desk.tmp_path / "fresh.db"),
    )
    await desk.start(core(desk.tmp_path, fresh))
    sentinel = await ann.say(room_id, "!mutes")
    await ann.wait_for(room_id, reply_to(sentinel, desk.bot.user_id))
    assert replies(await ann.timeline(room_id), old, desk.bot.user_id) == []


class Crash(BaseException):
    """The process dies here (not an error the sync loop could catch and retry)."""


@dataclass
class DiesAfterAnswering:
    """The store, except that the process dies right after the first answer was sent,
    before it is recorded."""

    store: Any
    armed: bool = True

    def get_value(self, key: str) -> str | None:
        return self.store.get_value(key)  # type: ignore[no-any-return]

    def set_value(self, key: str, value: str) -> None:
        if self.armed and key == "matrix.sync_token" and '"handled": ["' in value:
            self.armed = False
            raise Crash
        self.store.set_value(key, value)


@dataclass
class CountingService:
    inner: Any
    asked: list[str] = field(default_factory=list)

    async def handle(self, message: IncomingMessage) -> Reply:
        self.asked.append(message.text)
        return await self.inner.handle(message)  # type: ignore[no-any-return]


async def test_a_crash_after_answering_reanswers_nothing_twice(desk: Desk) -> None:
    ann, room_id, hotline, first = await desk.bot_in_new_room()
    await first.stop()

    service = CountingService(hotline.service)
    dying = await desk.start(hotline, service=service, state=DiesAfterAnswering(hotline.store))
    command = await ann.say(room_id, "!help")
    assert dying._task is not None
    with pytest.raises(Crash):
        await asyncio.wait_for(asyncio.shield(dying._task), timeout=20)
    await dying.client.close()

    await desk.start(hotline, service=service)
    sentinel = await ann.say(room_id, "!mutes")
    await ann.wait_for(room_id, reply_to(sentinel, desk.bot.user_id))
    # The batch was handled again (the command asked twice), but the homeserver kept one
    # answer: the retry used the same transaction id.
    assert service.asked.count("help") == 2
    assert len(replies(await ann.timeline(room_id), command, desk.bot.user_id)) == 1


@dataclass
class BrokenCommand:
    """A command service with a bug in one command."""

    inner: Any

    async def handle(self, message: IncomingMessage) -> Reply:
        if message.text == "feeds":
            raise RuntimeError("a bug")
        return await self.inner.handle(message)  # type: ignore[no-any-return]


async def test_a_command_that_fails_does_not_hold_up_the_next(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    ann = desk.person("ann")
    room_id = await ann.create_room(invite=(desk.bot.user_id,))
    hotline = core(desk.tmp_path, desk.settings(invite_from=[ann.user_id]))
    await desk.start(hotline, service=BrokenCommand(hotline.service))
    await ann.wait_membership(room_id, desk.bot.user_id, "join")
    broken = await ann.say(room_id, "!feeds")
    await ask(ann, room_id, desk.bot.user_id, "!help")
    assert replies(await ann.timeline(room_id), broken, desk.bot.user_id) == []
    assert "gave up answering 'feeds'" in caplog.text


async def test_a_non_editor_cannot_mute_but_a_moderator_or_editor_can(desk: Desk) -> None:
    ann, bob, eve = desk.person("ann"), desk.person("bob"), desk.person("eve")
    room_id = await ann.create_room(invite=(desk.bot.user_id, bob.user_id, eve.user_id))
    for person in (bob, eve):
        await person.join(room_id)
    hotline = core(desk.tmp_path, desk.settings(invite_from=[ann.user_id], editors=[eve.user_id]))
    await desk.start(hotline)
    await ann.wait_membership(room_id, desk.bot.user_id, "join")

    refused = await ask(bob, room_id, desk.bot.user_id, "!mute wire 1h")
    assert refused["content"]["body"].startswith("Only editors may use mute.")
    assert hotline.store.mutes() == []

    await ann.set_power(room_id, bob.user_id, 50)
    muted = await ask(bob, room_id, desk.bot.user_id, "!mute wire 1h checking a rumour")
    assert muted["content"]["body"].startswith("Muted wire for 1h")
    assert [(m.target, m.by, m.reason) for m in hotline.store.mutes()] == [
        ("wire", bob.user_id, "checking a rumour")
    ]

    unmuted = await ask(eve, room_id, desk.bot.user_id, "!unmute wire")  # listed editor, PL 0
    assert unmuted["content"]["body"].startswith("Unmuted wire.")
    assert hotline.store.mutes() == []


async def test_an_encrypted_room_gets_one_notice(desk: Desk) -> None:
    ann = desk.person("ann")
    plain_room = await ann.create_room(invite=(desk.bot.user_id,))
    secret_room = await ann.create_room(invite=(desk.bot.user_id,), encrypted=True)
    hotline = core(desk.tmp_path, desk.settings(invite_from=[ann.user_id]))
    first = await desk.start(hotline)

    def notice(event: Event) -> bool:
        return event.get("sender") == desk.bot.user_id and event["type"] == "m.room.message"

    posted = await ann.wait_for(secret_room, notice)
    assert posted["content"]["msgtype"] == "m.notice"
    assert posted["content"]["body"] == ENCRYPTION_NOTICE
    await first.stop()

    await desk.start(hotline)
    await ann.wait_membership(plain_room, desk.bot.user_id, "join")
    await ask(ann, plain_room, desk.bot.user_id, "!help")
    notices = [e for e in await ann.timeline(secret_room) if notice(e)]
    assert len(notices) == 1
    assert [
        e for e in await ann.timeline(plain_room) if e["content"].get("body") == ENCRYPTION_NOTICE
    ] == []


# --- delivery: errors, idempotency, pictures --------------------------------------------------


def delivery(row: int, target: str, alert: Alert, parent: str | None = None) -> Delivery:
    return Delivery(row, Destination("matrix", target), alert, parent)


ROUTINE = Alert("feed_broken:wire", "feed_broken", "wire is failing.", (text("wire is failing."),))


async def test_delivering_one_row_twice_posts_once(desk: Desk) -> None:
    ann, room_id, _hotline, frontend = await desk.bot_in_new_room()

    first = await frontend.deliver(delivery(7, room_id, ROUTINE))
    again = await frontend.deliver(delivery(7, room_id, ROUTINE))
    assert first == again
    other = await frontend.deliver(delivery(8, room_id, ROUTINE))
    assert other != first
    posted = [e for e in await ann.timeline(room_id) if e.get("sender") == desk.bot.user_id]
    assert [e["event_id"] for e in posted if e["type"] == "m.room.message"] == [first, other]


async def test_sends_to_a_room_are_paced(desk: Desk) -> None:
    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(round(seconds, 3))

    pacer = Pacer(0.25, monotonic=lambda: 1000.0, sleep=wait)  # time stands still
    _ann, room_id, _hotline, frontend = await desk.bot_in_new_room(pace=pacer)
    for row in (1, 2, 3):
        await frontend.deliver(delivery(row, room_id, ROUTINE))
    assert waits == [0.25, 0.25]  # the first send to the room goes at once


async def test_a_chart_is_uploaded_and_posted_as_an_image(desk: Desk) -> None:
    ann, room_id, _hotline, frontend = await desk.bot_in_new_room()
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x08" + bytes(40)
    alert = replace(ROUTINE, key="chart", image=Image("contacts.png", png, alt="Timeline"))

    event_id = await frontend.deliver(delivery(1, room_id, alert))

    def image(event: Event) -> bool:
        return event.get("content", {}).get("msgtype") == "m.image"

    posted = await ann.wait_for(room_id, image)
    content = posted["content"]
    assert content["url"].startswith(f"mxc://{desk.server.server_name}/")
    assert content["info"] == {"mimetype": "image/png", "size": len(png), "w": 16, "h": 8}
    assert content["body"] == "Timeline"
    media = content["url"].removeprefix("mxc://")
    download = await ann.http.get(f"/_matrix/client/v1/media/download/{media}")
    assert download.status_code == 200
    assert download.content == png
    events = [e["event_id"] for e in await ann.timeline(room_id) if e["type"] == "m.room.message"]
    assert events[-2:] == [event_id, posted["event_id"]]


async def test_rate_limits_wait_as_the_homeserver_says(desk: Desk) -> None:
    ann = desk.person("ann")
    admin = desk.server.register("root", admin=True)
    desk.server.admin(
        admin,
        "POST",
        f"/_synapse/admin/v1/users/{desk.bot.user_id}/override_ratelimit",
        {"messages_per_second": 1, "burst_count": 1},
    )
    room_id = await ann.create_room(invite=(desk.bot.user_id,))
    hotline = core(desk.tmp_path, desk.settings(invite_from=[ann.user_id]))
    frontend = await desk.start(hotline)
    await ann.wait_membership(room_id, desk.bot.user_id, "join")

    # One message a second, a burst of one: two sends in a row cannot both pass.
    async def send_two() -> None:
        for row in (1, 2):
            await frontend.deliver(delivery(row, room_id, ROUTINE))

    with pytest.raises(FrontendError) as raised:
        await send_two()
    assert not raised.value.permanent
    assert raised.value.retry_after is not None
    assert 0 < raised.value.retry_after <= 1.0
    assert "M_LIMIT_EXCEEDED" in str(raised.value)


async def test_refusals_are_permanent_and_outages_are_retried(desk: Desk) -> None:
    ann = desk.person("ann")
    private = await ann.create_room()  # the bot is not invited
    hotline = core(desk.tmp_path, desk.settings())
    frontend = await desk.start(hotline)

    with pytest.raises(FrontendError) as forbidden:
        await frontend.deliver(delivery(1, private, ROUTINE))
    assert forbidden.value.permanent
    with pytest.raises(FrontendError) as no_alias:
        await frontend.deliver(delivery(2, f"#nowhere:{desk.server.server_name}", ROUTINE))
    assert no_alias.value.permanent

    frontend.client.homeserver = f"http://127.0.0.1:{free_port()}"  # the homeserver goes away
    with pytest.raises(FrontendError) as outage:
        await frontend.deliver(delivery(3, private, ROUTINE))
    assert not outage.value.permanent


async def test_refused_credentials_fail_at_start(desk: Desk) -> None:
    hotline = core(desk.tmp_path, desk.settings())
    wrong = replace(hotline.settings.matrix, access_token=Secret("syt_not_a_token"))
    frontend = MatrixFrontend(wrong, hotline.service, hotline.store, pace=0.0, poll=5.0)
    desk.frontends.append(frontend)
    with pytest.raises(FrontendError, match="access token") as raised:
        await frontend.start(None)
    assert raised.value.permanent


# --- the whole bot -------------------------------------------------------------------------


async def test_serve_runs_the_matrix_front_end_end_to_end(desk: Desk) -> None:
    ann = desk.person("ann")
    alias = desk.server.unique("newsroom")
    room_id = await ann.create_room(alias=alias, public=True)
    full_alias = f"#{alias}:{desk.server.server_name}"
    settings = desk.settings(rooms=[full_alias], alerts=[full_alias], password=True)
    hotline = core(desk.tmp_path, settings)
    record_call(hotline, "Austin spoke by phone with Shoigu.")
    stop = asyncio.Event()
    running = asyncio.create_task(serve(hotline, console=False, http=False, stop=stop))
    try:
        await ann.wait_membership(room_id, desk.bot.user_id, "join", seconds=30)
        answer = await ask(ann, room_id, desk.bot.user_id, "!lastcontact austin shoigu")
        assert answer["content"]["body"].startswith("Last contact: Lloyd Austin – Sergei Shoigu")

        hotline.notifier.notify(Alert("silence:test", "silence", "No call for 30 days."))

        def alert(event: Event) -> bool:
            return event.get("content", {}).get("body") == "No call for 30 days."

        posted = await ann.wait_for(room_id, alert)
        assert posted["sender"] == desk.bot.user_id
        assert (
            hotline.store.sent_message("silence:test", Destination("matrix", full_alias))
            == (posted["event_id"])
        )
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)
