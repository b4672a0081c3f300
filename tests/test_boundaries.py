"""House rules that code review alone would miss."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_importing_the_core_loads_no_chat_sdk_scheduler_or_http_client() -> None:
    probe = (
        "import sys, bot, bot.models, bot.errors, bot.clock, bot.config\n"
        "heavy = ['slack_bolt', 'slack_sdk', 'nio', 'apscheduler', 'aiohttp', 'handlers']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_core_never_imports_handlers() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot").rglob("*.py")
        if "import handlers" in path.read_text(encoding="utf-8")
        or "from handlers" in path.read_text(encoding="utf-8")
    ]
    # Only the wiring and the entry point pick front-ends, lazily inside functions.
    assert set(offenders) <= {"bot/app.py", "bot/cli.py"}
