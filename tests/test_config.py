"""feeds.yaml and the environment: valid files load, invalid ones list every problem."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Secret, format_duration, load_settings, parse_duration, parse_settings
from bot.errors import ConfigError
from bot.models import Destination, FeedSpec, Watch
from tests.conftest import ROOT


def test_the_minimal_file_is_valid() -> None:
    settings = parse_settings("feeds: [{name: x, url: http://example.org/feed.xml}]", {})
    assert settings.feeds == (
        FeedSpec(name="x", url="http://example.org/feed.xml", interval=timedelta(minutes=10)),
    )
    assert settings.chat_platforms == ()
    assert settings.history is True


def test_the_shipped_feeds_yaml_is_valid() -> None:
    settings = load_settings(ROOT / "feeds.yaml", {})
    assert 15 <= len(settings.feeds) <= 40
    assert all(f.url.startswith(("https://", "http://")) for f in settings.feeds)


FULL = """\
feeds:
  - name: wire
    url: https://example.org/world.xml
    interval: 5m
    channels: [C0123ABC, '!room:example.org']
    tags: [wire, world]
    lang: en
    tz: Europe/London
watch:
  - {a: us.defense, b: ru.defense, thresholds: [90, 30], kind: call}
editors: {slack: [U0123ABC], matrix: ['@ed:example.org']}
alerts: {slack: [C0999ZZZ], matrix: ['#desk:example.org']}
history: false
polling: {timeout: 10s, concurrency: 8}
milestones: {long_silence: 60}
matrix: {rooms: ['#desk:example.org'], invite_from: [':example.org'], prefix: '!'}
"""


def test_every_section_is_read() -> None:
    settings = parse_settings(FULL, {})
    feed = settings.feeds[0]
    assert feed.interval == timedelta(minutes=5)
    assert feed.channels == (
        Destination("slack", "C0123ABC"),
        Destination("matrix", "!room:example.org"),
    )
    assert feed.tz == "Europe/London"
    assert settings.watches == (
        Watch(a="us.defense", b="ru.defense", thresholds=(30, 90), kind="call"),
    )
    assert settings.is_editor("slack", "U0123ABC")
    assert not settings.is_editor("slack", "U0999")
    assert settings.alerts["matrix"] == (Destination("matrix", "#desk:example.org"),)
    assert settings.history is False
    assert settings.polling.timeout == timedelta(seconds=10)
    assert settings.milestones.long_silence == 60
    assert settings.matrix.invite_from == (":example.org",)


def test_every_problem_is_listed_with_its_line() -> None:
    text = """\
feeds:
  - name: Bad Name
    url: ftp://example.org/x
    interval: soon
  - name: ok
    url: https://example.org/a
    colour: red
  - name: ok
    url: https://example.org/b
watch:
  - {a: us.defense, b: us.defense}
surprise: 1
"""
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, {}, source="feeds.yaml")
    problems = caught.value.problems
    assert any(p.startswith("line 2: feeds[0].name:") for p in problems)
    assert any(p.startswith("line 3: feeds[0].url: unsupported URL scheme 'ftp'") for p in problems)
    assert any(p.startswith("line 4: feeds[0].interval:") for p in problems)
    assert any(p.startswith("line 7: feeds[1].colour: unknown key") for p in problems)
    assert any(p.startswith("line 12: surprise: unknown key") for p in problems)
    assert any("watch[0]" in p and "two different sides" in p for p in problems)
    assert len(problems) == 6, problems
    assert "feeds.yaml" in str(caught.value)


def test_duplicate_keys_and_names_are_errors() -> None:
    text = """\
feeds:
  - {name: a, url: https://example.org/a}
  - {name: a, url: https://example.org/b}
history: true
history: false
"""
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, {})
    problems = caught.value.problems
    assert any("line 5: history: duplicate key (first at line 4)" in p for p in problems)
    assert any(
        "line 3: feeds[1].name: feed name 'a' is already used by feeds[0]" in p for p in problems
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("feeds: [", "not valid YAML"),
        ("- a\n- b\n", "the top level must be a mapping"),
        ("feeds: []", "feeds"),
        ("watch: []", "feeds: required key is missing"),
    ],
    ids=["empty", "broken-yaml", "a-list", "no-feeds", "missing-feeds"],
)
def test_unusable_files_get_a_clear_error(text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_settings(text, {})


def test_secrets_come_from_the_environment_and_never_print() -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-secret-1", "SLACK_SIGNING_SECRET": "shh"}
    settings = parse_settings("feeds: [{name: x, url: http://e.org/f}]", env)
    assert settings.chat_platforms == ("slack",)
    assert settings.slack.bot_token == Secret("xoxb-secret-1")
    assert "xoxb-secret-1" not in repr(settings)
    assert "shh" not in repr(settings)


def test_environment_problems_are_listed_too() -> None:
    env = {"SLACK_BOT_TOKEN": "nope", "HOTLINE_HTTP_PORT": "http", "MATRIX_USER_ID": "bot"}
    with pytest.raises(ConfigError) as caught:
        parse_settings("feeds: [{name: x, url: http://e.org/f}]", env)
    text = str(caught.value)
    assert "SLACK_BOT_TOKEN: a bot token starts with 'xoxb-'" in text
    assert "HOTLINE_HTTP_PORT" in text
    assert "MATRIX_HOMESERVER is not" in text


def test_db_comes_from_flag_then_environment_then_default(tmp_path: Path) -> None:
    config = tmp_path / "f.yaml"
    config.write_text("feeds: [{name: x, url: feed.xml}]", encoding="utf-8")
    assert load_settings(config, {}).db == Path("hotline.db")
    assert load_settings(config, {"HOTLINE_DB": "/tmp/a.db"}).db == Path("/tmp/a.db")
    assert load_settings(config, {"HOTLINE_DB": "/tmp/a.db"}, db="b.db").db == Path("b.db")
    # a plain relative path is taken from the config file's folder
    assert load_settings(config, {}).feeds[0].url == str(tmp_path / "feed.xml")


def test_missing_config_file_names_the_flag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--config"):
        load_settings(tmp_path / "nope.yaml", {})


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10m", 600), ("1h30m", 5400), ("2d", 172800), ("90s", 90), ("1w", 604800), (45, 45)],
)
def test_durations(text: str | int, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds
    assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)


@pytest.mark.parametrize("text", ["", "10", "m", "10 minutes", "-5m", "0s", "1h-2m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)
