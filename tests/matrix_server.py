"""A real Synapse homeserver for the Matrix tests, and a plain HTTP client for the people in them.

``Homeserver`` writes a minimal ``homeserver.yaml`` into a temporary folder (SQLite, one client
listener on an ephemeral loopback port, no federation listener, no key servers, no statistics,
relaxed rate limits, cheap password hashing), starts ``python -m synapse.app.homeserver`` as a
subprocess, waits until ``/_matrix/client/versions`` answers, registers users with the shared
secret, and kills the process at the end. Nothing leaves the loopback interface.

``Person`` is a second Matrix user written against the client-server API with ``httpx`` (not
with nio, so the bot's own library never checks its own work): create rooms, invite, send,
read the timeline, and wait for an event by long-polling ``/sync`` with a deadline (never by
sleeping).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

__all__ = ["SERVER_NAME", "Account", "Homeserver", "Person", "free_port"]

SERVER_NAME = "hotline.test"
Event = dict[str, Any]

_CONFIG = """\
server_name: "{server_name}"
pid_file: "{root}/homeserver.pid"
public_baseurl: "{base_url}/"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{root}/homeserver.db"
log_config: "{root}/log.yaml"
media_store_path: "{root}/media"
signing_key_path: "{root}/signing.key"
registration_shared_secret: "{secret}"
macaroon_secret_key: "{macaroon}"
form_secret: "{form}"
enable_registration: false
report_stats: false
enable_metrics: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
url_preview_enabled: false
presence:
  enabled: false
bcrypt_rounds: 4
rc_message: {{per_second: 1000, burst_count: 1000}}
rc_login:
  address: {{per_second: 1000, burst_count: 1000}}
  account: {{per_second: 1000, burst_count: 1000}}
  failed_attempts: {{per_second: 1000, burst_count: 1000}}
rc_joins:
  local: {{per_second: 1000, burst_count: 1000}}
  remote: {{per_second: 1000, burst_count: 1000}}
rc_joins_per_room: {{per_second: 1000, burst_count: 1000}}
rc_invites:
  per_room: {{per_second: 1000, burst_count: 1000}}
  per_user: {{per_second: 1000, burst_count: 1000}}
  per_issuer: {{per_second: 1000, burst_count: 1000}}
rc_registration: {{per_second: 1000, burst_count: 1000}}
rc_admin_redaction: {{per_second: 1000, burst_count: 1000}}
rc_media_create: {{per_second: 1000, burst_count: 1000}}
"""

_LOG_CONFIG = """\
version: 1
formatters:
  plain: {{format: "%(asctime)s %(name)s %(levelname)s %(message)s"}}
handlers:
  file: {{class: logging.FileHandler, filename: "{root}/homeserver.log", formatter: plain}}
root: {{level: WARNING, handlers: [file]}}
disable_existing_loggers: false
"""


def free_port() -> int:
    """A port that was free a moment ago on the loopback interface (bound to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Account:
    """A registered user."""

    user_id: str
    password: str
    access_token: str
    device_id: str


class Homeserver:
    """One Synapse process on an ephemeral loopback port. Use as a context manager."""

    def __init__(self, root: Path, *, start_timeout: float = 60.0) -> None:
        self.root = root
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.server_name = SERVER_NAME
        self.secret = secrets.token_hex(16)
        self.start_timeout = start_timeout
        self.started_in = 0.0
        self.process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)
        self._http = httpx.Client(base_url=self.base_url, timeout=10.0)

    def _write_config(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "media").mkdir(exist_ok=True)
        # An ed25519 signing key is a version and a 32-byte seed, base64 without padding.
        seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
        (self.root / "signing.key").write_text(f"ed25519 a_test {seed}\n", encoding="utf-8")
        (self.root / "log.yaml").write_text(_LOG_CONFIG.format(root=self.root), encoding="utf-8")
        config = self.root / "homeserver.yaml"
        config.write_text(
            _CONFIG.format(
                server_name=self.server_name,
                root=self.root,
                base_url=self.base_url,
                port=self.port,
                secret=self.secret,
                macaroon=secrets.token_hex(16),
                form=secrets.token_hex(16),
            ),
            encoding="utf-8",
        )
        return config

    def start(self) -> None:
        config = self._write_config()
        began = time.monotonic()
        with (self.root / "stdout.log").open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(config)],
                cwd=self.root,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = began + self.start_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"Synapse exited at start:\n{self.logs()}")
            with contextlib.suppress(httpx.TransportError):
                if self._http.get("/_matrix/client/versions", timeout=1.0).status_code == 200:
                    break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Synapse did not answer within {self.start_timeout}s")
            # Bounded wait on the next check of the condition (the socket is not up yet).
            time.sleep(0.1)
        self.started_in = time.monotonic() - began

    def logs(self) -> str:
        parts = []
        for name in ("stdout.log", "homeserver.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(encoding="utf-8", errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        self._http.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> Homeserver:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- users --------------------------------------------------------------------------

    def unique(self, stem: str) -> str:
        """A localpart not used before in this server's life."""
        return f"{stem}{next(self._names)}"

    def register(self, stem: str, *, admin: bool = False) -> Account:
        """Register a new user through the shared-secret admin API."""
        username = self.unique(stem)
        password = secrets.token_hex(8)
        nonce = self._http.get("/_synapse/admin/v1/register").json()["nonce"]
        signed = "\x00".join((nonce, username, password, "admin" if admin else "notadmin"))
        mac = hmac.new(self.secret.encode(), signed.encode(), digestmod=hashlib.sha1)
        response = self._http.post(
            "/_synapse/admin/v1/register",
            json={
                "nonce": nonce,
                "username": username,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )
        response.raise_for_status()
        body = response.json()
        return Account(body["user_id"], password, body["access_token"], body["device_id"])

    def admin(self, admin: Account, method: str, path: str, body: Any = None) -> Any:
        response = self._http.request(
            method,
            path,
            json=body,
            headers={"Authorization": f"Bearer {admin.access_token}"},
        )
        response.raise_for_status()
        return response.json()


def _q(text: str) -> str:
    return quote(text, safe="")


@dataclass
class Person:
    """A Matrix user driven over plain HTTP by a test."""

    server: Homeserver
    account: Account
    http: httpx.AsyncClient = field(init=False)
    _since: str | None = field(default=None, init=False)
    _txn: Iterator[int] = field(default_factory=lambda: itertools.count(1), init=False)

    def __post_init__(self) -> None:
        self.http = httpx.AsyncClient(
            base_url=self.server.base_url,
            headers={"Authorization": f"Bearer {self.account.access_token}"},
            timeout=30.0,
        )

    @property
    def user_id(self) -> str:
        return self.account.user_id

    async def aclose(self) -> None:
        await self.http.aclose()

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = await self.http.request(
            method, f"/_matrix/client{path}", json=body, params=params or None
        )
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    async def create_room(
        self,
        *,
        invite: tuple[str, ...] = (),
        alias: str | None = None,
        encrypted: bool = False,
        public: bool = False,
        users: dict[str, int] | None = None,
    ) -> str:
        body: dict[str, Any] = {"preset": "public_chat" if public else "private_chat"}
        if invite:
            body["invite"] = list(invite)
        if alias:
            body["room_alias_name"] = alias
        if encrypted:
            body["initial_state"] = [
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            ]
        if users:
            body["power_level_content_override"] = {"users": {self.user_id: 100, **users}}
        return str((await self.call("POST", "/v3/createRoom", body))["room_id"])

    async def invite(self, room_id: str, user_id: str) -> None:
        await self.call("POST", f"/v3/rooms/{_q(room_id)}/invite", {"user_id": user_id})

    async def join(self, room: str) -> str:
        return str((await self.call("POST", f"/v3/join/{_q(room)}", {}))["room_id"])

    async def send(self, room_id: str, content: dict[str, Any]) -> str:
        txn = f"t{next(self._txn)}-{secrets.token_hex(4)}"
        path = f"/v3/rooms/{_q(room_id)}/send/m.room.message/{txn}"
        response = await self.http.put(f"/_matrix/client{path}", json=content)
        assert response.status_code == 200, response.text
        return str(response.json()["event_id"])

    async def say(self, room_id: str, text: str) -> str:
        return await self.send(room_id, {"msgtype": "m.text", "body": text})

    async def set_power(self, room_id: str, user_id: str, level: int) -> None:
        path = f"/v3/rooms/{_q(room_id)}/state/m.room.power_levels/"
        levels = await self.call("GET", path)
        levels.setdefault("users", {})[user_id] = level
        await self.call("PUT", path, levels)

    async def timeline(self, room_id: str, limit: int = 200) -> list[Event]:
        """The room's events, oldest first."""
        body = await self.call(
            "GET", f"/v3/rooms/{_q(room_id)}/messages", dir="b", limit=str(limit)
        )
        return list(reversed(body["chunk"]))

    async def members(self, room_id: str) -> dict[str, str]:
        """Membership by user id."""
        body = await self.call("GET", f"/v3/rooms/{_q(room_id)}/members")
        return {e["state_key"]: e["content"]["membership"] for e in body["chunk"]}

    async def relations(self, room_id: str, event_id: str, rel_type: str) -> list[Event]:
        path = f"/v1/rooms/{_q(room_id)}/relations/{_q(event_id)}/{_q(rel_type)}"
        return list((await self.call("GET", path))["chunk"])

    async def _next_sync(self, seconds: float) -> None:
        """Return when the server has something new for this user, or after ``seconds``."""
        params: dict[str, Any] = {"timeout": str(int(seconds * 1000))}
        if self._since is not None:
            params["since"] = self._since
        else:
            params["timeout"] = "0"
        body = await self.call("GET", "/v3/sync", **params)
        self._since = body["next_batch"]

    async def wait_for(
        self, room_id: str, matches: Callable[[Event], bool], *, seconds: float = 20.0
    ) -> Event:
        """The first event in the room's timeline that ``matches``, waiting on ``/sync``."""
        deadline = time.monotonic() + seconds
        while True:
            for event in await self.timeline(room_id):
                if matches(event):
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching event in {room_id} within {seconds}s")
            await self._next_sync(min(left, 5.0))

    async def wait_membership(
        self, room_id: str, user_id: str, membership: str, *, seconds: float = 20.0
    ) -> None:
        deadline = time.monotonic() + seconds
        while (await self.members(room_id)).get(user_id) != membership:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{user_id} is not '{membership}' in {room_id}")
            await self._next_sync(min(left, 5.0))
