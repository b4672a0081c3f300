"""Feeds added from chat: editors only, public addresses only (redirects included)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.errors import FetchError
from bot.fetch import Fetcher
from bot.netcheck import address_problem, url_problem
from tests.fakes import Entry, FakeDNS, rss
from tests.test_service import Desk


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("127.8.9.10", "127.8.9.10 is a loopback address"),
        ("::1", "::1 is a loopback address"),
        ("10.1.2.3", "10.1.2.3 is a private address"),
        ("172.16.0.5", "172.16.0.5 is a private address"),
        ("192.168.1.1", "192.168.1.1 is a private address"),
        ("169.254.169.254", "169.254.169.254 is a link-local address"),
        ("fe80::1", "fe80::1 is a link-local address"),
        ("fd00::1", "fd00::1 is a private address"),
        ("::ffff:127.0.0.1", "127.0.0.1 is a loopback address"),
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("224.0.0.1", "224.0.0.1 is a multicast address"),
        ("100.64.0.1", "100.64.0.1 is not a public address"),
        ("not-an-ip", "'not-an-ip' is not an IP address"),
    ],
)
def test_address_problem(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


@pytest.mark.parametrize(
    ("url", "allow_private", "expected"),
    [
        ("https://news.example/rss", False, None),
        ("http://93.184.216.34:8080/rss", False, None),
        ("file:///etc/passwd", False, "a feed added from chat must be an http or https URL"),
        ("/etc/passwd", False, "a feed added from chat must be an http or https URL"),
        ("ftp://news.example/rss", False, "a feed added from chat must be an http or https URL"),
        (
            "http://intranet.example/rss",
            False,
            "intranet.example resolves to 10.1.2.3 is a private",
        ),
        ("http://metadata.example/", False, "resolves to 169.254.169.254 is a link-local"),
        ("http://sneaky.example/rss", False, "sneaky.example resolves to 127.0.0.1 is a loopback"),
        ("http://127.0.0.1:3000/rss", False, "127.0.0.1 is a loopback address; feeds added"),
        ("http://[::1]/rss", False, "::1 is a loopback address"),
        ("http://nowhere.example/rss", False, "cannot resolve nowhere.example"),
        ("http://127.0.0.1:3000/rss", True, None),
        ("http:///rss", False, "has no host"),
    ],
)
async def test_url_problem(url: str, allow_private: bool, expected: str | None) -> None:
    problem = await url_problem(url, allow_private=allow_private, resolve=FakeDNS())
    if expected is None:
        assert problem is None
    else:
        assert problem is not None
        assert expected in problem


async def test_a_redirect_to_a_private_address_is_refused_before_it_is_followed() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.host == "news.example":
            return httpx.Response(
                302, headers={"Location": "http://169.254.169.254/latest/meta-data"}
            )
        return httpx.Response(200, content=rss([]))

    async with Fetcher(transport=httpx.MockTransport(handler), resolve=FakeDNS()) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch("https://news.example/rss", public_only=True)
        assert caught.value.kind == "private_address"
        assert "redirected to http://169.254.169.254" in str(caught.value)
        assert seen == ["https://news.example/rss"]  # the private address was never asked
        # a feed from feeds.yaml is trusted: the same redirect is followed
        seen.clear()
        await fetcher.fetch("https://news.example/rss")
        assert seen[-1] == "http://169.254.169.254/latest/meta-data"


EDITOR = "U0EDITOR1"


async def test_editors_add_and_remove_feeds_from_chat(tmp_path: Path) -> None:
    desk = Desk(tmp_path, config=_config())
    refused = await desk.ask_as("U0SOMEONE", "feed add mfa-ru https://mid.ru/en/rss")
    assert not refused.public
    assert refused.text.startswith("Only editors may use feed.")

    added = await desk.ask_as(EDITOR, "feed add mfa-ru <https://mid.ru/en/rss> 15m")
    assert added.public
    assert added.text == (
        "Added feed mfa-ru (https://mid.ru/en/rss), polled every 15m. Its current items are "
        "recorded without alerts; new ones are announced."
    )
    desk.web.docs["https://mid.ru/en/rss"] = httpx.Response(
        200, content=rss([Entry("m1", "Lavrov meets counterpart")])
    )
    outcomes = await desk.hotline.poller.poll_due()
    assert ("mfa-ru", "seeded") in [(o.feed, o.status) for o in outcomes]
    feeds = (await desk.ask_as("U0SOMEONE", "feeds")).text
    assert "• mfa-ru (added from chat): ok" in feeds

    assert (
        "There is already a feed called mfa-ru."
        in (await desk.ask_as(EDITOR, "feed add mfa-ru https://news.example/rss")).text
    )
    assert (
        "wire comes from feeds.yaml; remove it there."
        in (await desk.ask_as(EDITOR, "feed remove wire")).text
    )
    removed = await desk.ask_as(EDITOR, "feed remove mfa-ru")
    assert removed.text == "Removed feed mfa-ru. What it brought stays in the record."
    assert desk.hotline.store.count_items("mfa-ru") == 1
    desk.clock.advance(timedelta(hours=1))
    assert "mfa-ru" not in [o.feed for o in await desk.hotline.poller.poll_due()]
    actions = [(t["action"], t["detail"].get("name")) for t in desk.store.audit_trail()]
    assert actions[:2] == [("feed remove", "mfa-ru"), ("feed add", "mfa-ru")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "feed add intranet http://intranet.example/rss",
            "Not added: intranet.example resolves to 10.1.2.3",
        ),
        ("feed add local http://127.0.0.1:8080/rss", "Not added: 127.0.0.1 is a loopback address"),
        ("feed add files file:///etc/passwd", "Not added: a feed added from chat must be an http"),
        ("feed add -bad https://news.example/rss", "is not a feed name"),
        ("feed add all https://news.example/rss", "is not a feed name"),
        ("feed add fast https://news.example/rss 5s", "shorter than 30s"),
        ("feed add lost https://nowhere.example/rss", "Not added: cannot resolve nowhere.example"),
        ("feed add half", "Give a NAME, a URL"),
        ("feed", "Say feed add NAME URL [INTERVAL] or feed remove NAME."),
        ("feed remove ghost", "No feed called ghost was added from chat."),
    ],
)
async def test_bad_feed_commands_are_refused_privately(
    tmp_path: Path, line: str, expected: str
) -> None:
    desk = Desk(tmp_path, config=_config())
    reply = await desk.ask_as(EDITOR, line)
    assert not reply.public
    assert expected in reply.text
    assert desk.store.added_feeds() == []


async def test_allow_private_lets_editors_add_an_internal_feed(tmp_path: Path) -> None:
    desk = Desk(tmp_path, config=_config(allow_private=True))
    reply = await desk.ask_as(EDITOR, "feed add local http://127.0.0.1:8080/rss")
    assert reply.public


async def test_a_feed_whose_name_moves_to_a_private_address_is_not_fetched(
    tmp_path: Path,
) -> None:
    desk = Desk(tmp_path, config=_config())
    await desk.ask_as(EDITOR, "feed add later https://news.example/rss")
    desk.dns.table["news.example"] = ["192.168.0.10"]  # the name now points inside
    outcomes = {o.feed: o for o in await desk.hotline.poller.poll_due()}
    assert outcomes["later"].status == "error"
    assert "resolves to 192.168.0.10 is a private address" in (outcomes["later"].error or "")
    assert not any("news.example" in str(r.url) for r in desk.web.seen)
    state = desk.store.feed_state("later")
    assert state is not None
    assert state.error_kind == "private_address"


def _config(*, allow_private: bool = False) -> str:
    return (
        "feeds: [{name: wire, url: 'https://wire.example/rss'}]\n"
        f"editors: {{slack: [{EDITOR}]}}\n"
        f"polling: {{allow_private: {str(allow_private).lower()}}}\n"
    )
