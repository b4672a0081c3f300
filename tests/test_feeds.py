"""Parsing real feed documents into items, with expected values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.errors import FeedError, FeedParseError
from bot.feeds import content_hash, html_to_text, normalize_url, parse_feed
from bot.models import Item
from tests.conftest import DATA, SHARED

FEEDS = DATA / "feeds"


def test_rss2_items_are_normalised() -> None:
    parsed = parse_feed(
        (FEEDS / "readouts-rss2.xml").read_bytes(),
        feed="mod",
        url="https://mod.example.org/rss.xml",
    )
    assert parsed.title == "Ministry of Defence – Readouts"
    assert parsed.version == "rss20"
    first_summary = (
        "Russian Defence Minister Sergei Shoigu spoke by telephone with U.S. Defense "
        'Secretary Lloyd Austin on Sunday. They discussed "the situation in Ukraine".'
    )
    assert parsed.items == (
        Item(
            feed="mod",
            key="guid:mod-1234",
            url="https://mod.example.org/news/1234?id=7",
            title="Shoigu holds phone talks with U.S. counterpart Austin",
            summary=first_summary,
            published=datetime(2022, 10, 23, 20, 40, tzinfo=UTC),
            local_date=date(2022, 10, 23),  # 23:40 in Moscow, whatever the UTC day
            content_hash=content_hash(
                "Shoigu holds phone talks with U.S. counterpart Austin", first_summary
            ),
        ),
        Item(
            feed="mod",
            key="url:https://mod.example.org/news/1233",
            url="https://mod.example.org/news/1233",
            title="Minister & chief of staff visit troops",
            summary="Plain text, no markup & an entity.",
            published=datetime(2022, 10, 22, 9, 15, tzinfo=UTC),
            local_date=date(2022, 10, 22),
            content_hash=content_hash(
                "Minister & chief of staff visit troops", "Plain text, no markup & an entity."
            ),
        ),
        Item(
            feed="mod",
            key="url:https://mod.example.org/news/1232",
            url="https://mod.example.org/news/1232",
            title="Undated notice",
            summary="",
            published=None,  # a missing date stays missing
            local_date=None,
            content_hash=content_hash("Undated notice", ""),
        ),
    )


def test_the_configured_time_zone_decides_the_local_date() -> None:
    parsed = parse_feed(
        (FEEDS / "readouts-rss2.xml").read_bytes(), feed="mod", tz="America/New_York"
    )
    # 20:40 UTC on the 23rd is 16:40 in New York: still the 23rd; 09:15 UTC on the 22nd is
    # 05:15 in New York.
    assert [i.local_date for i in parsed.items] == [date(2022, 10, 23), date(2022, 10, 22), None]
    tokyo = parse_feed((FEEDS / "readouts-rss2.xml").read_bytes(), feed="mod", tz="Asia/Tokyo")
    assert tokyo.items[0].local_date == date(2022, 10, 24)


def test_atom_html_titles_relative_links_and_updated_dates() -> None:
    parsed = parse_feed(
        (FEEDS / "ministry-atom.xml").read_bytes(),
        feed="fm",
        url="https://fm.example.org/feed.atom",
    )
    first, second = parsed.items
    assert first.title == "Foreign Minister meets counterpart in Geneva"
    assert first.summary == "The ministers held talks on Thursday."
    assert first.url == "https://fm.example.org/releases/55"
    assert first.key == "guid:tag:fm.example.org,2024:release-55"
    assert first.published == datetime(2024, 3, 1, 3, 30, tzinfo=UTC)
    assert first.local_date == date(2024, 2, 29)  # the offset written in the date
    assert second.summary == "Full text of the statement."
    assert second.published == datetime(2024, 2, 28, 9, 0, tzinfo=UTC)


def test_the_declared_charset_is_honoured() -> None:
    content = (FEEDS / "windows-1251.xml").read_bytes()
    parsed = parse_feed(content, feed="ru")
    assert parsed.items[0].title == "Лавров провёл переговоры с Ван И"
    # A response header that names the charset works the same way.
    headers = {"Content-Type": "application/rss+xml; charset=windows-1251"}
    assert parse_feed(content, feed="ru", headers=headers).items == parsed.items


@pytest.mark.parametrize(
    ("name", "kind"),
    [("not-a-feed.html", "not_a_feed"), ("truncated.xml", "invalid_xml")],
)
def test_documents_that_are_not_feeds_are_a_clean_error(name: str, kind: str) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed((FEEDS / name).read_bytes(), feed="x")
    assert caught.value.kind == kind


def test_an_empty_body_is_an_error() -> None:
    with pytest.raises(FeedParseError, match="empty"):
        parse_feed(b"  \n", feed="x")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.ORG:443/a?utm_source=x&b=1#frag", "https://example.org/a?b=1"),
        ("HTTP://example.org", "http://example.org/"),
        ("/news/1", "https://base.example/news/1"),
        (
            "https://www.google.com/url?rct=j&url=https://news.example/x&ct=ga",
            "https://news.example/x",
        ),
        ("mailto:desk@example.org", None),
        ("", None),
        ("https://example.org/a b", "https://example.org/a%20b"),
    ],
    ids=[
        "tracking-and-fragment",
        "scheme-case",
        "relative",
        "google-redirect",
        "mailto",
        "empty",
        "space",
    ],
)
def test_normalize_url(url: str, expected: str | None) -> None:
    assert normalize_url(url, "https://base.example/feed") == expected


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One</p><p>Two</p>", "One Two"),
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("<div>x<script>alert(1)</script><style>p{}</style>y</div>", "xy"),
        ("Line<br>break", "Line break"),
        ("  spaced \n\t out  ", "spaced out"),
        ("<b>unclosed", "unclosed"),
    ],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def _real_feeds() -> list[Path]:
    folder = SHARED / "feeds-real"
    return sorted(folder.glob("*.xml")) if folder.exists() else []


@pytest.mark.parametrize("path", _real_feeds(), ids=lambda p: p.name)
def test_every_real_feed_yields_items_or_a_clean_feed_error(path: Path) -> None:
    content = path.read_bytes()
    try:
        parsed = parse_feed(content, feed="real", url="https://example.org/feed")
    except FeedError as exc:
        assert str(exc)
        return
    assert parsed.items
    for item in parsed.items:
        assert item.key
        assert item.published is None or item.published.tzinfo is UTC
        assert len(item.summary) <= 6_100
