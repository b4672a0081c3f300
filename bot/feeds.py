"""Parsing feed documents into ``Item`` values. Pure: bytes and headers in, values out; no
I/O, no clock.

feedparser reads the bytes (with the response headers, so the declared charset is used);
its HTML sanitiser and relative-URI rewriting are off because summaries become plain text
here (lxml strips the markup and decodes entities). A missing publication date stays
``None``. The publication's local calendar date comes from the feed's configured time zone,
else from the offset written in the date itself, else UTC.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import feedparser
import lxml.etree
import lxml.html

from bot.errors import FeedParseError
from bot.models import Item

__all__ = [
    "MAX_SUMMARY",
    "MAX_TITLE",
    "ParsedFeed",
    "content_hash",
    "html_to_text",
    "normalize_url",
    "parse_feed",
]

MAX_TITLE = 1_000
MAX_SUMMARY = 6_000
_MAX_KEY = 512


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed document.

    Attributes:
        title: the feed's own title.
        version: the format feedparser recognised (``rss20``, ``atom10``, ...).
        items: its entries, in document order.
        warning: why feedparser found the document ill-formed, if it did (the items are
            still usable).
    """

    title: str
    version: str
    items: tuple[Item, ...]
    warning: str | None = None


_BLOCK_TAGS = frozenset((
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
    "table", "blockquote", "section", "article", "header", "footer", "figure", "figcaption",
    "pre", "hr", "dd", "dt",
))  # fmt: skip


def _collapse(text: str) -> str:
    """White space runs as one space, none at the ends."""
    return " ".join(text.split())


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags removed (scripts and styles with their
    content), entities decoded, block boundaries kept as spaces, white space collapsed."""
    if "<" not in markup:
        if "&" in markup:
            import html

            markup = html.unescape(markup)
        return _collapse(markup)
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _collapse(re.sub(r"<[^>]*>", " ", markup))
    parts: list[str] = []
    _walk(root, parts)
    return _collapse("".join(parts))


def _walk(element: Any, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in ("script", "style", "noscript", "template"):
        return
    block = tag.lower() in _BLOCK_TAGS
    if block:
        parts.append(" ")
    if tag and element.text:
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append(" ")


def _text(value: str, detail: Mapping[str, Any] | None) -> str:
    kind = str((detail or {}).get("type", "text/plain"))
    if "html" in kind or "<" in value:
        return html_to_text(value)
    return _collapse(value)


_TRACKING_ANYWHERE = re.compile(r"(?:^|&)(?:utm_|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)", re.I)
_TRACKING = re.compile(r"^(utm_[a-z_]*|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.IGNORECASE)


def normalize_url(url: str, base: str | None = None) -> str | None:
    """A link as Hotline keys it: absolute, scheme and host in lower case, default port
    dropped, no fragment, no ``utm_*`` (or similar tracking) parameters; Google redirect
    wrappers unwrapped. ``None`` for something that is not an http(s) URL."""
    url = url.strip()
    if not url:
        return None
    if base and not url.startswith(("http://", "https://")):
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if host.endswith("google.com") and parts.path == "/url":
        target = dict(parse_qsl(parts.query)).get("url") or dict(parse_qsl(parts.query)).get("q")
        if target and target.startswith(("http://", "https://")):
            return normalize_url(target)
    port = parts.port if parts.port not in (None, 80 if scheme == "http" else 443) else None
    netloc = f"{host}:{port}" if port else host
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        ]
    )
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path.replace(" ", "%20"), query, ""))


def content_hash(title: str, summary: str) -> str:
    """A stable hash of an item's text, blind to case and white space."""
    text = f"{_collapse(title).lower()}\n{_collapse(summary).lower()}"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _offset(raw: str | None) -> timedelta | None:
    """The UTC offset written in a date string (RFC 822 or ISO 8601), if any."""
    if not raw:
        return None
    raw = raw.strip()
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        return None
    return parsed.utcoffset()


def _published(entry: dict[str, Any], zone: tzinfo | None) -> tuple[datetime | None, date | None]:
    for key in ("published", "updated", "created"):
        # dict.get: feedparser's own get() maps updated<->published with a warning
        parsed = dict.get(entry, f"{key}_parsed")
        if parsed:
            try:
                year, month, day, hour, minute, second = parsed[:6]
                when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError):
                continue
            if zone is not None:
                return when, when.astimezone(zone).date()
            offset = _offset(dict.get(entry, key))
            return when, (when + offset).date() if offset is not None else when.date()
    return None, None


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + " …"


def parse_feed(
    content: bytes,
    *,
    feed: str,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    tz: str | None = None,
) -> ParsedFeed:
    """Parse a feed document into items.

    Args:
        content: the document's bytes.
        feed: the feed's name (stamped on every item).
        url: where it came from, to resolve relative links.
        headers: response headers (``content-type`` carries the charset).
        tz: the publication's IANA time zone, for local calendar dates.

    Raises ``FeedParseError`` when the bytes are not a feed (an HTML page, an empty body,
    XML too broken to yield any entry).
    """
    if not content.strip():
        raise FeedParseError("the body is empty", kind="empty")
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    try:
        parsed = feedparser.parse(
            content,
            response_headers=response_headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser is robust, but a parser bug must not stop a poll
        raise FeedParseError(f"the parser failed: {type(exc).__name__}: {exc}") from exc
    # An entry with nothing in it (a document cut off inside an item) is not an item.
    entries = [
        e
        for e in parsed.get("entries") or []
        if any(dict.get(e, k) for k in ("title", "link", "id", "summary", "content"))
    ]
    version = str(parsed.get("version") or "")
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries:
        # A well-formed feed may be empty; a document that failed as XML with nothing in
        # it is not a feed. (Complaints about the Content-Type or the charset are soft.)
        if isinstance(problem, xml.sax.SAXException):
            raise FeedParseError(
                f"not a usable feed: {type(problem).__name__}: {problem}", kind="invalid_xml"
            )
        if not version:
            raise FeedParseError(
                "not a feed (no RSS or Atom root element; an HTML page?)", kind="not_a_feed"
            )
    zone = ZoneInfo(tz) if tz else None
    base = url if url and url.startswith("http") else None
    items = tuple(_item(entry, feed, base, zone) for entry in entries)
    channel = parsed.get("feed") or {}
    return ParsedFeed(
        title=_text(str(channel.get("title", "")), channel.get("title_detail")),
        version=version or "unknown",
        items=items,
        warning=f"{type(problem).__name__}: {problem}" if problem is not None else None,
    )


def _item(entry: dict[str, Any], feed: str, base: str | None, zone: tzinfo | None) -> Item:
    title = _clip(_text(str(entry.get("title", "")), entry.get("title_detail")), MAX_TITLE)
    raw_summary = entry.get("summary")
    detail = entry.get("summary_detail")
    if not raw_summary and entry.get("content"):
        first = entry["content"][0]
        raw_summary, detail = first.get("value", ""), first
    summary = _clip(_text(str(raw_summary or ""), detail), MAX_SUMMARY)
    link = normalize_url(str(entry.get("link") or ""), base)
    published, local_date = _published(entry, zone)
    digest = content_hash(title, summary)
    guid = str(entry.get("id") or "").strip()
    if guid:
        key = f"guid:{guid}"
    elif link:
        key = f"url:{link}"
    else:
        key = f"hash:{digest}"
    if len(key) > _MAX_KEY:
        key = f"{key[:5]}sha:{hashlib.blake2b(key.encode(), digest_size=16).hexdigest()}"
    return Item(
        feed=feed,
        key=key,
        url=link,
        title=title,
        summary=summary,
        published=published,
        local_date=local_date,
        content_hash=digest,
    )
