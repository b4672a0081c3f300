"""Commands under load: signed slash commands while a 1,000-feed poll runs, all on loopback.

A real ``hotline run`` (Slack in HTTP mode, feed workers, a fresh SQLite database, so its
first poll finds every item new) polls 1,000 feeds from ``benchmarks.feedserver``; as soon
as the poll is under way, 100 slash commands signed like Slack's are sent at once. Measured
per command: the HTTP answer (Slack's 3-second ack) and the full answer, posted by Hotline to
the command's ``response_url`` on a loopback sink that also stands in for Slack's Web API.
Errors: any status but 200, or an answer that never comes.

Usage: ``python -m benchmarks.bench_load [--feeds 1000] [--commands 100]``
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
SECRET = "load-benchmark-signing-secret"
COMMANDS = [
    ("/lastcontact", "milley gerasimov"),
    ("/lastcontact", "biden putin"),
    ("/lastcontact", "us russia"),
    ("/contacts", "blinken lavrov"),
    ("/silences", ""),
    ("/feeds", ""),
    ("/mutes", ""),
    ("/hotline", "help"),
]


class Sink:
    """Slack's Web API and the response URLs, on loopback: answers auth.test, takes
    chat.postMessage, and records every answer posted to /respond/{n}."""

    def __init__(self) -> None:
        self.answered: dict[str, float] = {}
        self.arrived = asyncio.Event()
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "UBOT", "team_id": "T1"})
        return web.json_response({"ok": True, "ts": f"{time.time():.6f}", "channel": "C1"})

    async def _respond(self, request: web.Request) -> web.Response:
        await request.read()
        self.answered[request.match_info["name"]] = time.perf_counter()
        self.arrived.set()
        return web.Response(text="ok")

    async def __aenter__(self) -> Sink:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(feeds: int, hosts: int, commands: int) -> dict[str, Any]:
    feed_server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.feedserver", "--feeds", str(feeds), "--hosts",
        str(hosts), cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert feed_server.stdout is not None
    assert feed_server.stdin is not None
    feed_port = int((await feed_server.stdout.readline()).decode())
    async with Sink() as sink:
        tmp = Path(tempfile.mkdtemp())
        config = tmp / "feeds.yaml"
        config.write_text(
            "feeds:\n"
            + "".join(
                f"  - {{name: f{i}, url: 'http://127.0.0.{1 + i % hosts}:{feed_port}/v/{i}.xml'}}\n"
                for i in range(feeds)
            )
            + "alerts: {slack: [C0ALERTS]}\n",
            "utf-8",
        )
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HOTLINE_"))}
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                "SLACK_BOT_TOKEN": "xoxb-load-benchmark",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": f"http://127.0.0.1:{sink.port}/api/",
                "HOTLINE_HTTP_PORT": str(port),
            }
        )
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), "--db",
            str(tmp / "h.db"), cwd=tmp, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert bot.stderr is not None
        async with asyncio.timeout(120):
            while b"Hotline is running" not in await bot.stderr.readline():
                pass
        drain = asyncio.create_task(_drain(bot.stderr))
        base = f"http://127.0.0.1:{port}"
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector) as http:
            items = 0.0
            async with asyncio.timeout(120):  # wait until the poll is recording new items
                while items < min(500, feeds * 25):
                    items = await _items(http, base)
                    await asyncio.sleep(0.05)

            async def one(n: int) -> tuple[int, float, float]:
                command, text = COMMANDS[n % len(COMMANDS)]
                body = urlencode(
                    {
                        "command": command, "text": text, "user_id": f"U{n:05d}",
                        "user_name": f"reporter{n}", "channel_id": "C0DESK", "team_id": "T1",
                        "response_url": f"http://127.0.0.1:{sink.port}/respond/{n}",
                        "trigger_id": f"t{n}",
                    }
                )  # fmt: skip
                started = time.perf_counter()
                async with http.post(
                    f"{base}/slack/events", data=body, headers=signed(body)
                ) as response:
                    await response.read()
                    return response.status, started, time.perf_counter() - started

            sent = await asyncio.gather(*(one(n) for n in range(commands)))
            async with asyncio.timeout(60):
                while len(sink.answered) < commands:
                    sink.arrived.clear()
                    await sink.arrived.wait()
            items_after = await _items(http, base)
        bot.terminate()
        await bot.wait()
        drain.cancel()
    feed_server.stdin.close()
    await feed_server.wait()
    acks = [elapsed for _, _, elapsed in sent]
    answers = [sink.answered[str(n)] - started for n, (_, started, _) in enumerate(sent)]
    errors = sum(status != 200 for status, _, _ in sent) + (commands - len(sink.answered))
    return {
        "commands": commands,
        "errors": errors,
        "items_when_sent": items,
        "items_when_answered": items_after,
        "items_in_all": feeds * 50,
        "ack_p50": statistics.median(acks),
        "ack_p99": pct(acks, 0.99),
        "answer_p50": statistics.median(answers),
        "answer_p99": pct(answers, 0.99),
        "answer_max": max(answers),
    }


async def _items(http: aiohttp.ClientSession, base: str) -> float:
    async with http.get(f"{base}/metrics") as response:
        found = re.search(r"^hotline_items_total (\S+)", await response.text(), re.M)
    return float(found.group(1)) if found else 0.0


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--commands", type=int, default=100)
    args = parser.parse_args()
    r = asyncio.run(run(args.feeds, args.hosts, args.commands))
    print(
        f"{r['commands']} signed slash commands at once while a {args.feeds}-feed poll ran "
        f"(sent when {r['items_when_sent']:.0f} of its {r['items_in_all']} new items were "
        f"recorded; {r['items_when_answered']:.0f} when all were answered)"
    )
    print(f"errors: {r['errors']}")
    print(f"HTTP ack:    p50 {r['ack_p50'] * 1000:.0f} ms, p99 {r['ack_p99'] * 1000:.0f} ms")
    print(
        f"full answer: p50 {r['answer_p50'] * 1000:.0f} ms, p99 {r['answer_p99'] * 1000:.0f} ms,"
        f" max {r['answer_max'] * 1000:.0f} ms"
    )
    print(json.dumps(r))


if __name__ == "__main__":
    main()
