"""Configuration: ``feeds.yaml`` plus the environment, validated once into frozen ``Settings``.

The only module that reads the environment (callers pass ``os.environ`` in, so tests pass a
dict). Secrets come only from the environment and are wrapped in ``Secret`` so that they never
show in a ``repr`` or a log line. ``feeds.yaml`` is checked as a whole: every problem is
collected, each with its line and path (``feeds.yaml:12: feeds[3].interval: ...``), and one
``ConfigError`` lists them all. Unknown keys and duplicate keys are errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.errors import ConfigError
from bot.models import Destination, FeedSpec, Platform, Watch

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_DB",
    "DEFAULT_HTTP_PORT",
    "ENV_VARS",
    "MatrixSettings",
    "MilestoneSettings",
    "PollingSettings",
    "Secret",
    "Settings",
    "SlackSettings",
    "format_duration",
    "load_settings",
    "parse_duration",
    "parse_settings",
]

DEFAULT_CONFIG = "feeds.yaml"
DEFAULT_DB = "hotline.db"
DEFAULT_HTTP_PORT = 3000

ENV_VARS: tuple[str, ...] = (
    "HOTLINE_CONFIG",
    "HOTLINE_DB",
    "HOTLINE_HTTP_PORT",
    "HOTLINE_LOG_FORMAT",
    "HOTLINE_LOG_LEVEL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "MATRIX_HOMESERVER",
    "MATRIX_USER_ID",
    "MATRIX_ACCESS_TOKEN",
    "MATRIX_PASSWORD",
)
"""Every environment variable Hotline reads."""


# --- small values ------------------------------------------------------------------------


class Secret:
    """A secret string that hides itself from ``repr``/``str`` (and so from logs)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one call that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s)", re.IGNORECASE)
_UNITS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str | int | float) -> timedelta:
    """``"10m"``, ``"1h30m"``, ``"2d"``, ``"90s"`` (or a number of seconds) as a timedelta.

    Raises ``ValueError`` with a readable message for anything else.
    """
    if isinstance(text, bool):
        raise ValueError(f"expected a duration such as '10m', got {text!r}")
    if isinstance(text, int | float):
        if text <= 0:
            raise ValueError(f"a duration must be positive, got {text!r}")
        return timedelta(seconds=text)
    compact = str(text).strip().replace(" ", "")
    if not compact:
        raise ValueError("expected a duration such as '10m', got an empty string")
    pos, seconds = 0, 0.0
    for match in _DURATION.finditer(compact):
        if match.start() != pos:
            break
        seconds += float(match.group(1)) * _UNITS[match.group(2).lower()]
        pos = match.end()
    if pos != len(compact) or seconds <= 0:
        raise ValueError(f"expected a duration such as '90s', '10m', '1h30m' or '2d', got {text!r}")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The short form of a duration (``1h30m``), the inverse of ``parse_duration``."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


# --- settings ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollingSettings:
    """How feeds are fetched (``polling:`` in ``feeds.yaml``).

    Attributes:
        interval: default interval for feeds that do not set one.
        timeout: connect and read timeout of one request.
        max_bytes: largest body accepted, after decompression.
        concurrency: requests in flight at once, overall.
        per_host: requests in flight at once to one host.
        max_backoff: longest wait after repeated failures.
        user_agent: sent with every request (a default names Hotline and its version).
        allow_private: allow feeds added at run time on private, loopback or link-local
            addresses (feeds written in ``feeds.yaml`` are trusted as they are).
        workers: processes that fetch and parse (``None``: one per core; 0: none, all in
            the main process).
    """

    interval: timedelta = timedelta(minutes=10)
    timeout: timedelta = timedelta(seconds=20)
    max_bytes: int = 10 * 1024 * 1024
    concurrency: int = 32
    per_host: int = 4
    max_backoff: timedelta = timedelta(hours=6)
    user_agent: str | None = None
    allow_private: bool = False
    workers: int | None = None


@dataclass(frozen=True, slots=True)
class MilestoneSettings:
    """When contacts and silences are announced (``milestones:``).

    Attributes:
        thresholds: default silence marks in days for watches that set none.
        long_silence: a contact after at least this many days of silence "breaks a long
            silence" (announced loudly).
        feed_broken_after: consecutive failures before a feed is announced as broken.
        backlog: more new contacts than this from one feed in one poll become one digest.
    """

    thresholds: tuple[int, ...] = (30, 60, 90, 180, 365)
    long_silence: int = 30
    feed_broken_after: int = 5
    backlog: int = 5


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """The Slack front-end (``slack:`` in ``feeds.yaml``, tokens from the environment)."""

    bot_token: Secret | None = None
    signing_secret: Secret | None = None
    app_token: Secret | None = None
    api_url: str | None = None
    mute_button: timedelta = timedelta(hours=1)
    editor_groups: tuple[str, ...] = ()
    per_channel_interval: timedelta = timedelta(seconds=1)

    @property
    def enabled(self) -> bool:
        """Whether the tokens it needs are set (a bot token, and an app token for Socket
        Mode or a signing secret for HTTP mode)."""
        return self.bot_token is not None and (
            self.app_token is not None or self.signing_secret is not None
        )

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


@dataclass(frozen=True, slots=True)
class MatrixSettings:
    """The Matrix front-end (``matrix:`` in ``feeds.yaml``, credentials from the
    environment)."""

    homeserver: str | None = None
    user_id: str | None = None
    access_token: Secret | None = None
    password: Secret | None = None
    rooms: tuple[str, ...] = ()
    invite_from: tuple[str, ...] = ()
    prefix: str = "!"
    mentions: Mapping[str, bool] = field(default_factory=dict)
    device_name: str = "Hotline"

    @property
    def enabled(self) -> bool:
        return bool(self.homeserver and self.user_id and (self.access_token or self.password))


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything Hotline is configured with. Built only by ``parse_settings``.

    Attributes:
        feeds: the feeds to poll.
        watches: pairs whose silences are announced.
        editors: per platform, who may mute and correct (user ids or groups).
        alerts: per platform, the default destinations of alerts.
        officials: extra registry files (absolute paths).
        history: the bundled record (``True``), none (``False``) or a CSV file's path.
        polling, milestones, slack, matrix: their sections.
        db: the SQLite database's path.
        http_port: port of the HTTP server (Slack events, /healthz, /metrics).
        config_path: the file the settings came from, if any.
        places: ``path -> line`` in the file, for later reference errors.
    """

    feeds: tuple[FeedSpec, ...]
    watches: tuple[Watch, ...] = ()
    editors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    alerts: Mapping[str, tuple[Destination, ...]] = field(default_factory=dict)
    officials: tuple[Path, ...] = ()
    history: bool | Path = True
    polling: PollingSettings = field(default_factory=PollingSettings)
    milestones: MilestoneSettings = field(default_factory=MilestoneSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    matrix: MatrixSettings = field(default_factory=MatrixSettings)
    db: Path = Path(DEFAULT_DB)
    http_port: int = DEFAULT_HTTP_PORT
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    config_path: Path | None = None
    places: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def feed(self, name: str) -> FeedSpec | None:
        """The feed called ``name``, if configured."""
        return next((f for f in self.feeds if f.name == name), None)

    @property
    def chat_platforms(self) -> tuple[Platform, ...]:
        """The chat front-ends whose credentials are set."""
        out: list[Platform] = []
        if self.slack.enabled:
            out.append("slack")
        if self.matrix.enabled:
            out.append("matrix")
        return tuple(out)

    def is_editor(self, platform: str, user: str) -> bool:
        """Whether ``user`` is listed as an editor for ``platform`` in ``feeds.yaml``."""
        return user in self.editors.get(platform, ())


# --- the schema (pydantic, private) --------------------------------------------------------

FEED_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
# Room ids of room version 12 and later carry no server name ('!opaque'); aliases always do.
_MATRIX_ROOM = re.compile(r"^(#[^:\s]+:[A-Za-z0-9.\-\[\]:]+|![^:\s]+(:[A-Za-z0-9.\-\[\]:]+)?)$")
_MATRIX_USER = re.compile(r"^@[^:\s]+:[A-Za-z0-9.\-\[\]:]+$")
_SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_SLACK_USER = re.compile(r"^[UWS][A-Z0-9]{2,}$")


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(value)


Duration = Annotated[timedelta, BeforeValidator(_duration)]


def _str_list(value: Any) -> Any:
    """A single string where a list is expected is taken as a one-element list."""
    return [value] if isinstance(value, str) else value


StrList = Annotated[list[str], BeforeValidator(_str_list)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Routing(_Strict):
    slack: StrList = Field(default_factory=list)
    matrix: StrList = Field(default_factory=list)
    console: StrList = Field(default_factory=list)


def _routing(value: Any) -> Any:
    """``channels`` as a list infers each target's platform from its form."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        out: dict[str, list[Any]] = {"slack": [], "matrix": []}
        for target in value:
            platform = "matrix" if isinstance(target, str) and target[:1] in "!#" else "slack"
            out[platform].append(target)
        return out
    return value


Routing = Annotated[_Routing, BeforeValidator(_routing)]


def _check_targets(routing: _Routing) -> _Routing:
    for target in routing.slack:
        if not (_SLACK_CHANNEL.match(target) or re.match(r"^#?[a-z0-9_-]{1,80}$", target)):
            raise ValueError(f"{target!r} is not a Slack channel id (C0123ABC) or name")
    for target in routing.matrix:
        if not _MATRIX_ROOM.match(target):
            raise ValueError(
                f"{target!r} is not a Matrix room id ('!id:server') or alias ('#alias:server')"
            )
    return routing


class _Feed(_Strict):
    name: str
    url: str
    interval: Duration | None = None
    channels: Routing | None = None
    tags: StrList = Field(default_factory=list)
    lang: str | None = None
    tz: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not FEED_NAME.match(v):
            raise ValueError(
                f"{v!r} is not a feed name: use lower-case letters, digits, '-', '_' or '.' "
                "(at most 64), starting with a letter or digit"
            )
        if v == "all":
            raise ValueError("'all' is reserved (it means every feed in commands)")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v:
            raise ValueError("the URL is empty")
        scheme = v.split(":", 1)[0].lower() if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", v) else ""
        if scheme and len(scheme) > 1 and scheme not in ("http", "https", "file"):
            raise ValueError(f"unsupported URL scheme {scheme!r}: use http, https or file")
        if scheme in ("http", "https") and not re.match(r"^https?://[^/\s]+", v, re.I):
            raise ValueError(f"{v!r} has no host")
        if re.search(r"\s", v):
            raise ValueError(f"{v!r} contains white space")
        return v

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: timedelta | None) -> timedelta | None:
        if v is not None and v < timedelta(seconds=30):
            raise ValueError("an interval shorter than 30s would hammer the publisher")
        return v

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: _Routing | None) -> _Routing | None:
        return _check_targets(v) if v is not None else None

    @field_validator("tz")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                ZoneInfo(v)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown time zone {v!r}: use an IANA name such as 'Europe/Moscow'"
                ) from None
        return v

    @field_validator("lang")
    @classmethod
    def _lang(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", v):
            raise ValueError(f"{v!r} is not a language tag such as 'en' or 'pt-BR'")
        return v


_PARTY = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class _Watch(_Strict):
    a: str
    b: str
    thresholds: list[int] | None = None
    kind: Literal["call", "meeting"] | None = None
    channels: Routing | None = None
    name: str | None = None

    @field_validator("a", "b")
    @classmethod
    def _party(cls, v: str) -> str:
        v = v.strip().lower()
        if not _PARTY.match(v):
            raise ValueError(
                f"{v!r} is neither an official's id ('lloyd-austin') nor a role key ('us.defense')"
            )
        return v

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, v: list[int] | None) -> list[int] | None:
        if v is not None:
            if not v:
                raise ValueError("give at least one threshold, in days")
            if any(t <= 0 for t in v):
                raise ValueError("thresholds are positive numbers of days")
            if len(set(v)) != len(v):
                raise ValueError("thresholds repeat a value")
        return v

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: _Routing | None) -> _Routing | None:
        return _check_targets(v) if v is not None else None

    @model_validator(mode="after")
    def _distinct(self) -> _Watch:
        if self.a == self.b:
            raise ValueError(f"a watch needs two different sides, got {self.a!r} twice")
        return self


class _Editors(_Strict):
    slack: StrList = Field(default_factory=list)
    matrix: StrList = Field(default_factory=list)
    console: StrList = Field(default_factory=list)

    @field_validator("slack")
    @classmethod
    def _slack(cls, v: list[str]) -> list[str]:
        for user in v:
            if not _SLACK_USER.match(user):
                raise ValueError(f"{user!r} is not a Slack user or user-group id (U0123ABC)")
        return v

    @field_validator("matrix")
    @classmethod
    def _matrix(cls, v: list[str]) -> list[str]:
        for user in v:
            if not _MATRIX_USER.match(user):
                raise ValueError(f"{user!r} is not a Matrix user id ('@name:server')")
        return v


class _Polling(_Strict):
    interval: Duration = timedelta(minutes=10)
    timeout: Duration = timedelta(seconds=20)
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=512 * 1024 * 1024)
    concurrency: int = Field(default=32, ge=1, le=1024)
    per_host: int = Field(default=4, ge=1, le=256)
    max_backoff: Duration = timedelta(hours=6)
    user_agent: str | None = None
    allow_private: bool = False
    workers: Literal["auto"] | Annotated[int, Field(ge=0, le=64)] = "auto"


class _Milestones(_Strict):
    thresholds: list[int] = Field(default_factory=lambda: [30, 60, 90, 180, 365])
    long_silence: int = Field(default=30, ge=1)
    feed_broken_after: int = Field(default=5, ge=1)
    backlog: int = Field(default=5, ge=1)

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, v: list[int]) -> list[int]:
        return _Watch._thresholds(v) or v


class _Slack(_Strict):
    mute_button: Duration = timedelta(hours=1)
    editor_groups: StrList = Field(default_factory=list)
    per_channel_interval: Duration = timedelta(seconds=1)


class _Matrix(_Strict):
    rooms: StrList = Field(default_factory=list)
    invite_from: StrList = Field(default_factory=list)
    prefix: str = "!"
    mentions: dict[str, bool] = Field(default_factory=dict)
    device_name: str = "Hotline"

    @field_validator("rooms")
    @classmethod
    def _rooms(cls, v: list[str]) -> list[str]:
        for room in v:
            if not _MATRIX_ROOM.match(room):
                raise ValueError(
                    f"{room!r} is not a Matrix room id ('!id:server') or alias ('#alias:server')"
                )
        return v

    @field_validator("invite_from")
    @classmethod
    def _invite_from(cls, v: list[str]) -> list[str]:
        for who in v:
            if not (_MATRIX_USER.match(who) or re.match(r"^:[A-Za-z0-9.\-\[\]:]+$", who)):
                raise ValueError(f"{who!r} is neither a user ('@name:server') nor ':server'")
        return v

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, v: str) -> str:
        if not v or len(v) > 8 or any(c.isspace() for c in v):
            raise ValueError("the prefix is 1 to 8 characters with no spaces, such as '!'")
        return v


class _File(_Strict):
    feeds: list[_Feed] = Field(min_length=1)
    watch: list[_Watch] = Field(default_factory=list)
    editors: _Editors = Field(default_factory=_Editors)
    alerts: _Routing = Field(default_factory=_Routing)
    officials: StrList = Field(default_factory=list)
    history: bool | str = True
    polling: _Polling = Field(default_factory=_Polling)
    milestones: _Milestones = Field(default_factory=_Milestones)
    slack: _Slack = Field(default_factory=_Slack)
    matrix: _Matrix = Field(default_factory=_Matrix)

    @field_validator("alerts")
    @classmethod
    def _alerts(cls, v: _Routing) -> _Routing:
        return _check_targets(v)


# --- YAML with line numbers ----------------------------------------------------------------


class _Located:
    """The composed YAML tree's line numbers by path, plus duplicate-key problems."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}
        self.duplicates: list[str] = []

    def walk(self, node: yaml.Node, path: str) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                child = f"{path}.{key}" if path else key
                if key in seen:
                    self.duplicates.append(
                        f"line {line}: {child}: duplicate key (first at line {seen[key]})"
                    )
                seen[key] = line
                self.lines[child] = line
                self.walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, f"{path}[{index}]")

    def line_of(self, path: str) -> int | None:
        """The line of ``path``, else of the nearest enclosing key (a missing key is
        reported where its mapping starts)."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            parent = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
            path = "" if parent == path else parent


def _loc_path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("function-") or part in ("str", "int", "bool", "list[int]"):
            continue  # union-branch markers from pydantic, not part of the path
        else:
            out += f".{part}" if out else part
    return out


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key (check its spelling; see the configuration reference in README.md)"
    if kind == "missing":
        return "required key is missing"
    msg = str(error.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


# --- loading -----------------------------------------------------------------------------


def parse_settings(
    text: str,
    environ: Mapping[str, str],
    *,
    source: str = DEFAULT_CONFIG,
    base_dir: Path | None = None,
    db: str | None = None,
) -> Settings:
    """Validate ``feeds.yaml`` text and the environment into ``Settings``.

    Raises ``ConfigError`` listing every problem with its line and path.
    """
    problems: list[str] = []
    base = base_dir or Path.cwd()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}not valid YAML: {problem}", source) from None
    if node is None:
        raise ConfigError(
            "the file is empty; the smallest valid file is "
            "'feeds: [{name: x, url: https://example.org/feed.xml}]'",
            source,
        )
    located = _Located()
    located.walk(node, "")
    problems.extend(located.duplicates)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:  # a constructor error compose() did not see
        raise ConfigError(f"not valid YAML: {exc}", source) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"line 1: the top level must be a mapping with a 'feeds' list, got "
            f"{type(data).__name__}",
            source,
        )

    model: _File | None = None
    try:
        model = _File.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path = _loc_path(error["loc"])
            line = located.line_of(path)
            where = f"line {line}: " if line else ""
            problems.append(f"{where}{path or '(top level)'}: {_message(error)}")

    if model is not None:
        problems.extend(_cross_checks(model, located))

    env_settings, env_problems = _from_environment(environ, db)
    problems.extend(env_problems)
    if problems or model is None:
        raise ConfigError(problems, source)

    return _build(model, env_settings, base, source, located)


def _cross_checks(model: _File, located: _Located) -> list[str]:
    problems: list[str] = []
    first: dict[str, int] = {}
    for index, feed in enumerate(model.feeds):
        if feed.name in first:
            line = located.line_of(f"feeds[{index}].name")
            problems.append(
                f"line {line}: feeds[{index}].name: feed name {feed.name!r} is already used "
                f"by feeds[{first[feed.name]}]"
            )
        else:
            first[feed.name] = index
    if isinstance(model.history, str) and not model.history:
        problems.append(
            f"line {located.line_of('history')}: history: give true, false or a CSV path"
        )
    return problems


@dataclass(frozen=True, slots=True)
class _Env:
    db: str | None
    http_port: int
    log_format: Literal["text", "json"]
    log_level: str
    slack: dict[str, Any]
    matrix: dict[str, Any]


def _secret(environ: Mapping[str, str], name: str) -> Secret | None:
    value = environ.get(name, "").strip()
    return Secret(value) if value else None


def _from_environment(environ: Mapping[str, str], db: str | None) -> tuple[_Env, list[str]]:
    problems: list[str] = []
    port_text = environ.get("HOTLINE_HTTP_PORT", "").strip()
    port = DEFAULT_HTTP_PORT
    if port_text:
        if port_text.isdigit() and 0 <= int(port_text) <= 65535:
            port = int(port_text)
        else:
            problems.append(
                f"environment: HOTLINE_HTTP_PORT: {port_text!r} is not a port number (0-65535)"
            )
    log_format = environ.get("HOTLINE_LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in ("text", "json"):
        problems.append(f"environment: HOTLINE_LOG_FORMAT: {log_format!r} is not text or json")
        log_format = "text"
    log_level = environ.get("HOTLINE_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(
            f"environment: HOTLINE_LOG_LEVEL: {log_level!r} is not DEBUG, INFO, WARNING or ERROR"
        )
        log_level = "INFO"

    bot_token = _secret(environ, "SLACK_BOT_TOKEN")
    signing_secret = _secret(environ, "SLACK_SIGNING_SECRET")
    app_token = _secret(environ, "SLACK_APP_TOKEN")
    api_url = environ.get("SLACK_API_URL", "").strip() or None
    slack: dict[str, Any] = {
        "bot_token": bot_token,
        "signing_secret": signing_secret,
        "app_token": app_token,
        "api_url": api_url,
    }
    if bot_token and not bot_token.reveal().startswith("xoxb-"):
        problems.append("environment: SLACK_BOT_TOKEN: a bot token starts with 'xoxb-'")
    if app_token and not app_token.reveal().startswith("xapp-"):
        problems.append("environment: SLACK_APP_TOKEN: an app-level token starts with 'xapp-'")
    if bot_token and not (app_token or signing_secret):
        problems.append(
            "environment: SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) "
            "nor SLACK_SIGNING_SECRET (HTTP mode) is"
        )
    if (app_token or signing_secret) and not bot_token:
        problems.append(
            "environment: SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not"
        )
    if api_url and not re.match(r"^https?://[^/\s]+", api_url):
        problems.append(f"environment: SLACK_API_URL: {api_url!r} is not an http(s) URL")

    matrix = {
        "homeserver": environ.get("MATRIX_HOMESERVER", "").strip() or None,
        "user_id": environ.get("MATRIX_USER_ID", "").strip() or None,
        "access_token": _secret(environ, "MATRIX_ACCESS_TOKEN"),
        "password": _secret(environ, "MATRIX_PASSWORD"),
    }
    given = [k for k, v in matrix.items() if v]
    if given:
        if not matrix["homeserver"]:
            problems.append("environment: Matrix credentials are set but MATRIX_HOMESERVER is not")
        elif not re.match(r"^https?://[^/\s]+", str(matrix["homeserver"])):
            problems.append(
                f"environment: MATRIX_HOMESERVER: {matrix['homeserver']!r} is not an http(s) URL"
            )
        if not matrix["user_id"]:
            problems.append("environment: MATRIX_HOMESERVER is set but MATRIX_USER_ID is not")
        elif not _MATRIX_USER.match(str(matrix["user_id"])):
            problems.append(
                f"environment: MATRIX_USER_ID: {matrix['user_id']!r} is not a user id "
                "('@bot:server')"
            )
        if not (matrix["access_token"] or matrix["password"]):
            problems.append(
                "environment: set MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD for the Matrix bot"
            )

    db_path = db or environ.get("HOTLINE_DB", "").strip() or None
    fmt: Literal["text", "json"] = "json" if log_format == "json" else "text"
    return _Env(db_path, port, fmt, log_level, slack, matrix), problems


def _destinations(routing: _Routing | None) -> tuple[Destination, ...]:
    if routing is None:
        return ()
    out: list[Destination] = []
    for platform in ("slack", "matrix", "console"):
        for target in getattr(routing, platform):
            out.append(Destination(platform, target))
    return tuple(out)


def _build(model: _File, env: _Env, base: Path, source: str, located: _Located) -> Settings:
    dumped = model.polling.model_dump()
    dumped["workers"] = None if dumped["workers"] == "auto" else dumped["workers"]
    polling = PollingSettings(**dumped)
    milestones = MilestoneSettings(
        thresholds=tuple(sorted(model.milestones.thresholds)),
        long_silence=model.milestones.long_silence,
        feed_broken_after=model.milestones.feed_broken_after,
        backlog=model.milestones.backlog,
    )
    feeds = tuple(
        FeedSpec(
            name=f.name,
            url=_resolve_url(f.url, base),
            interval=f.interval or polling.interval,
            channels=_destinations(f.channels),
            tags=tuple(f.tags),
            lang=f.lang,
            tz=f.tz,
        )
        for f in model.feeds
    )
    watches = tuple(
        Watch(
            a=w.a,
            b=w.b,
            thresholds=tuple(sorted(w.thresholds)) if w.thresholds else milestones.thresholds,
            kind=w.kind,
            channels=_destinations(w.channels),
            name=w.name,
        )
        for w in model.watch
    )
    history: bool | Path
    history = model.history if isinstance(model.history, bool) else _path(model.history, base)
    slack = SlackSettings(
        **env.slack,
        mute_button=model.slack.mute_button,
        editor_groups=tuple(model.slack.editor_groups),
        per_channel_interval=model.slack.per_channel_interval,
    )
    matrix = MatrixSettings(
        **env.matrix,
        rooms=tuple(model.matrix.rooms),
        invite_from=tuple(model.matrix.invite_from),
        prefix=model.matrix.prefix,
        mentions=dict(model.matrix.mentions),
        device_name=model.matrix.device_name,
    )
    editors = {
        "slack": tuple(model.editors.slack) + tuple(model.slack.editor_groups),
        "matrix": tuple(model.editors.matrix),
        "console": tuple(model.editors.console),
    }
    alerts = {
        platform: tuple(d for d in _destinations(model.alerts) if d.platform == platform)
        for platform in ("slack", "matrix", "console")
    }
    return Settings(
        feeds=feeds,
        watches=watches,
        editors=editors,
        alerts=alerts,
        officials=tuple(_path(p, base) for p in model.officials),
        history=history,
        polling=polling,
        milestones=milestones,
        slack=slack,
        matrix=matrix,
        db=Path(env.db) if env.db else Path(DEFAULT_DB),
        http_port=env.http_port,
        log_format=env.log_format,
        log_level=env.log_level,
        config_path=Path(source) if source else None,
        places=dict(located.lines),
    )


def _path(text: str, base: Path) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else (base / path)


def _resolve_url(url: str, base: Path) -> str:
    """Relative plain paths are taken from the config file's folder."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", url):
        return url
    return str(_path(url, base))


def load_settings(
    config: str | Path | None,
    environ: Mapping[str, str],
    *,
    db: str | None = None,
) -> Settings:
    """Read and validate the config file (``--config``, else ``HOTLINE_CONFIG``, else
    ``./feeds.yaml``) and the environment.

    Raises ``ConfigError`` for a missing or unreadable file and for every invalid value.
    """
    path = Path(config or environ.get("HOTLINE_CONFIG", "").strip() or DEFAULT_CONFIG)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file (pass --config PATH or set HOTLINE_CONFIG)", str(path)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it: {exc}", str(path)) from None
    return parse_settings(text, environ, source=str(path), base_dir=path.resolve().parent, db=db)
