"""Deterministic, realistic feed documents for benchmarks: RSS 2.0 with 50 items each,
HTML descriptions, media and category elements, RFC 822 dates; about one item in eight
reports a leader-level contact in wire-service phrasing, the rest is ordinary world news."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

__all__ = ["feed_document"]

_CONTACTS = [
    (
        "Shoigu holds phone talks with U.S. counterpart Austin",
        "Russian Defence Minister Sergei Shoigu spoke by telephone with U.S. Defense Secretary "
        "Lloyd Austin on {day}, the ministry said, their first conversation in months.",
    ),
    (
        "Blinken meets China's Wang Yi on sidelines of ASEAN talks",
        "U.S. Secretary of State Antony Blinken met Chinese Foreign Minister Wang Yi on {day} "
        "on the sidelines of the ASEAN foreign ministers' meeting in Jakarta.",
    ),
    (
        "Erdogan and Putin discuss grain corridor by phone",
        "Turkish President Tayyip Erdogan and Russian President Vladimir Putin discussed the "
        "Black Sea grain deal in a phone call on {day}, Ankara said.",
    ),
    (
        "Milley, Gerasimov speak as tensions rise",
        "U.S. Joint Chiefs Chairman Mark Milley spoke by phone with his Russian counterpart "
        "Valery Gerasimov on {day}, a spokesman said.",
    ),
]
_NEWS_SUBJECTS = [
    "Floods displace thousands in",
    "Central bank holds rates steady in",
    "Protesters gather outside parliament in",
    "Election commission certifies results in",
    "Wildfire season starts early in",
    "Trade talks resume between officials in",
    "Court hears appeal over media law in",
    "New rail link opens to passengers in",
    "Power outage hits capital of",
    "Health ministry reports rise in cases in",
]
_PLACES = [
    "Brazil", "Kenya", "Indonesia", "Peru", "Vietnam", "Nigeria", "Chile", "Bangladesh",
    "Morocco", "Mongolia", "Georgia", "Moldova", "Ghana", "Ecuador", "Tunisia", "Laos",
]  # fmt: skip
_FILLER = (
    "Officials said the situation was being monitored closely and that further updates "
    "would follow. Local media reported that residents had been advised to follow official "
    "guidance, while analysts said the developments could weigh on the regional outlook for "
    "the rest of the year."
)
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def feed_document(index: int, items: int = 50, *, base: str = "https://news.example") -> bytes:
    """The RSS document of benchmark feed ``index`` (the same bytes every time)."""
    rng = random.Random(index)
    start = datetime(2024, 5, 1, 12, tzinfo=UTC) - timedelta(minutes=index)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>World news {index}</title>\n<link>{base}/{index}/</link>\n"
        "<description>Top world stories</description>\n<language>en</language>\n"
    ]
    for n in range(items):
        published = start - timedelta(minutes=37 * n)
        if rng.random() < 0.125:
            title, summary = rng.choice(_CONTACTS)
            summary = summary.format(day=_DAYS[(published.weekday() - 1) % 7])
        else:
            title = f"{rng.choice(_NEWS_SUBJECTS)} {rng.choice(_PLACES)}"
            summary = f"{title} on {_DAYS[published.weekday()]}. {_FILLER}"
        link = f"{base}/{index}/story-{n}-{rng.randrange(10**9)}?utm_source=rss"
        parts.append(
            "<item>\n"
            f"<title>{escape(title)}</title>\n<link>{escape(link)}</link>\n"
            f'<guid isPermaLink="false">feed{index}-item{n}</guid>\n'
            f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>\n"
            f"<dc:creator>Staff reporter {rng.randrange(40)}</dc:creator>\n"
            f"<category>World</category><category>{rng.choice(_PLACES)}</category>\n"
            f"<description><![CDATA[<p>{summary}</p><p>{_FILLER} (Ref. {index}-{n}.)</p>"
            f'<img src="{base}/img/{index}-{n}.jpg" alt="photo"/>]]></description>\n'
            f'<media:content url="{base}/img/{index}-{n}.jpg" medium="image" width="1024" '
            'height="576"/>\n'
            "</item>\n"
        )
    parts.append("</channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")
