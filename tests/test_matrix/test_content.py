"""The Matrix front-end's pure parts: HTML from the core's blocks, message contents, command
text, invite rules, error mapping and pacing. No homeserver here (see test_homeserver.py)."""

from __future__ import annotations

import asyncio

import nio
import pytest

from bot.errors import FrontendError
from bot.models import Action, Alert, Image, Link, Reply, Strong
from bot.render import bullets, context, fields, heading, plain, text
from handlers.matrix import (
    Pacer,
    action_hint,
    alert_content,
    blocks_html,
    command_text,
    error_for,
    image_content,
    invite_allowed,
    reply_content,
)

FEED_TEXT = 'Shoigu <script>alert("x")</script> & Austin "talked"'


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        pytest.param(
            (heading("Call: Austin & Shoigu"),),
            "<h4>Call: Austin &amp; Shoigu</h4>",
            id="heading-escaped",
        ),
        pytest.param(
            (text(FEED_TEXT, "second line"),),
            "<p>Shoigu &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Austin "
            "&quot;talked&quot;<br>second line</p>",
            id="text-lines",
        ),
        pytest.param(
            (
                fields(
                    ("Date", "Sun May 13"),
                    ("Source", [Link("Wire <1>", "https://a.example/?q=1&r=2")]),
                ),
            ),
            "<p><strong>Date</strong>: Sun May 13<br><strong>Source</strong>: "
            '<a href="https://a.example/?q=1&amp;r=2">Wire &lt;1&gt;</a></p>',
            id="fields-and-link",
        ),
        pytest.param(
            (bullets("a < b", [Strong("bold & sure"), " rest"]),),
            "<ul><li>a &lt; b</li><li><strong>bold &amp; sure</strong> rest</li></ul>",
            id="list",
        ),
        pytest.param(
            (context("“evidence”"),),
            "<p><em>“evidence”</em></p>",
            id="context",
        ),
        pytest.param(
            (text([Link("click", "javascript:alert(1)")]),),
            "<p>click (javascript:alert(1))</p>",
            id="only-http-links",
        ),
        pytest.param(
            (text([Link("", 'https://x.example/"onmouseover=1')]),),
            '<p><a href="https://x.example/&quot;onmouseover=1">'
            "https://x.example/&quot;onmouseover=1</a></p>",
            id="quote-in-url",
        ),
    ],
)
def test_blocks_become_escaped_matrix_html(blocks: tuple, expected: str) -> None:
    assert blocks_html(blocks) == expected


def test_a_routine_alert_is_a_notice_with_the_mute_hint_and_no_mentions() -> None:
    blocks = (heading("Call: Austin – Shoigu"), text(FEED_TEXT))
    alert = Alert(
        "contact:1",
        "contact",
        plain(blocks),
        blocks,
        feed="wire",
        actions=(Action("Mute wire 1h", "mute wire 1h"),),
    )
    assert alert_content(alert, prefix="!") == {
        "msgtype": "m.notice",
        "body": f"Call: Austin – Shoigu\n{FEED_TEXT}\nEditors: !mute wire 1h",
        "format": "org.matrix.custom.html",
        "formatted_body": "<h4>Call: Austin – Shoigu</h4><p>Shoigu &lt;script&gt;alert("
        "&quot;x&quot;)&lt;/script&gt; &amp; Austin &quot;talked&quot;</p>"
        "<p><em>Editors: !mute wire 1h</em></p>",
        "m.mentions": {},
    }


def test_an_urgent_alert_is_text_that_mentions_the_room_unless_turned_off() -> None:
    alert = Alert("contact:2", "contact", "First call since May.", urgent=True)
    loud = alert_content(alert)
    assert loud["msgtype"] == "m.text"
    assert loud["m.mentions"] == {"room": True}
    assert loud["body"] == "@room First call since May."
    quiet = alert_content(alert, mention_room=False)
    assert (quiet["msgtype"], quiet["m.mentions"], quiet["body"]) == (
        "m.text",
        {},
        "First call since May.",
    )


def test_a_later_source_goes_in_the_thread_of_the_first_alert() -> None:
    alert = Alert("source:1:2", "source", "Another report.", thread="contact:1")
    content = alert_content(alert, thread_parent="$first")
    assert content["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": "$first",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$first"},
    }
    assert content["msgtype"] == "m.notice"


def test_a_reply_answers_the_command_and_stays_in_its_thread() -> None:
    reply = Reply("Feeds\n• wire: ok", (heading("Feeds"), bullets("wire: ok")))
    plain_command = {"event_id": "$cmd", "sender": "@ann:x.test", "content": {"body": "!feeds"}}
    assert reply_content(reply, plain_command) == {
        "msgtype": "m.notice",
        "body": "Feeds\n• wire: ok",
        "format": "org.matrix.custom.html",
        "formatted_body": "<h4>Feeds</h4><ul><li>wire: ok</li></ul>",
        "m.relates_to": {"m.in_reply_to": {"event_id": "$cmd"}},
        "m.mentions": {"user_ids": ["@ann:x.test"]},
    }
    threaded = {
        **plain_command,
        "content": {
            "body": "!feeds",
            "m.relates_to": {"rel_type": "m.thread", "event_id": "$root"},
        },
    }
    assert reply_content(reply, threaded)["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": False,
        "m.in_reply_to": {"event_id": "$cmd"},
    }


def test_a_reply_without_blocks_escapes_its_text() -> None:
    content = reply_content(Reply("a <b> & c\nnext"), {"event_id": "$c", "sender": "@a:x"})
    assert content["formatted_body"] == "a &lt;b&gt; &amp; c<br>next"


def test_a_png_chart_carries_its_size() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x80\x00\x00\x01\xe0" + b"\x00" * 20
    content = image_content(Image("chart.png", png, alt="Contacts"), "mxc://x/abc", None)
    assert content == {
        "msgtype": "m.image",
        "body": "Contacts",
        "filename": "chart.png",
        "url": "mxc://x/abc",
        "info": {"mimetype": "image/png", "size": len(png), "w": 640, "h": 480},
        "m.mentions": {},
    }


@pytest.mark.parametrize(
    ("body", "prefix", "expected"),
    [
        ("!lastcontact milley gerasimov", "!", "lastcontact milley gerasimov"),
        ("  !help  ", "!", "help"),
        ("!", "!", None),
        ("lastcontact milley", "!", None),
        ("hotline: help", "hotline:", "help"),
        ("> <@ann:x.test> the alert\n> second\n\n!mute wire 1h", "!", "mute wire 1h"),
        ("> quoted only", "!", None),
        ("what is !help", "!", None),
    ],
)
def test_command_text(body: str, prefix: str, expected: str | None) -> None:
    assert command_text(body, prefix) == expected


@pytest.mark.parametrize(
    ("inviter", "allowed", "expected"),
    [
        ("@ann:news.example", ("@ann:news.example",), True),
        ("@bob:news.example", ("@ann:news.example",), False),
        ("@bob:news.example", (":news.example",), True),
        ("@bob:News.Example", (":news.example",), True),
        ("@bob:evil.example", (":news.example",), False),
        ("@bob:news.example.evil", (":news.example",), False),
        ("@ann:news.example", (), False),
    ],
)
def test_invite_allowed(inviter: str, allowed: tuple[str, ...], expected: bool) -> None:
    assert invite_allowed(inviter, allowed) is expected


def test_action_hint_uses_the_configured_prefix() -> None:
    actions = (Action("Mute a 1h", "mute a 1h"), Action("Mute all", "mute all 1h"))
    assert action_hint(actions, "hl ") == "Editors: hl mute a 1h · hl mute all 1h"
    assert action_hint((), "!") == ""


@pytest.mark.parametrize(
    ("response", "retry_after", "permanent"),
    [
        (nio.RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED", 1500), 1.5, False),
        (nio.RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED"), 5.0, False),
        (nio.RoomSendError("not in room", "M_FORBIDDEN"), None, True),
        (nio.RoomResolveAliasError("no alias", "M_NOT_FOUND"), None, True),
        (nio.RoomSendError("Unknown token", "M_UNKNOWN_TOKEN"), 60.0, False),
        (nio.RoomSendError("unknown error"), None, False),
        (nio.RoomSendError("Internal error", "M_UNKNOWN"), None, False),
    ],
    ids=["limit", "limit-no-time", "forbidden", "no-alias", "token", "no-code", "unknown"],
)
def test_error_mapping(
    response: nio.ErrorResponse, retry_after: float | None, permanent: bool
) -> None:
    error = error_for(response, "sending")
    assert isinstance(error, FrontendError)
    assert (error.retry_after, error.permanent) == (retry_after, permanent)


async def test_pacer_spaces_sends_to_one_room_but_not_across_rooms() -> None:
    now = [100.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(0.2, monotonic=lambda: now[0], sleep=sleep)
    async with pacer.turn("!a"):
        pass
    async with pacer.turn("!b"):
        pass
    now[0] += 0.05
    async with pacer.turn("!a"):
        now[0] += 0.01  # the send itself takes a moment
    async with pacer.turn("!a"):
        pass
    assert waits == [0.15, 0.2]


async def test_pacer_keeps_sends_to_one_room_in_order() -> None:
    pacer = Pacer(0.0)
    order: list[int] = []
    release = asyncio.Event()

    async def send(n: int) -> None:
        async with pacer.turn("!a"):
            if n == 1:
                await release.wait()
            order.append(n)

    first = asyncio.create_task(send(1))
    await asyncio.sleep(0)
    second = asyncio.create_task(send(2))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, second)
    assert order == [1, 2]


def test_room_ids_without_a_server_name_are_accepted_in_the_config() -> None:
    from bot.config import parse_settings

    settings = parse_settings(
        "feeds: [{name: wire, url: 'https://wire.example/feed.xml'}]\n"
        "matrix: {rooms: ['!AbC-12_x', '!old:hotline.test', '#desk:hotline.test']}\n"
        "alerts: {matrix: ['!AbC-12_x']}\n",
        {},
    )
    assert settings.matrix.rooms == ("!AbC-12_x", "!old:hotline.test", "#desk:hotline.test")
    assert [d.target for d in settings.alerts["matrix"]] == ["!AbC-12_x"]
