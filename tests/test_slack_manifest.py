"""The Slack app manifest matches what the front-end serves: the commands the core knows,
one request URL, the events and scopes the code uses."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.service import COMMANDS
from handlers.slack import EVENTS_PATH
from handlers.slack.blocks import slash_text
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "slack-manifest.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_manifest_declares_every_slash_command_of_the_issue(manifest: dict[str, Any]) -> None:
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [
        "/lastcontact",
        "/contacts",
        "/silences",
        "/feeds",
        "/mute",
        "/unmute",
        "/mutes",
        "/hotline",
    ]


def test_each_slash_command_names_a_command_of_the_core(manifest: dict[str, Any]) -> None:
    known = {c.name for c in COMMANDS}
    for entry in manifest["features"]["slash_commands"]:
        core = slash_text(entry["command"], "").split()[0]
        assert core in known, entry["command"]
        assert entry["should_escape"] is False  # names arrive as typed
        assert len(entry["description"]) <= 100


def test_every_request_url_is_the_one_events_path(manifest: dict[str, Any]) -> None:
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls.append(manifest["settings"]["event_subscriptions"]["request_url"])
    urls.append(manifest["settings"]["interactivity"]["request_url"])
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)


def test_events_interactivity_home_and_socket_mode(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_only_the_scopes_the_front_end_uses(manifest: dict[str, Any]) -> None:
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == [
        "chat:write",  # chat.postMessage, chat.update
        "chat:write.public",  # alerts to public channels without an invitation
        "commands",  # slash commands
        "files:write",  # files_upload_v2 (charts)
        "usergroups:read",  # usergroups.users.list (editor groups)
    ]
    description = manifest["display_information"]["long_description"]
    assert 175 <= len(description) <= 4000  # Slack's bounds
