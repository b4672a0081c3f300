"""``hotline extract``: JSON lines of items in, one JSON line of contacts out per item.

Reads ``{"id", "published", "title", "summary"}`` per line on stdin and writes, in order,
``{"id", "contacts": [...], "silences": [...]}``, or ``{"id", "error"}`` for a line it cannot
use (the run goes on; the exit status is 0). ``published`` is a date (``2024-05-01``) or a
datetime with an offset; the publication's local calendar date is the date as written.

Extra registry files come from the ``officials:`` key of the configuration file (``--config``,
else ``$HOTLINE_CONFIG``, else ``./feeds.yaml`` when it exists), read with plain YAML: the
configuration schema (pydantic) is not imported, to keep start-up fast. Relative paths are
taken from the configuration file's folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.errors import ConfigError
from bot.extract import Registry, extract, load_registry
from bot.models import Item

__all__ = ["config_officials", "parse_line", "run_extract"]


def config_officials(config: str | None, environ: Mapping[str, str]) -> list[Path]:
    """The extra registry files the configuration names (none without a configuration)."""
    path_text = config or environ.get("HOTLINE_CONFIG")
    path = Path(path_text) if path_text else Path("feeds.yaml")
    if not path_text and not path.is_file():
        return []
    try:
        import yaml

        with path.open(encoding="utf-8") as f:
            doc = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except Exception as exc:  # yaml.YAMLError
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    listed = doc.get("officials") if isinstance(doc, dict) else None
    if listed is None:
        return []
    if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
        raise ConfigError(f"{path}: officials: expected a list of file paths")
    base = path.resolve().parent
    out = []
    for text in listed:
        p = Path(text).expanduser()
        out.append(p if p.is_absolute() else base / p)
    return out


def _published(value: object) -> tuple[datetime | None, date]:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("'published' must be a date (YYYY-MM-DD) or a datetime with an offset")
    text = value.strip()
    try:
        if len(text) == 10:
            return None, date.fromisoformat(text)
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"'published' must be a date (YYYY-MM-DD) or a datetime with an offset, not {text!r}"
        ) from None
    if when.tzinfo is None:
        raise ValueError(f"'published' {text!r} has no offset (add +00:00 or Z)")
    return when.astimezone(UTC), when.date()


def parse_line(line: str) -> tuple[Any, Item]:
    """The id and the item of one input line.

    Raises:
        ValueError: with a message saying what is wrong; ``args[1]`` holds the id if known.
    """
    if not line.isascii():
        try:
            line.encode()
        except UnicodeEncodeError as exc:  # bytes read with surrogateescape
            byte = ord(line[exc.start]) - 0xDC00
            raise ValueError(
                f"not UTF-8: byte 0x{byte:02x} at column {exc.start + 1}", None
            ) from None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at column {exc.colno}", None) from exc
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object", None)
    rid = record.get("id")
    try:
        if rid is None or isinstance(rid, (dict, list)):
            raise ValueError("missing 'id'")
        for key in ("title", "summary"):
            if not isinstance(record.get(key, ""), str):
                raise ValueError(f"'{key}' must be a string")
        if not record.get("title") and not record.get("summary"):
            raise ValueError("missing 'title' and 'summary'")
        if "published" not in record:
            raise ValueError("missing 'published'")
        published, local = _published(record.get("published"))
    except ValueError as exc:
        raise ValueError(str(exc), rid) from exc
    item = Item(
        feed="stdin",
        key=str(rid),
        url=None,
        title=record.get("title") or "",
        summary=record.get("summary") or "",
        published=published,
        local_date=local,
        content_hash="",
    )
    return rid, item


def _person(registry: Registry, official_id: str) -> dict[str, str]:
    official = registry.get(official_id)
    return {"id": official_id, "name": official.name if official else official_id}


def _batches(stdin: TextIO) -> Iterator[list[str]]:
    """The input's lines, in batches of what has arrived: a batch is every whole line that
    is there, and reading waits only when nothing is (a pipe of many lines gives large
    batches, someone typing gives one line at a time and an answer to each at once).

    Lines end at ``\n`` only, as JSON lines do; a line that is not UTF-8 comes through with
    its bad bytes escaped, so that the caller can answer it with an error.
    """
    raw = getattr(stdin, "buffer", None)
    read1 = getattr(raw, "read1", None)
    if read1 is None:  # a text stream only (io.StringIO in tests)
        text = stdin.read()
        if text:
            yield text.split("\n")
        return
    pending: list[bytes] = []
    while True:
        chunk: bytes = read1(_CHUNK)
        if not chunk:
            break
        if b"\n" not in chunk:
            pending.append(chunk)  # part of a long line
            continue
        if pending:
            pending.append(chunk)
            chunk = b"".join(pending)
            pending.clear()
        lines = chunk.split(b"\n")
        last = lines.pop()
        if last:
            pending.append(last)
        yield [line.decode("utf-8", "surrogateescape") for line in lines]
    if pending:
        yield [b"".join(pending).decode("utf-8", "surrogateescape")]


_CHUNK = 1 << 16


def run_extract(
    stdin: TextIO, stdout: TextIO, *, config: str | None, environ: Mapping[str, str]
) -> int:
    """Answer every input line; returns the exit status (0, or 2 for a bad registry).

    Answers are written a batch at a time (see ``_batches``) and flushed after each batch:
    one write per batch instead of one per line, which a pipe to the reader makes costly.
    """
    import sys

    try:
        registry = load_registry(config_officials(config, environ))
    except ConfigError as exc:
        sys.stderr.write(f"hotline extract: {exc}\n")
        return 2
    utf8 = json.JSONEncoder(ensure_ascii=False).encode  # made once, not per line
    escaped = json.JSONEncoder().encode

    def encode(answer: dict[str, Any]) -> str:
        text = utf8(answer)
        if not text.isascii():
            try:
                text.encode()
            except UnicodeEncodeError:  # a lone surrogate sent as "\\ud800" goes back as such
                return escaped(answer)
        return text

    for batch in _batches(stdin):
        answers = [encode(_answer(line, registry)) for line in batch if line.strip()]
        if answers:
            answers.append("")
            stdout.write("\n".join(answers))
            stdout.flush()
    stdout.flush()
    return 0


def _answer(line: str, registry: Registry) -> dict[str, Any]:
    """The answer to one input line: its contacts and silences, or the error."""
    try:
        rid, item = parse_line(line)
    except ValueError as exc:
        rid = exc.args[1] if len(exc.args) > 1 else None
        return {"id": rid, "error": exc.args[0]}
    found = extract(item, registry)
    return {
        "id": rid,
        "contacts": [
            {
                "a": _person(registry, c.a),
                "b": _person(registry, c.b),
                "kind": c.kind,
                "date": c.date.isoformat() if c.date else None,
                "evidence": c.evidence,
                "confidence": c.confidence,
            }
            for c in found.contacts
        ],
        "silences": [
            {
                "a": _person(registry, s.a),
                "b": _person(registry, s.b),
                "since": s.since.isoformat() if s.since else None,
                "kind": s.kind,
                "evidence": s.evidence,
            }
            for s in found.silences
        ],
    }
