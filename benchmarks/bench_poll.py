"""Polling throughput: Hotline against lemon24/reader on the same loopback server, same run.

Scenarios, N feeds x 50 realistic items (``benchmarks.feedgen``), served by
``benchmarks.feedserver`` in its own process on 127.0.0.1..127.0.0.H:

- cold: a fresh database, every item new (parsed, extracted, stored);
- warm: the next poll with validators: every feed answers 304;
- unchanged: the next poll without validators: every feed answers 200 with the same body.

Also measured: the server alone (so it is known not to be the bottleneck) and feedparser's
bare parse of the same bytes on one core. Each system runs in a fresh subprocess; peak RSS is
sampled over the whole process tree (Hotline's parser workers included).

Usage: ``python -m benchmarks.bench_poll [--feeds 1000] [--hosts 50]``
(needs ``pip install -e '.[bench]'``; ``make bench-poll`` does it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _urls(port: int, feeds: int, hosts: int, view: str) -> list[str]:
    return [f"http://127.0.0.{1 + i % hosts}:{port}/{view}/{i}.xml" for i in range(feeds)]


class PeakRss:
    """Samples the RSS of this process and its children (every 20 ms) in a thread."""

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.peak_total = 0
        self.peak_main = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                main = self.process.memory_info().rss
                total = main + sum(
                    c.memory_info().rss for c in self.process.children(recursive=True)
                )
            except psutil.Error:
                continue
            self.peak_main = max(self.peak_main, main)
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- children ---------------------------------------------------------------------------


def child_server_alone(port: int, feeds: int, hosts: int) -> dict[str, Any]:
    """The server's own pace, with a minimal keep-alive client on raw sockets (64
    connections), so that the client costs as little as possible."""

    async def run(view: str, etag: bool) -> float:
        urls = _urls(port, feeds, hosts, view)
        queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        for item in enumerate(urls):
            queue.put_nowait(item)

        async def connection(host: str) -> None:
            reader, writer = await asyncio.open_connection(host, port)
            while not queue.empty():
                i, url = queue.get_nowait()
                path = url.split(str(port), 1)[1]
                extra = f'If-None-Match: "feed-{i}-v1"\r\n' if etag else ""
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
            writer.close()

        started = time.perf_counter()
        await asyncio.gather(*(connection(f"127.0.0.{1 + c % hosts}") for c in range(64)))
        return feeds / (time.perf_counter() - started)

    return {
        "full_200_per_s": asyncio.run(run("n", False)),
        "not_modified_per_s": asyncio.run(run("v", True)),
    }


def child_feedparser(feeds: int, items: int) -> dict[str, Any]:
    import feedparser

    from benchmarks.feedgen import feed_document

    bodies = [feed_document(i, items) for i in range(feeds)]
    started = time.perf_counter()
    for body in bodies:
        feedparser.parse(body)
    elapsed = time.perf_counter() - started
    return {"feeds_per_s": feeds / elapsed, "bytes_per_feed": sum(map(len, bodies)) / feeds}


def child_hotline(port: int, feeds: int, hosts: int, scenario: str, workers: int) -> dict[str, Any]:
    from bot.app import active_platforms, build
    from bot.config import parse_settings
    from bot.extract import default_registry

    view = "n" if scenario == "unchanged" else "v"
    with tempfile.TemporaryDirectory() as tmp:
        lines = ["feeds:"] + [
            f"  - {{name: f{i}, url: '{url}', interval: 10m}}"
            for i, url in enumerate(_urls(port, feeds, hosts, view))
        ]
        lines.append(
            f"polling: {{concurrency: 32, per_host: 4, workers: {workers if workers else 'auto'}}}"
        )
        settings = parse_settings("\n".join(lines), {}, db=str(Path(tmp) / "h.db"))
        registry = default_registry()

        async def run() -> dict[str, Any]:
            hotline = build(settings, registry, platforms=active_platforms(settings, console=False))
            # a running service has its workers up already: start them before timing
            start = getattr(hotline.reader, "start", None)
            if start is not None:
                await start()
            result: dict[str, Any] = {}
            with PeakRss() as rss:
                started = time.perf_counter()
                outcomes = await hotline.poller.poll_all()
                first = time.perf_counter() - started
                statuses = sorted({o.status for o in outcomes})
                started = time.perf_counter()
                outcomes = await hotline.poller.poll_all()
                second = time.perf_counter() - started
            result["first_s"] = first
            result["second_s"] = second
            result["first_statuses"] = statuses
            result["second_statuses"] = sorted({o.status for o in outcomes})
            result["items"] = hotline.store.count_items()
            result["events"] = hotline.store.count_events()
            result["peak_rss_total_mb"] = rss.peak_total / 2**20
            result["peak_rss_main_mb"] = rss.peak_main / 2**20
            await hotline.aclose()
            return result

        return asyncio.run(run())


def child_reader(port: int, feeds: int, hosts: int, scenario: str, workers: int) -> dict[str, Any]:
    from reader import make_reader

    view = "n" if scenario == "unchanged" else "v"
    with tempfile.TemporaryDirectory() as tmp:
        reader = make_reader(str(Path(tmp) / "r.sqlite"))
        for url in _urls(port, feeds, hosts, view):
            reader.add_feed(url)
        with PeakRss() as rss:
            started = time.perf_counter()
            reader.update_feeds(scheduled=False, workers=workers)
            first = time.perf_counter() - started
            started = time.perf_counter()
            reader.update_feeds(scheduled=False, workers=workers)
            second = time.perf_counter() - started
        entries = reader.get_entry_counts().total
        reader.close()
    return {
        "first_s": first,
        "second_s": second,
        "items": entries,
        "peak_rss_total_mb": rss.peak_total / 2**20,
        "peak_rss_main_mb": rss.peak_main / 2**20,
    }


# --- orchestration ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument(
        "--workers", type=int, default=0, help="Hotline parser processes (0: cores)"
    )
    parser.add_argument("--reader-workers", type=int, default=16)
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "server":
            result = child_server_alone(int(rest[0]), args.feeds, args.hosts)
        elif kind == "feedparser":
            result = child_feedparser(args.feeds, args.items)
        elif kind == "hotline":
            result = child_hotline(int(rest[0]), args.feeds, args.hosts, rest[1], args.workers)
        else:
            result = child_reader(
                int(rest[0]), args.feeds, args.hosts, rest[1], args.reader_workers
            )
        print(json.dumps(result))
        return

    common = ["--feeds", str(args.feeds), "--items", str(args.items), "--hosts", str(args.hosts)]
    with subprocess.Popen(
        [sys.executable, "-m", "benchmarks.feedserver", *common],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as server:
        assert server.stdout is not None
        assert server.stdin is not None
        port = server.stdout.readline().strip()
        try:
            flags = [
                *common,
                "--workers",
                str(args.workers),
                "--reader-workers",
                str(args.reader_workers),
            ]
            results = {
                "server": _run(["server", port], flags),
                "feedparser": _run(["feedparser"], flags),
                "hotline_validators": _run(["hotline", port, "cold"], flags),
                "reader_validators": _run(["reader", port, "cold"], flags),
                "hotline_unchanged": _run(["hotline", port, "unchanged"], flags),
                "reader_unchanged": _run(["reader", port, "unchanged"], flags),
            }
        finally:
            server.stdin.close()
            server.wait(timeout=30)
    report(results, args)


def _run(child: list[str], flags: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_poll", *flags, "--child", *child],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(child)} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def report(r: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    n = args.feeds
    hv, rv = r["hotline_validators"], r["reader_validators"]
    hu, ru = r["hotline_unchanged"], r["reader_unchanged"]
    rows = [
        ("cold (everything new)", n / hv["first_s"], n / rv["first_s"]),
        ("warm, validators (all 304)", n / hv["second_s"], n / rv["second_s"]),
        ("unchanged 200, no validators", n / hu["second_s"], n / ru["second_s"]),
    ]
    print(f"{n} feeds x {args.items} items, {args.hosts} loopback hosts, {os.cpu_count()} cores")
    print(
        f"server alone: {r['server']['full_200_per_s']:.0f} full responses/s, "
        f"{r['server']['not_modified_per_s']:.0f} 304/s"
    )
    print(
        f"feedparser bare parse, one core: {r['feedparser']['feeds_per_s']:.1f} feeds/s "
        f"({r['feedparser']['bytes_per_feed'] / 1024:.0f} KiB per feed)"
    )
    print(f"{'scenario':<30} {'hotline feeds/s':>16} {'reader feeds/s':>15} {'ratio':>7}")
    for name, hotline, reader in rows:
        print(f"{name:<30} {hotline:>16.1f} {reader:>15.1f} {hotline / reader:>6.1f}x")
    print(
        f"items stored: hotline {hv['items']}, reader {rv['items']}; "
        f"contact events: hotline {hv['events']}"
    )
    print(
        "peak RSS, whole process tree: hotline "
        f"{max(hv['peak_rss_total_mb'], hu['peak_rss_total_mb']):.0f} MB "
        f"(main process {max(hv['peak_rss_main_mb'], hu['peak_rss_main_mb']):.0f} MB), "
        f"reader {max(rv['peak_rss_total_mb'], ru['peak_rss_total_mb']):.0f} MB"
    )
    print(
        f"hotline statuses: cold {hv['first_statuses']}, warm {hv['second_statuses']}, "
        f"unchanged {hu['second_statuses']}"
    )


if __name__ == "__main__":
    main()
