"""Logs: readable text or JSON, every line about a feed names it, no secret ever shows."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.clock import FixedClock
from bot.logs import SecretMask, configure_logging
from tests.conftest import ROOT
from tests.fakes import Entry, rss
from tests.slack_fake import FakeSlack, form, sign, slash_payload
from tests.test_poller import Web, make

NOW = datetime(2022, 10, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_logging("json", "INFO", stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)


async def test_every_line_about_a_feed_names_it(tmp_path: Path, json_logs: io.StringIO) -> None:
    web = Web()
    web.docs["https://a.example/rss"] = httpx.Response(200, content=rss([Entry("x", "News")]))
    web.docs["https://b.example/rss"] = httpx.Response(503)
    web.docs["https://c.example/rss"] = httpx.Response(200, content=b"<html>moved</html>")
    config = (
        "feeds:\n  - {name: alpha, url: 'https://a.example/rss'}\n"
        "  - {name: bravo, url: 'https://b.example/rss'}\n"
        "  - {name: charlie, url: 'https://c.example/rss'}\n"
    )
    clock = FixedClock(NOW)
    hotline, _ = make(tmp_path, web, clock, config=config)
    await hotline.poller.poll_due()
    clock.advance(timedelta(hours=1))
    await hotline.poller.poll_due()
    records = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    about_feeds = [r for r in records if r["logger"] == "bot.poller"]
    assert about_feeds
    assert all(r["feed"] in ("alpha", "bravo", "charlie") for r in about_feeds), about_feeds
    assert {r["feed"] for r in about_feeds} == {"alpha", "bravo", "charlie"}
    for record in records:
        assert set(record) >= {"time", "level", "logger", "feed", "message"}
    await hotline.aclose()


def test_text_lines_name_the_feed_in_brackets() -> None:
    stream = io.StringIO()
    handler = configure_logging("text", "INFO", stream=stream)
    try:
        logging.getLogger("bot.poller").warning("HTTP 503", extra={"feed": "tass"})
        logging.getLogger("bot.app").info("running")
    finally:
        logging.getLogger().removeHandler(handler)
    first, second = stream.getvalue().splitlines()
    assert first.endswith("WARNING bot.poller [tass]: HTTP 503")
    assert second.endswith("INFO    bot.app: running")


def test_the_mask_hides_secrets_in_messages_arguments_and_tracebacks() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "token %s", ("xoxb-12345-abc",), None
    )
    try:
        raise RuntimeError("auth failed for xoxb-12345-abc")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    SecretMask(["xoxb-12345-abc"]).filter(record)
    assert record.getMessage() == "token ***"
    assert "xoxb-12345-abc" not in (record.exc_text or "")
    assert "auth failed for ***" in (record.exc_text or "")


SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-4242-secret-bot-token",
    "SLACK_SIGNING_SECRET": "signing-secret-8f3a9c",
    "MATRIX_PASSWORD": "matrix-password-71b2",
}


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_no_secret_reaches_the_logs_of_a_running_bot(tmp_path: Path, fmt: str) -> None:
    """A real ``hotline run`` at DEBUG, with Slack failing and Matrix unreachable: its whole
    output is scanned for the secrets."""
    async with FakeSlack() as slack:
        slack.fail("chat.postMessage", status=500, times=50)
        config = tmp_path / "feeds.yaml"
        config.write_text(
            "feeds: [{name: wire, url: missing.xml}]\nhistory: false\n"
            "alerts: {slack: [C0ALERTS]}\n", "utf-8"
        )  # fmt: skip
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("HOTLINE_", "SLACK_", "MATRIX_"))
        }
        env.update(SECRETS)
        env.update({
            "PYTHONPATH": str(ROOT), "HOTLINE_HTTP_PORT": "0", "HOTLINE_LOG_LEVEL": "DEBUG",
            "HOTLINE_LOG_FORMAT": fmt, "SLACK_API_URL": slack.api_url,
            "MATRIX_HOMESERVER": "http://127.0.0.1:9", "MATRIX_USER_ID": "@bot:localhost",
        })  # fmt: skip
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), "--db",
            str(tmp_path / "h.db"),
            cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert proc.stderr is not None
        assert proc.stdout is not None
        lines: list[str] = []
        port = None
        try:
            async with asyncio.timeout(60):
                while line := (await proc.stderr.readline()).decode():
                    lines.append(line)
                    if found := re.search(r"HTTP server on [\d.]+:(\d+)", line):
                        port = int(found.group(1))
                    if "Hotline is running" in line:
                        break
            assert port, "".join(lines)
            async with httpx.AsyncClient() as client:  # a signed and a forged command
                body = form(slash_payload("/feeds", "", slack.response_url("s")))
                signed = sign(body, secret=SECRETS["SLACK_SIGNING_SECRET"])
                url = f"http://127.0.0.1:{port}/slack/events"
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
                good = await client.post(url, content=body, headers={**headers, **signed})
                assert good.status_code == 200
                forged = sign(body, secret="wrong")
                bad = await client.post(url, content=body, headers={**headers, **forged})
                assert bad.status_code == 401
                await slack.wait_for(lambda: bool(slack.answers_to("s")))
        finally:
            proc.send_signal(signal.SIGTERM)
            rest_out, rest_err = await asyncio.wait_for(proc.communicate(), timeout=30)
        out, err = rest_out.decode(), rest_err.decode()
        everything = (
            "".join(lines) + err + out + json.dumps([c.__dict__ for c in slack.calls], default=str)
        )
    assert "DEBUG" in everything or '"level": "DEBUG"' in everything
    for name, secret in SECRETS.items():
        shown = everything.replace(slack.api_url, "")
        if name == "SLACK_BOT_TOKEN":  # Slack itself must receive the token: not a leak
            shown = "".join(lines) + err + out
        assert secret not in shown, f"{name} leaked"
