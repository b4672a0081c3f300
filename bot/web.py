"""The HTTP server on ``HOTLINE_HTTP_PORT``: ``/healthz`` here; front-ends and metrics add
their routes (``/slack/events``, ``/metrics``) before it starts.

aiohttp, imported only by the wiring when the server runs; the rest of the core never sees
a request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

__all__ = ["Health", "WebServer"]

log = logging.getLogger(__name__)

Health = Callable[[], dict[str, Any]]
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer:
    """One aiohttp application and its runner.

    Args:
        host, port: where to listen (port 0 picks a free one: see ``port`` after start).
        health: returns the ``/healthz`` document; ``"ok": False`` answers 503.
    """

    def __init__(self, host: str, port: int, health: Health) -> None:
        self.host = host
        self.port = port
        self.health = health
        self.app = web.Application(client_max_size=1024 * 1024)
        self.app.router.add_get("/healthz", self._healthz)
        self._runner: web.AppRunner | None = None

    def add_route(self, method: str, path: str, handler: RouteHandler) -> None:
        """Register a route (before ``start``)."""
        self.app.router.add_route(method, path, handler)

    async def _healthz(self, request: web.Request) -> web.Response:
        document = self.health()
        status = 200 if document.get("ok") else 503
        return web.Response(
            status=status, text=json.dumps(document, default=str), content_type="application/json"
        )

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or ()
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("HTTP server on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
