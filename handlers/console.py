"""The console front-end: the embedded default, and the full-stack test harness.

Alerts print as readable blocks on the output; every line read from the input is a command
(``/lastcontact milley gerasimov``, ``lastcontact milley gerasimov`` or ``help``), answered by
the core's ``CommandService``. When the input ends or is not a terminal (under Docker), the
front-end keeps running and printing alerts. It only translates: no command logic here.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TextIO

from bot.clock import Clock, SystemClock
from bot.models import Alert, Delivery, IncomingMessage, Platform, Reply
from bot.render import plain
from bot.service import CommandService

__all__ = ["ConsoleFrontend", "render_alert", "render_reply", "stdin_lines"]

_RULE = "─"


def render_alert(alert: Alert, when: datetime | None = None, *, threaded: bool = False) -> str:
    """An alert as a block of text."""
    stamp = f" · {when:%Y-%m-%d %H:%M} UTC" if when else ""
    label = {
        "contact": "CONTACT",
        "source": "ANOTHER SOURCE",
        "silence": "SILENCE",
        "feed_broken": "FEED BROKEN",
        "feed_recovered": "FEED RECOVERED",
        "digest": "DIGEST",
        "mute_expired": "MUTE ENDED",
    }.get(alert.kind, alert.kind.upper())
    if alert.urgent:
        label += " (breaks a long silence)"
    head = f"{_RULE * 2} {label}{stamp} "
    lines = [head + _RULE * max(4, 72 - len(head))]
    body = plain(alert.blocks) if alert.blocks else alert.text
    lines.extend(body.splitlines())
    for action in alert.actions:
        lines.append(f"[{action.label}: type '{action.command}']")
    if threaded:
        lines = [lines[0]] + [f"  ↳ {line}" for line in lines[1:]]
    return "\n".join(lines) + "\n"


def render_reply(reply: Reply) -> str:
    body = plain(reply.blocks) if reply.blocks else reply.text
    if reply.image is not None:
        body += f"\n[picture: {reply.image.filename}, {len(reply.image.data)} bytes]"
    return body.rstrip("\n") + "\n"


async def stdin_lines(stream: TextIO | None = None) -> AsyncIterator[str]:
    """Lines of standard input, read on a daemon thread so that a blocked read never holds
    up shutdown. Ends at end of input."""
    source = stream or sys.stdin
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def reader() -> None:
        try:
            for line in source:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens
                loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, name="console-input", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


class ConsoleFrontend:
    """Prints alerts and answers commands on a text stream.

    Args:
        service: the core's command service.
        out: where alerts and answers are written (stdout).
        clock: stamps alerts.
        user: who types (the console is the operator's own, so editor commands work).
    """

    platform: Platform = "console"

    def __init__(
        self,
        service: CommandService,
        out: TextIO | None = None,
        *,
        clock: Clock | None = None,
        user: str = "console",
    ) -> None:
        self.service = service
        self.out = out or sys.stdout
        self.clock = clock or SystemClock()
        self.user = user
        self._write_lock = asyncio.Lock()

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    async def deliver(self, delivery: Delivery) -> str | None:
        async with self._write_lock:
            self._write(
                render_alert(
                    delivery.alert,
                    self.clock.now(),
                    threaded=delivery.thread_parent is not None,
                )
            )
        return f"console-{delivery.id}"

    async def answer(self, line: str) -> Reply | None:
        """Answer one typed line (blank lines are ignored)."""
        if not line.strip():
            return None
        message = IncomingMessage(
            platform="console", user=self.user, channel="console", text=line.strip()
        )
        reply = await self.service.handle(message)
        async with self._write_lock:
            self._write(render_reply(reply))
        return reply

    async def serve(self, lines: AsyncIterator[str]) -> None:
        """Answer every line until the input ends; then return (alerts keep printing
        through ``deliver``)."""
        async for line in lines:
            await self.answer(line)
