"""Block Kit rendering, escaping, slash-command text, and the meaning of Slack's answers:
pure tables."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.models import Action, Alert, Link, Reply, Strong
from bot.render import bullets, context, fields, heading, text
from handlers.slack.blocks import (
    alert_message,
    escape,
    fallback,
    home_view,
    link,
    mrkdwn,
    render_blocks,
    reply_message,
    slash_text,
    unescape,
    user_mention,
    with_note,
)
from handlers.slack.limits import EditorGroups, Pacer, classify

EVIL = "Austin calls Shoigu <!channel> <https://evil|click> & <@U0BOSS> <!here>"
EVIL_ESCAPED = (
    "Austin calls Shoigu &lt;!channel&gt; &lt;https://evil|click&gt; &amp; &lt;@U0BOSS&gt; "
    "&lt;!here&gt;"
)


def mrkdwn_texts(blocks: object) -> list[str]:
    """Every mrkdwn text in a Block Kit structure."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(blocks)
    return found


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain words", "plain words"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here|here>", "&lt;!here|here&gt;"),
        ("<@U024BE7LH>", "&lt;@U024BE7LH&gt;"),
        ("<https://evil|click>", "&lt;https://evil|click&gt;"),
        ("AT&T &amp; co", "AT&amp;T &amp;amp; co"),
        ("a > b < c", "a &gt; b &lt; c"),
        ("*bold* _it_ @channel", "*bold* _it_ @channel"),
    ],
    ids=["plain", "channel", "here", "user", "link", "ampersands", "comparison", "markup-kept"],
)
def test_escape_makes_mentions_and_links_inert_and_unescape_reverses_it(
    raw: str, escaped: str
) -> None:
    assert escape(raw) == escaped
    assert unescape(escaped) == raw


@pytest.mark.parametrize(
    ("url", "label", "expected"),
    [
        ("https://news.example/a", "Austin calls", "<https://news.example/a|Austin calls>"),
        ("https://news.example/a", "", "<https://news.example/a>"),
        ("https://news.example/a", "https://news.example/a", "<https://news.example/a>"),
        ("https://x.example/?a=1&b=2", "q", "<https://x.example/?a=1&amp;b=2|q>"),
        ("https://x.example/a|b>c<d", "t", "<https://x.example/a%7Cb%3Ec%3Cd|t>"),
        (
            "https://news.example/a",
            "<!channel> | x",
            "<https://news.example/a|&lt;!channel&gt; | x>",
        ),
        ("javascript:alert(1)", "click", "click"),
        ("mailto:desk@example.org", "", "mailto:desk@example.org"),
        ("https://bad host/x", "t", "t"),
        ("ftp://x.example/<b>", "", "ftp://x.example/&lt;b&gt;"),
    ],
    ids=[
        "labelled",
        "bare",
        "label-is-url",
        "ampersand-in-url",
        "breakers-in-url",
        "label-escaped",
        "javascript",
        "mailto",
        "space-in-url",
        "non-web-escaped",
    ],
)
def test_links_only_to_web_addresses(url: str, label: str, expected: str) -> None:
    assert link(url, label) == expected


def test_inline_runs_render_as_mrkdwn() -> None:
    runs = ("Source: ", Link("Moscow <talks>", "https://mod.example/1"), " (", Strong(" mod "), ")")
    assert mrkdwn(runs) == "Source: <https://mod.example/1|Moscow &lt;talks&gt;> (*mod*)"
    assert mrkdwn((Strong("  "), "x")) == "x"


def test_every_block_kind_renders_to_its_block_kit_form() -> None:
    blocks = (
        heading("Call: Lloyd Austin – Sergei Shoigu"),
        text("First call since May 13, 163 days.", "Second line & more"),
        fields(("Date", "Sun October 23, 2022"), ("Source", [Link("TASS", "https://t.example")])),
        bullets("wire: ok", "tass: failing (<b>)"),
        context("“Shoigu holds call with Austin”", "second"),
    )
    assert render_blocks(blocks, (Action("Mute mod 1h", "mute mod 1h"),)) == [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": "Call: Lloyd Austin – Sergei Shoigu",
                "emoji": True,
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "First call since May 13, 163 days.\nSecond line &amp; more",
            },
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Date*\nSun October 23, 2022"},
                {"type": "mrkdwn", "text": "*Source*\n<https://t.example|TASS>"},
            ],
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "• wire: ok\n• tass: failing (&lt;b&gt;)"},
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "“Shoigu holds call with Austin”"},
                {"type": "mrkdwn", "text": "second"},
            ],
        },
        {
            "type": "actions",
            "block_id": "hotline_actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "hotline_action_0",
                    "text": {"type": "plain_text", "text": "Mute mod 1h", "emoji": True},
                    "value": "mute mod 1h",
                }
            ],
        },
    ]


def test_a_header_keeps_to_150_characters_and_shows_a_link_by_its_label() -> None:
    (header,) = render_blocks((heading("x" * 200),))
    assert len(header["text"]["text"]) == 150
    assert header["text"]["text"].endswith("…")
    (header,) = render_blocks((heading(Link("Reuters", "https://r.example"), " wire"),))
    assert header["text"]["text"] == "Reuters wire"


def test_long_text_is_split_over_sections_of_at_most_3000_characters() -> None:
    lines = [f"line {i:04d} " + "y" * 90 for i in range(100)]  # about 10,000 characters
    sections = render_blocks((bullets(*lines),))
    assert len(sections) == 4
    assert all(len(s["text"]["text"]) <= 3000 for s in sections)
    rejoined = "\n".join(s["text"]["text"] for s in sections)
    assert rejoined == "\n".join(f"• {line}" for line in lines)


def test_a_single_overlong_line_is_cut_without_breaking_a_link_or_an_entity() -> None:
    url = "https://news.example/" + "p" * 40
    sections = render_blocks((text(["a" * 2980, Link("end", url)]),))
    assert [s["text"]["text"] for s in sections] == ["a" * 2980, f"<{url}|end>"]
    entities = render_blocks((text("x" * 2998 + "&y"),))
    assert [s["text"]["text"] for s in entities] == ["x" * 2998, "&amp;y"]


def test_fields_go_ten_to_a_section_and_context_ten_to_a_block() -> None:
    many = fields(*[(f"F{i}", str(i)) for i in range(23)])
    sections = render_blocks((many,))
    assert [len(s["fields"]) for s in sections] == [10, 10, 3]
    small = context(*[f"c{i}" for i in range(12)])
    assert [len(b["elements"]) for b in render_blocks((small,))] == [10, 2]


def test_a_field_keeps_to_2000_characters() -> None:
    (section,) = render_blocks((fields(("Evidence", "z" * 5000)),))
    assert len(section["fields"][0]["text"]) == 2000


def test_at_most_50_blocks_with_the_buttons_kept_and_the_rest_counted() -> None:
    blocks = tuple(text(f"paragraph {i}") for i in range(80))
    rendered = render_blocks(blocks, (Action("Mute wire 1h", "mute wire 1h"),))
    assert len(rendered) == 50
    assert rendered[-1]["type"] == "actions"
    assert rendered[-2] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "_32 more blocks are not shown._"}],
    }
    assert rendered[47]["text"]["text"] == "paragraph 47"


def test_empty_lines_make_no_empty_blocks() -> None:
    assert render_blocks((text(""), context(" "), heading(""), fields())) == []


def test_an_alert_has_an_escaped_fallback_and_feed_text_is_inert_everywhere() -> None:
    blocks = (
        heading("Call: Lloyd Austin – Sergei Shoigu"),
        fields(("Source", [Link(EVIL, "https://news.example/1"), " (wire)"])),
        context(f"“{EVIL}”"),
    )
    alert = Alert("contact:1", "contact", f"Call\n{EVIL}", blocks, feed="wire")
    message = alert_message(alert)
    assert message.text == f"Call\n{EVIL_ESCAPED}"
    texts = mrkdwn_texts(list(message.blocks))
    assert texts == [
        f"*Source*\n<https://news.example/1|{EVIL_ESCAPED}> (wire)",
        f"“{EVIL_ESCAPED}”",
    ]
    whole = json.dumps([message.text, *texts])
    for raw in ("<!channel>", "<!here>", "<@U0BOSS>", "<https://evil"):
        assert raw not in whole


def test_an_alert_without_blocks_still_carries_its_buttons_under_its_text() -> None:
    alert = Alert(
        "x:1", "feed_broken", "wire is failing <again>", actions=(Action("A", "mute wire 1h"),)
    )
    message = alert_message(alert)
    assert [b["type"] for b in message.blocks] == ["section", "actions"]
    assert message.blocks[0]["text"]["text"] == "wire is failing &lt;again&gt;"


def test_a_reply_without_blocks_is_rendered_from_its_text() -> None:
    message = reply_message(Reply("Only editors may use mute.\nUsage: mute FEED", public=False))
    assert message.blocks == (
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Only editors may use mute.\nUsage: mute FEED"},
        },
    )
    assert message.text == "Only editors may use mute.\nUsage: mute FEED"


def test_the_fallback_is_cut_for_notifications_and_never_empty() -> None:
    assert len(fallback("é" * 10_000)) == 3000
    assert fallback("   ") == " "


def test_a_note_replaces_an_earlier_note_and_keeps_the_rest() -> None:
    posted = [
        {"type": "header", "block_id": "a", "text": {"type": "plain_text", "text": "Call"}},
        {"type": "actions", "block_id": "hotline_actions", "elements": []},
    ]
    once = with_note(posted, "Muted by <@U1> for 1h")
    twice = with_note(once, "Muted by <@U2> for 2h")
    assert twice == [
        *posted,
        {
            "type": "context",
            "block_id": "hotline_note",
            "elements": [{"type": "mrkdwn", "text": "Muted by <@U2> for 2h"}],
        },
    ]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("U024BE7LH", "<@U024BE7LH>"),
        ("W0ENTERPRISE", "<@W0ENTERPRISE>"),
        ("<!channel>", "&lt;!channel&gt;"),
    ],
    ids=["user", "enterprise-user", "not-an-id"],
)
def test_user_mentions_only_for_user_ids(user: str, expected: str) -> None:
    assert user_mention(user) == expected


@pytest.mark.parametrize(
    ("command", "words", "expected"),
    [
        ("/lastcontact", "milley gerasimov", "lastcontact milley gerasimov"),
        ("/contacts", "austin shoigu since 2022-01-01", "contacts austin shoigu since 2022-01-01"),
        ("/silences", "", "silences"),
        ("/feeds", "  ", "feeds"),
        ("/mute", "wire 1h night desk", "mute wire 1h night desk"),
        ("/unmute", "wire", "unmute wire"),
        ("/mutes", "", "mutes"),
        ("/hotline", "", "help"),
        ("/hotline", "feeds", "feeds"),
        ("/hotline", "help mute", "help mute"),
        ("/HOTLINE", " lastcontact a b ", "lastcontact a b"),
        ("/lastcontact", "O&amp;Brien &lt;x&gt;", "lastcontact O&Brien <x>"),
    ],
    ids=[
        "lastcontact",
        "contacts",
        "silences",
        "feeds-blank",
        "mute",
        "unmute",
        "mutes",
        "hotline-alone",
        "hotline-sub",
        "hotline-help-topic",
        "hotline-upper",
        "slack-escapes-undone",
    ],
)
def test_slash_commands_become_the_cores_command_text(
    command: str, words: str, expected: str
) -> None:
    assert slash_text(command, words) == expected


def test_the_home_view_shows_each_reply_between_dividers() -> None:
    mutes = Reply("No feed is muted.", (text("No feed is muted."),))
    feeds = Reply("Feeds", (heading("Feeds"), bullets(*[f"feed{i}: ok" for i in range(3)])))
    view = home_view([mutes, feeds], datetime(2024, 3, 1, 2, 5, tzinfo=UTC))
    assert view["type"] == "home"
    assert [b["type"] for b in view["blocks"]] == [
        "header",
        "context",
        "divider",
        "section",
        "divider",
        "header",
        "section",
    ]
    assert view["blocks"][1]["elements"][0]["text"].startswith("Updated 2024-03-01 02:05 UTC.")
    huge = Reply("x", tuple(text(f"p{i}") for i in range(300)))
    assert len(home_view([huge, huge], datetime(2024, 3, 1, tzinfo=UTC))["blocks"]) <= 100


@pytest.mark.parametrize(
    ("status", "error", "retry_after", "permanent", "wait"),
    [
        (429, "ratelimited", "30", False, 30.0),
        (429, None, "1.5", False, 1.5),
        (200, "ratelimited", None, False, None),
        (429, "ratelimited", "soon", False, None),
        (500, None, None, False, None),
        (503, "service_unavailable", None, False, None),
        (200, "channel_not_found", None, True, None),
        (200, "not_in_channel", None, True, None),
        (200, "is_archived", None, True, None),
        (200, "invalid_blocks", None, True, None),
        (200, "msg_too_long", None, True, None),
        (200, "invalid_auth", None, False, None),
        (200, "missing_scope", None, False, None),
        (200, "internal_error", None, False, None),
        (404, None, None, False, None),
    ],
    ids=[
        "429",
        "429-fractional",
        "ratelimited-body",
        "429-bad-header",
        "500",
        "503",
        "channel-not-found",
        "not-in-channel",
        "archived",
        "invalid-blocks",
        "too-long",
        "auth-waits-for-a-fix",
        "scope-waits-for-a-fix",
        "internal",
        "wrong-url",
    ],
)
def test_slacks_answers_become_retries_or_permanent_failures(
    status: int, error: str | None, retry_after: str | None, permanent: bool, wait: float | None
) -> None:
    outcome = classify("chat.postMessage", status, error, retry_after)
    assert (outcome.permanent, outcome.retry_after) == (permanent, wait)
    assert "chat.postMessage" in str(outcome)


class FakeTime:
    """A monotonic clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self.woke: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.woke.append(round(self.now + seconds, 6))
        self.now += seconds


async def test_the_pacer_spaces_messages_per_channel_only() -> None:
    fake = FakeTime()
    pacer = Pacer(timedelta(seconds=1), monotonic=fake.monotonic, sleep=fake.sleep)
    await pacer.wait("C1")
    await pacer.wait("C2")
    await pacer.wait("C1")
    fake.now += 0.25
    await pacer.wait("C2")
    fake.now += 5
    await pacer.wait("C1")
    assert fake.slept == [1.0]


async def test_the_pacer_spaces_callers_that_arrive_together() -> None:
    fake = FakeTime()
    pacer = Pacer(timedelta(seconds=1), monotonic=fake.monotonic, sleep=fake.sleep)
    await asyncio.gather(*(pacer.wait("C1") for _ in range(3)))
    assert fake.woke == [101.0, 102.0]


async def test_editor_groups_are_cached_for_five_minutes_and_survive_an_outage() -> None:
    clock = FixedClock(datetime(2024, 1, 1, tzinfo=UTC))
    asked: list[str] = []
    members = {"S0DESK": ["U1", "U2"], "S0NIGHT": ["U3"]}
    down = False

    async def lookup(group: str) -> list[str]:
        asked.append(group)
        if down:
            raise OSError("connection refused")
        return members[group]

    groups = EditorGroups(["S0DESK", "S0NIGHT", "S0DESK"], lookup, clock)
    assert await groups.contains("U2")
    assert asked == ["S0DESK"]
    assert await groups.contains("U3")
    assert not await groups.contains("U9")
    assert asked == ["S0DESK", "S0NIGHT"]
    members["S0DESK"] = ["U9"]
    clock.advance(timedelta(minutes=4))
    assert not await groups.contains("U9")  # still cached
    clock.advance(timedelta(minutes=2))
    assert await groups.contains("U9")
    down = True
    clock.advance(timedelta(minutes=6))
    assert await groups.contains("U9")  # Slack unreachable: the last known members
    fresh = EditorGroups(["S0DESK"], lookup, clock)
    assert not await fresh.contains("U9")  # nothing known: nobody is vouched for
