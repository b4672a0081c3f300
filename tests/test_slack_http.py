"""The Slack front-end in HTTP mode, served over real HTTP on an ephemeral loopback port,
talking to a fake Slack Web API: slash commands as Slack sends them (form-encoded, signed),
signature checks, the mute button, and the Home tab."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.app import Hotline, build
from bot.clock import FixedClock
from bot.config import parse_settings
from bot.models import Action, Alert, Delivery, Destination, Image, IncomingMessage, Link, Reply
from bot.parsing import InlineParser
from bot.render import context, fields, heading, text
from bot.store.events import NewSource
from bot.web import WebServer
from handlers.slack import SlackFrontend
from handlers.slack.limits import Pacer
from tests.fakes import KeywordExtractor
from tests.slack_fake import (
    SECRET,
    FakeSlack,
    Message,
    button_payload,
    environ,
    form,
    home_opened_payload,
    sign,
    slash_payload,
)
from tests.test_poller import REGISTRY

NOW = datetime(2022, 10, 24, 9, 0, tzinfo=UTC)
CONFIG = """
feeds:
  - {name: wire, url: 'https://wire.example/rss'}
  - {name: tass, url: 'https://tass.example/rss'}
editors: {slack: [U0EDITOR, S0DESK]}
alerts: {slack: [C0ALERTS]}
"""


@dataclass
class RecordingService:
    """Stands in for the command service: records what it is asked, answers ``reply``, and
    can be held until ``gate`` is set (a slow answer)."""

    reply: Reply
    asked: list[IncomingMessage] = field(default_factory=list)
    gate: asyncio.Event | None = None
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, message: IncomingMessage) -> Reply:
        self.asked.append(message)
        self.called.set()
        if self.gate is not None:
            await self.gate.wait()
        return self.reply


@dataclass
class World:
    hotline: Hotline
    slack: FakeSlack
    frontend: SlackFrontend
    web: WebServer
    http: httpx.AsyncClient
    clock: FixedClock

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web.port}/slack/events"

    async def send(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"Content-Type": content_type, **(sign(body) if headers is None else headers)}
        return await self.http.post(self.url, content=body.encode(), headers=sent)

    async def command(
        self, command: str, words: str = "", *, user: str = "U0REPORTER", name: str = "r"
    ) -> dict[str, Any]:
        """Type a slash command; return what Hotline posted to its response_url."""
        body = form(slash_payload(command, words, self.slack.response_url(name), user=user))
        response = await self.send(body)
        assert (response.status_code, response.text) == (200, "")
        await self.slack.wait_for(lambda: bool(self.slack.answers_to(name)))
        return self.slack.answers_to(name)[0]

    async def press(self, message: Message, value: str, *, user: str, name: str) -> dict[str, Any]:
        """Press a button of a posted message; return the answer to the presser."""
        payload = button_payload(message, value, self.slack.response_url(name), user=user)
        body = urlencode({"payload": json.dumps(payload)})
        response = await self.send(body)
        assert (response.status_code, response.text) == (200, "")
        await self.slack.wait_for(lambda: bool(self.slack.answers_to(name)))
        (answer,) = self.slack.answers_to(name)
        return answer


def frontend_for(hotline: Hotline, service: Any = None) -> SlackFrontend:
    settings = hotline.settings
    return SlackFrontend(
        service or hotline.service,
        settings.slack,
        clock=hotline.clock,
        editors=settings.editors["slack"],
        pacer=Pacer(timedelta(0)),
        backoff=FixedValueRetryIntervalCalculator(0.01),
    )


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(usergroups={"S0DESK": ["U0GROUPED"]}) as fake:
        yield fake


async def start(tmp_path: Path, slack: FakeSlack, service: Any = None) -> World:
    clock = FixedClock(NOW)
    settings = parse_settings(CONFIG, environ(slack), db=str(tmp_path / "h.db"))
    hotline = build(
        settings,
        REGISTRY,
        platforms=("slack",),
        clock=clock,
        parser=InlineParser(KeywordExtractor()),
    )
    frontend = frontend_for(hotline, service)
    web = WebServer("127.0.0.1", 0, lambda: {"ok": True})
    await frontend.start(web)
    await web.start()
    return World(hotline, slack, frontend, web, httpx.AsyncClient(), clock)


async def finish(world: World) -> None:
    await world.http.aclose()
    await world.frontend.stop()
    await world.web.stop()
    await world.hotline.aclose()


@pytest.fixture
async def world(tmp_path: Path, slack: FakeSlack) -> AsyncIterator[World]:
    w = await start(tmp_path, slack)
    yield w
    await finish(w)


CANNED = Reply(
    "Last contact: Lloyd Austin – Sergei Shoigu\nDate: Sun October 23, 2022",
    (
        heading("Last contact: Lloyd Austin – Sergei Shoigu"),
        fields(("Date", "Sun October 23, 2022"), ("Kind", "call")),
        context(["Source: ", Link("Shoigu holds call <!channel>", "https://mod.example/1")]),
    ),
)
CANNED_BLOCKS = [
    {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "Last contact: Lloyd Austin – Sergei Shoigu",
            "emoji": True,
        },
    },
    {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": "*Date*\nSun October 23, 2022"},
            {"type": "mrkdwn", "text": "*Kind*\ncall"},
        ],
    },
    {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": "Source: <https://mod.example/1|Shoigu holds call &lt;!channel&gt;>",
            }
        ],
    },
]


@pytest.mark.parametrize(
    ("command", "words", "core_text"),
    [
        ("/lastcontact", "milley gerasimov", "lastcontact milley gerasimov"),
        ("/contacts", "austin shoigu since 2022-01-01", "contacts austin shoigu since 2022-01-01"),
        ("/silences", "", "silences"),
        ("/feeds", "", "feeds"),
        ("/mute", "wire 1h overnight", "mute wire 1h overnight"),
        ("/unmute", "wire", "unmute wire"),
        ("/mutes", "", "mutes"),
        ("/hotline", "", "help"),
        ("/hotline", "lastcontact milley gerasimov", "lastcontact milley gerasimov"),
        ("/hotline", "silences", "silences"),
    ],
    ids=[
        "lastcontact",
        "contacts",
        "silences",
        "feeds",
        "mute",
        "unmute",
        "mutes",
        "hotline",
        "hotline-lastcontact",
        "hotline-silences",
    ],
)
async def test_each_slash_command_reaches_the_core_and_its_answer_goes_in_channel(
    tmp_path: Path, slack: FakeSlack, command: str, words: str, core_text: str
) -> None:
    service = RecordingService(CANNED)
    world = await start(tmp_path, slack, service)
    try:
        answer = await world.command(command, words)
    finally:
        await finish(world)
    assert service.asked == [
        IncomingMessage("slack", "U0REPORTER", "C0DESK", core_text, False, "rita")
    ]
    assert len(slack.answers_to("r")) == 1
    assert answer == {
        "response_type": "in_channel",
        "text": ("Last contact: Lloyd Austin – Sergei Shoigu\nDate: Sun October 23, 2022"),
        "blocks": CANNED_BLOCKS,
        "unfurl_links": False,
        "unfurl_media": False,
    }


async def test_the_ack_comes_at_once_and_the_answer_after_the_slow_work(
    tmp_path: Path, slack: FakeSlack
) -> None:
    gate = asyncio.Event()
    service = RecordingService(CANNED, gate=gate)
    world = await start(tmp_path, slack, service)
    try:
        body = form(slash_payload("/lastcontact", "a b", slack.response_url("slow")))
        response = await world.send(body)
        assert (response.status_code, response.text) == (200, "")  # acknowledged...
        async with asyncio.timeout(10):
            await service.called.wait()  # ...while the core is still working on it
        assert slack.answers_to("slow") == []
        gate.set()
        await slack.wait_for(lambda: bool(slack.answers_to("slow")))
        assert slack.answers_to("slow")[0]["response_type"] == "in_channel"
    finally:
        await finish(world)


async def test_lastcontact_answers_in_channel_from_the_record(world: World) -> None:
    world.hotline.store.record_contact(
        "lloyd-austin",
        "sergei-shoigu",
        kind="call",
        day=date(2022, 10, 23),
        approximate=False,
        source=NewSource(
            "feed",
            "Shoigu holds call with Austin <!channel>",
            "Shoigu and Austin discussed Ukraine.",
            url="https://mod.example/1",
            feed="wire",
        ),
    )
    answer = await world.command("/lastcontact", "austin shoigu", name="lastcontact")
    assert answer["response_type"] == "in_channel"
    assert answer["blocks"] == [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": "Last contact: Lloyd Austin – Sergei Shoigu",
                "emoji": True,
            },
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Date*\nSun October 23, 2022"},
                {"type": "mrkdwn", "text": "*Kind*\ncall"},
                {"type": "mrkdwn", "text": "*Days since*\n1 day"},
            ],
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "<https://mod.example/1|Shoigu holds call with Austin "
                    "&lt;!channel&gt;> (wire)",
                }
            ],
        },
    ]
    assert answer["text"].startswith("Last contact: Lloyd Austin – Sergei Shoigu\n")
    assert "<!channel>" not in answer["text"]


async def test_help_errors_and_refusals_are_ephemeral(world: World) -> None:
    help_answer = await world.command("/hotline", name="help")
    assert help_answer["response_type"] == "ephemeral"
    assert help_answer["blocks"][0]["text"]["text"] == "Hotline commands"
    assert "mute FEED|all DURATION [reason]" in help_answer["blocks"][1]["text"]["text"]

    unknown = await world.command("/mute", "nosuchfeed 1h", user="U0EDITOR", name="unknown")
    assert unknown["response_type"] == "ephemeral"
    assert unknown["text"].startswith("There is no feed called 'nosuchfeed'.")

    refused = await world.command("/mute", "wire 1h", user="U0REPORTER", name="refused")
    assert refused["response_type"] == "ephemeral"
    assert refused["text"].startswith("Only editors may use mute.")
    assert world.hotline.store.mutes() == []


async def test_feeds_mute_mutes_and_unmute_answer_in_channel(world: World) -> None:
    feeds = await world.command("/feeds", name="feeds")
    assert feeds["response_type"] == "in_channel"
    assert [b["type"] for b in feeds["blocks"]] == ["header", "section", "section"]
    assert feeds["blocks"][0]["text"]["text"] == "Feeds"
    assert feeds["blocks"][2]["text"]["text"] == ("• wire: not polled yet\n• tass: not polled yet")

    muted = await world.command("/mute", "wire 1h night & desk", user="U0EDITOR", name="mute")
    assert muted["response_type"] == "in_channel"
    assert muted["blocks"][0]["text"]["text"].startswith(
        "Muted wire for 1h (until 2022-10-24 10:00 UTC): night &amp; desk."
    )
    (mute,) = world.hotline.store.mutes()
    assert (mute.target, mute.by, mute.reason) == ("wire", "U0EDITOR", "night & desk")

    mutes = await world.command("/mutes", name="mutes")
    assert mutes["response_type"] == "in_channel"
    assert mutes["blocks"][0]["text"]["text"] == "Mutes in force"
    assert mutes["blocks"][1]["text"]["text"].startswith("• wire until 2022-10-24 10:00 UTC")

    sub = await world.command("/hotline", "mutes", name="sub")
    assert sub["blocks"] == mutes["blocks"]

    unmuted = await world.command("/unmute", "wire", user="U0EDITOR", name="unmute")
    assert unmuted["response_type"] == "in_channel"
    assert unmuted["text"] == "Unmuted wire. Nothing had been held."
    assert world.hotline.store.mutes() == []


async def test_a_member_of_an_editors_user_group_may_mute(world: World) -> None:
    answer = await world.command("/mute", "tass 2h", user="U0GROUPED", name="grouped")
    assert answer["response_type"] == "in_channel"
    assert [m.target for m in world.hotline.store.mutes()] == ["tass"]
    (lookup,) = world.slack.called("usergroups.users.list")
    assert lookup.params["usergroup"] == "S0DESK"
    # A listed editor needs no lookup; a second command uses the cached members.
    await world.command("/unmute", "tass", user="U0EDITOR", name="listed")
    await world.command("/mute", "wire 1h", user="U0GROUPED", name="again")
    assert len(world.slack.called("usergroups.users.list")) == 1


async def test_a_lost_answer_is_retried_once_the_response_url_recovers(world: World) -> None:
    world.slack.fail("respond", status=500, times=1)
    answer = await world.command("/feeds", name="flaky")
    assert answer["response_type"] == "in_channel"
    assert len(world.slack.called("respond")) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
        sign("something else"),
        "wrong-secret",
        "stale",
        "future",
    ],
    ids=["unsigned", "bad-signature", "other-body", "wrong-secret", "stale", "future"],
)
async def test_requests_not_signed_by_slack_are_refused_with_401(
    tmp_path: Path, slack: FakeSlack, headers: dict[str, str] | str
) -> None:
    service = RecordingService(CANNED)
    world = await start(tmp_path, slack, service)
    body = form(slash_payload("/mute", "wire 1h", slack.response_url("x"), user="U0EDITOR"))
    if headers == "wrong-secret":
        headers = sign(body, secret="not-" + SECRET)
    elif headers == "stale":
        headers = sign(body, timestamp=int(time.time()) - 6 * 60)
    elif headers == "future":
        headers = sign(body, timestamp=int(time.time()) + 6 * 60)
    assert isinstance(headers, dict)
    try:
        response = await world.send(body, headers=headers)
        assert response.status_code == 401
        # a correctly signed request four minutes old is still taken
        fine = await world.send(body, headers=sign(body, timestamp=int(time.time()) - 4 * 60))
        assert fine.status_code == 200
        await slack.wait_for(lambda: bool(slack.answers_to("x")))
    finally:
        await finish(world)
    assert len(service.asked) == 1
    assert len(slack.answers_to("x")) == 1


async def test_a_replayed_request_is_refused_with_401(tmp_path: Path, slack: FakeSlack) -> None:
    service = RecordingService(CANNED)
    world = await start(tmp_path, slack, service)
    body = form(slash_payload("/mute", "wire 1h", slack.response_url("r"), user="U0EDITOR"))
    headers = sign(body)
    try:
        first = await world.send(body, headers=headers)
        assert first.status_code == 200
        await slack.wait_for(lambda: bool(slack.answers_to("r")))
        again = await world.send(body, headers=headers)  # the same signed request, captured
        assert (again.status_code, again.text) == (401, "replayed request")
        # the same command signed anew (a new timestamp) is a new request
        later = await world.send(body, headers=sign(body, timestamp=int(time.time()) + 1))
        assert later.status_code == 200
        await slack.wait_for(lambda: len(slack.answers_to("r")) == 2)
    finally:
        await finish(world)
    assert len(service.asked) == 2


async def test_slacks_url_verification_challenge_is_answered(world: World) -> None:
    body = json.dumps(
        {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9", "type": "url_verification"}
    )
    response = await world.send(body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9"}


async def posted_alert(world: World) -> Message:
    blocks = (heading("Call: Lloyd Austin – Sergei Shoigu"), text("First call on record."))
    alert = Alert(
        "contact:1",
        "contact",
        "Call: Lloyd Austin – Sergei Shoigu\nFirst call on record.",
        blocks,
        feed="wire",
        actions=(Action("Mute wire 1h", "mute wire 1h"),),
    )
    await world.frontend.deliver(Delivery(1, Destination("slack", "C0ALERTS"), alert))
    (message,) = world.slack.messages
    return message


async def test_the_mute_button_pressed_by_an_editor_mutes_and_marks_the_message(
    world: World,
) -> None:
    message = await posted_alert(world)
    answer = await world.press(message, "mute wire 1h", user="U0EDITOR", name="press")
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    assert answer["text"].startswith("Muted wire for 1h (until 2022-10-24 10:00 UTC).")
    (mute,) = world.hotline.store.mutes()
    assert (mute.target, mute.by, mute.until) == ("wire", "U0EDITOR", NOW + timedelta(hours=1))
    await world.slack.wait_for(lambda: bool(message.updates))
    (update,) = message.updates
    assert update["channel"] == "C0ALERTS"
    assert update["ts"] == message.ts
    assert update["text"] == message.text
    assert update["blocks"] == [
        *message.blocks,
        {
            "type": "context",
            "block_id": "hotline_note",
            "elements": [{"type": "mrkdwn", "text": "Muted by <@U0EDITOR> for 1h"}],
        },
    ]


async def test_the_mute_button_pressed_by_a_group_editor_is_vouched_for(world: World) -> None:
    message = await posted_alert(world)
    answer = await world.press(message, "mute wire 1h", user="U0GROUPED", name="group")
    assert answer["text"].startswith("Muted wire for 1h")
    assert [m.by for m in world.hotline.store.mutes()] == ["U0GROUPED"]
    await world.slack.wait_for(lambda: bool(message.updates))


async def test_the_mute_button_pressed_by_anyone_else_is_refused_privately(
    world: World,
) -> None:
    message = await posted_alert(world)
    answer = await world.press(message, "mute wire 1h", user="U0REPORTER", name="refused")
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    assert answer["text"].startswith("Only editors may use mute.")
    await world.frontend.stop()  # lets the press finish everything it would do
    assert world.hotline.store.mutes() == []
    assert world.slack.called("chat.update") == []
    assert message.updates == []


async def test_the_home_tab_shows_the_mutes_and_feed_health(world: World) -> None:
    await world.command("/mute", "tass 3h wire trouble", user="U0EDITOR", name="mute")
    body = json.dumps(home_opened_payload("U0REPORTER"))
    response = await world.send(body, content_type="application/json")
    assert response.status_code == 200
    await world.slack.wait_for(lambda: bool(world.slack.called("views.publish")))
    (call,) = world.slack.called("views.publish")
    assert call.params["user_id"] == "U0REPORTER"
    view = call.params["view"]
    assert view["type"] == "home"
    texts = [
        b.get("text", {}).get("text") for b in view["blocks"] if b["type"] in ("header", "section")
    ]
    assert texts[0] == "Hotline"
    assert "Mutes in force" in texts
    assert any(t and t.startswith("• tass until 2022-10-24 12:00 UTC") for t in texts)
    assert "Feeds" in texts
    assert "• wire: not polled yet\n• tass: not polled yet, muted until 12:00 UTC" in texts


CHART = Reply(
    "Austin–Shoigu contacts: 3 calls",
    (text("Austin–Shoigu contacts: 3 calls"),),
    image=Image("austin-shoigu.png", b"\x89PNG\r\n\x1a\nchart", alt="Timeline of calls"),
)


async def test_a_reply_with_a_chart_uploads_it_to_the_channel(
    tmp_path: Path, slack: FakeSlack
) -> None:
    world = await start(tmp_path, slack, RecordingService(CHART))
    try:
        answer = await world.command("/hotline", "chart austin shoigu", name="chart")
        await slack.wait_for(lambda: bool(slack.called("files.completeUploadExternal")))
    finally:
        await finish(world)
    assert answer["response_type"] == "in_channel"
    assert slack.uploads == {"F0001": CHART.image.data}  # type: ignore[union-attr]
    (done,) = slack.called("files.completeUploadExternal")
    assert done.params["channel_id"] == "C0DESK"
    assert json.loads(done.params["files"]) == [{"id": "F0001", "title": "Timeline of calls"}]


async def test_a_chart_that_cannot_be_posted_is_explained_to_the_asker(
    tmp_path: Path, slack: FakeSlack
) -> None:
    slack.fail("files.completeUploadExternal", status=200, error="not_in_channel")
    world = await start(tmp_path, slack, RecordingService(CHART))
    try:
        await world.command("/hotline", "chart austin shoigu", name="chart")
        await slack.wait_for(lambda: len(slack.answers_to("chart")) == 2)
    finally:
        await finish(world)
    public, note = slack.answers_to("chart")
    assert public["response_type"] == "in_channel"
    assert note["response_type"] == "ephemeral"
    assert note["text"] == (
        "The picture could not be posted: Slack refused files.upload: not_in_channel. "
        "Invite me to this channel (/invite @Hotline) to get pictures here."
    )
