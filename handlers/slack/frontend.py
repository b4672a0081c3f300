"""The Slack front-end on slack-bolt (async): slash commands, the mute button, App Home, and
alert delivery from the outbox.

It only translates. A slash command (``/lastcontact milley gerasimov``, ``/hotline feeds``)
becomes the core's ``IncomingMessage``; ``CommandService.handle`` answers it; the ``Reply``
is rendered as Block Kit (``handlers.slack.blocks``) and sent to the command's
``response_url``: in the channel when the reply is public, only to the asker otherwise
(help, errors, refusals). Every command and button is acknowledged at once; the work
happens after the acknowledgement, inside Slack's 3 seconds or not.

Modes: Socket Mode when ``SLACK_APP_TOKEN`` is set; otherwise HTTP mode, where
``POST /slack/events`` on Hotline's own HTTP server (``HOTLINE_HTTP_PORT``) takes Slack's
requests and Bolt checks their signatures (401 for a missing, wrong or stale one).
``SLACK_API_URL`` points the Web API client elsewhere (tests, enterprise proxies).

Alerts reach Slack only through ``deliver``, which the core's dispatcher calls for each
outbox row: one ``chat.postMessage`` (unfurls off, threaded under the event's first alert
when there is one), paced to one message per second per channel. Slack's answers become
``FrontendError`` (``handlers.slack.limits``) and the outbox retries; the SDK's own retries
are off for deliveries, so that a post is never repeated behind the outbox's back and the
dispatcher alone decides when to try again.

No command logic here: what a command means and who may run it is the core's. The one
thing only Slack can tell, membership of the editors' user groups, is passed to the core
as ``IncomingMessage.privileged``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.clock import Clock
from bot.config import SlackSettings
from bot.errors import ConfigError, FrontendError
from bot.models import Delivery, Image, IncomingMessage, Platform, Reply
from bot.service import split_command
from handlers.slack.blocks import (
    ACTION_ID,
    SlackMessage,
    alert_message,
    escape,
    home_view,
    reply_message,
    slash_text,
    user_mention,
    with_note,
)
from handlers.slack.limits import EditorGroups, Pacer, ReplayGuard, delivery_error

if TYPE_CHECKING:
    from bot.app import Hotline

__all__ = ["EVENTS_PATH", "Commands", "SlackFrontend"]

log = logging.getLogger(__name__)


class _UnusedTokenNotice(logging.Filter):
    """Bolt reads ``SLACK_BOT_TOKEN`` from the environment on its own and then warns that
    the token is unused beside the client given to it: true, and no news to an operator."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "will be unused" not in record.getMessage()


logging.getLogger("handlers.slack.bolt").addFilter(_UnusedTokenNotice())

EVENTS_PATH = "/slack/events"
"""Where Slack sends commands, button presses and events in HTTP mode."""
DEFAULT_API_URL = "https://slack.com/api/"
AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
"""auth.test answers that mean the bot token itself is wrong: Hotline refuses to start."""


class Commands(Protocol):
    """The core's command service, as the front-end uses it."""

    async def handle(self, message: IncomingMessage) -> Reply: ...


def api_base_url(api_url: str | None) -> str:
    """The Web API base URL, with the trailing slash slack_sdk expects before method
    names (``http://127.0.0.1:8080/api`` → ``http://127.0.0.1:8080/api/``)."""
    url = (api_url or DEFAULT_API_URL).strip()
    return url if url.endswith("/") else url + "/"


class SlackFrontend:
    """Slack, for the newsroom.

    Args:
        service: the core's command service.
        slack: tokens and Slack options (``SlackSettings``).
        clock: for the editors' group cache and the Home tab's time stamp.
        editors: the Slack editors from ``feeds.yaml``: user ids (checked by the core) and
            user-group ids (``S…``, checked here with ``usergroups.users.list``).
        pacer: spaces messages per channel (default: ``slack.per_channel_interval``).
        backoff: waits between the SDK's retries of interactive calls (answers, button
            updates, the Home tab); deliveries are retried by the outbox instead.
        drain: how long ``stop`` lets commands in progress finish, in seconds.
    """

    platform: Platform = "slack"

    def __init__(
        self,
        service: Commands,
        slack: SlackSettings,
        *,
        clock: Clock,
        editors: Sequence[str] = (),
        pacer: Pacer | None = None,
        backoff: RetryIntervalCalculator | None = None,
        drain: float = 10.0,
    ) -> None:
        if slack.bot_token is None:
            raise ConfigError("environment: SLACK_BOT_TOKEN is not set")
        if slack.app_token is None and slack.signing_secret is None:
            raise ConfigError(
                "environment: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET "
                "(HTTP mode) for Slack"
            )
        self.service = service
        self.slack = slack
        self.clock = clock
        self.drain = drain
        self.pacer = pacer or Pacer(slack.per_channel_interval)
        self._backoff = backoff or BackoffRetryIntervalCalculator(backoff_factor=0.5)
        self.base_url = api_base_url(slack.api_url)
        token = slack.bot_token.reveal()
        # Interactive calls (answers, button updates, the Home tab) happen while someone
        # waits: the SDK retries them a little on its own.
        self.client = AsyncWebClient(
            token=token, base_url=self.base_url, retry_handlers=self._retries()
        )
        # Deliveries are retried by the outbox only: an SDK retry after a lost answer could
        # post an alert twice, and its sleeps would hide a 429 from the dispatcher, which
        # keeps each channel's order and backs off across restarts.
        self.delivery_client = AsyncWebClient(
            token=token, base_url=self.base_url, retry_handlers=[]
        )
        self.editor_ids = frozenset(e for e in editors if not e.startswith("S"))
        groups = [e for e in editors if e.startswith("S")] + list(slack.editor_groups)
        self.groups = EditorGroups(groups, self._group_members, clock)
        self.app = AsyncApp(
            name="hotline",
            client=self.client,
            # Given explicitly (possibly empty in Socket Mode, where Slack's requests come
            # over the socket and are not signed) so Bolt never reads the environment.
            signing_secret=slack.signing_secret.reveal() if slack.signing_secret else "",
            logger=logging.getLogger("handlers.slack.bolt"),
        )
        self.app.command(re.compile(r"^/.+"))(self._on_command)
        self.app.action(re.compile(f"^{ACTION_ID}"))(self._on_action)
        self.app.event("app_home_opened")(self._on_home_opened)
        self.replays = ReplayGuard(slack.signing_secret.reveal() if slack.signing_secret else "")
        self._answers: aiohttp.ClientSession | None = None
        self._posted: dict[int, str] = {}
        self._inflight: set[asyncio.Task[Any]] = set()
        self._socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None

    @classmethod
    def from_hotline(cls, hotline: Hotline) -> SlackFrontend:
        """The front-end for the assembled core (``hotline run``)."""
        settings = hotline.settings
        return cls(
            hotline.service,
            settings.slack,
            clock=hotline.clock,
            editors=settings.editors.get("slack", ()),
        )

    def _retries(self) -> list[AsyncRetryHandler]:
        return [
            AsyncConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=self._backoff),
            AsyncServerErrorRetryHandler(max_retry_count=2, interval_calculator=self._backoff),
            AsyncRateLimitErrorRetryHandler(max_retry_count=1),
        ]

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def socket_mode(self) -> bool:
        return self.slack.socket_mode

    async def start(self, web_server: Any) -> None:
        """Check the bot token, then listen: over a WebSocket in Socket Mode (connecting in
        the background, so a Slack outage does not hold up the rest of Hotline), else at
        ``/slack/events`` on ``web_server`` (a ``bot.web.WebServer``)."""
        await self._check_token()
        if self.socket_mode:
            assert self.slack.app_token is not None
            app_token = self.slack.app_token.reveal()
            url = await self._socket_url(app_token)  # before any socket is opened
            self._socket = AsyncSocketModeHandler(self.app, app_token, web_client=self.client)
            self._socket.client.wss_uri = url
            self._connecting = asyncio.create_task(self._connect(), name="slack-socket")
            return
        if web_server is None:
            raise ConfigError(
                "Slack's HTTP mode needs Hotline's HTTP server (serve with http=True), or set "
                "SLACK_APP_TOKEN for Socket Mode"
            )
        web_server.add_route("POST", EVENTS_PATH, self.handle_http)
        log.info("Slack in HTTP mode at %s", EVENTS_PATH)

    async def _connect(self) -> None:
        assert self._socket is not None
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack in Socket Mode: connected")

    async def _socket_url(self, app_token: str) -> str | None:
        """A WebSocket address from ``apps.connections.open``, so that an app token Slack
        refuses stops the start with a clear error; ``None`` (the client asks again as it
        connects) when Slack cannot be reached now."""
        try:
            answer = await self.client.apps_connections_open(app_token=app_token)
        except SlackApiError as exc:
            error = _error_of(exc)
            if error in AUTH_ERRORS or error == "not_allowed_token_type":
                raise ConfigError(
                    f"environment: SLACK_APP_TOKEN: Slack refused the token ({error})"
                ) from None
            log.warning("Slack's apps.connections.open failed (%s)", exc)
            return None
        except (aiohttp.ClientError, TimeoutError, OSError, SlackClientError) as exc:
            log.warning("cannot reach Slack for Socket Mode yet (%s); retrying", exc)
            return None
        url = answer.get("url")
        return url if isinstance(url, str) else None

    async def _check_token(self) -> None:
        try:
            answer = await self.client.auth_test()
        except SlackApiError as exc:
            error = _error_of(exc)
            if error in AUTH_ERRORS:
                raise ConfigError(
                    f"environment: SLACK_BOT_TOKEN: Slack refused the token ({error})"
                ) from None
            log.warning("Slack's auth.test failed (%s); going on", delivery_error("auth.test", exc))
        except (aiohttp.ClientError, TimeoutError, OSError, SlackClientError) as exc:
            log.warning(
                "cannot reach Slack at %s (%s); going on, alerts wait in the outbox",
                self.base_url,
                exc,
            )
        else:
            log.info("Slack: signed in to %s as %s", answer.get("team"), answer.get("user"))

    async def stop(self) -> None:
        """Disconnect, letting commands in progress finish (up to ``drain`` seconds)."""
        if self._connecting is not None:
            self._connecting.cancel()
            await asyncio.gather(self._connecting, return_exceptions=True)
            self._connecting = None
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        pending = [t for t in self._inflight if not t.done()]
        if pending:
            _done, late = await asyncio.wait(pending, timeout=self.drain)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._answers is not None:
            await self._answers.close()
            self._answers = None

    async def handle_http(self, request: web.Request) -> web.Response:
        """``POST /slack/events``: Bolt's answer as it is (401 for a bad signature)."""
        bolt_request = await to_bolt_request(request)
        if self.replays.replayed(
            bolt_request.raw_body,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
        ):
            log.warning("refused a replayed Slack request")
            return web.Response(status=401, text="replayed request")
        bolt_response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._inflight.discard(task)

    # --- commands -------------------------------------------------------------------------

    async def _group_members(self, group: str) -> Collection[str]:
        answer = await self.client.usergroups_users_list(usergroup=group)
        users = answer.get("users") or []
        return [u for u in users if isinstance(u, str)]

    async def incoming(
        self, user: str, channel: str, text: str, user_name: str | None = None
    ) -> IncomingMessage:
        """The core's message for a command typed or clicked by ``user``."""
        privileged = bool(user) and user not in self.editor_ids and await self.groups.contains(user)
        return IncomingMessage(
            platform="slack",
            user=user,
            channel=channel,
            text=text,
            privileged=privileged,
            user_name=user_name,
        )

    async def _answer(self, message: IncomingMessage) -> Reply:
        try:
            return await self.service.handle(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("answering %r failed", message.text)
            return Reply(
                "Something went wrong answering that; it has been logged. Try again, or type "
                "/hotline help.",
                public=False,
            )

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack()
        with self._tracked():
            user = str(command.get("user_id") or "")
            channel = str(command.get("channel_id") or "")
            text = slash_text(str(command.get("command") or ""), str(command.get("text") or ""))
            message = await self.incoming(user, channel, text, command.get("user_name"))
            reply = await self._answer(message)
            response_url = command.get("response_url")
            sent = await self.respond(
                response_url, reply_message(reply), "in_channel" if reply.public else "ephemeral"
            )
            if sent and reply.image is not None and reply.public:
                await self._upload_reply_image(reply.image, channel, response_url)

    async def respond(
        self,
        response_url: str | None,
        message: SlackMessage,
        response_type: str,
        *,
        replace_original: bool | None = None,
    ) -> bool:
        """Post ``message`` to a command's or a button's ``response_url``."""
        if not response_url:
            log.warning("a Slack request came without a response_url; its answer is dropped")
            return False
        body: dict[str, Any] = {
            "response_type": response_type,
            "text": message.text,
            **_blocks(message),
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if replace_original is not None:
            body["replace_original"] = replace_original
        if self._answers is None or self._answers.closed:
            # one session for every answer: a session per answer costs a new connection
            self._answers = aiohttp.ClientSession()
        hook = AsyncWebhookClient(
            url=response_url, session=self._answers, retry_handlers=self._retries()
        )
        try:
            answer = await hook.send_dict(body)
        except (aiohttp.ClientError, TimeoutError, OSError, SlackClientError) as exc:
            log.warning("cannot answer a Slack command (%s: %s)", type(exc).__name__, exc)
            return False
        if answer.status_code != 200:
            log.warning("Slack refused a command's answer: %s %s", answer.status_code, answer.body)
            return False
        return True

    async def _upload_reply_image(
        self, image: Image, channel: str, response_url: str | None
    ) -> None:
        try:
            await self.pacer.wait(channel)
            await self.client.files_upload_v2(**_upload_args(image, channel, None))
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            error = delivery_error("files.upload", exc)
            log.warning("cannot upload %s to %s: %s", image.filename, channel, error)
            hint = (
                "Invite me to this channel (/invite @Hotline) to get pictures here."
                if error.permanent
                else "Slack did not take the picture; try again in a minute."
            )
            note = Reply(f"The picture could not be posted: {error}. {hint}", public=False)
            await self.respond(response_url, reply_message(note), "ephemeral")

    # --- the buttons ----------------------------------------------------------------------

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        with self._tracked():
            who = body.get("user") or {}
            user = str(who.get("id") or "")
            channel = str((body.get("channel") or {}).get("id") or "")
            command = str(action.get("value") or "")
            name = who.get("name") or who.get("username")
            message = await self.incoming(user, channel, command, name)
            reply = await self._answer(message)
            response_url = body.get("response_url")
            await self.respond(
                response_url, reply_message(reply), "ephemeral", replace_original=False
            )
            posted = body.get("message")
            if reply.public and isinstance(posted, Mapping) and channel and posted.get("ts"):
                await self._note_on(channel, posted, _action_note(command, user))

    async def _note_on(self, channel: str, posted: Mapping[str, Any], note: str) -> None:
        """Show on a posted message what its button did (the rest of it is kept)."""
        try:
            await self.client.chat_update(
                channel=channel,
                ts=str(posted["ts"]),
                text=str(posted.get("text") or " "),
                blocks=with_note(posted.get("blocks") or [], note),
            )
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("cannot update the message %s in %s: %s", posted.get("ts"), channel, exc)

    # --- App Home -------------------------------------------------------------------------

    async def _on_home_opened(self, event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        with self._tracked():
            user = str(event.get("user") or "")
            channel = str(event.get("channel") or "")
            replies = []
            for text in ("mutes", "feeds"):
                replies.append(await self._answer(await self.incoming(user, channel, text)))
            view = home_view(replies, self.clock.now())
            try:
                await self.client.views_publish(user_id=user, view=view)
            except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
                log.warning("cannot publish the Home tab for %s: %s", user, exc)

    # --- alerts ---------------------------------------------------------------------------

    async def deliver(self, delivery: Delivery) -> str | None:
        """Post one outbox row; return the message's ``ts`` (threads hang from it).

        An alert's picture is uploaded after its message; if the upload fails for now, the
        row is retried without posting the message again (while this process runs).
        """
        channel = delivery.destination.target
        alert = delivery.alert
        ts = self._posted.get(delivery.id)
        if ts is None:
            message = alert_message(alert)
            args: dict[str, Any] = {
                "channel": channel,
                "text": message.text,
                **_blocks(message),
                "unfurl_links": False,
                "unfurl_media": False,
            }
            if delivery.thread_parent:
                args["thread_ts"] = delivery.thread_parent
            await self.pacer.wait(channel)
            try:
                answer = await self.delivery_client.chat_postMessage(**args)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                raise delivery_error("chat.postMessage", exc) from exc
            ts = str(answer.get("ts") or "")
            if not ts:
                raise FrontendError("chat.postMessage answered without a message ts")
        if alert.image is not None:
            self._posted[delivery.id] = ts
            await self._upload_alert_image(alert.image, channel, delivery.thread_parent, alert.key)
        self._posted.pop(delivery.id, None)
        return ts

    async def _upload_alert_image(
        self, image: Image, channel: str, thread: str | None, key: str
    ) -> None:
        await self.pacer.wait(channel)
        try:
            await self.delivery_client.files_upload_v2(**_upload_args(image, channel, thread))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = delivery_error("files.upload", exc)
            if not error.permanent:
                raise error from exc
            log.error("the picture of %s could not be posted to %s: %s", key, channel, error)


def _error_of(exc: SlackApiError) -> str | None:
    """The ``error`` field of a failed call's answer, if it has one."""
    data = getattr(exc.response, "data", None)
    error = data.get("error") if isinstance(data, Mapping) else None
    return str(error) if error is not None else None


def _blocks(message: SlackMessage) -> dict[str, Any]:
    """The ``blocks`` argument, left out for a text-only message (Slack refuses an empty
    list)."""
    return {"blocks": list(message.blocks)} if message.blocks else {}


def _upload_args(image: Image, channel: str, thread: str | None) -> dict[str, Any]:
    args: dict[str, Any] = {
        "channel": channel,
        "file": image.data,
        "filename": image.filename,
        "title": image.alt or image.filename,
    }
    if image.alt:
        args["alt_txt"] = image.alt
    if thread:
        args["thread_ts"] = thread
    return args


def _action_note(command: str, user: str) -> str:
    """What a button did, for its message: ``Muted by @editor for 1h``."""
    name, args = split_command(command)
    who = user_mention(user)
    if name == "mute" and len(args) >= 2:
        return f"Muted by {who} for {escape(args[1])}"
    return f"{escape(command)}: done by {who}"
