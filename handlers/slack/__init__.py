"""Slack for the newsroom, on slack-bolt (async).

``SlackFrontend`` (``handlers.slack.frontend``) runs the Bolt app in Socket Mode or HTTP
mode and delivers alerts; ``handlers.slack.blocks`` renders the core's neutral messages as
Block Kit (pure); ``handlers.slack.limits`` maps Slack's answers to the outbox's retries,
paces posts per channel and caches the editors' user groups. It only translates: every
answer comes from the core's ``CommandService``.
"""

from __future__ import annotations

from handlers.slack.frontend import EVENTS_PATH, SlackFrontend

__all__ = ["EVENTS_PATH", "SlackFrontend"]
