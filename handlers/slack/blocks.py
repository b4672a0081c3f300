"""Block Kit rendering of the core's neutral messages, and the reverse for slash commands.

Pure; no I/O, no Slack SDK. Slack reads ``mrkdwn`` text for formatting, links and mentions,
so every piece of text that can come from a feed (titles, evidence, names, errors) is
escaped here (``&`` → ``&amp;``, ``<`` → ``&lt;``, ``>`` → ``&gt;``): no feed can mention
@channel, @here or a user, nor inject a link. Links are built only from the ``http(s)`` URLs
of the core's ``Link`` runs. ``plain_text`` objects (headers, button labels) are shown by
Slack as they are and never parsed for mentions or links, so they are not escaped.

Slack's limits are applied here, not left to an ``invalid_blocks`` error at 3 a.m.: 150
characters in a header, 3000 in a section's text (longer text is split over sections), 2000
in a field, 10 fields per section, 10 elements per context block, 50 blocks per message
(100 in the Home tab).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.models import Action, Alert, Block, Inline, Link, Reply, Strong

__all__ = [
    "ACTION_ID",
    "HOME_MAX_BLOCKS",
    "MAX_BLOCKS",
    "NOTE_BLOCK_ID",
    "SlackMessage",
    "action_blocks",
    "alert_message",
    "escape",
    "fallback",
    "home_view",
    "link",
    "mrkdwn",
    "render_blocks",
    "reply_message",
    "slash_text",
    "unescape",
    "user_mention",
    "with_note",
]

ACTION_ID = "hotline_action"
"""Prefix of every button's ``action_id`` (``hotline_action_0``, ...): Slack wants the ids of
one block's buttons to differ, and the front-end listens to the prefix."""
ACTIONS_BLOCK_ID = "hotline_actions"
NOTE_BLOCK_ID = "hotline_note"
"""The context block a button adds to its message ("Muted by @editor for 1h")."""

MAX_BLOCKS = 50
HOME_MAX_BLOCKS = 100
MAX_HEADER = 150
MAX_TEXT = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_CONTEXT = 10
MAX_BUTTONS = 25
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK = 3000
"""The text fallback (notifications, clients without blocks) is cut to this length."""

_WEB_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """A message as ``chat.postMessage`` and ``response_url`` take it.

    Attributes:
        text: the escaped text fallback (notifications, screen readers, old clients).
        blocks: Block Kit blocks (JSON-ready dictionaries).
    """

    text: str
    blocks: tuple[dict[str, Any], ...]


def escape(text: str) -> str:
    """Text made inert for ``mrkdwn``: ``&``, ``<`` and ``>`` as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """The inverse of ``escape``, for the text Slack sends with a slash command."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _cut(text: str, limit: int) -> str:
    """``text`` no longer than ``limit``, with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def link(url: str, label: str = "") -> str:
    """A ``mrkdwn`` link to an ``http(s)`` URL; anything else becomes inert text.

    The label is escaped; in the URL, ``&`` becomes ``&amp;`` and the characters that
    would end the link early (``|``, ``>``) or open another (``<``) are percent-encoded.
    """
    if not _WEB_URL.match(url):
        return escape(label or url)
    target = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    if not label or label == url:
        return f"<{target}>"
    return f"<{target}|{escape(label)}>"


def _run(run: Inline) -> str:
    if isinstance(run, Link):
        return link(run.url, run.text)
    if isinstance(run, Strong):
        inner = run.text.strip()
        return f"*{escape(inner)}*" if inner else ""
    return escape(run)


def mrkdwn(runs: Iterable[Inline]) -> str:
    """One line of rich text as ``mrkdwn``."""
    return "".join(_run(run) for run in runs)


def _plain(runs: Iterable[Inline]) -> str:
    """One line as plain text (for ``plain_text`` objects: a link keeps only its label)."""
    out = []
    for run in runs:
        if isinstance(run, Link):
            out.append(run.text or run.url)
        elif isinstance(run, Strong):
            out.append(run.text)
        else:
            out.append(run)
    return "".join(out)


def _split_line(line: str, limit: int) -> list[str]:
    """A line longer than ``limit`` in pieces, never cutting through a link or an entity
    (unless one alone is longer than the limit)."""
    pieces = []
    while len(line) > limit:
        at = limit
        opened = line.rfind("<", 0, at)
        if opened > line.rfind(">", 0, at) and opened > 0:
            at = opened
        amp = line.rfind("&", 0, at)
        if amp > line.rfind(";", 0, at) and at - amp < 6 and amp > 0:
            at = amp
        pieces.append(line[:at])
        line = line[at:]
    pieces.append(line)
    return pieces


def _chunks(lines: Iterable[str], limit: int = MAX_TEXT) -> list[str]:
    """Lines joined with newlines into texts of at most ``limit`` characters."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        for piece in _split_line(line, limit):
            if not current:
                current = piece
            elif len(current) + 1 + len(piece) <= limit:
                current += "\n" + piece
            else:
                chunks.append(current)
                current = piece
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()]


def _text(kind: str, text: str) -> dict[str, Any]:
    if kind == "plain_text":
        return {"type": "plain_text", "text": text, "emoji": True}
    return {"type": "mrkdwn", "text": text}


def _sections(lines: Iterable[str]) -> list[dict[str, Any]]:
    return [{"type": "section", "text": _text("mrkdwn", chunk)} for chunk in _chunks(lines)]


def _field(line: tuple[Inline, ...]) -> str:
    if line and isinstance(line[0], Strong):
        label = mrkdwn(line[:1])
        value = mrkdwn(line[1:])
        text = f"{label}\n{value}" if value else label
    else:
        text = mrkdwn(line)
    return _cut(text, MAX_FIELD)


def _render_block(block: Block) -> list[dict[str, Any]]:
    if block.kind == "heading":
        title = " ".join(_plain(line).strip() for line in block.lines).strip()
        if not title:
            return []
        return [{"type": "header", "text": _text("plain_text", _cut(title, MAX_HEADER))}]
    if block.kind == "fields":
        fields = [_field(line) for line in block.lines]
        fields = [f for f in fields if f.strip()]
        return [
            {
                "type": "section",
                "fields": [_text("mrkdwn", f) for f in fields[i : i + MAX_FIELDS]],
            }
            for i in range(0, len(fields), MAX_FIELDS)
        ]
    if block.kind == "list":
        return _sections(f"• {mrkdwn(line)}" for line in block.lines)
    if block.kind == "context":
        elements = [
            _cut(text, MAX_TEXT) for text in (mrkdwn(line) for line in block.lines) if text.strip()
        ]
        return [
            {
                "type": "context",
                "elements": [_text("mrkdwn", e) for e in elements[i : i + MAX_CONTEXT]],
            }
            for i in range(0, len(elements), MAX_CONTEXT)
        ]
    return _sections(mrkdwn(line) for line in block.lines)


def action_blocks(actions: Sequence[Action]) -> list[dict[str, Any]]:
    """The buttons of a message, in one actions block; the value is the command a press
    runs (``mute reuters 1h``)."""
    buttons = [
        {
            "type": "button",
            "action_id": f"{ACTION_ID}_{index}",
            "text": _text("plain_text", _cut(action.label, MAX_BUTTON_LABEL)),
            "value": action.command[:MAX_BUTTON_VALUE],
        }
        for index, action in enumerate(actions[:MAX_BUTTONS])
    ]
    if not buttons:
        return []
    return [{"type": "actions", "block_id": ACTIONS_BLOCK_ID, "elements": buttons}]


def render_blocks(
    blocks: Sequence[Block], actions: Sequence[Action] = (), *, limit: int = MAX_BLOCKS
) -> list[dict[str, Any]]:
    """The core's blocks (and buttons) as Block Kit, within ``limit`` blocks: when there
    are more, the last ones give way to a line that says how many were left out."""
    rendered = [out for block in blocks for out in _render_block(block)]
    buttons = action_blocks(actions)
    room = limit - len(buttons)
    if len(rendered) > room:
        left_out = len(rendered) - (room - 1)
        rendered = rendered[: room - 1]
        rendered.append(
            {
                "type": "context",
                "elements": [_text("mrkdwn", f"_{left_out} more blocks are not shown._")],
            }
        )
    return rendered + buttons


def fallback(text: str) -> str:
    """The escaped text form of a message, cut for notifications."""
    return _cut(escape(text), MAX_FALLBACK) if text.strip() else " "


def alert_message(alert: Alert) -> SlackMessage:
    """An alert as a Slack message: its blocks and buttons, and its text as the fallback."""
    blocks = render_blocks(alert.blocks, alert.actions)
    if not alert.blocks and alert.actions:  # buttons need a body to sit under
        blocks = _sections(escape(line) for line in alert.text.splitlines()) + blocks
    return SlackMessage(fallback(alert.text), tuple(blocks))


def reply_message(reply: Reply) -> SlackMessage:
    """A command's answer as a Slack message."""
    blocks = render_blocks(reply.blocks)
    if not blocks:
        blocks = _sections(escape(line) for line in reply.text.splitlines())
    return SlackMessage(fallback(reply.text), tuple(blocks))


def with_note(blocks: Sequence[Mapping[str, Any]], note: str) -> list[dict[str, Any]]:
    """A posted message's blocks with ``note`` (``mrkdwn``, already escaped) as its last
    context line, replacing an earlier note; the rest of the message is kept."""
    kept = [dict(b) for b in blocks if b.get("block_id") != NOTE_BLOCK_ID]
    kept = kept[: MAX_BLOCKS - 1]
    kept.append({"type": "context", "block_id": NOTE_BLOCK_ID, "elements": [_text("mrkdwn", note)]})
    return kept


def user_mention(user: str) -> str:
    """``<@U123>`` for a Slack user id; anything else as inert text."""
    return f"<@{user}>" if _SLACK_USER.match(user) else escape(user)


def home_view(sections: Sequence[Reply], updated: datetime) -> dict[str, Any]:
    """The App Home tab: a title, then each reply's blocks (mutes, feed health) between
    dividers, within Slack's 100 blocks."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _text("plain_text", "Hotline")},
        {
            "type": "context",
            "elements": [
                _text(
                    "mrkdwn",
                    f"Updated {updated:%Y-%m-%d %H:%M} UTC. Type `/hotline help` in a channel "
                    "for the commands.",
                )
            ],
        },
    ]
    per_section = (HOME_MAX_BLOCKS - len(blocks)) // max(1, len(sections)) - 1
    for reply in sections:
        blocks.append({"type": "divider"})
        body = render_blocks(reply.blocks, limit=per_section) if reply.blocks else []
        blocks.extend(body or _sections(escape(line) for line in reply.text.splitlines()))
    return {"type": "home", "blocks": blocks[:HOME_MAX_BLOCKS]}


def slash_text(command: str, text: str) -> str:
    """The core's command text for a slash command: ``/lastcontact`` with ``milley
    gerasimov`` is ``lastcontact milley gerasimov``; ``/hotline`` takes the command as its
    first word (``/hotline feeds``), and alone means ``help``. Slack escapes ``&<>`` in
    what users type; that is undone here."""
    name = command.strip().lstrip("/").strip().lower()
    words = unescape(text).strip()
    if name in ("", "hotline"):
        return words or "help"
    return f"{name} {words}".strip()
