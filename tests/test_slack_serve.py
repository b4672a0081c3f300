"""Slack beside the rest of Hotline: ``serve()`` with Slack's tokens in the environment
answers a signed slash command end to end and delivers queued alerts; Socket Mode takes a
command over a WebSocket; a token Slack refuses stops the start with a clear error."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.app import Hotline, active_platforms, build, serve
from bot.clock import FixedClock
from bot.config import Settings, parse_settings
from bot.errors import ConfigError
from bot.models import Alert
from bot.parsing import InlineParser
from bot.render import text
from bot.web import WebServer
from handlers.slack import SlackFrontend
from tests.fakes import Entry, FeedServer, KeywordExtractor, rss
from tests.slack_fake import APP_TOKEN, BOT_TOKEN, FakeSlack, environ, form, sign, slash_payload
from tests.test_poller import REGISTRY

NOW = datetime(2022, 10, 24, 9, 0, tzinfo=UTC)


def config(feed_url: str = "https://wire.example/rss") -> str:
    return (
        f"feeds: [{{name: wire, url: '{feed_url}'}}]\n"
        "alerts: {slack: [C0ALERTS]}\n"
        "editors: {slack: [U0EDITOR]}\n"
    )


def slack_hotline(settings: Settings) -> Hotline:
    """The core with Slack as its one platform, reading feeds in this process."""
    return build(
        settings,
        REGISTRY,
        platforms=active_platforms(settings, console=False),
        clock=FixedClock(NOW),
        parser=InlineParser(KeywordExtractor()),
    )


async def test_serve_with_slack_tokens_answers_a_signed_command_and_posts_alerts(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as slack, FeedServer() as feeds:
        feeds.serve("/wire.xml", rss([Entry("w1", "Markets today")]))
        settings = parse_settings(
            config(feeds.url("/wire.xml")), environ(slack), db=str(tmp_path / "h.db")
        )
        assert settings.chat_platforms == ("slack",)
        hotline = slack_hotline(settings)
        stop = asyncio.Event()
        running = asyncio.create_task(serve(hotline, console=False, stop=stop, host="127.0.0.1"))
        try:
            async with asyncio.timeout(20):
                await feeds.hit.wait()  # the first tick runs once the HTTP server is up
            port = hotline.extras["web"].port
            body = form(slash_payload("/hotline", "feeds", slack.response_url("feeds")))
            async with httpx.AsyncClient() as client:
                response = await client.post(
                    f"http://127.0.0.1:{port}/slack/events",
                    content=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)},
                )
                unsigned = await client.post(
                    f"http://127.0.0.1:{port}/slack/events",
                    content=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                health = await client.get(f"http://127.0.0.1:{port}/healthz")
            assert (response.status_code, response.text) == (200, "")
            assert unsigned.status_code == 401
            assert health.status_code == 200
            await slack.wait_for(lambda: bool(slack.answers_to("feeds")))
            (answer,) = slack.answers_to("feeds")
            assert answer["response_type"] == "in_channel"
            assert answer["blocks"][0]["text"]["text"] == "Feeds"

            silence = Alert("silence:x:40", "silence", "Forty days <quiet>", (text("Forty days"),))
            assert hotline.notifier.notify(silence) == 1
            await slack.wait_for(lambda: bool(slack.messages))
            (posted,) = slack.messages
            assert (posted.channel, posted.text) == ("C0ALERTS", "Forty days &lt;quiet&gt;")
            assert [c.token for c in slack.called("chat.postMessage")] == [BOT_TOKEN]
        finally:
            stop.set()
            await running
            await hotline.aclose()


async def test_socket_mode_takes_a_command_over_the_websocket(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        settings = parse_settings(config(), environ(slack, socket=True), db=str(tmp_path / "h.db"))
        assert settings.slack.socket_mode
        hotline = slack_hotline(settings)
        frontend = SlackFrontend.from_hotline(hotline)
        web = WebServer("127.0.0.1", 0, lambda: {"ok": True})
        await frontend.start(web)
        await web.start()
        try:
            payload = slash_payload(
                "/mute", "wire 30m", slack.response_url("sock"), user="U0EDITOR"
            )
            await slack.send_envelope(
                {
                    "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": payload,
                }
            )
            await slack.wait_for(lambda: bool(slack.answers_to("sock") and slack.socket_acks))
            assert slack.socket_acks == [{"envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf"}]
            (answer,) = slack.answers_to("sock")
            assert answer["response_type"] == "in_channel"
            assert answer["text"].startswith("Muted wire for 30m")
            assert [m.target for m in hotline.store.mutes()] == ["wire"]
            (opened,) = slack.called("apps.connections.open")
            assert opened.token == APP_TOKEN
            async with httpx.AsyncClient() as client:  # no unsigned way in over HTTP
                missing = await client.post(f"http://127.0.0.1:{web.port}/slack/events")
            assert missing.status_code in (404, 405)
        finally:
            await frontend.stop()
            await web.stop()
            await hotline.aclose()


async def test_a_token_slack_refuses_stops_the_start_with_a_clear_error(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        settings = parse_settings(config(), environ(slack), db=str(tmp_path / "h.db"))
        hotline = slack_hotline(settings)
        slack.fail("auth.test", status=200, error="invalid_auth")
        frontend = SlackFrontend.from_hotline(hotline)
        with pytest.raises(
            ConfigError, match=r"SLACK_BOT_TOKEN: Slack refused the token \(invalid_auth\)"
        ):
            await frontend.start(WebServer("127.0.0.1", 0, lambda: {"ok": True}))
        await hotline.aclose()


async def test_an_app_token_slack_refuses_stops_the_start_with_a_clear_error(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as slack:
        settings = parse_settings(config(), environ(slack, socket=True), db=str(tmp_path / "h.db"))
        hotline = slack_hotline(settings)
        slack.fail("apps.connections.open", status=200, error="invalid_auth")
        frontend = SlackFrontend.from_hotline(hotline)
        with pytest.raises(ConfigError, match=r"SLACK_APP_TOKEN: Slack refused the token"):
            await frontend.start(None)
        assert frontend._socket is None  # nothing opened that would need closing
        await hotline.aclose()
    assert [c.method for c in slack.calls] == ["auth.test", "apps.connections.open"]


async def test_slack_down_at_start_does_not_stop_hotline(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": f"http://127.0.0.1:{port}/api",
    }
    settings = parse_settings(config(), env, db=str(tmp_path / "h.db"))
    hotline = slack_hotline(settings)
    frontend = SlackFrontend(
        hotline.service,
        settings.slack,
        clock=hotline.clock,
        backoff=FixedValueRetryIntervalCalculator(0.01),
    )
    web = WebServer("127.0.0.1", 0, lambda: {"ok": True})
    await frontend.start(web)  # auth.test failed: logged, and Hotline goes on
    assert any(
        r.resource and r.resource.canonical == "/slack/events" for r in web.app.router.routes()
    )
    with pytest.raises(ConfigError, match="HTTP mode needs Hotline's HTTP server"):
        await frontend.start(None)
    await frontend.stop()
    await hotline.aclose()
