"""``chart A B``: a PNG timeline of a pair's contacts for front-ends that upload pictures,
with a text form for those that cannot; matplotlib is loaded only when a chart is drawn."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.chart import Mark, timeline_png
from tests.conftest import ROOT
from tests.test_service import Desk

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture
async def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path)


async def test_chart_uploads_a_timeline_with_a_text_summary(desk: Desk) -> None:
    reply, printed = await desk.ask("chart austin shoigu")
    assert reply.public
    assert reply.image is not None
    summary = (
        "Lloyd Austin – Sergei Shoigu: 5 calls from February 18, 2022 to March 15, 2023; the "
        "last 809 days ago."
    )
    assert printed == (
        "Timeline: Lloyd Austin – Sergei Shoigu\n"
        f"{summary}\n"
        f"[picture: austin-shoigu-contacts.png, {len(reply.image.data)} bytes]\n"
    )
    assert (reply.image.filename, reply.image.mime, reply.image.alt) == (
        "austin-shoigu-contacts.png",
        "image/png",
        summary,
    )
    assert png_size(reply.image.data) == (990, 308)


async def test_chart_of_a_pair_with_nothing_on_record(desk: Desk) -> None:
    reply, printed = await desk.ask("chart hegseth belousov")
    assert reply.image is None
    assert printed == (
        "No contact between Pete Hegseth and Andrei Belousov is on record: nothing to chart.\n"
    )


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("chart", "Give two names."),
        ("chart austin", "Give two names."),
        ("chart austin shoygu", "I don't know 'shoygu'. Did you mean Sergei Shoigu?"),
    ],
)
async def test_chart_asked_wrong(desk: Desk, line: str, error: str) -> None:
    reply, printed = await desk.ask(line)
    assert not reply.public
    assert printed == f"{error}\nUsage: chart A B\n"


def test_the_same_record_draws_the_same_picture_and_a_different_one_differs() -> None:
    marks = [
        Mark(date(2022, 2, 18), "call"),
        Mark(date(2022, 6, 1), "meeting", approximate=True),
        Mark(date(2023, 3, 15), "call"),
    ]
    first = timeline_png("Austin – Shoigu", marks, date(2025, 6, 1))
    assert first == timeline_png("Austin – Shoigu", marks, date(2025, 6, 1))
    assert first != timeline_png("Austin – Shoigu", marks[:2], date(2025, 6, 1))
    with pytest.raises(ValueError, match="nothing to chart"):
        timeline_png("empty", [], date(2025, 6, 1))


def test_the_core_loads_matplotlib_only_to_draw() -> None:
    probe = "import sys, bot.app, bot.service, bot.chart\nprint('matplotlib' in sys.modules)\n"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
