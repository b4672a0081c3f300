"""Property-based tests: hostile input never crashes and always gets a useful answer."""

from __future__ import annotations

import asyncio
import io
import json
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build
from bot.config import parse_settings
from bot.errors import ConfigError
from bot.extract.jsonl import run_extract
from bot.models import IncomingMessage
from bot.parsing import InlineParser
from bot.service import COMMANDS, split_command
from tests.fakes import KeywordExtractor
from tests.test_poller import REGISTRY

WORDS = st.sampled_from(
    [c.name for c in COMMANDS]
    + ["all", "1h", "30m", "-1h", "999999d", "austin", "shoigu", "us", "russia", "since",
       "2024-01-01", "call", "meeting", "https://x.org", "'", '"', "/", "!", "\x00", "🙂",
       "<!channel>", "<https://evil|click>", "&amp;", "add", "remove", "wire", "feed"]
)  # fmt: skip
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=8).map(" ".join)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("p") / "h.db"
    settings = parse_settings(
        "feeds: [{name: wire, url: 'https://wire.example/rss'}]\neditors: {slack: [U0EDITOR1]}",
        {},
        db=str(db),
    )
    hotline = build(settings, REGISTRY, platforms=(), parser=InlineParser(KeywordExtractor()))
    return hotline.service


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, user=st.sampled_from(["U0EDITOR1", "U0SOMEONE"]), slash=st.booleans())
def test_any_command_text_gets_a_reply_and_never_an_exception(service, text, user, slash):  # type: ignore[no-untyped-def]
    message = IncomingMessage("slack", user, "C1", ("/" if slash else "") + text)
    reply = asyncio.run(service.handle(message))
    assert reply.text.strip()
    if not reply.public:  # refusals and errors say what to do
        assert (
            any(
                hint in reply.text
                for hint in (
                    "help",
                    "Usage:",
                    "Type",
                    "Did you mean",
                    "editors",
                    "not muted",
                    "Hotline commands",
                    "Give",
                    "Say",
                    "There is no",
                    "mute lasts",
                )
            )
            or reply.blocks
        )


@given(st.text(max_size=200))
def test_split_command_never_fails(raw: str) -> None:
    command, args = split_command(raw)
    assert command == command.lower()
    assert all(isinstance(a, str) for a in args)


# --- configuration ---------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.text(string.printable, max_size=20),
    st.sampled_from(["10m", "1h", "x", "https://example.org/f", "!r:example.org", "C0123ABC"]),
)  # fmt: skip
KEYS = st.sampled_from(
    ["feeds", "watch", "editors", "alerts", "officials", "history", "polling", "milestones",
     "slack", "matrix", "name", "url", "interval", "channels", "tags", "lang", "tz", "a", "b",
     "thresholds", "kind", "colour", "rooms", "prefix", "timeout", "workers"]
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(document=st.dictionaries(KEYS, VALUES, max_size=6))
def test_every_config_is_valid_or_a_config_error_with_places(document: dict[str, object]) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    try:
        parsed = parse_settings(text, {}, base_dir=Path("/tmp"))
    except ConfigError as exc:
        assert exc.problems
        for problem in exc.problems:
            # every problem names its place: a line and a path, or the top level
            assert problem.startswith(("line ", "(top level)", "environment:")) or (
                "the top level" in problem or "the file is empty" in problem
            ), problem
    else:
        assert parsed.feeds


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_as_config_is_a_clean_error(text: str) -> None:
    try:
        parse_settings(text, {})
    except ConfigError as exc:
        assert str(exc)


# --- hotline extract ---------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=40)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)  # fmt: skip
ITEM_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=10), st.integers(), st.none()),
        "published": st.one_of(
            st.sampled_from(
                ["2024-05-01", "2024-05-01T23:30:00+03:00", "yesterday", "", "2024-13-45"]
            ),
            JSON_VALUES,
        ),
        "title": st.one_of(
            st.sampled_from(["Shoigu spoke by phone with Austin on Sunday", "Markets"]), JSON_VALUES
        ),
        "summary": st.one_of(st.text(max_size=200), JSON_VALUES),
    },
)  # fmt: skip
LINES = st.one_of(
    ITEM_FIELDS.map(json.dumps),
    JSON_VALUES.map(json.dumps),
    st.text(max_size=60).filter(lambda s: "\n" not in s and "\r" not in s),
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(LINES, min_size=1, max_size=12))
def test_hotline_extract_answers_every_line_in_order(lines: list[str]) -> None:
    lines = [line for line in lines if line.strip()]  # blank lines are skipped by design
    out = io.StringIO()
    code = run_extract(io.StringIO("\n".join(lines) + "\n"), out, config=None, environ={})
    assert code == 0
    answers = [json.loads(line) for line in out.getvalue().split("\n")[:-1]]
    assert len(answers) == len(lines)
    for line, answer in zip(lines, answers, strict=True):
        assert "id" in answer
        if "error" in answer:
            assert answer["error"]  # a specific message, never empty
        else:
            assert set(answer) >= {"id", "contacts", "silences"}
            sent = json.loads(line)
            assert answer["id"] == sent["id"]
