"""How fast the record answers: ``lastcontact A B`` and ``silences`` on a large record.

Builds a synthetic SQLite record (1,000,000 contact events by default, each with one
source) over a synthetic registry of officials who succeed each other in leader-level roles
in 40 countries over 25 years, and 200 watches (half on pairs of officials, half on pairs of
roles). Contacts follow realistic skews: a few country pairs and the top roles talk far more
than the rest, and a contact happens only while both officials held their roles. Then it
asks through ``CommandService.handle`` exactly as a front-end does and prints p50/p99/max.

    python benchmarks/bench_commands.py                 # the full run (a few minutes)
    python benchmarks/bench_commands.py --events 20000  # a quick one

Targets: p99 <= 10 ms for ``lastcontact A B`` (1,000,000 contacts) and for ``silences``
(200 watches). Deterministic for a given ``--seed``. The synthetic registry reuses the
test suite's ``TableRegistry``; run from the repository root.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import FixedClock  # noqa: E402
from bot.config import parse_settings  # noqa: E402
from bot.contacts import PairWindow, pair_windows, spells  # noqa: E402
from bot.extract import Country  # noqa: E402
from bot.models import IncomingMessage, Official, Tenure  # noqa: E402
from bot.notify import Notifier  # noqa: E402
from bot.service import BOARD_ROLES, CommandService  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.fake_registry import TableRegistry  # noqa: E402

NOW = datetime(2025, 6, 1, 9, tzinfo=UTC)
FIRST_DAY = date(2000, 1, 1)
ROLE_WEIGHTS = {  # how often each role's holders talk to their counterparts
    "head_of_state": 5,
    "head_of_government": 2,
    "foreign": 6,
    "defense": 3,
    "military": 2,
    "security": 2,
    "intelligence": 1,
}
_SYLLABLES = (
    "ka", "ri", "to", "ma", "se", "lo", "vi", "na", "de", "ru", "al", "ben", "cor", "dan",
    "el", "fa", "gor", "hal", "im", "jor", "kel", "lin", "mor", "nev", "or", "pal", "quin",
    "ros", "sol", "tam", "ul", "var", "wen", "yor", "zan",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Record:
    """The synthetic registry, the pairs that may talk, and the record's size."""

    registry: TableRegistry
    countries: list[Country]
    windows: list[tuple[PairWindow, float]]  # (who and when, relative frequency)


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        first = "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize()
        last = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
        name = f"{first} {last}"
        if last.lower() not in used:
            used.add(last.lower())
            return name


def build_registry(rng: random.Random, countries: int = 40) -> Record:
    """Officials who succeed each other in the board roles of ``countries`` countries."""
    used: set[str] = set()
    officials: list[Official] = []
    codes: list[Country] = []
    for c in range(countries):
        code = f"{chr(65 + c // 26)}{chr(65 + c % 26)}"
        codes.append(Country(code, f"Country {code}", (code.lower(),)))
        for role in BOARD_ROLES:
            start = FIRST_DAY - timedelta(days=rng.randint(0, 1500))
            while start < NOW.date():
                length = timedelta(days=rng.randint(700, 2200))
                end = start + length
                name = _name(rng, used)
                official_id = name.lower().replace(" ", "-")
                officials.append(
                    Official(
                        official_id,
                        name,
                        code,
                        (Tenure(role, start, end if end < NOW.date() else None),),
                    )
                )
                start = end + timedelta(days=1)
    registry = TableRegistry(officials, codes)
    # who talks: every pair of countries, each role with its counterpart; a few country
    # pairs (the big powers' and neighbours') far more than the rest (a Zipf-like skew)
    country_pairs = [(x, y) for i, x in enumerate(codes) for y in codes[i + 1 :]]
    rng.shuffle(country_pairs)
    windows: list[tuple[PairWindow, float]] = []
    for rank, (x, y) in enumerate(country_pairs, start=1):
        weight = 1.0 / rank**0.9
        for role, role_weight in ROLE_WEIGHTS.items():
            for window in pair_windows(
                spells(registry, f"{x.code.lower()}.{role}"),
                spells(registry, f"{y.code.lower()}.{role}"),
            ):
                windows.append((window, weight * role_weight))
    return Record(registry, codes, windows)


def fill(store: Store, record: Record, events: int, rng: random.Random) -> None:
    """``events`` contact events with one source each, straight into the tables."""
    choices = rng.choices(
        [w for w, _ in record.windows], weights=[f for _, f in record.windows], k=events
    )
    last_day = NOW.date() - timedelta(days=1)
    created = "2025-06-01T08:00:00.000000Z"
    db = store.db
    db.execute("PRAGMA synchronous = OFF")
    batch = 50_000
    with store.transaction():
        next_id = 1
        for start in range(0, events, batch):
            event_rows = []
            source_rows = []
            for window in choices[start : start + batch]:
                lo = window.start or FIRST_DAY
                hi = min(window.end or last_day, last_day)
                day = lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))
                kind = "call" if rng.random() < 0.55 else "meeting"
                event_rows.append((next_id, window.a, window.b, kind, day.isoformat(), created))
                url = f"https://readouts.example/{next_id}"
                source_rows.append((next_id, "import", url, "Readout", url, created))
                next_id += 1
            db.executemany(
                "INSERT INTO events (id, a, b, kind, day, approximate, created)"
                " VALUES (?, ?, ?, ?, ?, 0, ?)",
                event_rows,
            )
            db.executemany(
                "INSERT INTO sources (event_id, origin, url, title, evidence, added)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                source_rows,
            )
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # into the database file before asking


def watches_yaml(record: Record, count: int, rng: random.Random) -> str:
    """``count`` watches: half on pairs of today's officials, half on pairs of roles."""
    busy = [w for w, _ in sorted(record.windows, key=lambda wf: -wf[1])]
    current = [w for w in busy if w.end is None][: count // 2]
    lines = ["feeds: [{name: wire, url: 'https://wire.example/rss'}]", "watch:"]
    for window in current:
        lines.append(f"  - {{a: {window.a}, b: {window.b}}}")
    seen: set[tuple[str, str]] = set()
    codes = [c.code.lower() for c in record.countries]
    while len(lines) - 2 < count:
        x, y = rng.sample(codes[:15], 2)
        role = rng.choice(list(ROLE_WEIGHTS))
        key = (f"{x}.{role}", f"{y}.{role}")
        if key in seen or (key[1], key[0]) in seen:
            continue
        seen.add(key)
        kind = rng.choice(["", ", kind: call", ", kind: meeting"])
        lines.append(f"  - {{a: {key[0]}, b: {key[1]}{kind}}}")
    return "\n".join(lines) + "\n"


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {
        "p50": at(0.50),
        "p99": at(0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


async def measure(service: CommandService, lines: Sequence[str]) -> list[float]:
    """Milliseconds per answer, each asked through ``handle`` as a front-end does."""
    out = []
    for line in lines:
        message = IncomingMessage("console", "bench", "bench", line)
        started = time.perf_counter()
        reply = await service.handle(message)
        out.append((time.perf_counter() - started) * 1000)
        if not reply.public:
            raise SystemExit(f"unexpected refusal for {line!r}: {reply.text}")
    return out


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--watches", type=int, default=200)
    parser.add_argument("--asks", type=int, default=2000, help="lastcontact questions")
    parser.add_argument("--silences", type=int, default=300, help="silences questions")
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--db", help="keep the database here (default: a temporary file)")
    parser.add_argument(
        "--reuse", action="store_true", help="ask the --db built by an earlier run again"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        clock = FixedClock(NOW)
        started = time.perf_counter()
        record = build_registry(random.Random(args.seed))
        reuse = args.reuse and path.exists()
        if path.exists() and not reuse:
            path.unlink()
        store = Store(path, clock)
        if not reuse:
            fill(store, record, args.events, random.Random(args.seed + 1))
        elif store.count_events() != args.events:
            raise SystemExit(f"{path} holds {store.count_events():,} events, not {args.events:,}")
        build_seconds = time.perf_counter() - started
        settings = parse_settings(
            watches_yaml(record, args.watches, random.Random(args.seed + 2)),
            {},
            db=str(path),
            source="bench",
        )
        registry, countries = record.registry, record.countries
        del record  # the generator's tables: a running bot holds none of them
        gc.collect()
        notifier = Notifier(store, {}, (), clock)
        service = CommandService(settings, store, registry, clock, notifier)  # type: ignore[arg-type]

        picks = [rng.randint(1, args.events) for _ in range(args.asks)]
        pairs = [
            store.db.execute("SELECT a, b FROM events WHERE id = ?", (i,)).fetchone() for i in picks
        ]
        names = registry.officials
        asks = [f'lastcontact "{names[a].name}" "{names[b].name}"' for a, b in pairs]
        while len(asks) < args.asks:
            asks.append(asks[len(asks) % len(pairs)])
        rng.shuffle(asks)
        # warm up as a running bot is: its caches of who held which role filled
        asyncio.run(measure(service, [*asks[:50], "silences", "silences"]))
        results = {
            "lastcontact A B": percentiles(asyncio.run(measure(service, asks))),
            "silences": percentiles(asyncio.run(measure(service, ["silences"] * args.silences))),
        }
        officials = [f'lastcontact "{names[a].name}"' for a, _ in pairs[:500]]
        results["lastcontact A"] = percentiles(asyncio.run(measure(service, officials)))
        codes = [c.code.lower() for c in countries]
        boards = [f"lastcontact {x} {y}" for x, y in (rng.sample(codes, 2) for _ in range(300))]
        results["lastcontact X Y (board)"] = percentiles(asyncio.run(measure(service, boards)))
        histories = [f'contacts "{names[a].name}" "{names[b].name}"' for a, b in pairs[:300]]
        results["contacts A B"] = percentiles(asyncio.run(measure(service, histories)))
        events = store.count_events()
        store.close()

    if args.json:
        print(json.dumps(results, indent=2))
        return results
    print(
        f"record: {events:,} contact events, {len(registry.officials):,} officials, "
        f"{len(settings.watches)} watches; built in {build_seconds:.0f} s"
    )
    print(f"{'command':<26}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, figures in results.items():
        print(f"{name:<26}{figures['p50']:>9.2f}{figures['p99']:>9.2f}{figures['max']:>9.2f}")
    return results


if __name__ == "__main__":
    main()
