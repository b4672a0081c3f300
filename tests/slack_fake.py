"""A fake Slack on an ephemeral loopback port: the Web API methods Hotline calls, the
``response_url`` endpoint, the file upload URL and a Socket Mode WebSocket.

Every call is recorded (method, parameters merged from the query, a form or a JSON body,
and the bearer token). Tests can have the next calls of a method answer 429 with
``Retry-After``, 500, or an ``ok: false`` error, and can refuse a channel for good. Waiting
is on events with a timeout, never on the wall clock. Also here: ``sign``, Slack's request
signature, for the requests tests send to Hotline.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web

from tests.fakes import serve_app

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-0000-test-token"
APP_TOKEN = "xapp-1-test-app-token"


def sign(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with ``body``: ``v0=HMAC-SHA256(secret, v0:ts:body)``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def form(fields: dict[str, str]) -> str:
    """A form-encoded body, as Slack sends slash commands."""
    return urlencode(fields)


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    token: str | None = None


@dataclass
class Fault:
    status: int
    error: str | None
    retry_after: float | None


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)


class FakeSlack:
    """The fake; use as ``async with FakeSlack() as slack``."""

    def __init__(self, usergroups: dict[str, list[str]] | None = None) -> None:
        self.calls: list[Call] = []
        self.answers: list[tuple[str, dict[str, Any]]] = []  # (response_url name, body)
        self.messages: list[Message] = []
        self.uploads: dict[str, bytes] = {}
        self.usergroups = dict(usergroups or {})
        self.refused: dict[str, str] = {}  # channel -> error
        self.socket_acks: list[dict[str, Any]] = []
        self.hold_answers: asyncio.Event | None = None
        self._faults: dict[str, list[Fault | None]] = {}
        self._ts = 0
        self._files = 0
        self._changed = asyncio.Event()
        self._socket: web.WebSocketResponse | None = None
        self._socket_open = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- for tests ----------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    def fail(
        self,
        method: str,
        *,
        status: int = 500,
        times: int = 1,
        retry_after: float | None = None,
        error: str | None = None,
        after: int = 0,
    ) -> None:
        """Answer ``times`` calls of ``method`` (``respond`` for the response_url) with
        ``status`` (and ``Retry-After``), or with 200 and ``ok: false, error``, once
        ``after`` more calls have been answered normally. Status 0 drops the connection
        without an answer."""
        fault = Fault(status, error, retry_after)
        queue = self._faults.setdefault(method, [])
        queue.extend([None] * after + [fault] * times)

    def heal(self, method: str) -> None:
        """Forget the faults still queued for ``method``: Slack is back."""
        self._faults.pop(method, None)

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posted_texts(self) -> list[str]:
        return [m.text for m in self.messages]

    def answers_to(self, name: str) -> list[dict[str, Any]]:
        return [body for n, body in self.answers if n == name]

    async def wait_for(self, predicate: Callable[[], bool], seconds: float = 10.0) -> None:
        """Return once ``predicate()`` holds, checking after every request received."""
        async with asyncio.timeout(seconds):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to the connected client."""
        async with asyncio.timeout(10):
            await self._socket_open.wait()
        assert self._socket is not None
        await self._socket.send_str(json.dumps(envelope))

    # --- the server ---------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.content_type == "application/x-www-form-urlencoded":
            params.update(parse_qsl(await request.text(), keep_blank_values=True))
        elif request.content_type.startswith("multipart/"):
            posted = await request.post()
            params.update({k: v for k, v in posted.items() if isinstance(v, str)})
        return params

    def _fault(self, method: str, request: web.Request) -> web.Response | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue.pop(0)
        if fault is None:
            return None
        if fault.status == 0:
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        if fault.error is not None and fault.status == 200:
            return web.json_response({"ok": False, "error": fault.error})
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        if fault.status == 429:
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers=headers
            )
        return web.Response(status=fault.status, text="upstream trouble", headers=headers)

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        self._record(Call(method, params, token))
        fault = self._fault(method, request)
        if fault is not None:
            return fault
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        answer: dict[str, Any] = handler(params)
        return web.json_response(answer)

    def _m_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://newsroom.slack.com/",
            "team": "Newsroom",
            "user": "hotline",
            "team_id": "T0TEAM",
            "user_id": "U0BOT",
            "bot_id": "B0BOT",
        }

    def _m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel"))
        if channel in self.refused:
            return {"ok": False, "error": self.refused[channel]}
        self._ts += 1
        ts = f"{1700000000 + self._ts}.000100"
        blocks = params.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        thread = params.get("thread_ts")
        self.messages.append(Message(channel, ts, str(params.get("text")), blocks, thread))
        return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}

    def _m_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        for message in self.messages:
            if message.ts == params.get("ts") and message.channel == params.get("channel"):
                message.updates.append(params)
        return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}

    def _m_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": "1700000000.999999"}

    def _m_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {"id": "V0HOME", **(params.get("view") or {})}}

    def _m_usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = params.get("usergroup")
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": self.usergroups[str(group)]}

    def _m_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        self._files += 1
        file_id = f"F{self._files:04d}"
        return {
            "ok": True,
            "file_id": file_id,
            "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
        }

    def _m_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(params.get("files") or "[]")
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _m_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = await request.read()
        self._record(Call("upload", {"file_id": file_id}))
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def _respond(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body = await request.json()
        if self.hold_answers is not None:
            await self.hold_answers.wait()
        fault = self._fault("respond", request)
        self._record(Call("respond", {"name": name, **body}))
        if fault is not None:
            return fault
        self.answers.append((name, body))
        self._changed.set()
        return web.Response(text="ok")

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._socket = ws
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        self._socket_open.set()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(msg.data))
                self._changed.set()
        return ws

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._ws)
        self._runner, self.port = await serve_app(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()


# --- what Slack sends to Hotline --------------------------------------------------------


def environ(slack: FakeSlack, *, socket: bool = False, **extra: str) -> dict[str, str]:
    """The environment of a Hotline that talks to ``slack`` (HTTP mode unless ``socket``)."""
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack.api_url.rstrip("/"),  # the missing slash is Hotline's to add
        "HOTLINE_HTTP_PORT": "0",
    }
    if socket:
        env["SLACK_APP_TOKEN"] = APP_TOKEN
    else:
        env["SLACK_SIGNING_SECRET"] = SECRET
    env.update(extra)
    return env


def slash_payload(
    command: str,
    text: str,
    response_url: str,
    *,
    user: str = "U0REPORTER",
    user_name: str = "rita",
    channel: str = "C0DESK",
) -> dict[str, str]:
    """A slash command's fields, as Slack posts them (form-encoded in HTTP mode)."""
    return {
        "token": "legacy-verification-token",
        "team_id": "T0TEAM",
        "team_domain": "newsroom",
        "channel_id": channel,
        "channel_name": "desk",
        "user_id": user,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": "A0APP",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }


def button_payload(
    message: Message,
    value: str,
    response_url: str,
    *,
    user: str,
    label: str = "Mute",
) -> dict[str, Any]:
    """A ``block_actions`` payload: ``user`` pressed a button of a posted ``message``."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": False,
        },
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "team": {"id": "T0TEAM", "domain": "newsroom"},
        "channel": {"id": message.channel, "name": "alerts"},
        "message": {
            "type": "message",
            "user": "U0BOT",
            "bot_id": "B0BOT",
            "ts": message.ts,
            "text": message.text,
            "blocks": message.blocks,
        },
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": "hotline_action_0",
                "block_id": "hotline_actions",
                "text": {"type": "plain_text", "text": label, "emoji": True},
                "value": value,
                "action_ts": "1700000100.000200",
            }
        ],
    }


def home_opened_payload(user: str) -> dict[str, Any]:
    """An Events API callback: ``user`` opened the app's Home tab."""
    return {
        "token": "legacy-verification-token",
        "team_id": "T0TEAM",
        "api_app_id": "A0APP",
        "event": {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": "1700000200.000300",
        },
        "type": "event_callback",
        "event_id": "Ev0HOME",
        "event_time": 1700000200,
        "authorizations": [{"team_id": "T0TEAM", "user_id": "U0BOT", "is_bot": True}],
    }
