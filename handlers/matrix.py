"""The Matrix front-end (matrix-nio, asyncio): Matrix events in, the core's replies and alerts out.

It only translates. A message whose body starts with the prefix (``!lastcontact milley
gerasimov``) becomes an ``IncomingMessage`` for ``CommandService``; its ``Reply`` goes back as
an ``m.notice`` with an HTML ``formatted_body`` and a plain ``body``, in reply to the command
(in its thread if it was typed in one). Alerts come from the outbox through ``deliver``:
routine ones as ``m.notice``, one that breaks a long silence as ``m.text`` that mentions the
room (``matrix.mentions`` turns that off per room), later sources in an ``m.thread`` under the
first alert, mute buttons as a hint line (``Editors: !mute reuters 1h``), charts uploaded and
posted as ``m.image``. No command logic lives here.

What it must never do, and how it avoids it:

- Answer a command twice. The sync position is kept in the store (``matrix.sync_token``)
  together with the commands already answered in the batch being handled; it moves to the
  batch's ``next_batch`` only after every event of the batch was handled. A crash in the
  middle re-reads the batch and skips what was answered; a reply whose answer was sent but not
  yet recorded is sent again with the same transaction id (derived from the command's event
  id), which the homeserver deduplicates. On a first start (no position stored) the history
  the initial sync returns is only read, never answered.
- Post an alert twice. Each outbox row is sent with the transaction id
  ``hotline-<install>-<row id>``: the same on every retry, so a crash between the
  homeserver's acceptance and ``mark_sent`` ends in the homeserver returning the first
  event's id instead of posting again. Matrix scopes transaction ids to the user's device, so
  a password login reuses the device id kept in the store (``matrix.device_id``); the
  ``<install>`` part is random per database, so a new database cannot collide with the
  transaction ids of an old one (the homeserver would silently swallow the new posts).
- Lose an alert. Errors map to ``FrontendError`` and the dispatcher keeps the row:
  ``M_LIMIT_EXCEEDED`` waits ``retry_after_ms``; network failures retry; refusals that no
  retry can cure (``M_FORBIDDEN``, an unknown room, a malformed message) are permanent. A
  rejected access token (``M_UNKNOWN_TOKEN``) is not a property of the row: the row waits
  (a password login logs in again) while the error is logged loudly.
- Go silent in an end-to-end encrypted room. This front-end does not do E2EE: on joining (or
  finding) an encrypted room it posts, once per room, an unencrypted notice that says so and
  what to do.

Sends are paced per room (``pace``, 200 ms by default). Invites are accepted only from the
users or servers in ``matrix.invite_from``; others are rejected. The bot's own events and every
``m.notice`` (other bots) are ignored. Encryption support is off in nio (no store, no olm).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import io
import json
import logging
import secrets
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
import nio

from bot.config import MatrixSettings
from bot.errors import FrontendError
from bot.models import (
    Action,
    Alert,
    Block,
    Delivery,
    Image,
    IncomingMessage,
    Inline,
    Link,
    Platform,
    Reply,
    Strong,
)
from bot.render import plain

if TYPE_CHECKING:
    from bot.app import Hotline

__all__ = [
    "EDITOR_LEVEL",
    "ENCRYPTION_NOTICE",
    "MAX_TRIES",
    "Answerer",
    "KeyValues",
    "MatrixFrontend",
    "Pacer",
    "action_hint",
    "alert_content",
    "blocks_html",
    "command_text",
    "error_for",
    "image_content",
    "invite_allowed",
    "reply_content",
]

log = logging.getLogger(__name__)

EDITOR_LEVEL = 50
"""A power level at or above this in a room makes a user an editor there (moderators)."""

MAX_TRIES = 5
"""Attempts at answering one command before it is given up (logged), so that one command the
homeserver keeps refusing cannot stop the bot from reading the ones after it."""

HTML_FORMAT = "org.matrix.custom.html"

ENCRYPTION_NOTICE = (
    "Hotline cannot read or send end-to-end encrypted messages, so it will not see commands "
    "typed in this room. Encryption cannot be turned off once it is on: create a room "
    "without encryption for Hotline and invite it there (alerts posted here stay "
    "unencrypted)."
)

_SYNC_KEY = "matrix.sync_token"
_DEVICE_KEY = "matrix.device_id"
_TXN_KEY = "matrix.txn_prefix"
_NOTICE_KEY = "matrix.e2ee_notice:"

_PERMANENT = frozenset(
    {
        "M_FORBIDDEN",
        "M_NOT_FOUND",
        "M_BAD_JSON",
        "M_NOT_JSON",
        "M_TOO_LARGE",
        "M_INVALID_PARAM",
        "M_UNKNOWN_ENDPOINT",
        "M_INVALID_ROOM_STATE",
    }
)
_SYNC_FILTER: dict[str, Any] = {
    "presence": {"types": []},
    "account_data": {"types": []},
    "room": {
        "timeline": {"limit": 50},
        "ephemeral": {"types": []},
        "account_data": {"types": []},
    },
}


class Answerer(Protocol):
    """Answers commands (the core's ``CommandService``)."""

    async def handle(self, message: IncomingMessage) -> Reply: ...


class KeyValues(Protocol):
    """Small durable state (the store's key/value table)."""

    def get_value(self, key: str) -> str | None: ...

    def set_value(self, key: str, value: str) -> None: ...


# --- rendering (pure) ----------------------------------------------------------------------


def _safe_url(url: str) -> bool:
    return url.lower().startswith(("https://", "http://"))


def _inline_html(run: Inline) -> str:
    if isinstance(run, Link):
        label = html.escape(run.text or run.url)
        if _safe_url(run.url):
            return f'<a href="{html.escape(run.url, quote=True)}">{label}</a>'
        return label if not run.text or run.text == run.url else f"{label} ({html.escape(run.url)})"
    if isinstance(run, Strong):
        return f"<strong>{html.escape(run.text)}</strong>"
    return html.escape(run)


def _line_html(block: Block, line: Sequence[Inline]) -> str:
    if block.kind == "fields" and line and isinstance(line[0], Strong):
        return _inline_html(line[0]) + ": " + "".join(_inline_html(r) for r in line[1:])
    return "".join(_inline_html(r) for r in line)


def blocks_html(blocks: Sequence[Block]) -> str:
    """The core's blocks as Matrix HTML: every text run escaped, links only to http(s)."""
    out: list[str] = []
    for block in blocks:
        lines = [_line_html(block, line) for line in block.lines]
        if not lines:
            continue
        if block.kind == "heading":
            out.append(f"<h4>{'<br>'.join(lines)}</h4>")
        elif block.kind == "list":
            out.append("<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>")
        elif block.kind == "context":
            out.append(f"<p><em>{'<br>'.join(lines)}</em></p>")
        else:
            out.append(f"<p>{'<br>'.join(lines)}</p>")
    return "".join(out)


def _text_html(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.splitlines())


def action_hint(actions: Sequence[Action], prefix: str) -> str:
    """Buttons do not exist on Matrix: ``Editors: !mute reuters 1h``."""
    if not actions:
        return ""
    return "Editors: " + " · ".join(f"{prefix}{a.command}" for a in actions)


def _message(msgtype: str, text: str, blocks: Sequence[Block], hint: str = "") -> dict[str, Any]:
    body = text or plain(blocks)
    formatted = blocks_html(blocks) if blocks else _text_html(body)
    if hint:
        body = f"{body}\n{hint}"
        formatted += f"<p><em>{html.escape(hint)}</em></p>"
    return {"msgtype": msgtype, "body": body, "format": HTML_FORMAT, "formatted_body": formatted}


def _thread(parent: str) -> dict[str, Any]:
    return {
        "rel_type": "m.thread",
        "event_id": parent,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": parent},
    }


def alert_content(
    alert: Alert, *, prefix: str = "!", thread_parent: str | None = None, mention_room: bool = True
) -> dict[str, Any]:
    """The ``m.room.message`` content of an alert.

    Routine alerts are ``m.notice`` (clients do not notify for them); an urgent one is
    ``m.text`` that mentions the room when ``mention_room``. A later source goes in the thread
    of ``thread_parent``.
    """
    hint = action_hint(alert.actions, prefix)
    content = _message("m.text" if alert.urgent else "m.notice", alert.text, alert.blocks, hint)
    if alert.urgent and mention_room:
        content["body"] = f"@room {content['body']}"
        content["formatted_body"] = f"<p>@room</p>{content['formatted_body']}"
        content["m.mentions"] = {"room": True}
    else:
        content["m.mentions"] = {}
    if thread_parent:
        content["m.relates_to"] = _thread(parent=thread_parent)
    return content


def _relation_to(command: Mapping[str, Any]) -> dict[str, Any]:
    """How a reply relates to the command it answers: in its thread if it was in one."""
    event_id = command["event_id"]
    relates = command.get("content", {}).get("m.relates_to") or {}
    if (
        isinstance(relates, dict)
        and relates.get("rel_type") == "m.thread"
        and relates.get("event_id")
    ):
        return {
            "rel_type": "m.thread",
            "event_id": relates["event_id"],
            "is_falling_back": False,
            "m.in_reply_to": {"event_id": event_id},
        }
    return {"m.in_reply_to": {"event_id": event_id}}


def reply_content(reply: Reply, command: Mapping[str, Any]) -> dict[str, Any]:
    """The ``m.notice`` answering ``command`` (the raw event), as a reply to it.

    Matrix has no message only one user sees, so private replies (help, refusals) are posted
    in the room too, as replies to the one who asked.
    """
    content = _message("m.notice", reply.text, reply.blocks)
    content["m.relates_to"] = _relation_to(command)
    content["m.mentions"] = {"user_ids": [command["sender"]]}
    return content


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return None


def image_content(image: Image, uri: str, relates_to: dict[str, Any] | None) -> dict[str, Any]:
    """The ``m.image`` content of an uploaded picture."""
    info: dict[str, Any] = {"mimetype": image.mime, "size": len(image.data)}
    size = _png_size(image.data) if image.mime == "image/png" else None
    if size:
        info["w"], info["h"] = size
    content: dict[str, Any] = {
        "msgtype": "m.image",
        "body": image.alt or image.filename,
        "filename": image.filename,
        "url": uri,
        "info": info,
        "m.mentions": {},
    }
    if relates_to:
        content["m.relates_to"] = relates_to
    return content


def command_text(body: str, prefix: str) -> str | None:
    """The command in a message body (without the prefix), or ``None`` if it is not one.

    A reply's quoted fallback (``> <@user> ...`` lines and the blank line after them) is
    dropped first, so replying to a message with ``!help`` works.
    """
    lines = body.splitlines()
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    if lines and lines[0] == "" and len(lines) != len(body.splitlines()):
        lines.pop(0)
    text = "\n".join(lines).strip()
    if not text.startswith(prefix):
        return None
    rest = text[len(prefix) :].strip()
    return rest or None


def invite_allowed(inviter: str, invite_from: Iterable[str]) -> bool:
    """Whether an invite from ``inviter`` may be accepted: listed as ``@user:server``, or its
    server listed as ``:server``."""
    server = inviter.partition(":")[2]
    for entry in invite_from:
        if entry.startswith(":"):
            if server and server.lower() == entry[1:].lower():
                return True
        elif entry == inviter:
            return True
    return False


def error_for(response: Any, what: str) -> FrontendError:
    """A ``FrontendError`` for a homeserver's error response (a nio ``ErrorResponse``)."""
    code = str(getattr(response, "status_code", "") or "")
    message = str(getattr(response, "message", "") or "") or "unknown error"
    text = f"{what}: {code or 'error'} {message}".strip()
    if code in {"M_LIMIT_EXCEEDED", "429"}:
        retry_ms = getattr(response, "retry_after_ms", None)
        return FrontendError(text, retry_after=(retry_ms or 5000) / 1000)
    if code == "M_UNKNOWN_TOKEN":
        return FrontendError(f"{text} (check MATRIX_ACCESS_TOKEN)", retry_after=60)
    return FrontendError(text, permanent=code in _PERMANENT)


def _after_own_join(user_id: str, events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The timeline events after the bot's own join, when the batch holds it.

    A newly joined room's first timeline includes what was said before the bot came in;
    those commands were not addressed to it and are not answered. A change of the bot's own
    profile is also a join event, but its previous membership was already ``join``.
    """
    start = 0
    for index, event in enumerate(events):
        if (
            event.get("type") == "m.room.member"
            and event.get("state_key") == user_id
            and (event.get("content") or {}).get("membership") == "join"
            and ((event.get("unsigned") or {}).get("prev_content") or {}).get("membership")
            != "join"
        ):
            start = index + 1
    return list(events[start:])


def _txn(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"hotline-{digest}"


# --- pacing --------------------------------------------------------------------------------


class Pacer:
    """Keeps at least ``interval`` seconds between the starts of two sends to one room, and
    sends to one room one at a time, in order.

    Args:
        interval: seconds between sends to one room.
        monotonic, sleep: the time source and the wait (tests pass fakes).
    """

    def __init__(
        self,
        interval: float = 0.2,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.monotonic = monotonic
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def turn(self, room: str) -> AsyncIterator[None]:
        """Wait for ``room``'s turn, then hold it while the body sends."""
        lock = self._locks.setdefault(room, asyncio.Lock())
        async with lock:
            wait = self._next.get(room, 0.0) - self.monotonic()
            if wait > 0:
                await self.sleep(wait)
            try:
                yield
            finally:
                self._next[room] = self.monotonic() + self.interval


# --- the front-end -------------------------------------------------------------------------


@dataclass
class _Progress:
    """Where the sync stands: the batch being handled and what of it was answered."""

    user: str
    token: str | None = None
    handled: list[str] = field(default_factory=list)

    def dumps(self) -> str:
        return json.dumps({"user": self.user, "token": self.token, "handled": self.handled})

    @classmethod
    def load(cls, text: str | None, user: str) -> _Progress:
        if text:
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                data = json.loads(text)
                if data.get("user") == user:
                    return cls(user, data.get("token"), list(data.get("handled") or []))
        return cls(user)


class _CredentialsRefused(FrontendError):
    """The homeserver refused the credentials: no retry can help until they change."""


_NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)


def _level(delay: float) -> int:
    """A first failure is a warning; one that keeps coming back (about a minute) an error."""
    return logging.ERROR if delay >= 16 else logging.WARNING


class MatrixFrontend:
    """Hotline on Matrix.

    Args:
        settings: the ``matrix`` settings (homeserver, credentials, rooms, prefix, ...).
        service: answers commands.
        state: durable key/value state (the store): sync position, device id, notices.
        join: rooms to be in besides ``settings.rooms`` (where alerts go).
        pace: seconds between sends to one room (``Pacer`` for a custom one).
        poll: long-poll time of one sync, in seconds.
        start_timeout: how long ``start`` waits for the first sync before it lets the
            connection go on in the background.
    """

    platform: Platform = "matrix"

    def __init__(
        self,
        settings: MatrixSettings,
        service: Answerer,
        state: KeyValues,
        *,
        join: Iterable[str] = (),
        pace: float | Pacer = 0.2,
        poll: float = 30.0,
        start_timeout: float = 30.0,
    ) -> None:
        if not settings.homeserver or not settings.user_id:
            raise ValueError("the Matrix front-end needs a homeserver and a user id")
        if settings.access_token is None and settings.password is None:
            raise ValueError("the Matrix front-end needs an access token or a password")
        self.settings = settings
        self.service = service
        self.state = state
        self.user_id: str = settings.user_id
        self.rooms = tuple(dict.fromkeys((*settings.rooms, *join)))
        self.pacer = pace if isinstance(pace, Pacer) else Pacer(pace)
        self.poll = poll
        self.start_timeout = start_timeout
        self.client = nio.AsyncClient(
            settings.homeserver,
            settings.user_id,
            config=nio.AsyncClientConfig(
                encryption_enabled=False,
                store_sync_tokens=False,
                max_limit_exceeded=0,
                max_timeouts=0,
                request_timeout=poll + 30,
            ),
        )
        self.ready = asyncio.Event()
        self._progress = _Progress.load(state.get_value(_SYNC_KEY), self.user_id)
        self._logged_in = False
        self._aliases: dict[str, str] = {}
        self._noticed: set[str] = set()
        self._tries: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._txn_prefix = self._install_id()

    @classmethod
    def from_hotline(cls, hotline: Hotline) -> MatrixFrontend:
        """The front-end for an assembled core: its settings, command service and store; it
        also joins every Matrix room alerts are routed to."""
        settings = hotline.settings
        targets = [d.target for d in settings.alerts.get("matrix", ())]
        for spec in settings.feeds:
            targets.extend(d.target for d in spec.channels if d.platform == "matrix")
        for watch in settings.watches:
            targets.extend(d.target for d in watch.channels if d.platform == "matrix")
        return cls(settings.matrix, hotline.service, hotline.store, join=targets)

    def _install_id(self) -> str:
        prefix = self.state.get_value(_TXN_KEY)
        if not prefix:
            prefix = secrets.token_hex(8)
            self.state.set_value(_TXN_KEY, prefix)
        return prefix

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self, web: Any = None) -> None:
        """Log in, sync once and join the configured rooms; then sync in the background.

        Refused credentials raise ``FrontendError``. When the homeserver cannot be reached
        within ``start_timeout``, the front-end keeps trying in the background (alerts wait
        in the outbox) instead of holding up the rest of Hotline.
        """
        self._task = asyncio.create_task(self._run(), name="matrix-sync")
        ready = asyncio.create_task(self.ready.wait())
        try:
            await asyncio.wait(
                {self._task, ready},
                timeout=self.start_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            ready.cancel()
        if self._task.done():
            self._task.result()  # raises what stopped it
            raise FrontendError("the Matrix sync stopped at start")
        if not self.ready.is_set():
            log.warning(
                "Matrix: no connection to %s yet; still trying in the background",
                self.settings.homeserver,
            )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.close()

    async def _run(self) -> None:
        delay = 1.0
        while True:
            try:
                if not self._logged_in:
                    await self._login()
                await self._sync_once()
                delay = 1.0
                continue
            except asyncio.CancelledError:
                raise
            except _CredentialsRefused as exc:
                if not self.ready.is_set():
                    raise  # at start: fail loudly, the operator is watching
                wait = 60.0  # later (a password changed): keep the bot alive, and say so
                log.error("Matrix: %s; trying again in %.0fs", exc, wait)
            except FrontendError as exc:
                wait = max(delay, exc.retry_after or 0.0)
                log.log(_level(delay), "Matrix: %s; trying again in %.0fs", exc, wait)
            except _NETWORK_ERRORS as exc:
                wait = delay
                log.log(
                    _level(delay),
                    "Matrix: cannot reach %s (%s); trying again in %.0fs",
                    self.settings.homeserver,
                    exc or type(exc).__name__,
                    wait,
                )
            except Exception:
                wait = delay
                log.exception("Matrix: the sync failed; trying again in %.0fs", wait)
            await asyncio.sleep(wait)
            delay = min(delay * 2, 60.0)

    async def _login(self) -> None:
        settings = self.settings
        if settings.access_token is not None:
            self.client.access_token = settings.access_token.reveal()
            response = await self.client.whoami()
            if isinstance(response, nio.ErrorResponse):
                error = error_for(response, "Matrix: checking the access token")
                if response.status_code in ("M_UNKNOWN_TOKEN", "M_FORBIDDEN"):
                    raise _CredentialsRefused(f"{error} (MATRIX_ACCESS_TOKEN)", permanent=True)
                raise error
            if response.user_id != self.user_id:
                raise _CredentialsRefused(
                    f"Matrix: MATRIX_ACCESS_TOKEN belongs to {response.user_id}, not "
                    f"MATRIX_USER_ID {self.user_id}",
                    permanent=True,
                )
            self.client.user_id = response.user_id
            self.client.device_id = response.device_id
        else:
            assert settings.password is not None
            device_key = f"{_DEVICE_KEY}:{self.user_id}"
            self.client.device_id = self.state.get_value(device_key)
            response = await self.client.login(
                settings.password.reveal(), device_name=settings.device_name
            )
            if isinstance(response, nio.ErrorResponse):
                error = error_for(response, "Matrix: logging in")
                if response.status_code in ("M_FORBIDDEN", "M_USER_DEACTIVATED"):
                    raise _CredentialsRefused(f"{error} (MATRIX_PASSWORD)", permanent=True)
                raise error
            self.state.set_value(device_key, str(response.device_id))
        self._logged_in = True
        log.info("Matrix: signed in as %s (device %s)", self.user_id, self.client.device_id)

    async def _sync_once(self) -> None:
        first = not self.ready.is_set()
        response = await self.client.sync(
            timeout=0 if first else int(self.poll * 1000),
            sync_filter=_SYNC_FILTER,
            since=self._progress.token,
            full_state=first or None,
        )
        if isinstance(response, nio.ErrorResponse):
            self._session_ended(response)
            raise error_for(response, "Matrix: sync")
        history_only = first and self._progress.token is None
        await self._handle(response, history_only=history_only)
        if first:
            await self._join_configured()
            self.ready.set()
            log.info("Matrix: connected; in %d rooms", len(self.client.rooms))

    async def _join_configured(self) -> None:
        for room in self.rooms:
            room_id = self._aliases.get(room, room)
            if room_id in self.client.rooms:
                continue
            response = await self.client.join(room)
            if isinstance(response, nio.ErrorResponse):
                log.error(
                    "Matrix: cannot join %s: %s (invite %s to it, or check the name)",
                    room,
                    error_for(response, "join"),
                    self.user_id,
                )
                continue
            if room.startswith("#"):
                self._aliases[room] = response.room_id
            log.info("Matrix: joined %s", room)

    # --- events ----------------------------------------------------------------------------

    async def _handle(self, response: Any, *, history_only: bool) -> None:
        """One sync batch: invites, encryption notices, then commands; then the new position."""
        for room_id, info in response.rooms.invite.items():
            await self._on_invite(room_id, info.invite_state)
        await self._notify_encrypted_rooms()
        if not history_only:
            for room_id, info in response.rooms.join.items():
                for event in _after_own_join(
                    self.user_id, [e.source for e in info.timeline.events]
                ):
                    await self._on_event(room_id, event)
        self._progress = _Progress(self.user_id, str(response.next_batch))
        self.state.set_value(_SYNC_KEY, self._progress.dumps())

    async def _on_invite(self, room_id: str, invite_state: Sequence[Any]) -> None:
        inviter = None
        for event in invite_state:  # nio's stripped state events (their content is parsed out)
            if (
                getattr(event, "state_key", None) == self.user_id
                and getattr(event, "membership", None) == "invite"
            ):
                inviter = str(event.sender)
        wanted = room_id in self.rooms or room_id in self._aliases.values()
        if wanted or (inviter and invite_allowed(inviter, self.settings.invite_from)):
            response = await self.client.join(room_id)
            if isinstance(response, nio.ErrorResponse):
                log.error("Matrix: cannot join %s: %s", room_id, error_for(response, "join"))
            else:
                log.info("Matrix: joined %s on an invite from %s", room_id, inviter)
            return
        log.warning(
            "Matrix: refused an invite to %s from %s (not in matrix.invite_from)",
            room_id,
            inviter or "an unknown user",
        )
        response = await self.client.room_leave(room_id)
        if isinstance(response, nio.ErrorResponse):
            log.error("Matrix: cannot refuse the invite to %s: %s", room_id, response)

    async def _notify_encrypted_rooms(self) -> None:
        for room_id, room in list(self.client.rooms.items()):
            if not room.encrypted or room_id in self._noticed:
                continue
            key = _NOTICE_KEY + room_id
            if self.state.get_value(key) is None:
                content = _message("m.notice", ENCRYPTION_NOTICE, ())
                content["m.mentions"] = {}
                try:
                    await self._send(room_id, content, _txn(self._txn_prefix, "e2ee", room_id))
                except FrontendError as exc:
                    if not exc.permanent:
                        raise
                    log.error("Matrix: %s is end-to-end encrypted and %s", room_id, exc)
                else:
                    log.warning("Matrix: %s is end-to-end encrypted; posted a notice", room_id)
                self.state.set_value(key, "sent")
            self._noticed.add(room_id)

    async def _on_event(self, room_id: str, event: Mapping[str, Any]) -> None:
        event_id = event.get("event_id")
        if not event_id or event_id in self._progress.handled:
            return
        if event.get("type") != "m.room.message" or event.get("sender") == self.user_id:
            return
        content = event.get("content") or {}
        if content.get("msgtype") != "m.text" or not isinstance(content.get("body"), str):
            return
        if isinstance(content.get("m.new_content"), dict):
            return  # an edit: the original was the command
        text = command_text(content["body"], self.settings.prefix)
        if text is None:
            return
        sender = str(event["sender"])
        room = self.client.rooms.get(room_id)
        level = room.power_levels.get_user_level(sender) if room is not None else 0
        message = IncomingMessage(
            platform="matrix",
            user=sender,
            channel=room_id,
            text=text,
            privileged=int(level) >= EDITOR_LEVEL,
            user_name=room.user_name(sender) if room is not None else None,
        )
        try:
            reply = await self.service.handle(message)
            await self._send_reply(room_id, event, reply)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            tries = self._tries[event_id] = self._tries.get(event_id, 0) + 1
            retry = isinstance(exc, FrontendError) and not exc.permanent
            if retry and tries < MAX_TRIES:
                raise  # the batch is read again; this command is answered then
            # A command that cannot be answered must not hold up every later one.
            log.error(
                "Matrix: gave up answering %r in %s after %d tries: %s",
                text,
                room_id,
                tries,
                exc,
                exc_info=not isinstance(exc, FrontendError),
            )
        self._tries.pop(event_id, None)
        self._progress.handled.append(str(event_id))
        self.state.set_value(_SYNC_KEY, self._progress.dumps())

    async def _send_reply(self, room_id: str, command: Mapping[str, Any], reply: Reply) -> None:
        event_id = str(command["event_id"])
        answer = await self._send(
            room_id,
            reply_content(reply, command),
            _txn(self._txn_prefix, "reply", event_id),
        )
        if reply.image is not None:
            await self._send_image(
                room_id,
                reply.image,
                _txn(self._txn_prefix, "reply-image", event_id),
                _relation_to(command) | {"m.in_reply_to": {"event_id": answer}},
            )

    # --- sending ---------------------------------------------------------------------------

    async def _call(self, what: str, request: Awaitable[Any]) -> Any:
        """Await one request to the homeserver; its failures as ``FrontendError``."""
        try:
            response = await request
        except _NETWORK_ERRORS as exc:
            raise FrontendError(
                f"{what}: cannot reach {self.settings.homeserver}: {exc or type(exc).__name__}"
            ) from exc
        if isinstance(response, nio.ErrorResponse):
            self._session_ended(response)
            raise error_for(response, what)
        return response

    def _session_ended(self, response: Any) -> None:
        """With a password, a session the homeserver ended (a logout, an expired token) is
        opened again at once by the sync loop; raises to say so."""
        if response.status_code == "M_UNKNOWN_TOKEN" and self.settings.password is not None:
            self._logged_in = False
            raise FrontendError(
                "the homeserver ended the bot's session; logging in again", retry_after=2
            )

    async def _send(self, room_id: str, content: dict[str, Any], txn: str) -> str:
        async with self.pacer.turn(room_id):
            response = await self._call(
                f"sending to {room_id}",
                self.client.room_send(room_id, "m.room.message", content, tx_id=txn),
            )
        return str(response.event_id)

    async def _send_image(
        self, room_id: str, image: Image, txn: str, relates_to: dict[str, Any] | None
    ) -> str:
        def data(_limited: int, _timeouts: int) -> io.BytesIO:
            return io.BytesIO(image.data)

        async def upload() -> Any:
            response, _keys = await self.client.upload(
                data, content_type=image.mime, filename=image.filename, filesize=len(image.data)
            )
            return response

        response = await self._call(f"uploading {image.filename}", upload())
        return await self._send(
            room_id, image_content(image, str(response.content_uri), relates_to), txn
        )

    async def _room_id(self, target: str) -> str:
        """The room id of a destination (an id, or an alias resolved once), joined."""
        room_id = self._aliases.get(target)
        if room_id is None and target.startswith("#"):
            response = await self._call(
                f"resolving {target}", self.client.room_resolve_alias(target)
            )
            room_id = self._aliases[target] = str(response.room_id)
        room_id = room_id or target
        if room_id not in self.client.rooms:
            await self._call(f"joining {target} (invite {self.user_id})", self.client.join(room_id))
        return room_id

    def _mentions_room(self, target: str, room_id: str) -> bool:
        mentions = self.settings.mentions
        if target in mentions:
            return bool(mentions[target])
        return bool(mentions.get(room_id, True))

    async def deliver(self, delivery: Delivery) -> str | None:
        """Post one alert from the outbox; returns the new event's id."""
        if not self.ready.is_set():
            raise FrontendError("not connected to the Matrix homeserver yet", retry_after=5)
        target = delivery.destination.target
        room_id = await self._room_id(target)
        alert = delivery.alert
        content = alert_content(
            alert,
            prefix=self.settings.prefix,
            thread_parent=delivery.thread_parent,
            mention_room=self._mentions_room(target, room_id),
        )
        event_id = await self._send(room_id, content, f"hotline-{self._txn_prefix}-{delivery.id}")
        if alert.image is not None:
            parent = delivery.thread_parent
            await self._send_image(
                room_id,
                alert.image,
                f"hotline-{self._txn_prefix}-{delivery.id}-image",
                _thread(parent) if parent else None,
            )
        return event_id
