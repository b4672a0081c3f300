"""Alerts to and from JSON, for the outbox. Pure; no I/O."""

from __future__ import annotations

import base64
import json
from typing import Any

from bot.models import Action, Alert, Block, Image, Inline, Link, Strong

__all__ = ["alert_from_json", "alert_to_json"]


def _inline_out(run: Inline) -> Any:
    if isinstance(run, Link):
        return {"link": run.text, "url": run.url}
    if isinstance(run, Strong):
        return {"strong": run.text}
    return run


def _inline_in(data: Any) -> Inline:
    if isinstance(data, str):
        return data
    if "link" in data:
        return Link(data["link"], data["url"])
    return Strong(data["strong"])


def alert_to_json(alert: Alert) -> str:
    data: dict[str, Any] = {
        "key": alert.key,
        "kind": alert.kind,
        "text": alert.text,
        "blocks": [
            {"kind": b.kind, "lines": [[_inline_out(r) for r in line] for line in b.lines]}
            for b in alert.blocks
        ],
        "feed": alert.feed,
        "thread": alert.thread,
        "urgent": alert.urgent,
        "actions": [{"label": a.label, "command": a.command} for a in alert.actions],
    }
    if alert.image is not None:
        data["image"] = {
            "filename": alert.image.filename,
            "mime": alert.image.mime,
            "alt": alert.image.alt,
            "data": base64.b64encode(alert.image.data).decode("ascii"),
        }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def alert_from_json(text: str) -> Alert:
    data = json.loads(text)
    image = data.get("image")
    return Alert(
        key=data["key"],
        kind=data["kind"],
        text=data["text"],
        blocks=tuple(
            Block(b["kind"], tuple(tuple(_inline_in(r) for r in line) for line in b["lines"]))
            for b in data["blocks"]
        ),
        feed=data["feed"],
        thread=data["thread"],
        urgent=data["urgent"],
        actions=tuple(Action(a["label"], a["command"]) for a in data["actions"]),
        image=Image(
            filename=image["filename"],
            data=base64.b64decode(image["data"]),
            mime=image["mime"],
            alt=image["alt"],
        )
        if image
        else None,
    )
